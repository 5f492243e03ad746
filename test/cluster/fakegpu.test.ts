/**
 * The fake-GPU driver's control-plane side against the real control plane: published slices,
 * allocation by the real scheduler with CEL selectors on the profile's attributes, convergence
 * after a restart, and cleanup when a node goes.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { devicesOf, sliceName } from '../../src/fakegpu/slices.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import type { DraApiVersion } from '../../src/versions/kubernetes.js';
import { runKaic } from '../support/kaic-cli.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { claimPod, createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

const H100 = gpuProfile('nvidia-h100-80gb');
const SELECTOR = 'fakegpu.kaic.dev/test=gpu';

describe('[fakegpu] ResourceSlice publisher', function () {
  let core: k8s.CoreV1Api;
  let objects: DraObjects;
  let publisher: SlicePublisher;
  let api: DraApiVersion;
  let ns = '';
  const nodes = [`${TEST_NODES.namePrefix}-0`, `${TEST_NODES.namePrefix}-1`];

  const slices = async () =>
    objects.list('ResourceSlice', 'app.kubernetes.io/managed-by=kaic-fakegpu');

  before(async function () {
    const { kubeConfig, release } = testCluster();
    api = release.draApiVersion;
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    objects = new DraObjects(kubeConfig, api);
    for (const name of nodes) {
      await core.patchNode(
        {
          name,
          body: { metadata: { labels: { 'fakegpu.kaic.dev/test': 'gpu' } } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
    }
    publisher = new SlicePublisher(kubeConfig, {
      profile: H100,
      gpusPerNode: 8,
      nodeSelector: SELECTOR,
      api,
    });
    await publisher.start();
    ns = await createTestNamespace(kubeConfig, 'kaic-fakegpu');
  });

  after(async function () {
    publisher?.stop();
    await publisher?.removeAll();
    await deleteNamespace(testCluster().kubeConfig, ns);
    for (const name of nodes) {
      await core
        .patchNode(
          { name, body: { metadata: { labels: { 'fakegpu.kaic.dev/test': null } } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        )
        .catch(() => undefined);
    }
  });

  it('publishes one pool per node: 2 nodes × 8 H100 = 16 devices with NVIDIA attribute names and types', async function () {
    const published = await slices();
    expect(published.map((s) => (s.spec as { nodeName: string }).nodeName).sort()).to.deep.equal(
      nodes,
    );
    const devices = published.flatMap((s) =>
      devicesOf(api, s as { spec?: { devices?: unknown[] } }),
    );
    expect(devices).to.have.length(16);
    const first = devices[0];
    expect(Object.keys(first?.attributes ?? {}).sort()).to.deep.equal([
      'architecture',
      'brand',
      'cudaComputeCapability',
      'cudaDriverVersion',
      'driverVersion',
      'productName',
      'resource.kubernetes.io/pciBusID',
      'resource.kubernetes.io/pcieRoot',
      'type',
      'uuid',
    ]);
    expect(first?.attributes.productName).to.deep.equal({ string: 'NVIDIA H100 80GB HBM3' });
    expect(first?.attributes.driverVersion).to.deep.equal({ version: '580.159.4' });
    expect(first?.attributes.cudaComputeCapability).to.deep.equal({ version: '9.0.0' });
    expect(first?.capacity.memory?.value).to.equal('85520809984');
    expect(
      new Set(devices.map((d) => (d.attributes.uuid as { string: string }).string)).size,
    ).to.equal(16);
    for (const slice of published) {
      expect(slice.metadata?.ownerReferences?.[0]).to.include({ kind: 'Node', controller: true });
    }
  });

  it('lets the real scheduler allocate by CEL on productName and memory, and refuses what no device has', async function () {
    const memoryAtLeast = (gi: number) =>
      `device.attributes['gpu.nvidia.com'].productName == 'NVIDIA H100 80GB HBM3' && device.capacity['gpu.nvidia.com'].memory.compareTo(quantity('${gi}Gi')) >= 0`;
    await objects.create(
      claimTemplate(api, ns, 'h100-79gi', {
        deviceClassName: 'gpu.nvidia.com',
        count: 1,
        selectors: [memoryAtLeast(79)],
      }),
    );
    await objects.create(
      claimTemplate(api, ns, 'h100-100gi', {
        deviceClassName: 'gpu.nvidia.com',
        count: 1,
        selectors: [memoryAtLeast(100)],
      }),
    );
    await core.createNamespacedPod({ namespace: ns, body: claimPod(ns, 'fits', 'h100-79gi') });
    await core.createNamespacedPod({ namespace: ns, body: claimPod(ns, 'too-big', 'h100-100gi') });
    const running = await waitUntil('pod fits Running', async () => {
      const p = await core.readNamespacedPod({ name: 'fits', namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(nodes).to.include(running.spec?.nodeName);
    const claimName = running.status?.resourceClaimStatuses?.[0]?.resourceClaimName as string;
    const claim = (await objects.read('ResourceClaim', claimName, ns)) as {
      status?: {
        allocation?: { devices?: { results?: Array<{ driver: string; device: string }> } };
      };
    };
    expect(claim.status?.allocation?.devices?.results?.[0]?.driver).to.equal('gpu.nvidia.com');
    expect(claim.status?.allocation?.devices?.results?.[0]?.device).to.match(/^gpu-[0-7]$/);
    const unschedulable = await waitUntil('the scheduler to decide on too-big', async () => {
      const p = await core.readNamespacedPod({ name: 'too-big', namespace: ns });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    });
    expect(unschedulable).to.include({ status: 'False', reason: 'Unschedulable' });
  });

  it('converges after a restart with a changed count: no duplicates, pool generation bumped', async function () {
    const { kubeConfig } = testCluster();
    publisher.stop();
    // Something else removed one slice while the publisher was down.
    await objects.delete('ResourceSlice', sliceName(H100, nodes[0] as string));
    const restarted = new SlicePublisher(kubeConfig, {
      profile: H100,
      gpusPerNode: 4,
      nodeSelector: SELECTOR,
      api,
    });
    await restarted.start();
    try {
      const published = await slices();
      expect(published).to.have.length(2);
      for (const slice of published) {
        expect(devicesOf(api, slice as { spec?: { devices?: unknown[] } })).to.have.length(4);
      }
      const kept = published.find((s) => s.metadata?.name === sliceName(H100, nodes[1] as string));
      expect((kept?.spec as { pool: { generation: number } }).pool.generation).to.equal(2);
      expect(restarted.stats).to.include({ created: 1, updated: 1 });
    } finally {
      restarted.stop();
      publisher = restarted;
    }
  });

  it('publishes for a node that joins and removes its slice when it goes', async function () {
    const { kubeConfig } = testCluster();
    const watching = new SlicePublisher(kubeConfig, {
      profile: H100,
      gpusPerNode: 2,
      nodeSelector: SELECTOR,
      api,
    });
    await watching.start();
    publisher = watching;
    const name = 'kwok-gpu-extra';
    await core.createNode({
      body: {
        metadata: {
          name,
          labels: { 'fakegpu.kaic.dev/test': 'gpu', type: 'kwok' },
          annotations: { 'kwok.x-k8s.io/node': 'fake' },
        },
        status: { allocatable: { cpu: '8', memory: '64Gi', pods: '110' } },
      },
    });
    await waitUntil('a slice for the new node', async () =>
      (await slices()).some((s) => (s.spec as { nodeName: string }).nodeName === name),
    );
    await core.deleteNode({ name });
    await waitUntil('the new node’s slice to go', async () =>
      (await slices()).every((s) => (s.spec as { nodeName: string }).nodeName !== name),
    );
    expect(
      (await slices()).map((s) => (s.spec as { nodeName: string }).nodeName).sort(),
    ).to.deep.equal(nodes);
  });

  it('kaic fakegpu publish --once publishes a vendor-neutral profile under its own driver and class', async function () {
    const { handle, kubeConfig } = testCluster();
    const result = await runKaic([
      'fakegpu',
      'publish',
      '--once',
      '--profile',
      'generic-accelerator',
      '--gpus-per-node',
      '2',
      '--node-selector',
      SELECTOR,
      '--kubeconfig',
      handle.kubeconfigPath,
    ]);
    expect(result.exitCode, result.all).to.equal(0);
    expect(result.stdout).to.include('generic-accelerator × 2 per node');
    // Two nodes, two slices: the DeviceClass is counted apart (it once made this "3 slices").
    expect(result.stdout).to.match(
      /: 2 slices created, 0 updated, 0 removed, [01] DeviceClasses written/,
    );
    const generic = gpuProfile('generic-accelerator');
    const published = await objects.list(
      'ResourceSlice',
      'fakegpu.kaic.dev/profile=generic-accelerator',
    );
    expect(published.map((s) => (s.spec as { driver: string }).driver)).to.deep.equal([
      'accel.kaic.dev',
      'accel.kaic.dev',
    ]);
    expect((await objects.read('DeviceClass', 'accel.kaic.dev')).metadata?.name).to.equal(
      'accel.kaic.dev',
    );
    await new SlicePublisher(kubeConfig, {
      profile: generic,
      gpusPerNode: 2,
      nodeSelector: SELECTOR,
      api,
    }).removeAll();
  });
});
