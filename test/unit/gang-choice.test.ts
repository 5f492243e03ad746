/**
 * gang_scheduling's choices: which solution it drives for each setting and what the server
 * serves, and which Kueue API version.
 */
import { expect } from 'chai';

import { KUEUE_APIS, chooseSolution, kueueApiToDrive } from '../../suites/lib/gang.js';

const ALL = { kueue: true, volcano: true, native: true };
const NONE = { kueue: false, volcano: false, native: false };

describe('gang_scheduling: the solution it drives', function () {
  it('auto takes Kueue, then Volcano, then the native API', function () {
    expect(chooseSolution('auto', ALL)).to.equal('kueue');
    expect(chooseSolution('auto', { ...ALL, kueue: false })).to.equal('volcano');
    expect(chooseSolution('auto', { ...NONE, native: true })).to.equal('native');
    expect(chooseSolution('auto', NONE)).to.equal(null);
  });

  it('a named solution only when the server serves it', function () {
    expect(chooseSolution('volcano', ALL)).to.equal('volcano');
    expect(chooseSolution('native', ALL)).to.equal('native');
    expect(chooseSolution('volcano', { ...ALL, volcano: false })).to.equal(null);
    expect(chooseSolution('kueue', { ...NONE, volcano: true })).to.equal(null);
  });
});

describe('gang_scheduling: the Kueue API version it drives', function () {
  const both = ['kueue.x-k8s.io/v1beta1', 'kueue.x-k8s.io/v1beta2'];
  it('auto takes v1beta2 where served, else v1beta1 (Kueue up to 0.14)', function () {
    expect(kueueApiToDrive(both, 'auto')).to.equal(KUEUE_APIS[0]);
    expect(kueueApiToDrive(['kueue.x-k8s.io/v1beta1'], 'auto')).to.equal('kueue.x-k8s.io/v1beta1');
    expect(kueueApiToDrive([], 'auto')).to.equal(null);
  });

  it('a named version only when served', function () {
    expect(kueueApiToDrive(both, 'v1beta1')).to.equal('kueue.x-k8s.io/v1beta1');
    expect(kueueApiToDrive(['kueue.x-k8s.io/v1beta1'], 'v1beta2')).to.equal(null);
  });
});
