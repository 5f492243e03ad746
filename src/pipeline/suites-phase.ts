/**
 * The suites and the reports: the selected requirements' tests run against the cluster with the
 * addons' settings, a line per test and per requirement as they end; then the verdicts, written
 * as reports. A cancel during the suites keeps what finished (writeFinishedTests).
 */
import { writeReports, type ReportPaths } from '../report/index.js';
import { buildRunResult } from '../results/build.js';
import { gateFailures } from '../results/gate.js';
import type { RunResult, TestResult } from '../results/model.js';
import { bundledSuiteFiles } from '../runner/bundled-suites.js';
import { suiteDeviceCapacity } from '../runner/device-capacity.js';
import { runSuites, selectRequirements } from '../runner/run-suites.js';
import { KAIC_VERSION } from '../version.js';
import { need, type RunContext } from './context.js';
import type { Progress } from './progress.js';

/** The run's result from the tests given, with what the earlier phases found. */
function resultOf(ctx: RunContext, tests: TestResult[]): RunResult {
  const version = need(ctx.version, 'requirements');
  const cluster = need(ctx.cluster, 'cluster');
  const selectedIds = new Set(
    selectRequirements(version.requirements, ctx.plan.selection).map((r) => r.id),
  );
  return buildRunResult({
    kaicVersion: KAIC_VERSION,
    conformanceVersion: version.conformanceVersion,
    requirementSource: version.requirementSource,
    cluster: {
      provider: cluster.provider,
      name: cluster.name,
      serverVersion: cluster.serverVersion,
    },
    acceleratorProfile: ctx.addons?.accelerator ?? null,
    startedAt: ctx.startedAt,
    finishedAt: new Date(),
    requirements: version.requirements.filter((r) => selectedIds.has(r.id)),
    tests,
    justifications: version.justifications,
  });
}

function reportOptions(ctx: RunContext) {
  const version = need(ctx.version, 'requirements');
  return {
    checklist: version.checklist,
    metadata: ctx.metadata,
    ...(ctx.plan.resultsUrl ? { resultsUrl: ctx.plan.resultsUrl } : {}),
  };
}

/**
 * On a signal mid-suite: the finished tests as they ended, the others skipped as not run, so a
 * requirement whose tests did not all finish is Unknown, never Implemented.
 */
function writeFinishedTests(ctx: RunContext): Promise<ReportPaths> {
  const finished = new Set(ctx.finishedTests.map((t) => t.fullTitle));
  const notRun: TestResult[] = ctx.plannedTests
    .filter((t) => !finished.has(t.fullTitle))
    .map((t) => ({
      ...t,
      status: 'skipped',
      durationMs: 0,
      failure: null,
      skipReason: 'not run: the run was cancelled',
      evidence: [],
    }));
  const result = resultOf(ctx, [...ctx.finishedTests, ...notRun]);
  return writeReports(result, ctx.plan.outDir, reportOptions(ctx)).then((paths) => {
    ctx.log(
      `reports of ${ctx.finishedTests.length} finished tests in ${paths.dir}` +
        (paths.fallback ? ` (not ${paths.fallback.wanted}: ${paths.fallback.reason})` : ''),
    );
    return paths;
  });
}

const MARK = { passed: 'PASS', failed: 'FAIL', skipped: 'SKIP' } as const;

type Counts = Record<TestResult['status'], number>;

function countsText(c: Counts): string {
  return (['passed', 'failed', 'skipped'] as const)
    .filter((k) => c[k])
    .map((k) => `${c[k]} ${k}`)
    .join(', ');
}

/**
 * The suites' output, kept per requirement while suites run side by side: each requirement's test
 * lines and its summary (test time and wall time) are logged together when its suite ends; the
 * live line names the suites running and counts their tests.
 */
function requirementOutput(progress: Progress, log: (line: string) => void) {
  const running = new Map<string, { counts: Counts; ms: number; lines: string[] }>();
  const order: string[] = [];
  const entry = (id: string) => {
    let e = running.get(id);
    if (!e) {
      e = { counts: { passed: 0, failed: 0, skipped: 0 }, ms: 0, lines: [] };
      running.set(id, e);
      order.push(id);
    }
    return e;
  };
  const showRunning = () =>
    progress.setDetail(
      order
        .map(
          (id) =>
            `${id}${countsText(entry(id).counts) ? ` (${countsText(entry(id).counts)})` : ''}`,
        )
        .join(', '),
    );
  const flush = (id: string, wallMs: number | null) => {
    const e = running.get(id);
    if (!e) return;
    for (const line of e.lines) log(line);
    log(
      `requirement ${id}: ${countsText(e.counts) || 'no tests'} in ${(e.ms / 1000).toFixed(1)} s` +
        (wallMs === null ? ' (not finished)' : ` (wall ${(wallMs / 1000).toFixed(1)} s)`),
    );
    running.delete(id);
    order.splice(order.indexOf(id), 1);
  };
  return {
    start(ids: string[]) {
      ids.forEach(entry);
      showRunning();
    },
    test(t: TestResult) {
      const e = entry(t.requirementId ?? '(untagged)');
      e.counts[t.status] += 1;
      e.ms += t.durationMs;
      e.lines.push(
        `${MARK[t.status]} ${t.fullTitle} (${(t.durationMs / 1000).toFixed(1)} s)` +
          (t.skipReason ? ` (${t.skipReason})` : '') +
          (t.failure ? `: ${t.failure.message.split('\n')[0]}` : ''),
      );
      showRunning();
    },
    end(ids: string[], wallMs: number) {
      for (const id of ids) flush(id, wallMs);
      showRunning();
    },
    /** What is still kept (a run that ends early or is cancelled), said not finished. */
    flushAll() {
      for (const id of [...order]) flush(id, null);
    },
  };
}

