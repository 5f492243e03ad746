/**
 * DRA through the real scheduler: a DeviceClass, a ResourceSlice with two devices on one kwok
 * node, and claims from a ResourceClaimTemplate. The scheduler must allocate (and bind the pod to
 * the only node with devices); a request for more devices than exist must leave the pod
 * unschedulable. The object shapes follow the DRA API version the version table gives the minor
 * (v1beta1 behind a gate on 1.33, v1 from 1.34).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { KwokProvider } from '../../src/providers/kwok.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import type { DraApiVersion } from '../../src/versions/kubernetes.js';
import { SIMULATED_NODE_TOLERATION } from '../../src/k8s/kwok-nodes.js';
import { runKaic } from '../support/kaic-cli.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

const DRIVER = 'gpu.test.kaic.dev';
const DEVICE_CLASS = 'kaic-test-gpu';

type KubeObject = k8s.KubernetesObject & Record<string, unknown>;

/** One device in the shape of the API version: v1beta1 wraps attributes in `basic`. */
function device(api: DraApiVersion, name: string, index: number): Record<string, unknown> {
  const body = {
    attributes: { index: { int: index }, productName: { string: 'Test GPU' } },
    capacity: { memory: { value: '80Gi' } },
  };
  return api === 'resource.k8s.io/v1' ? { name, ...body } : { name, basic: body };
}

function podWithClaim(ns: string, name: string, template: string): k8s.V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns },
    spec: {
      tolerations: [{ ...SIMULATED_NODE_TOLERATION }],
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: template }],
      containers: [
        {
          name: 'main',
          image: 'registry.invalid/kaic/probe:never-pulled',
          resources: { claims: [{ name: 'gpu' }] },
        },
      ],
    },
  };
}

async function servedResourceVersions(kc: k8s.KubeConfig): Promise<string[]> {
  const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
  const resource = groups.groups.find((g) => g.name === 'resource.k8s.io');
  return resource?.versions.map((v) => v.groupVersion) ?? [];
}

