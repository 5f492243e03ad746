/**
 * The test cluster as a target for checks kaic did not write: pods shaped like the Kubernetes AI
 * working group's secure-accelerator-access test (a claim on DeviceClass gpu.nvidia.com, only the
 * `nvidia.com/gpu` toleration, `ubuntu:22.04`, a verdict line in the container's log). Knowing
 * nothing of kaic, they must land where containers run (the real node), not on a simulated node
 * that reports them Running with empty logs; there the fake GPU gives the verdicts a correct
 * platform gives, and the planted runtime leak turns the isolation verdicts around.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { NVIDIA_MAJOR, NVIDIACTL_MINOR } from '../../src/fakegpu/plugin/cdi.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import { startSimulatedH100s, type SimulatedGpus } from './fakegpu-helpers.js';
import { requireRealNode, testCluster } from './hooks.js';
import { createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

/** Static MIG (before 1.35) cuts half of them: two whole GPUs stay on every node. */
const GPUS_PER_NODE = 4;
const FOUND = 'RESULT: ACCELERATOR_FOUND';
const MISSING = 'RESULT: ACCELERATOR_MISSING';

/** As the working group's prober: list the device nodes, print one verdict line, stay up. */
function prober(name: string): k8s.V1Container {
  return {
    name,
    image: 'ubuntu:22.04',
    command: ['/bin/sh', '-c'],
    args: [
      `if ls /dev/nvidia* > /dev/null 2>&1; then echo '${FOUND}'; else echo '${MISSING}'; fi; sleep 3600`,
    ],
  };
}

describe('[real-node] a third-party-shaped accelerator pod on the default cluster shape', function () {
  this.timeout(5 * 60_000);
  let gpus: SimulatedGpus | null = null;
  let core: k8s.CoreV1Api;
  let ns = '';

  /** Creates the pod (the claim goes to the first container, as upstream does), waits Running. */
  async function runProbe(
    name: string,
    containers: string[],
    claim: boolean,
  ): Promise<{ node: string; verdicts: Record<string, string> }> {
    const spec: k8s.V1PodSpec = {
      containers: containers.map(prober),
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
    };
    if (claim) {
      spec.resourceClaims = [{ name: 'claim', resourceClaimTemplateName: 'accelerator' }];
      spec.containers[0]!.resources = { claims: [{ name: 'claim' }] };
    }
    await core.createNamespacedPod({ namespace: ns, body: { metadata: { name }, spec } });
    const pod = await waitUntil(
      `pod ${name} Running`,
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name });
        return p.status?.phase === 'Running' ? p : undefined;
      },
      90_000,
    );
    // The log, or why there is none (a simulated node has no kubelet to serve it).
    const readLog = (container: string) =>
      core
        .readNamespacedPodLog({ namespace: ns, name, container })
        .catch((error: Error) => `(no log: ${error.message.split('\n')[0]})`);
    const verdicts: Record<string, string> = {};
    for (const container of containers) {
      // The verdict line or, after 15 s, whatever the log holds instead.
      verdicts[container] = await waitUntil(
        `a verdict line from ${name}/${container}`,
        async () => /RESULT: \w+/.exec(await readLog(container))?.[0],
        15_000,
      ).catch(async () => (await readLog(container)).trim());
    }
    // Gone before the next probe, as upstream cleans up after each sub-test: its claim is free.
    await core.deleteNamespacedPod({ namespace: ns, name, gracePeriodSeconds: 0 });
    await waitUntil(
      `pod ${name} gone`,
      async () => !(await core.readNamespacedPod({ namespace: ns, name }).catch(() => null)),
      60_000,
    );
    return { node: pod.spec?.nodeName ?? '', verdicts };
  }

  before(async function () {
    this.timeout(180_000);
    requireRealNode(this);
    const { kubeConfig, release } = testCluster();
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    // As `kaic run` has it: simulated GPUs on every node, the kubelet plugin on the real one.
    gpus = await startSimulatedH100s(GPUS_PER_NODE);
    ns = await createTestNamespace(kubeConfig, 'kaic-third-party');
    await new DraObjects(kubeConfig, release.draApiVersion).create(
      claimTemplate(release.draApiVersion, ns, 'accelerator', {
        deviceClassName: 'gpu.nvidia.com', // as upstream names it, not through kaic's constant
        count: 1,
      }),
    );
  });

  afterEach(async function () {
    await testCluster().leakyRuntime?.disarm();
    for (const p of (await core.listNamespacedPod({ namespace: ns })).items) {
      await core.deleteNamespacedPod({
        namespace: ns,
        name: p.metadata?.name as string,
        gracePeriodSeconds: 0,
      });
    }
    await waitUntil(
      `pods of ${ns} gone`,
      async () => (await core.listNamespacedPod({ namespace: ns })).items.length === 0,
      60_000,
    );
  });

  after(async function () {
    if (ns) await deleteNamespace(testCluster().kubeConfig, ns);
    await gpus?.stop();
  });

  it('positive, negative and multi-container checks give the verdicts of a correct platform, on the real node', async function () {
    const realNode = testCluster().realNode!.name;
    const positive = await runProbe('pos-pod', ['prober'], true);
    const negative = await runProbe('neg-pod', ['prober'], false);
    const multi = await runProbe('multi-container-pod', ['authorized', 'unauthorized'], true);
    expect(
      [positive.node, negative.node, multi.node],
      'pods that tolerate only nvidia.com/gpu land where containers run',
    ).to.deep.equal([realNode, realNode, realNode]);
    expect(positive.verdicts).to.deep.equal({ prober: FOUND });
    expect(negative.verdicts).to.deep.equal({ prober: MISSING });
    expect(multi.verdicts).to.deep.equal({ authorized: FOUND, unauthorized: MISSING });
  });

  it('planted fault — the runtime hands every container all GPUs: the isolation checks see them', async function () {
    const runtime = testCluster().leakyRuntime;
    if (!runtime) {
      process.stdout.write('      skipped: the real node runs without the leaky runtime wrapper\n');
      this.skip();
    }
    await runtime.arm('every-container', [
      { path: '/dev/nvidia0', major: NVIDIA_MAJOR, minor: 0 },
      { path: '/dev/nvidiactl', major: NVIDIA_MAJOR, minor: NVIDIACTL_MINOR },
    ]);
    const negative = await runProbe('neg-pod', ['prober'], false);
    const multi = await runProbe('multi-container-pod', ['authorized', 'unauthorized'], true);
    expect(negative.verdicts, 'a pod without a claim').to.deep.equal({ prober: FOUND });
    expect(multi.verdicts, 'the container without the claim').to.deep.equal({
      authorized: FOUND,
      unauthorized: FOUND,
    });
  });
});
