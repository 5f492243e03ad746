/**
 * The accelerator and gang suites run through kaic's runner against the test cluster with the
 * fake-GPU driver: simulated H100s on every node, the kubelet plugin on the real node. Healthy,
 * each requirement has its expected verdict; then the fault matrix, each fault planted alone and
 * flipping only its requirement: a runtime leaking GPUs (to every container, or to those setting
 * NVIDIA_VISIBLE_DEVICES=all), an advertised driver version nvidia-smi contradicts, a scheduler
 * without the gang plugin, no ResourceSlices, and the DRA API switched off (which, as in real
 * Kubernetes, also stalls the scheduler).
 */
import { expect } from 'chai';

import { FAKE_GPU_DRIVER_NAME } from '../../src/fakegpu/driver.js';
import { NVIDIA_MAJOR, NVIDIACTL_MINOR } from '../../src/fakegpu/plugin/cdi.js';
import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import { startSimulatedH100s, type SimulatedGpus } from './fakegpu-helpers.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { conformanceVersion, inCatalog, runSuitesOnTestCluster, testsOf } from './suite-runs.js';
import type { LeakMode } from '../support/leaky-runtime.js';

/** Runs the suites against the test cluster, as `kaic run` does (KUBECONFIG points at it). */
function runAcceleratorSuites(ids: string[]): Promise<TestResult[]> {
  return runSuitesOnTestCluster(ids);
}

function runSuitesAt(kubeconfigPath: string, ids: string[]): Promise<TestResult[]> {
  return runSuitesOnTestCluster(ids, { kubeconfigPath });
}

const of = testsOf;

/** Static MIG cuts half of them, so two whole GPUs stay on every node. */
const GPUS_PER_NODE = 4;

