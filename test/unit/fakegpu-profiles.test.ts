/** The GPU profiles against the real H100 node data in ../shared/reference, and pure helpers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  GPU_PROFILES,
  checkGpuCount,
  gpuProfile,
  gpuUuid,
  pciBusId,
} from '../../src/fakegpu/profiles.js';
import { semver } from '../../src/util/semver.js';
import {
  NVLINK_DOMAIN_LABEL,
  deviceClasses,
  gpuDevices,
  poolContent,
  poolSlices,
  type DeviceSpec,
  type PoolContent,
} from '../../src/fakegpu/slices.js';
import { sharedDir } from '../support/shared.js';

const reference = (file: string) =>
  readFileSync(join(sharedDir(), 'reference', 'nvidia-h100', file), 'utf8');

describe('fake-GPU profiles', function () {
  const h100 = gpuProfile('nvidia-h100-80gb');

  it('nvidia-h100-80gb matches the real H100 node (nvidia-smi -q, NVML, CSV query)', function () {
    const q = reference('nvidia-smi-q.txt');
    const field = (name: string) =>
      new RegExp(`^\\s*${name}\\s*:\\s*(.+)$`, 'm').exec(q)?.[1]?.trim();
    expect(h100.productName).to.equal(field('Product Name'));
    expect(h100.architecture).to.equal(field('Product Architecture'));
    expect(h100.driverVersion).to.equal(field('Driver Version'));
    expect(h100.cudaDriverVersion).to.equal(field('CUDA Version'));
    // NVIDIA's DRA driver publishes versions semver-normalised.
    expect(semver(h100.driverVersion)).to.equal('580.159.4');
    expect(semver(h100.cudaDriverVersion)).to.equal('13.0.0');
    const nvml = reference('nvml-and-topology.txt');
    expect(h100.memoryBytes).to.equal(Number(/"memtotal":\s*(\d+)/.exec(nvml)?.[1]));
    const cc = /"cc":\s*\[\s*(\d+),\s*(\d+)/.exec(nvml);
    expect(h100.cudaComputeCapability).to.equal(`${cc?.[1]}.${cc?.[2]}`);
    const csv = reference('nvidia-smi-query.csv').trim().split('\n')[1]?.split(', ') ?? [];
    expect(csv.at(-1)).to.equal('9.0');
  });

  it('nvidia-h100-80gb has the MIG profiles of `nvidia-smi mig -lgip`', function () {
    const rows = [
      ...reference('nvidia-smi-mig-lgip.txt').matchAll(
        /MIG (\S+)\s+(\d+)\s+\d+\/(\d+)\s+([\d.]+)\s+\w+\s+(\d+)\s+(\d+)\s+(\d+)\s+\|\n\|\s+(\d+)\s+(\d+)\s+(\d+)/g,
      ),
    ].map((m) => ({
      name: m[1],
      id: Number(m[2]),
      instances: Number(m[3]),
      memoryBytes: Math.round(Number(m[4]) * 1024 ** 3),
      multiprocessors: Number(m[5]),
      decoders: Number(m[6]),
      encoders: Number(m[7]),
      copyEngines: Number(m[8]),
      jpegEngines: Number(m[9]),
      ofaEngines: Number(m[10]),
    }));
    expect(rows).to.have.length(7);
    expect(
      h100.migProfiles.map(({ memorySlices: _, placements: __, ...counts }) => counts),
    ).to.deep.equal(rows);
  });

  it('gives stable, well-formed, distinct UUIDs and PCI bus ids', function () {
    expect(gpuUuid('node-a', 3)).to.equal(gpuUuid('node-a', 3));
    expect(gpuUuid('node-a', 3)).to.not.equal(gpuUuid('node-b', 3));
    expect(gpuUuid('node-a', 0)).to.match(
      /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(pciBusId(h100, 0)).to.equal('00000000:18:00.0');
    expect(new Set(Array.from({ length: 64 }, (_, i) => pciBusId(h100, i))).size).to.equal(64);
  });

  it('refuses unknown profiles and counts outside 1–64, naming the accepted values', function () {
    expect(() => gpuProfile('nvidia-h200')).to.throw(
      /unknown GPU profile "nvidia-h200"; profiles: nvidia-h100-80gb, /,
    );
    expect(() => checkGpuCount(0)).to.throw('from 1 to 64, got 0');
    expect(() => checkGpuCount(65)).to.throw('from 1 to 64, got 65');
    expect(() => checkGpuCount(2.5)).to.throw('got 2.5');
    expect(checkGpuCount(64)).to.equal(64);
  });

  it('keeps the generic profile free of NVIDIA names', function () {
    const generic = gpuProfile('generic-accelerator');
    const text = JSON.stringify([
      deviceClasses('resource.k8s.io/v1', generic),
      gpuDevices(generic, { name: 'n' }, 2),
    ]);
    expect(text).to.not.match(/nvidia/i);
    expect(GPU_PROFILES.map((p) => p.name)).to.include.members([
      'nvidia-a100-80gb',
      'nvidia-l4',
      'nvidia-b200',
    ]);
  });

  it('shapes slices per API version: v1 flat, v1beta1 under basic', function () {
    const content = { devices: gpuDevices(h100, { name: 'n0' }, 1), counterSets: [] };
    const node = { name: 'n0', uid: 'u' };
    const [v1] = poolSlices('resource.k8s.io/v1', h100, node, content, 3);
    const [beta] = poolSlices('resource.k8s.io/v1beta1', h100, node, content, 3);
    if (!v1 || !beta) throw new Error('no slice');
    expect((v1.spec.devices as Array<Record<string, unknown>>)[0]).to.have.keys(
      'name',
      'attributes',
      'capacity',
    );
    expect((beta.spec.devices as Array<Record<string, unknown>>)[0]).to.have.keys('name', 'basic');
    expect(v1.spec.pool).to.deep.equal({ name: 'n0', generation: 3, resourceSliceCount: 1 });
    expect(deviceClasses('resource.k8s.io/v1', h100).map((c) => c.metadata.name)).to.deep.equal([
      'gpu.nvidia.com',
      'mig.nvidia.com',
    ]);
    expect(deviceClasses('resource.k8s.io/v1', h100)[0]?.spec).to.deep.equal({
      selectors: [
        {
          cel: {
            expression:
              "device.driver == 'gpu.nvidia.com' && device.attributes['gpu.nvidia.com'].type == 'gpu'",
          },
        },
      ],
      extendedResourceName: 'nvidia.com/gpu',
    });
  });
});

/** Sums what a set of devices takes from each counter set. */
function consumed(devices: DeviceSpec[]): Map<string, Map<string, number>> {
  const totals = new Map<string, Map<string, number>>();
  for (const device of devices) {
    for (const use of device.consumesCounters ?? []) {
      const set = totals.get(use.counterSet) ?? new Map<string, number>();
      for (const [name, q] of Object.entries(use.counters)) {
        set.set(name, (set.get(name) ?? 0) + Number(q.value));
      }
      totals.set(use.counterSet, set);
    }
  }
  return totals;
}

