/**
 * MIG on the fake-GPU driver, decided by the real scheduler: on minors whose version-table mode is
 * partitionable, a whole GPU and its MIG devices share counters so neither can be taken while the
 * other is held; on static minors, cut GPUs are offered only as their MIG devices.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { resolveMigLayout } from '../../src/fakegpu/mig.js';
import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { devicesOf } from '../../src/fakegpu/slices.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import type { DraApiVersion } from '../../src/versions/kubernetes.js';
import { runKaic } from '../support/kaic-cli.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { claimPod, createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

const H100 = gpuProfile('nvidia-h100-80gb');
const LABEL = 'fakegpu.kaic.dev/test';
const SELECTOR = `${LABEL}=mig`;
const NODE = `${TEST_NODES.namePrefix}-0`;

/** Partitionable MIG exists only on some minors; elsewhere the test is skipped, saying why. */
function skipUnlessPartitionable(test: Mocha.Context): void {
  const { release } = testCluster();
  if (release.mig === 'partitionable') return;
  // Mocha prints no reason for a skip; say it here.
  process.stdout.write(
    `      skipped: the version table publishes MIG as static devices on ${release.minor}\n`,
  );
  test.skip();
}

type Claim = {
  status?: { allocation?: { devices?: { results?: Array<{ device: string }> } } };
};

