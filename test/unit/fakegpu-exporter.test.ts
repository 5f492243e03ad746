/** The exporter's readings for MIG devices (pure logic: slices, claims and pods in, readings out). */
import type * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { readDevices } from '../../src/fakegpu/exporter.js';
import { gpuProfile, gpuUuid } from '../../src/fakegpu/profiles.js';
import { poolContent, poolSlices } from '../../src/fakegpu/slices.js';

const h100 = gpuProfile('nvidia-h100-80gb');
const api = 'resource.k8s.io/v1';
const node = { name: 'n1', uid: 'u1' };

function holding(device: string): { claims: object[]; pods: k8s.V1Pod[] } {
  const pod: k8s.V1Pod = {
    metadata: {
      name: 'trainer',
      namespace: 'ml',
      annotations: { 'fakegpu.kaic.dev/utilization': '50' },
    },
    spec: {
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 't' }],
      containers: [{ name: 'main', resources: { claims: [{ name: 'gpu' }] } }],
    },
    status: { resourceClaimStatuses: [{ name: 'gpu', resourceClaimName: 'trainer-gpu' }] },
  };
  const claim = {
    metadata: { name: 'trainer-gpu', namespace: 'ml' },
    status: {
      allocation: { devices: { results: [{ driver: 'gpu.nvidia.com', pool: 'n1', device }] } },
      reservedFor: [{ resource: 'pods', name: 'trainer' }],
    },
  };
  return { claims: [claim], pods: [pod] };
}

describe('fake-GPU exporter readings with MIG', function () {
  it('partitionable: whole GPUs always, a MIG placement only once a pod holds it, under its parent', function () {
    const slices = poolSlices(
      api,
      h100,
      node,
      poolContent(h100, node, 2, { mode: 'partitionable' }),
      1,
    );
    const idle = readDevices(h100, api, slices, [], []);
    expect(idle.map((r) => [r.index, r.mig])).to.deep.equal([
      [0, null],
      [1, null],
    ]);
    const { claims, pods } = holding('gpu-1-mig-3g-40gb-9-4');
    const busy = readDevices(h100, api, slices, claims, pods);
    expect(busy).to.have.length(3);
    const mig = busy.find((r) => r.mig);
    expect(mig).to.deep.include({
      index: 1,
      uuid: gpuUuid('n1', 1),
      mig: { profile: '3g.40gb', instance: 4 },
      utilization: 50,
      holder: { namespace: 'ml', pod: 'trainer', container: 'main' },
    });
    // Its framebuffer is the instance's, not the whole GPU's.
    const instanceMiB = Math.floor(
      (h100.migProfiles.find((m) => m.name === '3g.40gb')?.memoryBytes ?? 0) / 2 ** 20,
    );
    expect((mig?.fbUsedMiB ?? 0) + (mig?.fbFreeMiB ?? 0)).to.equal(instanceMiB);
  });

  it('static: every cut instance is reported, the cut GPU is not reported whole', function () {
    const mig = h100.migProfiles.find((m) => m.name === '2g.20gb');
    if (!mig) throw new Error('no 2g.20gb');
    const slices = poolSlices(
      api,
      h100,
      node,
      poolContent(h100, node, 2, { mode: 'static', gpus: 1, profile: mig }),
      1,
    );
    const readings = readDevices(h100, api, slices, [], []);
    expect(
      readings.map((r) => `${r.index}/${r.mig?.profile ?? 'whole'}/${r.mig?.instance ?? ''}`),
    ).to.deep.equal(['0/whole/', '1/2g.20gb/0', '1/2g.20gb/2', '1/2g.20gb/4']);
  });
});
