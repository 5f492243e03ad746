import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { checkRunResult, loadRunResult, RESULTS_MAX_BYTES } from '../../src/results/load.js';
import { makeRunResult } from '../support/run-results.js';

describe('results.json read back as untrusted input', function () {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'kaic-load-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  // Loose on purpose: the tests write what the type forbids.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Loose = Record<string, any>;
  const mutated = (change: (r: Loose) => void) => {
    const r = JSON.parse(JSON.stringify(makeRunResult({ failures: 1 }))) as Loose;
    change(r);
    return r;
  };

  it('accepts what kaic writes', function () {
    const result = makeRunResult({ failures: 2, unknown: ['gpu_sharing'] });
    expect(checkRunResult(JSON.parse(JSON.stringify(result)), 'r.json')).to.deep.equal(result);
  });

  it('refuses what its schema refuses, naming the file and the field', function () {
    const cases: Array<[(r: Loose) => void, RegExp]> = [
      [
        (r) => (r.requirements[0].verdict = 'Great'),
        /\/requirements\/0\/verdict must be equal to one of the allowed values/,
      ],
      [(r) => (r.requirements[0].reason = 42), /\/requirements\/0\/reason must be string/],
      [
        (r) => delete r.requirements[0].tests[0].failure,
        /\/requirements\/0\/tests\/0 must have required property 'failure'/,
      ],
      [(r) => (r.requirements[0].id = 'x"><img'), /\/requirements\/0\/id must match pattern/],
      [(r) => (r.extra = 1), /\(top level\) must NOT have additional properties \(extra\)/],
      [(r) => (r.startedAt = 'yesterday'), /\/startedAt must match format "date-time"/],
    ];
    for (const [change, message] of cases) {
      expect(() => checkRunResult(mutated(change), 'fork/results.json')).to.throw(
        /^fork\/results\.json does not match kaic's results schema/,
      );
      expect(() => checkRunResult(mutated(change), 'fork/results.json')).to.throw(message);
    }
  });

  it('refuses counts that disagree with the requirements, a requirement twice, a stray test', function () {
    expect(() =>
      checkRunResult(
        mutated((r) => (r.counts.verdicts.Implemented = 12)),
        'f',
      ),
    ).to.throw(/f: its counts .* do not match its requirements and tests/);
    expect(() =>
      checkRunResult(
        mutated((r) => r.requirements.push(r.requirements[0])),
        'f',
      ),
    ).to.throw(/requirement \w+ appears twice/);
    expect(() =>
      checkRunResult(
        mutated((r) => (r.requirements[0].tests[0].requirementId = 'other')),
        'f',
      ),
    ).to.throw(/names requirement other/);
    expect(() => checkRunResult({ schemaVersion: 2 }, 'f')).to.throw(/not a kaic results.json/);
  });

  it('refuses a file that is not JSON, too big, or not a file, naming it', async function () {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion": 1,');
    await loadRunResult(bad).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/bad\.json is not valid JSON/),
    );
    const big = join(dir, 'big.json');
    writeFileSync(big, Buffer.alloc(RESULTS_MAX_BYTES + 1, 32));
    await loadRunResult(big).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/big\.json is \d+ bytes; kaic reads at most/),
    );
    await loadRunResult(dir).then(
      () => expect.fail('accepted'),
      (e: Error) => expect(e.message).to.match(/cannot read results .*: not a regular file/),
    );
  });
});
