/**
 * The conformance run behind `kaic run` and the action, as phases over one RunContext: plan
 * (plan.ts, before anything exists) → cluster → requirements → addons → suites → reports, then the
 * teardown unwinds what the phases registered. Whatever the run started is stopped, and a cluster
 * it created deleted, also when a phase throws or the process is told to stop.
 */
import type { ReportPaths } from '../report/index.js';
import type { RunResult } from '../results/model.js';
import type { OnCreated } from '../providers/types.js';
import { onTerminationSignal } from '../util/processes.js';
import { removeEmptyDirectories } from '../util/safe-write.js';
import { startRun, type RunContext } from './context.js';
import type { RunPlan } from './plan.js';
import { addonsPhase, clusterPhase, keepComponentLogs, requirementsPhase } from './phases.js';
import type { ProgressStream } from './progress.js';
import { reportsPhase, suitesPhase } from './suites-phase.js';

/** `kaic run`'s exit codes (docs/cli.md, "Exit codes"). */
export const EXIT = {
  /** Every MUST requirement met; reports where asked. */
  ok: 0,
  /** A MUST requirement Not or Partially Implemented. */
  mustFailed: 1,
  /** Bad input: refused before anything started. */
  usage: 2,
  /** The run could not finish as asked: a phase failed, or the reports are in the fallback directory. */
  incomplete: 3,
} as const;

export interface PipelineOutcome {
  exitCode: 0 | 1 | 3;
  result: RunResult;
  reportPaths: ReportPaths;
}

export interface PipelineHooks {
  /** Told about each thing the run creates as it is created (the action's post step uses it). */
  onCreated?: OnCreated;
}

/** On SIGINT/SIGTERM: the reports of what finished are written (or finished), then the teardown. */
async function onSignal(ctx: RunContext, signal: string): Promise<void> {
  ctx.flushSuiteOutput?.();
  if (!ctx.reportsWritten && ctx.writeFinishedTests) {
    ctx.log(`${signal}: writing the reports of the tests that finished`);
    ctx.reportsWritten = ctx.writeFinishedTests();
  }
  await ctx.reportsWritten?.catch((error: Error) => ctx.log(`reports: ${error.message}`));
  await ctx.undo.unwind();
}

/** Runs a planned conformance run, writing progress to `out`. */
export async function runPipeline(
  plan: RunPlan,
  out: ProgressStream = process.stdout,
  hooks: PipelineHooks = {},
): Promise<PipelineOutcome> {
  const ctx = await startRun(plan, out, hooks.onCreated);
  const removeSignalHandlers = onTerminationSignal((signal) => onSignal(ctx, signal));
  try {
    await clusterPhase(ctx);
    await requirementsPhase(ctx);
    await addonsPhase(ctx);
    const tests = await suitesPhase(ctx);
    const { result, paths, mustFailed } = await reportsPhase(ctx, tests);
    ctx.failed = false;
    return {
      exitCode: paths.fallback ? EXIT.incomplete : mustFailed.length ? EXIT.mustFailed : EXIT.ok,
      result,
      reportPaths: paths,
    };
  } finally {
    // Before the teardown removes them: kept when the run failed, or asked for.
    await keepComponentLogs(ctx);
    await ctx.undo.unwind();
    // A run refused or failed before writing anything leaves no empty --output behind.
    if (ctx.failed) await removeEmptyDirectories(plan.madeOutputDirs ?? []);
    removeSignalHandlers();
    out.write(ctx.progress.table());
  }
}
