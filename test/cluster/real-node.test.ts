/**
 * The real node: kubelet and containerd on this machine, joined to the kwok cluster. Containers
 * really run from the locally built images; logs and exec go through the API server to the
 * kubelet; kwok leaves the node alone.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  REAL_NODE_LABEL,
  RealNode,
  RealNodeError,
} from '../../src/providers/real-node/real-node.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { CONTAINERD_VERSION } from '../../src/versions/kubernetes.js';
import { requireRealNode, testCluster } from './hooks.js';
import {
  createTestNamespace,
  deleteNamespace,
  execInPod,
  realNodePod,
  waitUntil,
} from './k8s-helpers.js';

describe('[real-node] kubelet + containerd beside the kwok nodes', function () {
  let core: k8s.CoreV1Api;
  let ns = '';
  let node = '';

  before(async function () {
    node = requireRealNode(this).name;
    core = testCluster().kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = await createTestNamespace(testCluster().kubeConfig, 'kaic-real');
  });

  after(async function () {
    if (ns) await deleteNamespace(testCluster().kubeConfig, ns);
  });

  async function runningPod(
    name: string,
    script: string,
    image: string = LOCAL_NODE_IMAGES.busybox,
  ) {
    await core.createNamespacedPod({
      namespace: ns,
      body: realNodePod(ns, name, node, script, image),
    });
    return waitUntil(`pod ${name} Running on ${node}`, async () => {
      const pod = await core.readNamespacedPod({ namespace: ns, name });
      const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
      if (waiting?.reason && /Err|BackOff/.test(waiting.reason)) {
        throw new Error(`pod ${name}: ${waiting.reason}: ${waiting.message}`);
      }
      return pod.status?.phase === 'Running' ? pod : undefined;
    });
  }

  it('is a Ready node run by a real kubelet, labelled, untainted, and kwok does not manage it', async function () {
    const n = await core.readNode({ name: node });
    expect(n.status?.nodeInfo?.kubeletVersion).to.equal(testCluster().release.version);
    expect(n.status?.nodeInfo?.containerRuntimeVersion).to.equal(
      `containerd://${CONTAINERD_VERSION.slice(1)}`,
    );
    expect(n.metadata?.labels?.[REAL_NODE_LABEL]).to.equal('true');
    expect(n.metadata?.annotations?.['kwok.x-k8s.io/node']).to.equal(undefined);
    // No taint of its own: pods that know nothing of kaic land here, where containers run.
    expect(n.spec?.taints ?? []).to.deep.equal([]);
    const address = n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    expect(address).to.equal(requireRealNode(this).nodeIp);
  });

  it('runs a container from the local busybox image; its logs are readable through the API', async function () {
    const pod = await runningPod('logs', 'echo "hello from $(hostname) uid=$(id -u)"; sleep 3600');
    expect(pod.status?.podIP, 'pod IP from the bridge CNI').to.match(/^10\.244\.0\.\d+$/);
    const logs = await waitUntil('the container to log', async () => {
      const text = await core.readNamespacedPodLog({ namespace: ns, name: 'logs' });
      return text.includes('hello') ? text : undefined;
    });
    expect(logs).to.equal('hello from logs uid=0\n');
  });

  it('execs into the container and reports the command’s output and exit code', async function () {
    await runningPod('exec', 'sleep 3600');
    const ok = await execInPod(testCluster().kubeConfig, ns, 'exec', 'main', [
      'sh',
      '-c',
      'cat /etc/hostname; echo to-stderr >&2',
    ]);
    expect(ok).to.deep.equal({ stdout: 'exec\n', stderr: 'to-stderr\n', exitCode: 0 });
    const failed = await execInPod(testCluster().kubeConfig, ns, 'exec', 'main', [
      'sh',
      '-c',
      'exit 7',
    ]);
    expect(failed.exitCode).to.equal(7);
  });

  it('holds every local image under the name pods use, and a missing one is named in the pod status', async function () {
    await runningPod('probe', 'sleep 3600', LOCAL_NODE_IMAGES.probe);
    const missing = 'kaic.local/not-imported:1';
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        ...realNodePod(ns, 'missing', node, 'true', missing),
        spec: {
          ...realNodePod(ns, 'missing', node, 'true', missing).spec!,
          containers: [{ name: 'main', image: missing, imagePullPolicy: 'Never' }],
        },
      },
    });
    const waiting = await waitUntil('the missing image to be reported', async () => {
      const pod = await core.readNamespacedPod({ namespace: ns, name: 'missing' });
      return pod.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull'
        ? pod.status.containerStatuses[0].state.waiting
        : undefined;
    });
    expect(waiting.message).to.include(missing);
  });

  it('refuses a second real node on this machine, naming the running one’s owner, and creates nothing', async function () {
    const clusterDir = mkdtempSync(join(tmpdir(), 'kaic-second-node-'));
    const { handle, release } = testCluster();
    const second = new RealNode(
      { clusterDir, kubeconfigPath: handle.kubeconfigPath, release, log: () => undefined },
      { name: 'real-node-1' },
    );
    try {
      const error = await second.start().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(RealNodeError);
      expect((error as Error).message).to.include(
        `another real node is running on this machine (owner pid ${process.pid}`,
      );
      expect(readdirSync(clusterDir)).to.deep.equal([]);
      const nodes = await core.listNode();
      expect(nodes.items.map((n) => n.metadata?.name)).to.not.include('real-node-1');
    } finally {
      await second.stop();
      rmSync(clusterDir, { recursive: true, force: true });
    }
    // The running node is untouched.
    const n = await core.readNode({ name: node });
    expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).to.equal('True');
  });
});
