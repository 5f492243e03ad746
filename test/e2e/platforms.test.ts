/**
 * kaic on drivers it did not write: `kaic run` on each platform of docs/platforms.md gives exactly
 * the verdicts that page expects (written, with reasons, before the suites first ran there), and
 * leaves nothing behind. The expected verdicts are read from the page (test/support/platform-
 * expectations.ts), so the page and the test cannot drift apart.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { hostTraces } from '../../src/providers/real-node/host.js';
import type { RunResult } from '../../src/results/model.js';
import { filesBelow, processesBelow } from '../support/leftovers.js';
import { expectedVerdicts } from '../support/platform-expectations.js';

const KAIC = resolve('bin/kaic.js');

/** Processes whose command line names this binary (a plugin kaic started and did not stop). */
async function processesNamed(name: string): Promise<string[]> {
  const ps = await execa('ps', ['-eo', 'pid,args'], { reject: false });
  return ps.stdout.split('\n').filter((line) => line.includes(`/${name}`));
}

describe('[e2e] platforms kaic did not write (docs/platforms.md)', function () {
  let dir = '';
  afterEach(async function () {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const platforms = [
    {
      section: 'The Kubernetes example DRA driver',
      args: ['--fake-gpu-driver', 'dra-example-driver'],
      summary: 'gpu.example.com devices on real-node-0 (example driver v0.4.0, kubelet plugin)',
      programs: 'dra-example-kubeletplugin',
    },
    {
      section: 'The example DRA driver with partitions',
      args: ['--fake-gpu-driver', 'dra-example-driver', '--gpu-partitions', '2'],
      summary: 'gpu.example.com devices of 2 partitions each on real-node-0',
      programs: 'dra-example-kubeletplugin',
    },
    {
      section: "run:ai's fake GPU operator",
      args: ['--fake-gpu-driver', 'fake-gpu-operator'],
      summary: 'nvidia.com/gpu (NVIDIA H100 80GB HBM3) on real-node-0 (fake GPU operator v0.2.0',
      programs: 'fake-gpu-operator/',
    },
    {
      section: 'Volcano (v1.15.1) as the gang scheduler',
      args: ['--gang-scheduler', 'volcano', '--requirements', 'gang_scheduling'],
      summary: 'Volcano scheduler and controllers served from this machine',
      programs: 'volcano/',
      mustsMet: true,
    },
  ];

  for (const platform of platforms) {
    it(`${platform.section}: every verdict as expected, nothing left`, async function () {
      dir = await mkdtemp('/tmp/kp-');
      const tmp = join(dir, 't');
      const tracesBefore = new Set(await hostTraces());
      const run = await execa(
        process.execPath,
        [KAIC, 'run', ...platform.args, '--output', join(dir, 'out')],
        { reject: false, all: true, env: { TMPDIR: dir, KAIC_KWOK_WORKDIR: join(dir, 'k') } },
      );
      expect(run.all, run.all.slice(-3000)).to.include(platform.summary);
      const results = JSON.parse(
        await readFile(join(dir, 'out', 'results.json'), 'utf8'),
      ) as RunResult;
      const measured = Object.fromEntries(results.requirements.map((r) => [r.id, r.verdict]));
      process.stdout.write(`      verdicts: ${JSON.stringify(measured)}\n`);
      expect(measured, run.all.slice(-3000)).to.deep.equal(expectedVerdicts(platform.section));
      // The drivers each miss a MUST (accelerator_metrics, secure_accelerator_access): the exit
      // code says so; Volcano's run has only gang_scheduling.
      expect(run.exitCode).to.equal('mustsMet' in platform ? 0 : 1);
      expect(await processesNamed(platform.programs), 'driver programs left').to.deep.equal([]);
      expect(existsSync('/var/lib/runai'), "the operator's nvidia-smi left").to.equal(false);
      expect(await processesBelow(dir), 'processes left').to.deep.equal([]);
      expect(await filesBelow(tmp), 'files left').to.deep.equal([]);
      const traces = (await hostTraces()).filter((t) => !tracesBefore.has(t));
      expect(traces, 'host traces left').to.deep.equal([]);
    });
  }
});