describe('[DRA] device allocation by the real scheduler', function () {
  let ns = '';
  let objects: DraObjects;
  let core: k8s.CoreV1Api;
  let api: DraApiVersion;
  const gpuNode = `${TEST_NODES.namePrefix}-0`;
  const sliceName = `${gpuNode}-${DRIVER}`;

  before(async function () {
    const { kubeConfig, release } = testCluster();
    api = release.draApiVersion;
    objects = new DraObjects(kubeConfig, api);
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = await createTestNamespace(kubeConfig, 'kaic-dra');
    await objects.create({
      apiVersion: api,
      kind: 'DeviceClass',
      metadata: { name: DEVICE_CLASS },
      spec: { selectors: [{ cel: { expression: `device.driver == "${DRIVER}"` } }] },
    } as KubeObject);
    await objects.create({
      apiVersion: api,
      kind: 'ResourceSlice',
      metadata: { name: sliceName },
      spec: {
        driver: DRIVER,
        nodeName: gpuNode,
        pool: { name: gpuNode, generation: 1, resourceSliceCount: 1 },
        devices: [device(api, 'gpu-0', 0), device(api, 'gpu-1', 1)],
      },
    } as KubeObject);
  });

  after(async function () {
    const { kubeConfig } = testCluster();
    await deleteNamespace(kubeConfig, ns);
    for (const [kind, name] of [
      ['ResourceSlice', sliceName],
      ['DeviceClass', DEVICE_CLASS],
    ] as const) {
      await objects.delete(kind, name).catch(() => undefined);
    }
  });

  it('serves the DRA API version the version table gives this minor', async function () {
    expect(await servedResourceVersions(testCluster().kubeConfig)).to.include(api);
  });

  it('allocates a device from the slice, reserves the claim for the pod, binds it, kwok runs it', async function () {
    await objects.create(
      claimTemplate(api, ns, 'one-gpu', { deviceClassName: DEVICE_CLASS, count: 1 }),
    );
    await core.createNamespacedPod({
      namespace: ns,
      body: podWithClaim(ns, 'uses-one-gpu', 'one-gpu'),
    });

    const pod = await waitUntil('pod uses-one-gpu Running', async () => {
      const p = await core.readNamespacedPod({ name: 'uses-one-gpu', namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    expect(pod.spec?.nodeName, 'bound to the only node with devices').to.equal(gpuNode);

    const claimName = pod.status?.resourceClaimStatuses?.find(
      (s) => s.name === 'gpu',
    )?.resourceClaimName;
    expect(claimName, 'claim generated from the template').to.be.a('string');
    const claim = (await objects.read('ResourceClaim', claimName as string, ns)) as KubeObject & {
      status?: {
        allocation?: {
          devices?: { results?: Array<{ driver: string; pool: string; device: string }> };
        };
        reservedFor?: Array<{ resource: string; name: string; uid: string }>;
      };
    };
    const results = claim.status?.allocation?.devices?.results ?? [];
    expect(results, 'status.allocation.devices.results').to.have.length(1);
    expect(results[0]?.driver).to.equal(DRIVER);
    expect(results[0]?.pool).to.equal(gpuNode);
    expect(['gpu-0', 'gpu-1']).to.include(results[0]?.device);
    expect(claim.status?.reservedFor?.map((r) => r.uid)).to.deep.equal([pod.metadata?.uid]);
  });

  it('leaves a pod that asks for more devices than exist Pending and Unschedulable', async function () {
    await objects.create(
      claimTemplate(api, ns, 'three-gpus', { deviceClassName: DEVICE_CLASS, count: 3 }),
    );
    await core.createNamespacedPod({
      namespace: ns,
      body: podWithClaim(ns, 'wants-three-gpus', 'three-gpus'),
    });
    const scheduled = await waitUntil('the scheduler to decide on wants-three-gpus', async () => {
      const p = await core.readNamespacedPod({ name: 'wants-three-gpus', namespace: ns });
      return p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    });
    const pod = await core.readNamespacedPod({ name: 'wants-three-gpus', namespace: ns });
    expect(pod.status?.phase).to.equal('Pending');
    expect(pod.spec?.nodeName, 'not bound to any node').to.equal(undefined);
    expect(scheduled.status).to.equal('False');
    expect(scheduled.reason).to.equal('Unschedulable');
  });
});

describe('[DRA] planted fault: the DRA API switched off', function () {
  let workdir = '';
  let provider: KwokProvider | null = null;

  before(async function () {
    workdir = await mkdtemp(join(tmpdir(), 'kaic-dra-off-'));
  });
  after(async function () {
    await provider?.down();
    await rm(workdir, { recursive: true, force: true });
  });

  it('is noticed: the version is not served and DRA objects are refused', async function () {
    const { handle, release } = testCluster();
    const api = release.draApiVersion;
    provider = new KwokProvider({
      minor: handle.minor,
      nodeGroups: [{ namePrefix: 'off', count: 1 }],
      workdir,
      overrides: { runtimeConfig: { [api]: 'false' } },
    });
    const off = await provider.up();
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(off.kubeconfigPath);
    expect(await servedResourceVersions(kc)).to.not.include(api);
    let status = 0;
    await new DraObjects(kc, api)
      .create({
        apiVersion: api,
        kind: 'DeviceClass',
        metadata: { name: DEVICE_CLASS },
        spec: {},
      })
      .catch((error: { code?: number }) => (status = error.code ?? -1));
    expect(status, 'HTTP status of the refused create').to.equal(404);
    // The fake-GPU publisher refuses such a cluster before creating anything.
    const publish = await runKaic([
      'fakegpu',
      'publish',
      '--once',
      '--node-selector',
      'type=kwok',
      '--kubeconfig',
      off.kubeconfigPath,
    ]);
    expect(publish.exitCode, publish.all).to.equal(2);
    expect(publish.stderr).to.include('serves no DRA API (resource.k8s.io v1 or v1beta1)');
  });
});
