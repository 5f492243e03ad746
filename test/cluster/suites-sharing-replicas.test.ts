/**
 * gpu_sharing on a device-plugin platform that time-slices: a kwok cluster of its own whose GPU
 * node advertises nvidia.com/gpu as replicas (8 = 2 GPUs × 4, with the feature-discovery labels
 * that say so), as NVIDIA's device plugin does with time-slicing. Expected before the run: the
 * replicas check runs 3 pods (one more than the 2 GPUs) and gpu_sharing is Implemented; on a node
 * advertising whole GPUs only, nothing shows sharing and gpu_sharing is Unknown, not Not
 * Implemented.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { KwokProvider } from '../../src/providers/kwok.js';
import { decideVerdict } from '../../src/results/model.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { runSuitesOnTestCluster } from './suite-runs.js';

describe('[suites] gpu_sharing on device-plugin replicas (a kwok cluster of its own)', function () {
  this.timeout(10 * 60_000);
  let workdir = '';
  const log = (line: string) => process.stdout.write(`      ${line}\n`);

  before(async function () {
    onDefaultMinorOnly(
      this,
      'how a device plugin advertises replicas does not change with the minor',
    );
    workdir = await mkdtemp(join(tmpdir(), 'kaic-replicas-'));
  });

  after(async function () {
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  async function sharingOn(labels: Record<string, string>, gpus: string) {
    const provider = new KwokProvider({
      minor: testCluster().handle.minor,
      nodeGroups: [
        {
          namePrefix: 'gpu',
          count: 1,
          labels: { 'nvidia.com/gpu.present': 'true', ...labels },
          allocatable: { 'nvidia.com/gpu': gpus, cpu: '32' },
        },
      ],
      workdir,
      log,
    });
    const handle = await provider.up();
    try {
      return await runSuitesOnTestCluster(['gpu_sharing'], {
        kubeconfigPath: handle.kubeconfigPath,
        evidence: true,
        env: { KAIC_ACCELERATOR: 'nvidia', KAIC_ALLOCATION_MODE: 'device-plugin' },
      });
    } finally {
      await provider.down();
    }
  }

  it('time-sliced (8 replicas of 2 GPUs): 3 pods on shared replicas all run, Implemented', async function () {
    const tests = await sharingOn(
      { 'nvidia.com/gpu.replicas': '4', 'nvidia.com/gpu.sharing-strategy': 'time-slicing' },
      '8',
    );
    const replicas = tests.find((t) => /shared replica/.test(t.title));
    expect(replicas?.status, replicas?.failure?.message ?? replicas?.skipReason ?? '').to.equal(
      'passed',
    );
    expect(replicas?.evidence.map((e) => e.summary).join('\n')).to.include(
      '3 pods, one nvidia.com/gpu each, all Running on gpu-0, which has 2 physical devices split into 4 replicas each',
    );
    expect(decideVerdict(tests, null).verdict).to.equal('Implemented');
  });

  it('whole GPUs only: nothing shows sharing, Unknown with the reason', async function () {
    const tests = await sharingOn({}, '2');
    const verdict = decideVerdict(tests, null);
    expect(verdict.verdict).to.equal('Unknown');
    expect(verdict.reason).to.include('no node advertises shared replicas');
  });
});
