/**
 * The running control plane matches what the version table promises for its minor: the release,
 * and every API group-version the table switches on (DRA, the Workload API where the minor has one).
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { testCluster } from './hooks.js';

describe('[versions] the control plane matches the version table', function () {
  let served: string[] = [];

  before(async function () {
    const groups = await testCluster().kubeConfig.makeApiClient(k8s.ApisApi).getAPIVersions();
    served = groups.groups.flatMap((g) => g.versions.map((v) => v.groupVersion));
  });

  it('runs the release the table names for this minor', async function () {
    const { kubeConfig, release, handle } = testCluster();
    const version = await kubeConfig.makeApiClient(k8s.VersionApi).getCode();
    expect(version.gitVersion).to.equal(release.version);
    expect(`${version.major}.${version.minor}`).to.equal(release.minor);
    expect(handle.serverVersion).to.equal(release.version);
  });

  it('serves every group-version the table enables with runtime-config', function () {
    const { release } = testCluster();
    const enabled = Object.entries(release.runtimeConfig)
      .filter(([, value]) => value === 'true')
      .map(([groupVersion]) => groupVersion);
    for (const groupVersion of enabled) expect(served, groupVersion).to.include(groupVersion);
  });

  it('serves the DRA API version and, where the minor has one, the Workload API version', function () {
    const { release } = testCluster();
    expect(served).to.include(release.draApiVersion);
    if (release.gang) expect(served).to.include(release.gang.apiVersion);
    else expect(served.filter((gv) => gv.startsWith('scheduling.k8s.io/v1a'))).to.deep.equal([]);
  });
});