describe('[fakegpu] MIG devices', function () {
  let core: k8s.CoreV1Api;
  let objects: DraObjects;
  let api: DraApiVersion;
  let publisher: SlicePublisher | null = null;
  let ns = '';

  const setLabel = (value: string | null) =>
    core.patchNode(
      { name: NODE, body: { metadata: { labels: { [LABEL]: value } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );

  async function startPod(name: string, template: string): Promise<void> {
    await core.createNamespacedPod({ namespace: ns, body: claimPod(ns, name, template, NODE) });
  }

  /** The device a Running pod was given. */
  async function running(name: string): Promise<string> {
    const pod = await waitUntil(`pod ${name} Running`, async () => {
      const p = await core.readNamespacedPod({ name, namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const claimName = pod.status?.resourceClaimStatuses?.[0]?.resourceClaimName as string;
    const claim = (await objects.read('ResourceClaim', claimName, ns)) as Claim;
    return claim.status?.allocation?.devices?.results?.[0]?.device as string;
  }

  async function unschedulable(name: string): Promise<void> {
    const condition = await waitUntil(`the scheduler to decide on ${name}`, async () => {
      const p = await core.readNamespacedPod({ name, namespace: ns });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    });
    expect(condition, name).to.include({ status: 'False', reason: 'Unschedulable' });
  }

  async function deletePod(name: string): Promise<void> {
    await core.deleteNamespacedPod({ name, namespace: ns, gracePeriodSeconds: 0 });
    await waitUntil(`pod ${name} gone`, async () =>
      core.readNamespacedPod({ name, namespace: ns }).then(
        () => false,
        () => true,
      ),
    );
  }

  before(async function () {
    const { kubeConfig, release } = testCluster();
    api = release.draApiVersion;
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    objects = new DraObjects(kubeConfig, api);
    await setLabel('mig');
    ns = await createTestNamespace(kubeConfig, 'kaic-mig');
    for (const [name, deviceClassName] of [
      ['whole', 'gpu.nvidia.com'],
      ['mig', 'mig.nvidia.com'],
    ] as const) {
      await objects.create(claimTemplate(api, ns, name, { deviceClassName, count: 1 }));
    }
  });

  afterEach(async function () {
    publisher?.stop();
    await publisher?.removeAll();
    publisher = null;
    for (const p of (await core.listNamespacedPod({ namespace: ns })).items) {
      await deletePod(p.metadata?.name as string);
    }
  });

  after(async function () {
    await deleteNamespace(testCluster().kubeConfig, ns);
    await setLabel(null).catch(() => undefined);
  });

  it('partitionable: a whole GPU blocks its MIG devices and a MIG device blocks the whole GPU', async function () {
    const { kubeConfig, release } = testCluster();
    skipUnlessPartitionable(this);
    publisher = new SlicePublisher(kubeConfig, {
      profile: H100,
      gpusPerNode: 1,
      nodeSelector: SELECTOR,
      api,
      mig: resolveMigLayout({ request: 'auto' }, H100, 1, release.mig),
    });
    await publisher.start();
    const published = await objects.list(
      'ResourceSlice',
      'fakegpu.kaic.dev/profile=nvidia-h100-80gb',
    );
    expect(published.flatMap((s) => devicesOf(api, s))).to.have.length(26);
    expect(
      published.filter((s) => (s.spec as { sharedCounters?: unknown }).sharedCounters),
    ).to.have.length(1);

    // The whole GPU first: then no MIG device is left.
    await startPod('whole-1', 'whole');
    expect(await running('whole-1')).to.equal('gpu-0');
    await startPod('mig-1', 'mig');
    await unschedulable('mig-1');
    // Once it is free, a MIG device is taken …
    await deletePod('whole-1');
    expect(await running('mig-1')).to.match(/^gpu-0-mig-/);
    // … another MIG device still fits beside it, the whole GPU does not.
    await startPod('mig-2', 'mig');
    expect(await running('mig-2')).to.match(/^gpu-0-mig-/);
    await startPod('whole-2', 'whole');
    await unschedulable('whole-2');
  });

  it('static: cut GPUs are offered only as their MIG instances', async function () {
    const { kubeConfig, release } = testCluster();
    publisher = new SlicePublisher(kubeConfig, {
      profile: H100,
      gpusPerNode: 2,
      nodeSelector: SELECTOR,
      api,
      mig: resolveMigLayout(
        { request: 'static', gpus: 1, profileName: '3g.40gb' },
        H100,
        2,
        release.mig,
      ),
    });
    await publisher.start();
    const devices = (
      await objects.list('ResourceSlice', 'fakegpu.kaic.dev/profile=nvidia-h100-80gb')
    ).flatMap((s) => devicesOf(api, s));
    expect(devices.map((d) => d.name)).to.deep.equal([
      'gpu-0',
      'gpu-1-mig-3g-40gb-9-0',
      'gpu-1-mig-3g-40gb-9-4',
    ]);
    // Two whole GPUs are asked for, one exists; the two 3g.40gb instances are both there.
    await objects.create(
      claimTemplate(api, ns, 'whole-pair', { deviceClassName: 'gpu.nvidia.com', count: 2 }),
    );
    await objects.create(
      claimTemplate(api, ns, 'mig-pair', { deviceClassName: 'mig.nvidia.com', count: 2 }),
    );
    await startPod('whole-pair', 'whole-pair');
    await startPod('mig-pair', 'mig-pair');
    await unschedulable('whole-pair');
    expect(await running('mig-pair')).to.match(/^gpu-1-mig-3g-40gb-9-[04]$/);
  });

  it('kaic fakegpu publish --mig auto follows the version table, and refuses MIG on a profile without it', async function () {
    const { handle, release } = testCluster();
    const args = [
      'fakegpu',
      'publish',
      '--once',
      '--cleanup',
      '--node-selector',
      SELECTOR,
      '--kubeconfig',
      handle.kubeconfigPath,
    ];
    const auto = await runKaic([...args, '--mig', 'auto', '--gpus-per-node', '2']);
    expect(auto.exitCode, auto.all).to.equal(0);
    expect(auto.stdout).to.include(
      release.mig === 'partitionable'
        ? 'MIG partitionable'
        : 'MIG static: 1 GPUs per node as 1g.10gb',
    );
    if (release.draApiVersion !== 'resource.k8s.io/v1') {
      const old = await runKaic([...args, '--mig', 'partitionable']);
      expect(old.exitCode, old.all).to.equal(2);
      expect(old.stderr).to.include('partitionable MIG devices need resource.k8s.io/v1');
    }
    const l4 = await runKaic([...args, '--profile', 'nvidia-l4', '--mig', 'static']);
    expect(l4.exitCode).to.equal(2);
    expect(l4.stderr).to.include('GPU profile nvidia-l4 has no MIG');
    const badProfile = await runKaic([...args, '--mig', 'static', '--mig-profile', '9g.1tb']);
    expect(badProfile.exitCode).to.equal(2);
    expect(badProfile.stderr).to.include('MIG profile "9g.1tb" is not one of nvidia-h100-80gb\'s');
  });

  it('refuses partitionable MIG on a server whose DRAPartitionableDevices gate is off, writing nothing', async function () {
    const { handle } = testCluster();
    skipUnlessPartitionable(this);
    this.timeout(120_000);
    // A second control plane of the same minor with the gate switched off.
    const provider = new KwokProvider({
      minor: handle.minor,
      nodeGroups: [{ namePrefix: 'gate-off', count: 1, labels: { [LABEL]: 'mig' } }],
      overrides: { featureGates: { DRAPartitionableDevices: false } },
    });
    const off = await provider.up();
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(off.kubeconfigPath);
      const publisher = new SlicePublisher(kc, {
        profile: H100,
        gpusPerNode: 1,
        nodeSelector: SELECTOR,
        api,
        mig: { mode: 'partitionable' },
      });
      const error = await publisher.start().then(
        () => null,
        (e: unknown) => e as Error,
      );
      publisher.stop();
      expect(error?.message).to.include('turn on the DRAPartitionableDevices feature gate');
      const offObjects = new DraObjects(kc, api);
      expect(await offObjects.list('ResourceSlice')).to.deep.equal([]);
      expect(await offObjects.list('DeviceClass')).to.deep.equal([]);
    } finally {
      await provider.down();
    }
  });
});
