/**
 * Pod Security `restricted` is what every suite namespace enforces (suites/lib/cluster.ts): on
 * the test cluster the level is really enforced (a root pod is refused, naming the level), and a
 * pod made by restrictedPodSpec runs on the real node as nobody and writes to its emptyDir.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { execInPod } from '../../src/k8s/exec.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { podSecurityLabels, restrictedPodSpec } from '../../suites/lib/cluster.js';
import { requireRealNode, testCluster } from './hooks.js';
import { deleteNamespace, waitUntil } from './k8s-helpers.js';

describe('[real-node] Pod Security restricted, as the suites run under it', function () {
  this.timeout(120_000);
  let ns = '';

  afterEach(async function () {
    if (ns) await deleteNamespace(testCluster().kubeConfig, ns);
    ns = '';
  });

  it('refuses a root pod in a suite namespace and runs a restricted one as nobody', async function () {
    const node = requireRealNode(this);
    const { kubeConfig } = testCluster();
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    ns = `kaic-psa-${Date.now().toString(36)}`;
    await core.createNamespace({ body: { metadata: { name: ns, labels: podSecurityLabels() } } });
    const spec: k8s.V1PodSpec = {
      nodeSelector: { 'kubernetes.io/hostname': node.name },
      terminationGracePeriodSeconds: 0,
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        {
          name: 'main',
          image: LOCAL_NODE_IMAGES.busybox,
          imagePullPolicy: 'IfNotPresent',
          command: ['sleep', '3600'],
          volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
        },
      ],
    };
    const refused = await core
      .createNamespacedPod({ namespace: ns, body: { metadata: { name: 'as-root' }, spec } })
      .then(
        () => '',
        (error: Error) => error.message,
      );
    expect(refused, refused).to.match(/forbidden: violates PodSecurity .{0,4}restricted:latest/);
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'restricted' }, spec: restrictedPodSpec(spec) },
    });
    await waitUntil('the restricted pod Running', async () => {
      const pod = await core.readNamespacedPod({ namespace: ns, name: 'restricted' });
      return pod.status?.phase === 'Running';
    });
    const result = await execInPod(kubeConfig, ns, 'restricted', 'main', [
      'sh',
      '-c',
      'id -u; echo ok > /scratch/written && cat /scratch/written',
    ]);
    expect(result.stdout.split('\n').filter(Boolean)).to.deep.equal(['65534', 'ok']);
  });
});