describe('[suites] accelerator and gang suites on the test cluster (kwok nodes + the real node)', function () {
  this.timeout(15 * 60_000);
  let gpus: SimulatedGpus | null = null;

  before(async function () {
    gpus = await startSimulatedH100s(GPUS_PER_NODE);
  });

  after(async function () {
    await gpus?.stop();
  });

  it('healthy: every accelerator requirement Implemented, vGPU Unknown with its reason', async function () {
    const started = Date.now();
    const tests = await runAcceleratorSuites([
      'dra_support',
      'secure_accelerator_access',
      'driver_runtime_management',
      'gpu_sharing',
      'virtualized_accelerator',
      'gang_scheduling',
    ]);
    const perSuite = [...new Set(tests.map((t) => t.requirementId))].map(
      (id) =>
        `${id} ${(of(tests, id).reduce((ms, t) => ms + t.durationMs, 0) / 1000).toFixed(1)} s`,
    );
    process.stdout.write(
      `      (suites took ${((Date.now() - started) / 1000).toFixed(1)} s: ${perSuite.join(', ')})\n`,
    );
    const real = Boolean(testCluster().realNode);
    const expected: Record<string, { count: number; verdict: string }> = {
      dra_support: { count: 4, verdict: 'Implemented' },
      secure_accelerator_access: { count: 5, verdict: real ? 'Implemented' : 'Unknown' },
      driver_runtime_management: { count: 2, verdict: real ? 'Implemented' : 'Unknown' },
      gpu_sharing: { count: 3, verdict: 'Implemented' },
      virtualized_accelerator: { count: 1, verdict: 'Unknown' },
      // Native gang scheduling from 1.35; before that this cluster has no gang scheduler at all.
      gang_scheduling: {
        count: 2,
        verdict: testCluster().release.gang ? 'Implemented' : 'Not Implemented',
      },
    };
    for (const [id, want] of Object.entries(expected)) {
      if (!inCatalog(id)) {
        expect(of(tests, id), `${id} is not in conformance ${conformanceVersion()}`).to.deep.equal(
          [],
        );
        continue;
      }
      const mine = of(tests, id);
      expect(mine, id).to.have.length(want.count);
      expect(decideVerdict(mine, null).verdict, id).to.equal(want.verdict);
      for (const t of mine.filter((x) => x.status === 'skipped')) {
        expect(t.skipReason, `${id}: ${t.title} says why it skipped`)
          .to.be.a('string')
          .and.not.equal('');
      }
    }
    if (real) {
      expect(
        of(tests, 'secure_accelerator_access')[0]
          ?.evidence.map((e) => e.summary)
          .join('\n'),
      ).to.include('RESULT: ACCELERATOR_COUNT=1');
    }
  });

  /** Arms the real node's runtime leak for one run of the suites; always disarms. */
  async function withLeak(
    ctx: Mocha.Context,
    mode: LeakMode,
    ids: string[],
  ): Promise<TestResult[]> {
    onDefaultMinorOnly(ctx, "the runtime's device handling does not change with the minor");
    const runtime = testCluster().leakyRuntime;
    if (!runtime) {
      process.stdout.write(
        `      skipped: no real node (${testCluster().noRealNodeReason}): nothing runs containers\n`,
      );
      ctx.skip();
    }
    // Every GPU of the node and the control node, as a leaking runtime hands them out.
    const devices = [
      ...Array.from({ length: GPUS_PER_NODE }, (_, minor) => ({
        path: `/dev/nvidia${minor}`,
        major: NVIDIA_MAJOR,
        minor,
      })),
      { path: '/dev/nvidiactl', major: NVIDIA_MAJOR, minor: NVIDIACTL_MINOR },
    ];
    await runtime.arm(mode, devices);
    try {
      return await runAcceleratorSuites(ids);
    } finally {
      await runtime.disarm();
    }
  }

  it("planted fault — a DRA driver that adds no interface named as the network driver (kaic's GPUs): high_performance_networking (1.36) Not Implemented, the baseline pod's kernel devices not counted", async function () {
    onDefaultMinorOnly(this, 'the interfaces a pod sees do not change with the minor');
    if (!testCluster().realNode) {
      process.stdout.write('      skipped: no real node: nothing runs ip in a pod\n');
      this.skip();
    }
    const tests = await runSuitesOnTestCluster(['high_performance_networking'], {
      conformance: '1.36',
      evidence: true,
      env: { KAIC_NETWORK_DRA_DRIVER: FAKE_GPU_DRIVER_NAME },
    });
    const networking = of(tests, 'high_performance_networking');
    expect(networking.map((t) => t.status)).to.deep.equal(['failed']);
    expect(networking[0]?.failure?.message).to.match(
      /interfaces a pod holding a .* device has beyond a pod without one/,
    );
    const evidence = networking[0]?.evidence.map((e) => e.summary).join('\n') ?? '';
    expect(evidence, 'the claimant and the baseline compared on one node').to.match(
      /a pod without a claim .*; added: none/,
    );
    expect(decideVerdict(networking, null).verdict).to.equal('Not Implemented');
  });

  it('planted fault — the runtime hands every container all GPUs: secure_accelerator_access falls, the others stay', async function () {
    const tests = await withLeak(this, 'every-container', [
      'secure_accelerator_access',
      'dra_support',
      'driver_runtime_management',
      'gpu_sharing',
    ]);
    const secure = of(tests, 'secure_accelerator_access');
    expect(secure.map((t) => t.status)).to.deep.equal(Array(5).fill('failed'));
    expect(decideVerdict(secure, null).verdict).to.equal('Not Implemented');
    for (const id of ['dra_support', 'driver_runtime_management', 'gpu_sharing']) {
      if (!inCatalog(id)) continue;
      expect(decideVerdict(of(tests, id), null).verdict, id).to.equal('Implemented');
    }
  });

  it('planted fault — the runtime honours NVIDIA_VISIBLE_DEVICES=all (legacy mode): only that check falls', async function () {
    const secure = of(
      await withLeak(this, 'nvidia-visible-devices-all', ['secure_accelerator_access']),
      'secure_accelerator_access',
    );
    expect(secure.map((t) => t.status)).to.deep.equal([
      'passed',
      'passed',
      'passed',
      'passed',
      'failed',
    ]);
    expect(secure[4]?.failure?.message).to.match(/expected [1-9]\d* to equal \+?0/);
    expect(decideVerdict(secure, null).verdict).to.equal('Partially Implemented');
  });

  it('planted fault — advertised driver version differs from what nvidia-smi reports: only driver_runtime_management falls', async function () {
    onDefaultMinorOnly(this, 'the driver version a slice advertises is read alike on every minor');
    const { kubeConfig, release, realNode } = testCluster();
    if (!realNode || !inCatalog('driver_runtime_management')) {
      const why = !realNode
        ? 'no real node: nothing runs nvidia-smi'
        : `conformance ${conformanceVersion()} has no driver_runtime_management`;
      process.stdout.write(`      skipped: ${why}\n`);
      this.skip();
    }
    gpus!.publisher.stop();
    const h100 = gpuProfile('nvidia-h100-80gb');
    // The slices now claim a driver the node does not run; the plugin's nvidia-smi still says 580.
    const publisher = new SlicePublisher(kubeConfig, {
      profile: { ...h100, driverVersion: '570.86.15' },
      gpusPerNode: GPUS_PER_NODE,
      nodeSelector: 'kubernetes.io/os=linux',
      api: release.draApiVersion,
    });
    gpus!.publisher = publisher;
    await publisher.start();
    const tests = await runAcceleratorSuites([
      'driver_runtime_management',
      'secure_accelerator_access',
    ]);
    const driver = of(tests, 'driver_runtime_management');
    expect(driver.map((t) => t.status)).to.deep.equal(['passed', 'failed']);
    expect(driver[1]?.failure?.message).to.match(/570\.86\.15/);
    expect(decideVerdict(driver, null).verdict).to.equal('Partially Implemented');
    expect(decideVerdict(of(tests, 'secure_accelerator_access'), null).verdict).to.equal(
      'Implemented',
    );
  });

  it('planted fault — scheduler without the gang plugin (GangScheduling off): gang_scheduling falls, pods bind partially', async function () {
    const { release } = testCluster();
    if (!release.gang || !('GangScheduling' in release.featureGates)) {
      process.stdout.write(
        `      skipped: ${release.minor} has no GangScheduling gate to switch off apart from the Workload API\n`,
      );
      this.skip();
    }
    const provider = new KwokProvider({
      minor: release.minor,
      nodeGroups: [{ namePrefix: 'kwok-node', count: 1 }],
      overrides: { featureGates: { GangScheduling: false } },
    });
    try {
      const handle = await provider.up();
      const tests = await runSuitesAt(handle.kubeconfigPath, ['gang_scheduling']);
      const gang = of(tests, 'gang_scheduling');
      expect(gang.map((t) => t.status)).to.deep.equal(['passed', 'failed']);
      expect(gang[1]?.failure?.message).to.include('pods of the incomplete gang bound');
      expect(decideVerdict(gang, null).verdict).to.equal('Partially Implemented');
    } finally {
      await provider.down();
    }
  });

  /*
   * Switching the DRA API off is not contained to dra_support: with DynamicResourceAllocation on
   * (GA and locked from 1.34, on by the version table for 1.33) kube-scheduler waits for its
   * DeviceClass/ResourceSlice/ResourceClaim informers, which never sync, and schedules nothing.
   * So every scheduling check falls with it; detection-only checks stay as they were.
   */
  it('planted fault — DRA API switched off (runtime-config): dra_support Not Implemented; the scheduler stalls, so gang_scheduling falls too', async function () {
    const { release } = testCluster();
    if (!inCatalog('dra_support')) {
      process.stdout.write(
        `      skipped: conformance ${conformanceVersion()} has no dra_support (covered upstream from 1.36)\n`,
      );
      this.skip();
    }
    const provider = new KwokProvider({
      minor: release.minor,
      nodeGroups: [{ namePrefix: 'kwok-node', count: 1 }],
      overrides: { runtimeConfig: { [release.draApiVersion]: 'false' } },
    });
    try {
      const handle = await provider.up();
      // No pod gets a node here: the gangs' waits are cut short (they are 120 s by default).
      const tests = await runSuitesOnTestCluster(
        ['dra_support', 'gang_scheduling', 'virtualized_accelerator'],
        { kubeconfigPath: handle.kubeconfigPath, env: { KAIC_GANG_TIMEOUT_SECONDS: '15' } },
      );
      const dra = of(tests, 'dra_support');
      expect(dra.map((t) => t.status)).to.deep.equal(Array(4).fill('failed'));
      expect(decideVerdict(dra, null).verdict).to.equal('Not Implemented');
      const gang = of(tests, 'gang_scheduling');
      expect(decideVerdict(gang, null).verdict).to.equal('Not Implemented');
      if (release.gang) {
        // Not the gang solution's fault: no pod, gang or not, gets a node.
        expect(gang[0]?.failure?.message).to.match(/timed out .* bound/);
      }
      if (inCatalog('virtualized_accelerator')) {
        expect(decideVerdict(of(tests, 'virtualized_accelerator'), null).verdict).to.equal(
          'Unknown',
        );
      }
    } finally {
      await provider.down();
    }
  });

  it('planted fault — no ResourceSlices: the DRA behaviour checks end as ENVIRONMENT ERROR, dra_support stays Implemented on its API checks; the accelerator suites say Unknown', async function () {
    onDefaultMinorOnly(this, 'an empty device pool is told apart alike on every minor');
    gpus!.publisher.stop();
    await gpus!.publisher.removeAll();
    if (inCatalog('dra_support')) {
      const dra = of(await runAcceleratorSuites(['dra_support']), 'dra_support');
      expect(dra.map((t) => t.status)).to.deep.equal(['passed', 'passed', 'failed', 'failed']);
      for (const t of dra.filter((x) => x.status === 'failed')) {
        expect(t.failure?.message).to.include('ENVIRONMENT ERROR');
      }
      expect(dra.map((t) => Boolean(t.supporting))).to.deep.equal([false, false, true, true]);
      expect(decideVerdict(dra, null).verdict).to.equal('Implemented');
      expect(decideVerdict(dra, null).reason).to.match(/supporting: 2 could not run/);
      return;
    }
    // From 1.36 dra_support is upstream's; the accelerator suites find no accelerator instead.
    const secure = of(
      await runAcceleratorSuites(['secure_accelerator_access']),
      'secure_accelerator_access',
    );
    expect(secure.map((t) => t.status)).to.deep.equal(Array(5).fill('failed'));
    for (const t of secure) expect(t.failure?.message).to.include('ENVIRONMENT ERROR');
    expect(decideVerdict(secure, null).verdict).to.equal('Unknown');
  });
});
