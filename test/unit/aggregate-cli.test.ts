/** `kaic aggregate` as a user runs it (in-process): the table, the gate, the matrix's legs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { runKaicInProcess } from '../support/kaic-cli.js';
import { makeRunResult, writeRunResult } from '../support/run-results.js';

async function kaic(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await runKaicInProcess(args);
  return { code: r.exitCode, out: r.stdout, err: r.stderr };
}

describe('kaic aggregate', function () {
  let dir: string;
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kaic-aggregate-'));
    for (const version of ['1.33', '1.35'] as const) {
      writeRunResult(dir, `kaic-results-${version}`, makeRunResult({ version }));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a version × requirement table with the level per conformance version', async function () {
    const run = await kaic('aggregate', dir);
    expect(run.code, run.err).to.equal(0);
    expect(run.out).to.include('| Requirement | Level | Kubernetes 1.33 | Kubernetes 1.35 |');
    expect(run.out).to.include('| `dra_support` | SHOULD (v1.33) · MUST (v1.35) |');
  });

  it('--expected: a missing leg is a "no results" column and exit 1 (a warning with --fail-on none)', async function () {
    const run = await kaic('aggregate', '--expected', '1.33, 1.34,1.35', dir);
    expect(run.code).to.equal(1);
    expect(run.out).to.include('| Kubernetes 1.33 | Kubernetes 1.35 | Kubernetes 1.34 |');
    expect(run.out).to.include('⚠️ no results');
    expect(run.err).to.include('kaic: no results for Kubernetes 1.34 (--expected)');
    const none = await kaic('aggregate', '--fail-on', 'none', '--expected', '1.34', dir);
    expect(none.code).to.equal(0);
    const bad = await kaic('aggregate', '--expected', '1.3x', dir);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.include('--expected: "1.3x" is not a Kubernetes minor');
    const help = await kaic('aggregate', '--help');
    expect(help.code).to.equal(0);
    expect(help.out).to.include('--expected');
  });
});
