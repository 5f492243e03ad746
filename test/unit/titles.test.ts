import { expect } from 'chai';

import { requirementsFor } from '../../src/requirements/catalog.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { locateFailure, selectRequirements } from '../../src/runner/run-suites.js';
import { parseTitleTag, requirementTag } from '../../src/runner/titles.js';

describe('requirement tags in test titles', function () {
  it('finds the one tag in a full title', function () {
    expect(
      parseTitleTag(`${requirementTag('gang_scheduling', 'MUST')} gang binds all pods`),
    ).to.deep.equal({
      requirementId: 'gang_scheduling',
      level: 'MUST',
    });
    expect(parseTitleTag('outer [AIConformance] [gpu_sharing] [SHOULD] inner test').level).to.equal(
      'SHOULD',
    );
  });

  it('refuses a test with no tag, two requirements, or a bad level, naming the test', function () {
    expect(() => parseTitleTag('plain test')).to.throw('test "plain test" names no requirement');
    expect(() =>
      parseTitleTag(
        '[AIConformance] [dra_support] [MUST] x [AIConformance] [gpu_sharing] [SHOULD] y',
      ),
    ).to.throw('names several requirements (dra_support, gpu_sharing)');
    expect(() => parseTitleTag('[AIConformance] [dra_support] [MAY] x')).to.throw(
      'has level [MAY]',
    );
  });
});

describe('selection', function () {
  const reqs = requirementsFor('1.35');
  it('combines ids, categories and levels', function () {
    expect(
      selectRequirements(reqs, { categories: ['accelerators'], levels: ['SHOULD'] }).map(
        (r) => r.id,
      ),
    ).to.deep.equal(['driver_runtime_management', 'gpu_sharing', 'virtualized_accelerator']);
    expect(selectRequirements(reqs, { ids: ['dra_support', 'ai_inference'] })).to.have.length(2);
  });
  it('names what it does not know', function () {
    expect(() => selectRequirements(reqs, { grep: '(' })).to.throw(
      'grep "(" is not a regular expression',
    );
    expect(() => selectRequirements(reqs, { levels: ['MAY' as 'MUST'] })).to.throw(
      'unknown level MAY',
    );
  });
});

describe('failure location', function () {
  it('takes the first frame in the spec file, relative, absolute or file URL', function () {
    const stack = [
      'AssertionError: nope',
      '    at helper (/work/lib/assert.js:10:5)',
      '    at Context.<anonymous> (test/x.spec.ts:12:47)',
    ].join('\n');
    expect(locateFailure(stack, `${process.cwd()}/test/x.spec.ts`)).to.deep.equal({
      file: `${process.cwd()}/test/x.spec.ts`,
      line: 12,
      column: 47,
    });
    expect(
      locateFailure('Error\n    at file:///tmp/a.spec.mjs:3:9', '/tmp/a.spec.mjs')?.line,
    ).to.equal(3);
    expect(locateFailure(stack, '/elsewhere.spec.ts')).to.equal(null);
  });
});

