/**
 * The DCGM-style exporter against the real control plane: one series per published device, and
 * the device a pod holds carries that pod's labels and the load its annotation asks for.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

import { DcgmExporter, UTILIZATION_ANNOTATION } from '../../src/fakegpu/exporter.js';
import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import { SIMULATED_NODE_TOLERATION } from '../../src/k8s/kwok-nodes.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

interface Family {
  name: string;
  type: string;
  metrics: Array<{ value: string; labels: Record<string, string> }>;
}

describe('[fakegpu] DCGM-style metrics exporter', function () {
  const profile = gpuProfile('nvidia-l4');
  let publisher: SlicePublisher;
  let exporter: DcgmExporter;
  let ns = '';
  let url = '';

  before(async function () {
    const { kubeConfig, release } = testCluster();
    const api = release.draApiVersion;
    publisher = new SlicePublisher(kubeConfig, {
      profile,
      gpusPerNode: 4,
      nodeSelector: 'type=kwok',
      api,
    });
    await publisher.start();
    exporter = new DcgmExporter(kubeConfig, profile, api);
    url = `http://127.0.0.1:${await exporter.listen(0, '127.0.0.1')}/metrics`;
    ns = await createTestNamespace(kubeConfig, 'kaic-dcgm');
    await new DraObjects(kubeConfig, api).create(
      claimTemplate(api, ns, 'one-l4', { deviceClassName: 'gpu.nvidia.com', count: 1 }),
    );
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'busy', namespace: ns, annotations: { [UTILIZATION_ANNOTATION]: '75' } },
        spec: {
          tolerations: [{ ...SIMULATED_NODE_TOLERATION }],
          resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-l4' }],
          containers: [
            { name: 'sidecar', image: 'registry.invalid/never-pulled' },
            {
              name: 'trainer',
              image: 'registry.invalid/never-pulled',
              resources: { claims: [{ name: 'gpu' }] },
            },
          ],
        },
      },
    });
    await waitUntil('pod busy Running', async () => {
      const p = await core.readNamespacedPod({ name: 'busy', namespace: ns });
      return p.status?.phase === 'Running';
    });
  });

  after(async function () {
    await exporter?.close();
    publisher?.stop();
    await publisher?.removeAll();
    await deleteNamespace(testCluster().kubeConfig, ns);
  });

  it('serves one parsable series per device and metric, attributing the held device to its pod', async function () {
    const response = await fetch(url);
    expect(response.status).to.equal(200);
    const families = parsePrometheusTextFormat(await response.text()) as Family[];
    const byName = new Map(families.map((f) => [f.name, f]));
    // The publisher covers the kwok nodes (type=kwok), not the real node.
    const devices = TEST_NODES.count * 4;
    for (const name of [
      'DCGM_FI_DEV_GPU_UTIL',
      'DCGM_FI_DEV_FB_USED',
      'DCGM_FI_DEV_FB_FREE',
      'DCGM_FI_DEV_GPU_TEMP',
      'DCGM_FI_DEV_POWER_USAGE',
    ]) {
      expect(byName.get(name)?.type, name).to.equal('GAUGE');
      expect(byName.get(name)?.metrics, name).to.have.length(devices);
    }
    const util = byName.get('DCGM_FI_DEV_GPU_UTIL')?.metrics ?? [];
    const held = util.filter((m) => m.labels.pod === 'busy');
    expect(held).to.have.length(1);
    expect(held[0]?.labels).to.include({
      namespace: ns,
      container: 'trainer',
      modelName: 'NVIDIA L4',
    });
    expect(held[0]?.labels.UUID).to.match(/^GPU-/);
    expect(Number(held[0]?.value)).to.equal(75);
    const idle = util.filter((m) => m.labels.pod !== 'busy');
    expect(idle.every((m) => Number(m.value) === 0 && m.labels.pod === '')).to.equal(true);
    const used = byName
      .get('DCGM_FI_DEV_FB_USED')
      ?.metrics.find((m) => m.labels.UUID === held[0]?.labels.UUID);
    const free = byName
      .get('DCGM_FI_DEV_FB_FREE')
      ?.metrics.find((m) => m.labels.UUID === held[0]?.labels.UUID);
    expect(Number(used?.value) + Number(free?.value)).to.equal(
      Math.floor(profile.memoryBytes / 2 ** 20),
    );
    expect(Number(used?.value)).to.be.greaterThan(0);
  });

  it('answers 404 off /metrics', async function () {
    expect((await fetch(url.replace('/metrics', '/'))).status).to.equal(404);
  });
});
