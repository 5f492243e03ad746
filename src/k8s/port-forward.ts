/**
 * HTTP requests to a pod, or to a Service's pods, through the API server's port-forward, as
 * `kubectl port-forward` makes them: the connection runs over the API server and the kubelet to
 * the pod's own network namespace. Unlike the API server's `/proxy`, which connects from the API
 * server to the pod's IP (and which private managed clusters commonly block, their control plane
 * outside the nodes' network), it needs only what `kubectl exec` and `logs` need.
 */
import { request } from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Writable } from 'node:stream';

import * as k8s from '@kubernetes/client-node';

export class PortForwardError extends Error {
  override name = 'PortForwardError';
}

/** A local port whose every connection is forwarded to `port` of the pod, until close(). */
async function forwardingServer(
  kc: k8s.KubeConfig,
  namespace: string,
  pod: string,
  port: number,
  failures: Error[],
): Promise<{ server: Server; localPort: number }> {
  const forward = new k8s.PortForward(kc);
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    // What the kubelet says on the error stream (nothing listens on the port, …).
    const errors = new Writable({
      write(chunk: Buffer, _encoding, done) {
        failures.push(new Error(chunk.toString().trim()));
        done();
      },
    });
    forward.portForward(namespace, pod, [port], socket, errors, socket).then(
      (opened) => {
        const ws = opened as { on(event: string, fn: () => void): void; close(): void };
        // Each side ends the other: the pod's stream closing ends our socket, and our socket
        // closing closes the stream (newer protocols only half-close it when input ends).
        ws.on('close', () => socket.end());
        if (socket.destroyed) ws.close();
        else socket.on('close', () => ws.close());
      },
      (error: Error) => {
        failures.push(error);
        socket.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { server, localPort: (server.address() as AddressInfo).port };
}

/** GET `path` from `port` of the pod, through port-forward; a non-2xx answer throws. */
export async function getFromPod(
  kc: k8s.KubeConfig,
  target: { namespace: string; pod: string; port: number },
  path: string,
  timeoutMs = 30_000,
): Promise<string> {
  const { namespace, pod, port } = target;
  const where = `pod ${namespace}/${pod}:${port}${path}`;
  const failures: Error[] = [];
  const { server, localPort } = await forwardingServer(kc, namespace, pod, port, failures);
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: localPort, path, agent: false, timeout: timeoutMs },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (body += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(body);
            else reject(new PortForwardError(`GET ${where}: ${status} ${body.slice(0, 300)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s`)));
      req.on('error', (error) => {
        const cause = failures[0] ?? error;
        reject(new PortForwardError(`GET ${where} through port-forward: ${cause.message}`));
      });
      req.end();
    });
  } finally {
    server.close();
  }
}

/** A ready pod behind a Service and the pod port its `port` (number or name) goes to. */
export interface ServicePod {
  namespace: string;
  pod: string;
  port: number;
}

/**
 * The ready pods behind the Service's port, from its EndpointSlices, as port-forward reaches
 * them; empty when none is ready. Endpoints that are not pods cannot be port-forwarded to and
 * throw, naming the Service.
 */
export async function servicePods(
  kc: k8s.KubeConfig,
  namespace: string,
  name: string,
  port: string,
): Promise<ServicePod[]> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
  const service = await core.readNamespacedService({ namespace, name });
  const servicePort = (service.spec?.ports ?? []).find((p) =>
    /^\d+$/.test(port) ? p.port === Number(port) : p.name === port,
  );
  if (!servicePort) {
    throw new PortForwardError(`service ${namespace}/${name} has no port ${port}`);
  }
  const slices = await discovery.listNamespacedEndpointSlice({
    namespace,
    labelSelector: `kubernetes.io/service-name=${name}`,
  });
  const pods: ServicePod[] = [];
  let notPods = 0;
  for (const slice of slices.items) {
    const slicePort = (slice.ports ?? []).find((p) => (p.name ?? '') === (servicePort.name ?? ''));
    if (!slicePort?.port) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      if (endpoint.targetRef?.kind !== 'Pod' || !endpoint.targetRef.name) {
        notPods++;
        continue;
      }
      pods.push({ namespace, pod: endpoint.targetRef.name, port: slicePort.port });
    }
  }
  if (pods.length === 0 && notPods > 0) {
    throw new PortForwardError(
      `service ${namespace}/${name}: its ${notPods} endpoints are not pods, which port-forward cannot reach; name its URL instead`,
    );
  }
  return pods;
}
