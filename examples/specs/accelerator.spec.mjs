// A test of your own that needs an accelerator: `kaic run --spec accelerator.spec.mjs`.
// KUBECONFIG points at the cluster under test; the title names the requirement it is evidence
// for. It imports @kubernetes/client-node from the project it sits in (npm i @kubernetes/client-node).
import * as k8s from '@kubernetes/client-node';

const kc = new k8s.KubeConfig();
kc.loadFromDefault();
const core = kc.makeApiClient(k8s.CoreV1Api);
const custom = kc.makeApiClient(k8s.CustomObjectsApi);
const ns = `my-accelerator-${Date.now()}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('[AIConformance] [secure_accelerator_access] [MUST] my accelerator check', function () {
  this.timeout(180_000);

  before(async () => {
    await core.createNamespace({ body: { metadata: { name: ns } } });
    // One device of the DeviceClass the driver publishes (gpu.nvidia.com: NVIDIA's and kaic's).
    await custom.createNamespacedCustomObject({
      group: 'resource.k8s.io',
      version: 'v1',
      namespace: ns,
      plural: 'resourceclaimtemplates',
      body: {
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceClaimTemplate',
        metadata: { name: 'one-gpu' },
        spec: {
          spec: {
            devices: {
              requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu.nvidia.com' } }],
            },
          },
        },
      },
    });
  });

  after(() => core.deleteNamespace({ name: ns }));

  it('a container holding a claim sees its GPU', async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'probe' },
        spec: {
          restartPolicy: 'Never',
          // The taint GPU nodes often carry. kaic's cluster needs nothing more: the pod lands on
          // the node that runs containers, never on a simulated one.
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
          resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-gpu' }],
          containers: [
            {
              name: 'probe',
              image: 'ubuntu:22.04',
              command: [
                'sh',
                '-c',
                'if ls /dev/nvidia0; then echo RESULT: FOUND; else echo RESULT: MISSING; fi',
              ],
              resources: { claims: [{ name: 'gpu' }] },
            },
          ],
        },
      },
    });
    let pod;
    for (let i = 0; i < 90; i++) {
      pod = await core.readNamespacedPod({ namespace: ns, name: 'probe' });
      if (['Succeeded', 'Failed'].includes(pod.status?.phase)) break;
      await sleep(1000);
    }
    // The container's output, read through the API server from the node's kubelet.
    const log = await core.readNamespacedPodLog({ namespace: ns, name: 'probe' });
    console.log(`on ${pod.spec?.nodeName}: ${log.trim()}`);
    if (!log.includes('RESULT: FOUND')) throw new Error(`no GPU inside the container:\n${log}`);
  });
});