function fits(content: PoolContent, devices: DeviceSpec[]): boolean {
  for (const [setName, used] of consumed(devices)) {
    const set = content.counterSets.find((s) => s.name === setName);
    if (!set) return false;
    for (const [name, n] of used) {
      if (n > Number(set.counters[name]?.value ?? -1)) return false;
    }
  }
  return true;
}

describe('fake-GPU MIG layouts', function () {
  const h100 = gpuProfile('nvidia-h100-80gb');
  const node = { name: 'gpu-node-1', uid: 'uid-1' };

  it('partitionable: each H100 is one whole device and its 25 MIG placements, split at the API limits', function () {
    const content = poolContent(h100, node, 8, { mode: 'partitionable' });
    expect(content.counterSets).to.have.length(8);
    expect(content.devices).to.have.length(8 * 26);
    const names = content.devices.map((d) => d.name);
    expect(new Set(names).size).to.equal(names.length);
    for (const device of content.devices) {
      expect(device.name).to.match(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      const fields = Object.keys(device.attributes).length + Object.keys(device.capacity).length;
      expect(fields, device.name).to.be.at.most(32);
    }
    expect(names).to.include('gpu-3-mig-1g-10gb-me-20-6');
    const slices = poolSlices('resource.k8s.io/v1', h100, node, content, 1);
    const sizes = slices.map((s) =>
      s.spec.devices
        ? (s.spec.devices as unknown[]).length
        : -(s.spec.sharedCounters as unknown[]).length,
    );
    // 208 devices in slices of at most 64, the 8 counter sets in a slice of their own.
    expect(sizes).to.deep.equal([64, 64, 64, 16, -8]);
    for (const slice of slices) {
      expect(slice.spec.pool).to.deep.equal({
        name: node.name,
        generation: 1,
        resourceSliceCount: 5,
      });
    }
    expect(new Set(slices.map((s) => s.metadata.name)).size).to.equal(5);
    const many = poolSlices(
      'resource.k8s.io/v1',
      h100,
      node,
      poolContent(h100, node, 64, { mode: 'partitionable' }),
      1,
    );
    expect(many.filter((s) => s.spec.sharedCounters)).to.have.length(8);
  });

  for (const name of ['nvidia-h100-80gb', 'nvidia-a100-80gb', 'nvidia-b200']) {
    it(`partitionable ${name}: every full MIG layout fits one GPU, a whole GPU excludes any MIG device, overlapping placements exclude each other`, function () {
      const profile = gpuProfile(name);
      const content = poolContent(profile, node, 1, { mode: 'partitionable' });
      const byName = new Map(content.devices.map((d) => [d.name, d]));
      const whole = byName.get('gpu-0') as DeviceSpec;
      expect(fits(content, [whole])).to.equal(true);
      for (const mig of profile.migProfiles) {
        const devices = content.devices.filter(
          (d) =>
            d.attributes.profile &&
            (d.attributes.profile as { string: string }).string === mig.name,
        );
        expect(devices, mig.name).to.have.length(mig.placements.length);
        // As many instances as the hardware allows, at its placements, fit together …
        expect(fits(content, devices.slice(0, mig.instances)), mig.name).to.equal(true);
        // … one more does not, and neither does any of them beside the whole GPU.
        if (devices.length > mig.instances) {
          expect(fits(content, devices.slice(0, mig.instances + 1)), mig.name).to.equal(false);
        }
        expect(fits(content, [whole, devices[0] as DeviceSpec]), mig.name).to.equal(false);
        // Two devices on the same memory slices never fit.
        expect(fits(content, [devices[0] as DeviceSpec, devices[0] as DeviceSpec])).to.equal(false);
      }
      expect(
        fits(content, [
          byName.get(
            name === 'nvidia-b200' ? 'gpu-0-mig-4g-90gb-5-0' : 'gpu-0-mig-4g-40gb-5-0',
          ) as DeviceSpec,
          byName.get(
            name === 'nvidia-b200' ? 'gpu-0-mig-3g-90gb-9-4' : 'gpu-0-mig-3g-40gb-9-4',
          ) as DeviceSpec,
        ]),
      ).to.equal(true);
    });
  }

  it('static: the last GPUs are cut into MIG devices and are not offered whole', function () {
    const mig = h100.migProfiles.find((m) => m.name === '1g.10gb');
    if (!mig) throw new Error('no 1g.10gb');
    const content = poolContent(h100, node, 8, { mode: 'static', gpus: 3, profile: mig });
    expect(content.counterSets).to.deep.equal([]);
    expect(content.devices.filter((d) => !d.name.includes('mig')).map((d) => d.name)).to.deep.equal(
      ['gpu-0', 'gpu-1', 'gpu-2', 'gpu-3', 'gpu-4'],
    );
    const migs = content.devices.filter((d) => d.name.includes('mig'));
    expect(migs).to.have.length(21);
    expect(migs[0]?.attributes).to.deep.include({
      type: { string: 'mig' },
      profile: { string: '1g.10gb' },
      parentUUID: { string: gpuUuid(node.name, 5) },
    });
    expect(migs[0]?.capacity.memory).to.deep.equal({ value: String(mig.memoryBytes) });
    expect(migs.every((d) => !d.consumesCounters)).to.equal(true);
  });

  it('B200 GPUs carry an NVLink clique shared by nodes of one domain', function () {
    const b200 = gpuProfile('nvidia-b200');
    const clique = (n: { name: string; labels?: Record<string, string> }) =>
      (gpuDevices(b200, n, 1)[0]?.attributes.cliqueID as { string: string }).string;
    const rack = { [NVLINK_DOMAIN_LABEL]: 'rack-a' };
    expect(clique({ name: 'a', labels: rack })).to.equal(clique({ name: 'b', labels: rack }));
    expect(clique({ name: 'a' })).to.not.equal(clique({ name: 'b' }));
    expect(clique({ name: 'a' })).to.match(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.1$/,
    );
    expect(gpuDevices(h100, { name: 'a' }, 1)[0]?.attributes).to.not.have.property('cliqueID');
  });
});