describe('verdict rules', function () {
  const test = (status: TestResult['status'], skipReason: string | null = null): TestResult => ({
    requirementId: 'x',
    level: 'MUST',
    title: 't',
    fullTitle: 't',
    file: null,
    status,
    durationMs: 0,
    failure: null,
    skipReason,
    evidence: [],
  });
  it('never counts a skip as a pass', function () {
    expect(
      decideVerdict([test('passed'), test('skipped', 'needs real containers')], null),
    ).to.deep.equal({
      verdict: 'Unknown',
      reason: '1 of 2 checks could not run here (needs real containers)',
    });
    expect(decideVerdict([test('skipped')], null).verdict).to.equal('Unknown');
  });
  it('tells partial from total failure, and N/A comes only from a justification', function () {
    expect(decideVerdict([test('passed'), test('failed')], null).verdict).to.equal(
      'Partially Implemented',
    );
    expect(decideVerdict([test('failed'), test('skipped')], null)).to.deep.equal({
      verdict: 'Not Implemented',
      reason: '1 of 2 checks failed, none passed',
    });
    expect(decideVerdict([test('passed'), test('passed')], null)).to.deep.equal({
      verdict: 'Implemented',
      reason: 'all 2 checks passed',
    });
    expect(decideVerdict([test('failed')], 'no GPUs offered').verdict).to.equal('N/A');
    expect(decideVerdict([], null).verdict).to.equal('Unknown');
  });

  const failedWith = (message: string, supporting = false): TestResult => ({
    ...test('failed'),
    failure: { message, stack: null, location: null },
    ...(supporting ? { supporting: true } : {}),
  });
  const supportingTest = (status: TestResult['status'], skipReason: string | null = null) => ({
    ...test(status, skipReason),
    supporting: true,
  });

  it('an ENVIRONMENT ERROR is a check that could not run, never a failure', function () {
    expect(
      decideVerdict([test('passed'), failedWith('ENVIRONMENT ERROR: no accelerator found')], null),
    ).to.deep.equal({
      verdict: 'Unknown',
      reason: '1 of 2 checks could not run here (ENVIRONMENT ERROR: no accelerator found)',
    });
    expect(
      decideVerdict(
        [
          failedWith('not run: "before all" hook failed: ENVIRONMENT ERROR: no accelerator found'),
          failedWith('ENVIRONMENT ERROR: no accelerator found'),
        ],
        null,
      ).verdict,
    ).to.equal('Unknown');
    // A real failure still decides, beside an environment error.
    expect(
      decideVerdict([failedWith('ENVIRONMENT ERROR: x'), failedWith('expected 1, got 4')], null)
        .verdict,
    ).to.equal('Not Implemented');
  });

  it('an optional check decides when it ran, and leaves the verdict to the others when it could not', function () {
    const optionalTest = (status: TestResult['status'], skipReason: string | null = null) => ({
      ...test(status, skipReason),
      optional: true,
    });
    expect(
      decideVerdict([test('passed'), optionalTest('skipped', 'one device on the node')], null),
    ).to.deep.equal({
      verdict: 'Implemented',
      reason: 'its only check passed; optional: 1 could not run (one device on the node)',
    });
    expect(
      decideVerdict([test('passed'), { ...failedWith('same device'), optional: true }], null)
        .verdict,
    ).to.equal('Partially Implemented');
    expect(decideVerdict([test('passed'), optionalTest('passed')], null).reason).to.equal(
      'all 2 checks passed',
    );
    // Nothing else to decide: it could not run, so nothing was shown.
    expect(decideVerdict([optionalTest('skipped', 'one device')], null).verdict).to.equal(
      'Unknown',
    );
  });

  it('only defining checks decide; supporting ones are named in the reason', function () {
    expect(
      decideVerdict(
        [
          test('passed'),
          test('passed'),
          failedWith('ENVIRONMENT ERROR: no DRA driver', true),
          supportingTest('skipped', 'no container node'),
        ],
        null,
      ),
    ).to.deep.equal({
      verdict: 'Implemented',
      reason:
        'all 2 defining checks passed; supporting: 2 could not run (ENVIRONMENT ERROR: no DRA driver; no container node)',
    });
    expect(
      decideVerdict([test('passed'), failedWith('allocation failed', true)], null),
    ).to.deep.equal({
      verdict: 'Implemented',
      reason: 'its only defining check passed; supporting: 1 failed',
    });
    expect(
      decideVerdict([failedWith('DeviceClass not served'), supportingTest('passed')], null),
    ).to.deep.equal({
      verdict: 'Not Implemented',
      reason: 'its only defining check failed; supporting: 1 passed',
    });
    expect(
      decideVerdict([test('skipped', 'API not served'), supportingTest('passed')], null).verdict,
    ).to.equal('Unknown');
    expect(decideVerdict([supportingTest('passed')], null)).to.deep.equal({
      verdict: 'Unknown',
      reason: 'no defining check ran; supporting: 1 passed',
    });
  });
});
