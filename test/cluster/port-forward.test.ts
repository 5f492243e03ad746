/**
 * The suites reach pods through port-forward, not the API server's /proxy (src/k8s/port-forward.ts):
 * on the real node, a GET through it reaches a pod's server and a Service's ready pod, a port
 * nothing listens on fails naming the pod, and a Service whose endpoints are not pods is refused.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { getFromPod, servicePods } from '../../src/k8s/port-forward.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { requireRealNode, testCluster } from './hooks.js';
import { deleteNamespace, waitUntil } from './k8s-helpers.js';

describe('[real-node] port-forward to a pod and to the pods of a Service', function () {
  this.timeout(120_000);
  let ns = '';

  afterEach(async function () {
    if (ns) await deleteNamespace(testCluster().kubeConfig, ns);
    ns = '';
  });

  it('GETs from a pod and a Service, and names the pod when nothing listens', async function () {
    const node = requireRealNode(this);
    const { kubeConfig } = testCluster();
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = `kaic-pf-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'web', labels: { app: 'web' } },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': node.name },
          terminationGracePeriodSeconds: 0,
          containers: [
            {
              name: 'web',
              image: LOCAL_NODE_IMAGES.busybox,
              imagePullPolicy: 'IfNotPresent',
              command: [
                'sh',
                '-c',
                'mkdir -p /tmp/www && echo "hello from $HOSTNAME" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www',
              ],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    });
    await core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      },
    });
    await waitUntil('the web pod Ready behind its Service', async () => {
      const pods = await servicePods(kubeConfig, ns, 'web', 'http');
      return pods.length === 1;
    });
    expect(await getFromPod(kubeConfig, { namespace: ns, pod: 'web', port: 8080 }, '/')).to.equal(
      'hello from web\n',
    );
    const [behind] = await servicePods(kubeConfig, ns, 'web', '80');
    expect(behind).to.deep.equal({ namespace: ns, pod: 'web', port: 8080 });
    // Several requests in a row: each opens and closes its own stream.
    for (let i = 0; i < 3; i++) {
      expect(await getFromPod(kubeConfig, behind!, '/index.html')).to.include('hello');
    }
    const refused = await getFromPod(
      kubeConfig,
      { namespace: ns, pod: 'web', port: 8081 },
      '/',
      10_000,
    ).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(refused).to.match(new RegExp(`^GET pod ${ns}/web:8081/ through port-forward: `));
    // A Service in front of an address, not a pod: nothing port-forward can reach.
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'outside' }, spec: { ports: [{ name: 'http', port: 80 }] } },
    });
    await kubeConfig.makeApiClient(k8s.DiscoveryV1Api).createNamespacedEndpointSlice({
      namespace: ns,
      body: {
        metadata: { name: 'outside-1', labels: { 'kubernetes.io/service-name': 'outside' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['192.0.2.10'], conditions: { ready: true } }],
        ports: [{ name: 'http', port: 80 }],
      },
    });
    const notPods = await servicePods(kubeConfig, ns, 'outside', 'http').then(
      () => '',
      (error: Error) => error.message,
    );
    expect(notPods).to.match(/service .*\/outside: its 1 endpoints are not pods/);
  });
});
