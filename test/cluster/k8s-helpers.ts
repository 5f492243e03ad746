/** Helpers for tests that talk to the real test cluster. */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';

import { SIMULATED_NODE_TOLERATION } from '../../src/k8s/kwok-nodes.js';
import { waitFor } from '../../src/util/wait.js';

/** Polls until `probe` gives a truthy value (see src/util/wait.ts). */
export const waitUntil = waitFor;

/** A namespace for one test, ready for pods (its default ServiceAccount exists). */
export async function createTestNamespace(kc: k8s.KubeConfig, prefix: string): Promise<string> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({
    body: { metadata: { name, labels: { 'app.kubernetes.io/managed-by': 'kaic-tests' } } },
  });
  await waitUntil(`ServiceAccount default in ${name}`, () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
  );
  return name;
}

export async function deleteNamespace(kc: k8s.KubeConfig, name: string): Promise<void> {
  await kc
    .makeApiClient(k8s.CoreV1Api)
    .deleteNamespace({ name })
    .catch(() => undefined);
}

/**
 * A pod whose one container holds a claim made from `template`, for the simulated nodes (it
 * tolerates their taint); kwok "runs" it, nothing is pulled. `node` pins it to one node.
 */
export function claimPod(
  namespace: string,
  name: string,
  template: string,
  node?: string,
): k8s.V1Pod {
  return {
    metadata: { name, namespace },
    spec: {
      ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
      tolerations: [{ ...SIMULATED_NODE_TOLERATION }],
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: template }],
      containers: [
        {
          name: 'main',
          image: 'registry.invalid/never-pulled',
          resources: { claims: [{ name: 'gpu' }] },
        },
      ],
    },
  };
}

export { execInPod } from '../../src/k8s/exec.js';

/** A pod pinned to the real node, running `script` in the busybox image. */
export function realNodePod(
  namespace: string,
  name: string,
  node: string,
  script: string,
  image: string,
): k8s.V1Pod {
  return {
    metadata: { name, namespace },
    spec: {
      nodeName: node,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: 'main', image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', script] },
      ],
    },
  };
}
