/**
 * A process on this machine published as a Service of the cluster, for the components kaic runs
 * beside a kwok cluster (the fake-GPU exporter, Prometheus). Clients find it by its labels and
 * reach it through the API server's proxy, as they would an in-cluster one.
 *
 * The API server proxies only to endpoints that are pods whose IP matches, so the Service's one
 * endpoint is a stand-in pod on the real node with the host's network: its IP is this machine's,
 * and the port it names is the process's. The stand-in itself only sleeps.
 */
import * as k8s from '@kubernetes/client-node';

import { waitFor } from '../util/wait.js';
import { LOCAL_NODE_IMAGES } from '../versions/images.js';
import { getText } from './raw.js';

export interface HostServiceOptions {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  /** Port name, e.g. `metrics` or `http`. */
  portName: string;
  port: number;
  /** The real node: a node whose pods share this machine's network. */
  node: string;
}

export interface HostService {
  /** `<namespace>/<name>:<port>` */
  ref: string;
  remove(): Promise<void>;
}

function isConflict(error: unknown): boolean {
  return (error as { code?: number }).code === 409;
}

export async function publishHostService(
  kc: k8s.KubeConfig,
  options: HostServiceOptions,
): Promise<HostService> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const { namespace, name, labels, portName, port, node } = options;
  const standIn = `${name}-host`;
  let createdNamespace = false;
  await core
    .createNamespace({ body: { metadata: { name: namespace } } })
    .then(() => (createdNamespace = true))
    .catch((error: unknown) => {
      if (!isConflict(error)) throw error;
    });
  const remove = async () => {
    await core.deleteNamespacedService({ name, namespace }).catch(() => undefined);
    await core.deleteNamespacedEndpoints({ name, namespace }).catch(() => undefined);
    await discovery.deleteNamespacedEndpointSlice({ name, namespace }).catch(() => undefined);
    await core
      .deleteNamespacedPod({ name: standIn, namespace, gracePeriodSeconds: 0 })
      .catch(() => undefined);
    if (createdNamespace) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  };
  try {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: standIn, namespace, labels },
        spec: {
          nodeName: node,
          hostNetwork: true,
          tolerations: [{ operator: 'Exists' }],
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'stand-in',
              image: LOCAL_NODE_IMAGES.busybox,
              imagePullPolicy: 'IfNotPresent',
              command: ['sleep', '2147483647'],
            },
          ],
        },
      },
    });
    const pod = await waitFor(
      `stand-in pod ${namespace}/${standIn} Running on ${node}`,
      async () => {
        const p = await core.readNamespacedPod({ namespace, name: standIn });
        return p.status?.phase === 'Running' && p.status.podIP ? p : undefined;
      },
      60_000,
    );
    const address = pod.status?.podIP as string;
    const targetRef = { kind: 'Pod', name: standIn, namespace, uid: pod.metadata?.uid as string };
    await core.createNamespacedService({
      namespace,
      body: {
        metadata: { name, namespace, labels },
        spec: { ports: [{ name: portName, port, targetPort: port, protocol: 'TCP' }] },
      },
    });
    // Both forms, written here (the API server's proxy reads Endpoints; other clients read
    // slices); the Endpoints opt out of mirroring, which would only duplicate the slice.
    await core.createNamespacedEndpoints({
      namespace,
      body: {
        metadata: {
          name,
          namespace,
          labels: { ...labels, 'endpointslice.kubernetes.io/skip-mirror': 'true' },
        },
        subsets: [
          {
            addresses: [{ ip: address, nodeName: node, targetRef }],
            ports: [{ name: portName, port, protocol: 'TCP' }],
          },
        ],
      },
    });
    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: {
        metadata: {
          name,
          namespace,
          labels: {
            ...labels,
            'kubernetes.io/service-name': name,
            'endpointslice.kubernetes.io/managed-by': 'kaic.dev',
          },
        },
        addressType: 'IPv4',
        endpoints: [
          { addresses: [address], conditions: { ready: true }, nodeName: node, targetRef },
        ],
        ports: [{ name: portName, port, protocol: 'TCP' }],
      },
    });
    await waitFor(
      `the API server to proxy to service ${namespace}/${name}:${port}`,
      () =>
        getText(kc, `/api/v1/namespaces/${namespace}/services/${name}:${port}/proxy/`).then(
          () => true,
          (error: unknown) => !/no endpoints available/.test((error as Error).message),
        ),
      30_000,
    );
  } catch (error) {
    await remove();
    throw error;
  }
  return { ref: `${namespace}/${name}:${port}`, remove };
}
