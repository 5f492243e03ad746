/** `kaic run` end to end on the kwok provider: inputs checked first, reports written, cluster gone. */
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { expect } from 'chai';

import type { RunResult } from '../../src/results/model.js';
import { officialChecklistPaths } from '../support/shared.js';
import { runKaic } from '../support/kaic-cli.js';
import { testCluster } from './hooks.js';

const kaic = runKaic;

describe('[cli] kaic run', function () {
  let dir = '';
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-run-'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs user specs against a fresh cluster, writes every report and removes the cluster', async function () {
    const workdir = join(dir, 'kwok');
    const out = join(dir, 'out');
    const checklist = officialChecklistPaths().find((o) => o.version === '1.35')?.path as string;
    const result = await kaic(
      [
        'run',
        '--kubernetes-version',
        testCluster().handle.minor,
        '--conformance-version',
        '1.35',
        '--checklist',
        checklist,
        '--spec',
        resolve('test/fixtures/suites/user-cluster.spec.mjs'),
        '--output',
        out,
      ],
      { KAIC_KWOK_WORKDIR: workdir },
    );
    expect(result.exitCode, result.all).to.equal(1); // a MUST failed
    expect(result.stdout).to.include(
      'PASS [AIConformance] [dra_support] [MUST] user check against the cluster reads the server version',
    );
    expect(result.stdout).to.include(
      'FAIL [AIConformance] [gang_scheduling] [MUST] user check that fails finds a gang scheduler',
    );
    expect(result.stdout).to.include('MUST requirements not met: gang_scheduling');
    expect((await readdir(out)).sort()).to.deep.equal([
      'AIConformance-1.35-filled.yaml',
      'e2e.log',
      'junit.xml',
      'results.json',
      'summary.md',
    ]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.cluster.serverVersion).to.equal(testCluster().release.version);
    expect(results.requirements.find((r) => r.id === 'dra_support')?.verdict).to.equal(
      'Implemented',
    );
    expect(results.requirements.find((r) => r.id === 'gang_scheduling')?.verdict).to.equal(
      'Not Implemented',
    );
    expect(
      existsSync(join(workdir, 'clusters')) ? await readdir(join(workdir, 'clusters')) : [],
    ).to.deep.equal([]);
  });

  it('refuses bad input before creating anything', async function () {
    const workdir = join(dir, 'kwok');
    for (const [args, message] of [
      [['--requirements', 'dra_suport'], 'unknown requirement id "dra_suport"'],
      [['--levels', 'MAY'], '--levels "MAY" is not accepted; use MUST, SHOULD'],
      [['--categories', 'gpus'], 'unknown category "gpus"'],
      [['--spec', join(dir, 'absent.spec.js')], 'no such file'],
      [['--conformance-version', '1.20'], '--conformance-version "1.20" is not one kaic knows'],
      [['--timeout', '0'], '--timeout must be a number of seconds above 0'],
    ] as const) {
      const result = await kaic(['run', ...args, '--output', join(dir, 'out')], {
        KAIC_KWOK_WORKDIR: workdir,
      });
      expect(result.exitCode, result.all).to.equal(2);
      expect(result.stderr).to.include(message);
    }
    expect(existsSync(workdir)).to.equal(false);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });
});
