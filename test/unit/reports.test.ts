/**
 * A run of two tiny fake suites through the real runner, then every report: the verdicts must be
 * the same in results.json (checked against the JSON Schema), junit.xml (read by a JUnit
 * consumer library), e2e.log, summary.md and the filled checklist.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'chai';
import { parse as parseTestResults } from 'test-results-parser';

import { renderSummary } from '../../src/report/summary-md.js';
import { writeReports } from '../../src/report/index.js';
import { requirementsFor } from '../../src/requirements/catalog.js';
import { loadChecklist, parseChecklist } from '../../src/requirements/checklist.js';
import { validateChecklist } from '../../src/requirements/checklist-validate.js';
import { buildRunResult } from '../../src/results/build.js';
import type { RunResult, TestResult } from '../../src/results/model.js';
import { runSuites } from '../../src/runner/run-suites.js';
import { officialChecklistPaths } from '../support/shared.js';

const FIXTURES = resolve('test/fixtures/suites');

describe('runner and reports over fake suites', function () {
  let out = '';
  let result: RunResult;
  const streamed: TestResult[] = [];
  // What onPlanned said, and how many results had streamed by then.
  let planned: { titles: string[]; streamedBefore: number } | null = null;
  let ignored: Array<{ fullTitle: string; reason: string }> = [];

  before(async function () {
    out = await mkdtemp(join(tmpdir(), 'kaic-reports-'));
    const requirements = requirementsFor('1.35');
    const startedAt = new Date();
    const justifications = new Map([['robust_controller', 'this platform ships no AI operator']]);
    const run = await runSuites({
      specFiles: [join(FIXTURES, 'passing-and-skipped.spec.ts'), join(FIXTURES, 'failing.spec.ts')],
      requirements,
      selection: {
        levels: ['MUST'],
        categories: [
          'accelerators',
          'networking',
          'schedulingOrchestration',
          'security',
          'operator',
        ],
      },
      skipIds: [...justifications.keys()],
      timeoutMs: 5000,
      onPlanned: (tests) =>
        (planned = { titles: tests.map((t) => t.fullTitle), streamedBefore: streamed.length }),
      onTestEnd: (t) => streamed.push(t),
    });
    ignored = run.ignored;
    const selected = requirementsFor('1.35').filter(
      (r) => run.selected.some((s) => s.id === r.id) || justifications.has(r.id),
    );
    result = buildRunResult({
      kaicVersion: '0.0.0-test',
      conformanceVersion: '1.35',
      requirementSource: 'catalog',
      cluster: { provider: 'kwok', name: 'fake', serverVersion: 'v1.35.4' },
      acceleratorProfile: null,
      startedAt,
      finishedAt: new Date(),
      requirements: selected,
      tests: run.tests,
      justifications,
    });
    const official = officialChecklistPaths().find((o) => o.version === '1.35')?.path as string;
    await writeReports(result, out, {
      checklist: await loadChecklist(official),
      metadata: { platformName: 'Fake Platform' },
    });
  });

  after(async function () {
    await rm(out, { recursive: true, force: true });
  });

  const verdictOf = (id: string) => result.requirements.find((r) => r.id === id)?.verdict;

  it('runs only the selected requirements and streams each result as it ends', function () {
    expect(streamed.map((t) => `${t.requirementId}:${t.status}`)).to.deep.equal([
      'dra_support:passed',
      'gang_scheduling:skipped',
      'ai_inference:passed',
      'ai_inference:failed',
      'secure_accelerator_access:failed',
    ]);
    expect(ignored).to.deep.equal([]);
  });

  it('names every selected test before the first runs (what a cancelled run reports as not run)', function () {
    expect(planned?.streamedBefore).to.equal(0);
    expect(planned?.titles).to.deep.equal(streamed.map((t) => t.fullTitle));
  });

  it('decides verdicts: pass, skip, partial, fail, N/A and no test', function () {
    expect(verdictOf('dra_support')).to.equal('Implemented');
    expect(verdictOf('gang_scheduling')).to.equal('Unknown');
    expect(verdictOf('ai_inference')).to.equal('Partially Implemented');
    expect(verdictOf('secure_accelerator_access')).to.equal('Not Implemented');
    expect(verdictOf('robust_controller')).to.equal('N/A');
    expect(verdictOf('cluster_autoscaling')).to.equal('Unknown');
    expect(verdictOf('accelerator_metrics'), 'observability was not selected').to.equal(undefined);
    expect(result.requirements.find((r) => r.id === 'gang_scheduling')?.reason).to.include(
      'no gang scheduling solution in this cluster',
    );
  });

  it('keeps evidence, skip reasons and failure locations', function () {
    const dra = result.requirements.find((r) => r.id === 'dra_support')?.tests[0];
    expect(dra?.evidence.map((e) => e.summary)).to.deep.equal([
      'ResourceClaim fake/claim-0',
      'allocation gpu-0 on node-0',
    ]);
    const split = result.requirements.find((r) => r.id === 'ai_inference')?.tests[1];
    expect(split?.failure?.message).to.include('share of backend a');
    expect(split?.failure?.location?.file).to.equal(join(FIXTURES, 'failing.spec.ts'));
    expect(split?.failure?.location?.line).to.be.a('number');
  });

  it('writes results.json that the JSON Schema accepts', async function () {
    const schema = JSON.parse(await readFile('schema/run-result.schema.json', 'utf8')) as object;
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    const written = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as unknown;
    expect(validate(written), JSON.stringify(validate.errors)).to.equal(true);
    expect(written).to.deep.equal(JSON.parse(JSON.stringify(result)));
  });

  it('writes junit.xml that a JUnit consumer reads back with the same counts', function () {
    const parsed = parseTestResults({ type: 'junit', files: [join(out, 'junit.xml')] });
    // Requirements without tests appear as one skipped placeholder case each; the parser
    // counts skipped cases apart from its total.
    const placeholders = result.requirements.filter((r) => r.tests.length === 0).length;
    expect(parsed.failed).to.equal(2);
    expect(parsed.passed).to.equal(2);
    expect(parsed.skipped).to.equal(1 + placeholders);
    expect(parsed.total).to.equal(4);
    const names = parsed.suites.map((s: { name: string }) => s.name);
    expect(names).to.include('[secure_accelerator_access] [MUST] Secure accelerator access');
  });

  it('writes e2e.log and summary.md with every verdict', async function () {
    const log = await readFile(join(out, 'e2e.log'), 'utf8');
    expect(log).to.include(
      '== [ai_inference] [MUST] Gateway API inference routing: Partially Implemented',
    );
    expect(log).to.include(
      'SKIP [AIConformance] [gang_scheduling] [MUST] fake gang binds all pods of the gang',
    );
    expect(log).to.include('skipped: no gang scheduling solution in this cluster');
    const summary = await readFile(join(out, 'summary.md'), 'utf8');
    for (const req of result.requirements) expect(summary).to.include(`| \`${req.id}\``);
    expect(summary).to.include('### Failures');
  });

  it('keeps the summary table whole under the byte limit, cutting detail', function () {
    const big: RunResult = JSON.parse(JSON.stringify(result)) as RunResult;
    const failing = big.requirements.find((r) => r.id === 'secure_accelerator_access');
    const template = failing?.tests[0] as TestResult;
    for (let i = 0; i < 500; i++) {
      failing?.tests.push({
        ...template,
        fullTitle: `${template.fullTitle} #${i}`,
        failure: { message: 'x'.repeat(400), stack: null, location: null },
      });
    }
    const summary = renderSummary(big, { limit: { bytes: 20_000 } });
    expect(Buffer.byteLength(summary)).to.be.at.most(20_000);
    for (const req of big.requirements) expect(summary).to.include(`| \`${req.id}\``);
    expect(summary).to.match(
      /more detail entries cut to stay within GitHub's size limit \(20000 bytes\)/,
    );
  });

  it('never cuts the table: long cells are shortened to fit bytes and UTF-16 units, on a code-point boundary', function () {
    const big: RunResult = JSON.parse(JSON.stringify(result)) as RunResult;
    // A fork's results.json can carry any reason: 3,000 emoji per row is 12 KB a row.
    for (const req of big.requirements) req.reason = `${'🚀🔥'.repeat(1500)} ${req.reason}`;
    for (const limit of [{ bytes: 65_535 }, { units: 65_536 - 300 }, { bytes: 20_000 }]) {
      const summary = renderSummary(big, { limit });
      if (limit.bytes) expect(Buffer.byteLength(summary)).to.be.at.most(limit.bytes);
      if (limit.units) expect(summary.length).to.be.at.most(limit.units);
      for (const req of big.requirements) expect(summary).to.include(`| \`${req.id}\``);
      expect(summary).not.to.match(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      expect(summary).to.include('…');
    }
  });

  it('fills the official checklist from the verdicts, leaving Unknown for a person', async function () {
    const filledText = await readFile(join(out, 'AIConformance-1.35-filled.yaml'), 'utf8');
    const filled = parseChecklist(filledText, 'filled');
    const item = (id: string) => filled.items.find((i) => i.id === id);
    expect(item('dra_support')?.status).to.equal('Implemented');
    // Evidence the CNCF check accepts: a document written beside the filled file.
    expect(item('dra_support')?.evidence).to.deep.equal(['kaic-evidence/dra_support.md']);
    expect(await readFile(join(out, 'kaic-evidence/dra_support.md'), 'utf8')).to.include(
      '# dra_support (MUST): Implemented',
    );
    expect(item('dra_support')?.notes).to.match(/^Measured by kaic .*: its only check passed\./);
    expect(item('ai_inference')?.status).to.equal('Partially Implemented');
    expect(item('secure_accelerator_access')?.status).to.equal('Not Implemented');
    expect(item('robust_controller')).to.include({
      status: 'N/A',
      notes: 'this platform ships no AI operator',
    });
    expect(item('gang_scheduling')?.status).to.equal('');
    expect(item('gang_scheduling')?.evidence).to.deep.equal([]);
    expect(item('gang_scheduling')?.notes).to.match(/^kaic could not verify this: /);
    expect(filled.metadata.platformName).to.equal('Fake Platform');
    const official = await loadChecklist(officialChecklistPaths()[2]?.path as string);
    const problems = validateChecklist(filled, {
      official,
      productPath: join(out, 'AIConformance-1.35-filled.yaml'),
    })
      .filter((p) => p.id !== null)
      .map((p) => `${p.id}: ${p.message}`);
    // Only the MUSTs kaic could not settle or found wanting remain; every evidence file exists.
    expect(problems.sort()).to.deep.equal(
      result.requirements
        .filter((r) => r.level === 'MUST' && r.verdict !== 'Implemented')
        .map((r) =>
          r.verdict === 'Unknown'
            ? `${r.id}: MUST requirement has no status`
            : `${r.id}: MUST requirement is "${r.verdict}"; the CNCF check accepts only Implemented`,
        )
        .concat([
          'accelerator_metrics: MUST requirement has no status',
          'ai_service_metrics: MUST requirement has no status',
        ])
        .sort(),
    );
  });

  it('writes to a fallback directory under the temp dir when the one asked for cannot be made, saying why', async function () {
    const blocked = join(out, 'summary.md', 'reports'); // a file in the way
    const paths = await writeReports(result, blocked);
    try {
      expect(paths.fallback?.wanted).to.equal(blocked);
      expect(paths.fallback?.reason).to.include(`${join(out, 'summary.md')} is a regular file`);
      expect(paths.dir.startsWith(join(tmpdir(), 'kaic-results-'))).to.equal(true);
      expect(paths.resultsJson).to.equal(join(paths.dir, 'results.json'));
      expect(JSON.parse(await readFile(paths.resultsJson, 'utf8'))).to.deep.equal(
        JSON.parse(JSON.stringify(result)),
      );
      expect((await readdir(paths.dir)).sort()).to.deep.equal([
        'e2e.log',
        'junit.xml',
        'results.json',
        'summary.md',
      ]);
    } finally {
      await rm(paths.dir, { recursive: true, force: true });
    }
  });
});

describe('runner: failing hooks and bare skips', function () {
  it('counts tests a failing before-all hook kept from running as failed, naming the hook', async function () {
    const run = await runSuites({
      specFiles: [join(FIXTURES, 'hook-failure.spec.ts')],
      requirements: requirementsFor('1.35'),
      timeoutMs: 5000,
    });
    expect(run.tests.map((t) => `${t.title}:${t.status}`)).to.deep.equal([
      'scales up on the metric:failed',
      'scales down again:failed',
      'is skipped without a reason:skipped',
    ]);
    expect(run.tests[0]?.failure?.message).to.equal(
      'not run: "before all" hook for "scales up on the metric" failed: custom metrics API not served',
    );
    expect(run.tests[2]?.skipReason).to.equal('skipped without a stated reason');
  });
});
