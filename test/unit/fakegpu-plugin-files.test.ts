/**
 * What the kubelet plugin writes for a claim: CDI specs valid under the CDI project's own JSON
 * schema, and a fake nvidia-smi whose output has the real tool's formats.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { Ajv } from 'ajv';
import { expect } from 'chai';
import { execa } from 'execa';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

import { claimSpec, cdiDeviceId, cdiSpecFile } from '../../src/fakegpu/plugin/cdi.js';
import { listGpus, nvidiaSmiScript, type VisibleGpu } from '../../src/fakegpu/plugin/nvidia-smi.js';
import { gpuProfile, gpuUuid, migUuid, pciBusId } from '../../src/fakegpu/profiles.js';
import { CDI_SCHEMA_MODULE, goModuleDir } from '../support/go-modules.js';
import { sharedDir } from '../support/shared.js';

const h100 = gpuProfile('nvidia-h100-80gb');
const reference = (file: string) =>
  readFileSync(join(sharedDir(), 'reference', 'nvidia-h100', file), 'utf8');

const gpu = (minor: number): VisibleGpu => ({
  minor,
  uuid: gpuUuid('node-a', minor),
  pciBusId: pciBusId(h100, minor),
  mig: null,
});

describe('kubelet plugin files', function () {
  this.timeout(120_000);

  it('writes CDI specs the CDI project’s JSON schema accepts, with cdiVersion at most 0.6.0', async function () {
    const dir = await goModuleDir(CDI_SCHEMA_MODULE.path, CDI_SCHEMA_MODULE.version);
    const ajv = new Ajv({ strict: false });
    ajv.addSchema(JSON.parse(readFileSync(join(dir, 'schema', 'defs.json'), 'utf8')), 'defs.json');
    const validate = ajv.compile(
      JSON.parse(readFileSync(join(dir, 'schema', 'schema.json'), 'utf8')),
    );
    const spec = claimSpec(
      'gpu.nvidia.com',
      '0b5c4a1e-2f7d-4f53-9d5e-1a2b3c4d5e6f',
      [
        { name: 'gpu-0', minor: 0, uuid: gpuUuid('node-a', 0) },
        { name: 'gpu-3', minor: 3, uuid: gpuUuid('node-a', 3) },
      ],
      '/var/lib/kaic-fakegpu/claims/x/nvidia-smi',
    );
    expect(validate(spec), JSON.stringify(validate.errors)).to.equal(true);
    const [major, minor] = spec.cdiVersion.split('.').map(Number);
    expect((major ?? 9) * 100 + (minor ?? 9)).to.be.at.most(6);
    // The schema is loose about names; the CDI rules are not: vendor.tld/class=name.
    expect(cdiDeviceId('gpu.nvidia.com', 'uid-1', 'gpu-0')).to.equal(
      'k8s.gpu.nvidia.com/claim=uid-1-gpu-0',
    );
    expect(spec.devices.map((d) => d.name)).to.deep.equal([
      '0b5c4a1e-2f7d-4f53-9d5e-1a2b3c4d5e6f-gpu-0',
      '0b5c4a1e-2f7d-4f53-9d5e-1a2b3c4d5e6f-gpu-3',
    ]);
    for (const d of spec.devices) expect(d.name).to.match(/^[a-zA-Z0-9][a-zA-Z0-9_.:-]*$/);
    expect(cdiSpecFile('/var/run/cdi', 'gpu.nvidia.com', 'u')).to.equal(
      '/var/run/cdi/k8s.gpu.nvidia.com-claim_u.json',
    );
    // A broken spec is caught: the check can fail.
    expect(validate({ kind: 'k8s.gpu.nvidia.com/claim', devices: [] })).to.equal(false);
  });

  it('nvidia-smi -L prints a GPU line in the real format and numbers a container’s GPUs from 0', async function () {
    const real = reference('nvidia-smi-L.txt').trim();
    const shape = (line: string) => line.replace(/GPU-[0-9a-f-]{36}/, 'GPU-<uuid>');
    const ours = listGpus(h100, [gpu(5)]).trim();
    expect(shape(ours)).to.equal(shape(real));
    expect(listGpus(h100, [gpu(6), gpu(2)]).split('\n')[1]).to.equal(
      `GPU 1: NVIDIA H100 80GB HBM3 (UUID: ${gpuUuid('node-a', 6)})`,
    );
  });

  it('the script answers -L, -q and the default table, and refuses what it does not simulate', async function () {
    const dir = mkdtempSync(join(tmpdir(), 'kaic-smi-'));
    try {
      const mig = h100.migProfiles.find((m) => m.name === '3g.40gb');
      if (!mig) throw new Error('no 3g.40gb');
      const script = join(dir, 'nvidia-smi');
      writeFileSync(
        script,
        nvidiaSmiScript(
          h100,
          [
            gpu(0),
            {
              ...gpu(1),
              mig: {
                profile: '3g.40gb',
                uuid: migUuid('node-a', 1, mig, 4),
                instance: 4,
                memoryBytes: mig.memoryBytes,
              },
            },
          ],
          'ns/claim',
          new Date('2026-11-26T15:43:07Z'),
        ),
        { mode: 0o755 },
      );
      const list = await execa(script, ['-L']);
      expect(list.stdout.split('\n')).to.deep.equal([
        `GPU 0: NVIDIA H100 80GB HBM3 (UUID: ${gpuUuid('node-a', 0)})`,
        `GPU 1: NVIDIA H100 80GB HBM3 (UUID: ${gpuUuid('node-a', 1)})`,
        `  MIG 3g.40gb     Device  0: (UUID: ${migUuid('node-a', 1, mig, 4)})`,
      ]);
      const q = (await execa(script, ['-q'])).stdout;
      // Same key column and the same values as the real node's nvidia-smi -q where they agree.
      const realQ = reference('nvidia-smi-q.txt');
      for (const key of [
        'Timestamp',
        'Driver Version',
        'CUDA Version',
        '    Product Name',
        '    Product Brand',
        '    Product Architecture',
        '        Total',
      ]) {
        const line = (text: string) => text.split('\n').find((l) => l.startsWith(`${key} `));
        expect(line(q)?.indexOf(':'), key).to.equal(line(realQ)?.indexOf(':'));
      }
      expect(q).to.include(
        'Timestamp                                              : Thu Nov 26 15:43:07 2026',
      );
      expect(q).to.include(
        `    Product Name                                       : NVIDIA H100 80GB HBM3`,
      );
      expect(q).to.include(`        Total                                          : 81559 MiB`);
      const table = (await execa(script)).stdout.split('\n');
      expect(table[2]).to.match(
        /^\| NVIDIA-SMI 580\.159\.04 +Driver Version: 580\.159\.04 +CUDA Version: 13\.0 +\|$/,
      );
      expect(
        new Set(
          table
            .slice(1)
            .filter((l) => l.startsWith('|') || l.startsWith('+'))
            .map((l) => l.length),
        ),
      ).to.deep.equal(new Set([91]));
      const bad = await execa(script, ['--query-gpu=name'], { reject: false });
      expect(bad.exitCode).to.equal(2);
      expect(bad.stderr).to.include('not simulated');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
