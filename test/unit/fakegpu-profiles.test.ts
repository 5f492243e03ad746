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
import { deviceClasses, gpuDevices, resourceSlice } from '../../src/fakegpu/slices.js';
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
    // NVIDIA's DRA driver publishes versions semver-normalised: 580.159.04 -> 580.159.4, 13.0 -> 13.0.0.
    const [major, minor, patch] = (field('Driver Version') as string).split('.').map(Number);
    expect(h100.driverVersion).to.equal(`${major}.${minor}.${patch}`);
    expect(h100.cudaDriverVersion).to.equal(`${field('CUDA Version')}.0`);
    const nvml = reference('nvml-and-topology.txt');
    expect(h100.memoryBytes).to.equal(Number(/"memtotal":\s*(\d+)/.exec(nvml)?.[1]));
    const cc = /"cc":\s*\[\s*(\d+),\s*(\d+)/.exec(nvml);
    expect(h100.cudaComputeCapability).to.equal(`${cc?.[1]}.${cc?.[2]}.0`);
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
    expect(h100.migProfiles.map((p) => ({ ...p }))).to.deep.equal(rows);
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
      gpuDevices(generic, 'n', 2),
    ]);
    expect(text).to.not.match(/nvidia/i);
    expect(GPU_PROFILES.map((p) => p.name)).to.include.members([
      'nvidia-a100-80gb',
      'nvidia-l4',
      'nvidia-b200',
    ]);
  });

  it('shapes slices per API version: v1 flat, v1beta1 under basic', function () {
    const devices = gpuDevices(h100, 'n0', 1);
    const v1 = resourceSlice('resource.k8s.io/v1', h100, { name: 'n0', uid: 'u' }, devices, 3);
    const beta = resourceSlice(
      'resource.k8s.io/v1beta1',
      h100,
      { name: 'n0', uid: 'u' },
      devices,
      3,
    );
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
