/** Accelerator profiles: the probe and its marker, and which pools count as usable. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  ACCELERATOR_PROFILES,
  genericProfile,
  nodesWithCompletePools,
  parseProbe,
  probeScript,
  vgpuEvidence,
} from '../../src/accelerators/profiles.js';

describe('accelerator profiles', function () {
  it('counts /dev/nvidia<N> by whole name (not nvidiactl, nvidia-uvm) and prints the WG marker', function () {
    const dir = mkdtempSync(join(tmpdir(), 'kaic-probe-'));
    try {
      for (const f of ['nvidia0', 'nvidia10', 'nvidiactl', 'nvidia-uvm', 'null']) {
        writeFileSync(join(dir, f), '');
      }
      // The probe lists /dev; point it at the directory instead.
      const script = probeScript(ACCELERATOR_PROFILES.fake.probe).replace('ls /dev', `ls ${dir}`);
      const out = execFileSync('sh', ['-c', script]).toString();
      expect(out).to.equal('RESULT: ACCELERATOR_COUNT=2\n');
      expect(parseProbe(out)).to.equal(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('counts environment variables by prefix for the example driver, and reads a missing marker as null', function () {
    const out = execFileSync('sh', ['-c', probeScript(ACCELERATOR_PROFILES.example.probe)], {
      env: { GPU_DEVICE_0: 'gpu-0', GPU_DEVICE_1: 'gpu-1', OTHER: 'x', PATH: process.env.PATH },
    }).toString();
    expect(parseProbe(out)).to.equal(2);
    expect(parseProbe('sh: nvidia-smi: not found')).to.equal(null);
  });

  it('insists that a generic profile says how to probe', function () {
    expect(() => genericProfile({ deviceClass: 'x.example.com' })).to.throw(/needs a probe/);
    expect(
      genericProfile({ deviceClass: 'x.example.com', devicePattern: '^accel[0-9]+$' }).probe,
    ).to.deep.equal({ kind: 'devnodes', pattern: '^accel[0-9]+$' });
  });

  it('uses only complete pools of the newest generation that offer devices', function () {
    const slice = (
      pool: string,
      node: string,
      generation: number,
      count: number,
      devices: number,
    ) => ({
      spec: {
        driver: 'gpu.nvidia.com',
        nodeName: node,
        pool: { name: pool, generation, resourceSliceCount: count },
        devices: Array(devices).fill({}),
      },
    });
    expect(
      nodesWithCompletePools(
        [
          slice('a', 'node-a', 1, 1, 8), // complete
          slice('b', 'node-b', 2, 2, 4), // one of two slices of generation 2: incomplete
          slice('b', 'node-b', 1, 1, 4), // older generation: ignored
          slice('c', 'node-c', 1, 1, 0), // no devices
          {
            spec: {
              driver: 'other',
              nodeName: 'node-d',
              pool: { name: 'd', generation: 1, resourceSliceCount: 1 },
              devices: [{}],
            },
          },
        ],
        'gpu.nvidia.com',
      ),
    ).to.deep.equal(['node-a']);
  });

  it('vgpuEvidence: vgpu.present=false (bare metal, written by feature discovery) is no evidence', function () {
    expect(vgpuEvidence({ 'nvidia.com/vgpu.present': 'false' })).to.equal(null);
    expect(vgpuEvidence({})).to.equal(null);
    expect(vgpuEvidence(undefined)).to.equal(null);
    expect(vgpuEvidence({ 'nvidia.com/vgpu.present': 'true' })).to.equal(
      'nvidia.com/vgpu.present=true',
    );
    expect(
      vgpuEvidence({
        'nvidia.com/vgpu.present': 'false',
        'nvidia.com/vgpu.host-driver-version': '550.90.05',
      }),
    ).to.equal('nvidia.com/vgpu.host-driver-version=550.90.05');
  });
});
