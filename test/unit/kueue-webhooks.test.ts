import { expect } from 'chai';

import { webhookPathFilter } from '../../src/addons/gang-scheduler/beside-cluster.js';

describe('Kueue webhook paths registered', function () {
  it('keeps Kueue’s own kinds and the Job integration, drops the other integrations', function () {
    const served = webhookPathFilter(['batch/job']);
    expect(served('/mutate-batch-v1-job')).to.equal(true);
    expect(served('/validate-batch-v1-job')).to.equal(true);
    expect(served('/mutate-kueue-x-k8s-io-v1beta2-clusterqueue')).to.equal(true);
    expect(served('/validate-kueue-x-k8s-io-v1beta2-workload')).to.equal(true);
    expect(served('/mutate--v1-pod')).to.equal(false);
    expect(served('/mutate-jobset-x-k8s-io-v1alpha2-jobset')).to.equal(false);
    expect(served('/mutate-apps-v1-deployment')).to.equal(false);
    expect(served('/mutate-batch-v1-jobx')).to.equal(false);
  });

  it('with no integration keeps only Kueue’s own kinds', function () {
    const served = webhookPathFilter([]);
    expect(served('/mutate-batch-v1-job')).to.equal(false);
    expect(served('/mutate-kueue-x-k8s-io-v1beta2-resourceflavor')).to.equal(true);
  });

  it('names the core group as empty (pod)', function () {
    expect(webhookPathFilter(['pod'])('/mutate--v1-pod')).to.equal(true);
  });
});