/**
 * Sets the suites' settings in process.env for as long as `fn` runs: the cluster (KUBECONFIG),
 * the run's id and the addons' KAIC_<NAME> settings, where the user's own settings win.
 */
async function withSuiteEnv<T>(ctx: RunContext, fn: () => Promise<T>): Promise<T> {
  const addonEnv = ctx.addons?.env ?? {};
  const env: Record<string, string> = {
    ...addonEnv,
    ...Object.fromEntries(
      Object.keys(addonEnv)
        .filter((k) => process.env[k])
        .map((k) => [k, process.env[k]!]),
    ),
    KUBECONFIG: need(ctx.cluster, 'cluster').kubeconfigPath,
    KAIC_RUN_ID: ctx.runId,
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

/** suites: the selected requirements' tests; returns them as they ended. */
export async function suitesPhase(ctx: RunContext): Promise<TestResult[]> {
  const version = need(ctx.version, 'requirements');
  const { plan, log } = ctx;
  const selected = selectRequirements(version.requirements, plan.selection);
  ctx.writeFinishedTests = () => writeFinishedTests(ctx);
  let specFiles = [...plan.specFiles];
  if (specFiles.length === 0) {
    const bundled = bundledSuiteFiles(
      selected.map((r) => r.id).filter((id) => !version.justifications.has(id)),
    );
    for (const id of bundled.missing)
      log(`requirement ${id}: kaic has no suite for it; it stays Unknown`);
    specFiles = bundled.files;
  }
  if (!specFiles.length) return [];
  const output = requirementOutput(ctx.progress, log);
  ctx.flushSuiteOutput = () => output.flushAll();
  const run = await ctx.progress.phase(`conformance suites (${selected.length} requirements)`, () =>
    withSuiteEnv(ctx, () =>
      runSuites({
        specFiles,
        requirements: version.requirements,
        selection: plan.selection,
        skipIds: [...version.justifications.keys()],
        timeoutMs: plan.timeoutMs,
        parallel: plan.parallel,
        deviceCapacity: () => suiteDeviceCapacity(),
        onPlanned: (tests) => (ctx.plannedTests = tests),
        onSuiteStart: (suite) => output.start(suite.requirementIds),
        onTestEnd: (t: TestResult) => {
          ctx.finishedTests.push(t);
          output.test(t);
        },
        onSuiteEnd: (suite) => output.end(suite.requirementIds, suite.wallMs),
      }).finally(() => output.flushAll()),
    ),
  );
  for (const i of run.ignored) log(`ignored ${i.fullTitle}: ${i.reason}`);
  return run.tests;
}

/** reports: the verdicts of the tests, written; which MUST requirements were not met. */
export async function reportsPhase(
  ctx: RunContext,
  tests: TestResult[],
): Promise<{ result: RunResult; paths: ReportPaths; mustFailed: string[] }> {
  const result = resultOf(ctx, tests);
  const paths = await ctx.progress.phase(
    'reports',
    // After a signal the finished tests' reports are being written already: never twice.
    () => (ctx.reportsWritten ??= writeReports(result, ctx.plan.outDir, reportOptions(ctx))),
  );
  const v = result.counts.verdicts;
  ctx.log(
    `verdicts: ${v.Implemented} Implemented, ${v['Partially Implemented']} Partially Implemented, ` +
      `${v['Not Implemented']} Not Implemented, ${v['N/A']} N/A, ${v.Unknown} Unknown`,
  );
  const names = [paths.resultsJson, paths.junitXml, paths.e2eLog, paths.summaryMd, paths.checklist]
    .filter((f): f is string => Boolean(f))
    .map((f) => f.slice(paths.dir.length + 1));
  ctx.reportDir = paths.dir;
  ctx.log(
    paths.fallback
      ? `reports could not be written to ${paths.fallback.wanted} (${paths.fallback.reason}); ` +
          `they are in ${paths.dir} instead: ${names.join(', ')}`
      : `reports in ${paths.dir}: ${names.join(', ')}`,
  );
  const mustFailed = gateFailures(result, 'MUST').map((r) => r.id);
  if (mustFailed.length) ctx.log(`MUST requirements not met: ${mustFailed.join(', ')}`);
  return { result, paths, mustFailed };
}
