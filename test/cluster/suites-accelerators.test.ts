/**
 * The accelerator suites (suites/dra_support.ts, suites/secure_accelerator_access.ts) run through
 * kaic's runner against the test cluster with the fake-GPU driver: simulated H100s on every node,
 * the kubelet plugin on the real node. Healthy, each requirement is Implemented; with the DRA
 * driver's slices gone, the DRA behaviour checks fail as an ENVIRONMENT ERROR.
 */
import { resolve } from 'node:path';

import { expect } from 'chai';

import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import {
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  requirementsFor,
} from '../../src/requirements/catalog.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { runSuites } from '../../src/runner/run-suites.js';
import { resetSuiteCluster } from '../../suites/lib/cluster.js';
import { startRealNodePlugin, type PluginProcess } from './fakegpu-helpers.js';
import { testCluster } from './hooks.js';

const SUITES = ['suites/dra_support.ts', 'suites/secure_accelerator_access.ts'].map((f) =>
  resolve(f),
);

/** Runs the suites against the test cluster, as `kaic run` does (KUBECONFIG points at it). */
async function runAcceleratorSuites(ids: string[]): Promise<TestResult[]> {
  const { handle, release } = testCluster();
  const version = isConformanceVersion(release.minor)
    ? release.minor
    : CONFORMANCE_VERSIONS[CONFORMANCE_VERSIONS.length - 1]!;
  const previous = process.env.KUBECONFIG;
  process.env.KUBECONFIG = handle.kubeconfigPath;
  resetSuiteCluster();
  try {
    const run = await runSuites({
      specFiles: SUITES,
      requirements: requirementsFor(version),
      selection: { ids: ids.filter((id) => requirementsFor(version).some((r) => r.id === id)) },
      timeoutMs: 180_000,
    });
    for (const t of run.tests) {
      process.stdout.write(
        `      ${t.status.padEnd(7)} ${t.requirementId}: ${t.title}` +
          (t.skipReason ? ` (skipped: ${t.skipReason})` : '') +
          (t.failure ? ` — ${t.failure.message.split('\n')[0]}` : '') +
          '\n',
      );
    }
    return run.tests;
  } finally {
    if (previous === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = previous;
    resetSuiteCluster();
  }
}

const of = (tests: TestResult[], id: string) => tests.filter((t) => t.requirementId === id);

describe('[suites] DRA support and secure accelerator access on the test cluster', function () {
  this.timeout(15 * 60_000);
  let publisher: SlicePublisher | null = null;
  let plugin: PluginProcess | null = null;

  before(async function () {
    const { kubeConfig, release, realNode, handle } = testCluster();
    publisher = new SlicePublisher(kubeConfig, {
      profile: gpuProfile('nvidia-h100-80gb'),
      gpusPerNode: 2,
      nodeSelector: 'kubernetes.io/os=linux',
      api: release.draApiVersion,
    });
    await publisher.start();
    if (realNode) plugin = await startRealNodePlugin(realNode, handle.kubeconfigPath);
  });

  after(async function () {
    await plugin?.stop();
    publisher?.stop();
    await publisher?.removeAll();
  });

  it('healthy: dra_support Implemented; secure_accelerator_access Implemented on the real node', async function () {
    const tests = await runAcceleratorSuites(['dra_support', 'secure_accelerator_access']);
    const dra = of(tests, 'dra_support');
    expect(dra.map((t) => t.status)).to.deep.equal(['passed', 'passed', 'passed', 'passed']);
    expect(decideVerdict(dra, null).verdict).to.equal('Implemented');
    const secure = of(tests, 'secure_accelerator_access');
    expect(secure).to.have.length(5);
    if (testCluster().realNode) {
      expect(secure.map((t) => t.status)).to.deep.equal(Array(5).fill('passed'));
      expect(decideVerdict(secure, null).verdict).to.equal('Implemented');
      expect(secure[0]?.evidence.map((e) => e.summary).join('\n')).to.include(
        'RESULT: ACCELERATOR_COUNT=1',
      );
    } else {
      expect(secure.every((t) => t.status === 'skipped' && t.skipReason)).to.equal(true);
      expect(decideVerdict(secure, null).verdict).to.equal('Unknown');
    }
  });

  it('planted fault — no ResourceSlices: the DRA behaviour checks fail as ENVIRONMENT ERROR, the API checks still pass', async function () {
    publisher?.stop();
    await publisher?.removeAll();
    const dra = of(await runAcceleratorSuites(['dra_support']), 'dra_support');
    expect(dra.map((t) => t.status)).to.deep.equal(['passed', 'passed', 'failed', 'failed']);
    for (const t of dra.filter((x) => x.status === 'failed')) {
      expect(t.failure?.message).to.include('ENVIRONMENT ERROR');
    }
    expect(decideVerdict(dra, null).verdict).to.not.equal('Implemented');
  });
});
