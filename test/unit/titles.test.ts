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
    expect(decideVerdict([test('failed'), test('skipped')], null).verdict).to.equal(
      'Not Implemented',
    );
    expect(decideVerdict([test('passed'), test('passed')], null)).to.deep.equal({
      verdict: 'Implemented',
      reason: 'all 2 checks passed',
    });
    expect(decideVerdict([test('failed')], 'no GPUs offered').verdict).to.equal('N/A');
    expect(decideVerdict([], null).verdict).to.equal('Unknown');
  });
});
