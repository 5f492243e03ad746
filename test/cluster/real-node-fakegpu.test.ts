/**
 * The fake-GPU kubelet plugin (the bundled dist/fakegpu.js, as a process) on the real node, met by
 * the real kubelet: a container holding a GPU claim sees its device node and a fake nvidia-smi
 * naming the allocated GPU; a second container of that pod, a pod without a claim, and a pod that
 * asks for every GPU through NVIDIA_VISIBLE_DEVICES see none.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import { REAL_NODE_LABEL } from '../../src/providers/real-node/real-node.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { startRealNodePlugin, type PluginProcess } from './fakegpu-helpers.js';
import { requireRealNode, testCluster } from './hooks.js';
import { createTestNamespace, deleteNamespace, execInPod, waitUntil } from './k8s-helpers.js';

const DRIVER = 'gpu.nvidia.com';
const LIST_DEVICES = 'ls /dev | grep "^nvidia" || echo none';

describe('[real-node] fake-GPU kubelet plugin met by the real kubelet', function () {
  let core: k8s.CoreV1Api;
  let publisher: SlicePublisher | null = null;
  let plugin: PluginProcess | null = null;
  let ns = '';
  let node = '';

  const exec = (pod: string, container: string, script: string) =>
    execInPod(testCluster().kubeConfig, ns, pod, container, ['sh', '-c', script]);

  function pod(name: string, containers: k8s.V1Container[], claim: boolean): k8s.V1Pod {
    return {
      metadata: { name, namespace: ns },
      spec: {
        // Scheduled (not bound by nodeName), so the scheduler allocates the claim.
        nodeSelector: { 'kubernetes.io/hostname': node },
        terminationGracePeriodSeconds: 1,
        ...(claim
          ? { resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-gpu' }] }
          : {}),
        containers: containers.map((c) => ({
          image: LOCAL_NODE_IMAGES.busybox,
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', '3600'],
          ...c,
        })),
      },
    };
  }

  async function running(name: string): Promise<k8s.V1Pod> {
    return waitUntil(
      `pod ${name} Running`,
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name });
        return p.status?.phase === 'Running' ? p : undefined;
      },
      90_000,
    );
  }

  before(async function () {
    this.timeout(180_000);
    const realNode = requireRealNode(this);
    node = realNode.name;
    const { kubeConfig, release, handle } = testCluster();
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    publisher = new SlicePublisher(kubeConfig, {
      profile: gpuProfile('nvidia-h100-80gb'),
      gpusPerNode: 2,
      nodeSelector: `${REAL_NODE_LABEL}=true`,
      api: release.draApiVersion,
    });
    await publisher.start();
    plugin = await startRealNodePlugin(realNode, handle.kubeconfigPath, DRIVER);
    ns = await createTestNamespace(kubeConfig, 'kaic-real-gpu');
    await new DraObjects(kubeConfig, release.draApiVersion).create(
      claimTemplate(release.draApiVersion, ns, 'one-gpu', { deviceClassName: DRIVER, count: 1 }),
    );
    await core.createNamespacedPod({
      namespace: ns,
      body: pod(
        'gpu',
        [{ name: 'main', resources: { claims: [{ name: 'gpu' }] } }, { name: 'side' }],
        true,
      ),
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: pod('plain', [{ name: 'main' }], false),
    });
    await core.createNamespacedPod({
      namespace: ns,
      body: pod(
        'sneaky',
        [{ name: 'main', env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }] }],
        false,
      ),
    });
  });

  after(async function () {
    this.timeout(60_000);
    if (ns) await deleteNamespace(testCluster().kubeConfig, ns);
    // Let the kubelet unprepare the claim while the plugin still serves.
    if (ns) {
      await waitUntil(
        'the claimed pod to be gone',
        async () =>
          !(await core.readNamespacedPod({ namespace: ns, name: 'gpu' }).catch(() => null)),
        30_000,
      ).catch(() => undefined);
    }
    await plugin?.stop();
    publisher?.stop();
    await publisher?.removeAll();
  });

  it('gives the claimed container its GPU’s device node and an nvidia-smi naming that GPU', async function () {
    const gpu = await running('gpu');
    const claimName = gpu.status?.resourceClaimStatuses?.[0]?.resourceClaimName as string;
    const claim = await new DraObjects(
      testCluster().kubeConfig,
      testCluster().release.draApiVersion,
    ).read('ResourceClaim', claimName, ns);
    const device = (
      claim as { status?: { allocation?: { devices?: { results?: Array<{ device: string }> } } } }
    ).status?.allocation?.devices?.results?.[0]?.device;
    expect(device, 'allocated device').to.match(/^gpu-\d+$/);
    const index = Number(device?.slice('gpu-'.length));
    const devs = await exec('gpu', 'main', LIST_DEVICES);
    expect(devs.stdout.split('\n').filter(Boolean)).to.have.members([
      `nvidia${index}`,
      'nvidiactl',
      'nvidia-uvm',
      'nvidia-uvm-tools',
    ]);
    const smi = await exec('gpu', 'main', 'nvidia-smi -L');
    expect(smi.exitCode, smi.stderr).to.equal(0);
    expect(smi.stdout).to.match(/^GPU 0: NVIDIA H100 80GB HBM3 \(UUID: GPU-[0-9a-f-]+\)\n$/);
    const env = await exec('gpu', 'main', 'echo "$NVIDIA_VISIBLE_DEVICES"');
    expect(smi.stdout).to.include(env.stdout.trim());
  });

  it('gives the second container of the claimed pod no device and no nvidia-smi', async function () {
    await running('gpu');
    expect((await exec('gpu', 'side', LIST_DEVICES)).stdout).to.equal('none\n');
    expect((await exec('gpu', 'side', 'command -v nvidia-smi')).exitCode).to.not.equal(0);
  });

  it('gives a pod without a claim no device, even when it sets NVIDIA_VISIBLE_DEVICES=all', async function () {
    await running('plain');
    await running('sneaky');
    expect((await exec('plain', 'main', LIST_DEVICES)).stdout).to.equal('none\n');
    expect((await exec('sneaky', 'main', LIST_DEVICES)).stdout).to.equal('none\n');
  });
});
