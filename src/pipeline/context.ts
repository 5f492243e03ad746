/**
 * What the phases of a run share: the plan, how to say things, what to undo, and what each phase
 * found for the next (the cluster, the requirements, the addons' settings, the tests).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ReportPaths } from '../report/index.js';
import { loadMetadata } from '../requirements/checklist.js';
import type { TestResult } from '../results/model.js';
import type { PlannedTest } from '../runner/run-suites.js';
import { describeProvider } from '../providers/index.js';
import type { ClusterHandle, InstalledAddons, OnCreated, Provider } from '../providers/types.js';
import { UndoLog } from '../util/undo-log.js';
import { KAIC_VERSION } from '../version.js';
import type { RunPlan, VersionPlan } from './plan.js';
import { Progress, type ProgressStream } from './progress.js';

export interface RunContext {
  plan: RunPlan;
  runId: string;
  /** The run's own directory, removed at its end. */
  workDir: string;
  startedAt: Date;
  out: ProgressStream;
  progress: Progress;
  log: (line: string) => void;
  /** Everything the run made, as the steps that undo it (the teardown unwinds it). */
  undo: UndoLog;
  onCreated?: OnCreated;
  /** --metadata: the platform's facts for the filled checklist. */
  metadata: Record<string, string> | undefined;
  provider?: Provider;
  cluster?: ClusterHandle;
  version?: VersionPlan;
  addons?: InstalledAddons;
  /** The addons' binaries being built while the cluster starts (what failed, else null). */
  addonsPrepared?: Promise<Error | null>;
  /** Tests as they finish, and the ones planned: what a cancel keeps. */
  finishedTests: TestResult[];
  plannedTests: PlannedTest[];
  /** Prints what the suites' output still keeps (lines of suites not ended), on a signal. */
  flushSuiteOutput?: () => void;
  /** Writes the reports of the finished tests (set once the suites can start). */
  writeFinishedTests?: () => Promise<ReportPaths>;
  /** The reports, once their writing began (by the reports phase or a signal): never twice. */
  reportsWritten?: Promise<ReportPaths>;
  /** Where the reports went: --output, or the fallback directory when it could not take them. */
  reportDir: string;
  /** Cleared when the run got to its verdicts. */
  failed: boolean;
}

/** What a phase needs from an earlier one; missing means the phases ran out of order. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the run has no ${what} yet`);
  return value;
}

/** Starts a run: its id, its first line, its directory (the last thing its undo log removes). */
export async function startRun(
  plan: RunPlan,
  out: ProgressStream,
  onCreated: OnCreated | undefined,
): Promise<RunContext> {
  const metadata = plan.metadataPath ? await loadMetadata(plan.metadataPath) : undefined;
  const progress = new Progress(out);
  const log = (line: string) => progress.line(line);
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  log(`kaic ${KAIC_VERSION} run ${runId}: ${describeProvider(plan.config)}`);
  const workDir = await mkdtemp(join(tmpdir(), `${runId}-`));
  onCreated?.({ type: 'directory', path: workDir });
  const undo = new UndoLog(log);
  undo.push('work directory', () => rm(workDir, { recursive: true, force: true }));
  return {
    plan,
    runId,
    workDir,
    startedAt: new Date(),
    out,
    progress,
    log,
    undo,
    ...(onCreated ? { onCreated } : {}),
    metadata,
    finishedTests: [],
    plannedTests: [],
    reportDir: plan.outDir,
    failed: true,
  };
}
