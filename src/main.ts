/**
 * Action entry point (`runs.main`). Mode `run`: the same pipeline as `kaic run` (inputs share the
 * CLI's names), then the results are published: job summary always; check run, pull-request
 * comment and commit statuses where the token may write. Mode `aggregate`: publishes several
 * results.json files (matrix jobs, a fork PR's artifacts) as one table. The step fails on the
 * verdict (`fail-on`), never on a publishing error. What main creates is saved in the step's state
 * as it is created, so the post step can remove it if main is killed.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import * as core from '@actions/core';

import { restoreBinaries, saveBinaries, type BinaryCacheOptions } from './action/binary-cache.js';
import { readActionSettings, type ActionSettings } from './action/inputs.js';
import { cacheDir } from './cache.js';
import { collectRunInputs } from './config/run-config.js';
import { workflowLocation, type AnnotationLocation } from './github/annotations.js';
import { readGitHubContext, workflowRunUrl, type GitHubRunContext } from './github/context.js';
import { JOB_SUMMARY_MAX_BYTES, remainingLimit, type SizeLimit } from './report/limits.js';
import { createOctokit } from './github/octokit.js';
import { publishResults, verdictLine, type Octokit } from './github/publish.js';
import { planRun } from './pipeline/plan.js';
import { runPipeline } from './pipeline/run.js';
import { plannedMinor } from './providers/index.js';
import type { CreatedResource } from './providers/types.js';
import { collectRunResults } from './results/collect.js';
import { gateFailures, overallVerdict, type OverallVerdict } from './results/gate.js';
import type { RunResult, Verdict } from './results/model.js';
import { mdInline } from './report/markdown.js';
import { renderMatrix, renderSummary, runLabel, runLabels, runMinor } from './report/summary-md.js';
import { exitWhenFlushed } from './util/processes.js';
import { KAIC_VERSION } from './version.js';
import { STATE_CREATED, STATE_MAIN_RAN } from './main-state.js';

/** Keeps secrets out of logs: the token, and a kubeconfig given as text (each credential line too). */
function maskSecrets(settings: ActionSettings): void {
  if (settings.token) core.setSecret(settings.token);
  const kubeconfig = core.getInput('kubeconfig');
  if (kubeconfig.includes('\n')) {
    core.setSecret(kubeconfig);
    for (const line of kubeconfig.split('\n')) {
      const value = /^\s*[\w-]*(data|token|password|secret|key)[\w-]*:\s*(\S{8,})\s*$/i.exec(
        line,
      )?.[2];
      if (value) core.setSecret(value.replace(/^["']|["']$/g, ''));
    }
  }
}

const worst = (verdicts: OverallVerdict[]): OverallVerdict =>
  verdicts.includes('not-conformant')
    ? 'not-conformant'
    : verdicts.includes('unverified')
      ? 'unverified'
      : 'conformant';

function setCountOutputs(runs: readonly RunResult[]): void {
  const sum = (v: Verdict) => runs.reduce((n, r) => n + r.counts.verdicts[v], 0);
  core.setOutput('verdict', worst(runs.map(overallVerdict)));
  core.setOutput('implemented', sum('Implemented'));
  core.setOutput('partially-implemented', sum('Partially Implemented'));
  core.setOutput('not-implemented', sum('Not Implemented'));
  core.setOutput('na', sum('N/A'));
  core.setOutput('unknown', sum('Unknown'));
}

function gitHubContext(settings: ActionSettings): GitHubRunContext | null {
  try {
    return readGitHubContext(
      process.env,
      settings.eventFile ? { eventFile: settings.eventFile } : {},
    );
  } catch (error) {
    core.warning(`kaic: not publishing to GitHub: ${(error as Error).message}`);
    return null;
  }
}

/** What aggregate mode adds to publishing: per-minor statuses, and the legs that sent nothing. */
interface PublishExtras {
  statusLabels?: readonly string[];
  missingStatuses?: ReadonlyArray<{ label: string; description: string }>;
}

let summaryWritten = false;

async function writeJobSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info('kaic: GITHUB_STEP_SUMMARY is not set; no job summary');
    return;
  }
  await core.summary.addRaw(markdown).write();
  summaryWritten = true;
}

/**
 * Results a `workflow_run` publisher received were written by the tested workflow, which for a
 * fork runs the fork's code: the published table is that workflow's claim, and says so.
 */
function provenanceNote(context: GitHubRunContext | null): string | undefined {
  const origin = context?.workflowRun;
  if (!origin) return undefined;
  const repository = `${context.owner}/${context.repo}`;
  if (origin.headRepository === repository) return undefined;
  const run = origin.runUrl
    ? `[workflow run ${origin.runId ?? ''}](${origin.runUrl})`.replace(' ]', ']')
    : 'a workflow run';
  return (
    `> ⚠️ **Reported by the pull request's own workflow**: ${run} of ` +
    `\`${mdInline(origin.headRepository ?? 'an unknown repository')}\` (a fork) wrote these results; ` +
    'kaic did not run them here, and a fork can write any results, so this table is the fork’s claim.'
  );
}

/** Check run / comment / statuses, then the job summary with links to them; sets the link outputs. */
async function publish(
  settings: ActionSettings,
  runs: readonly RunResult[],
  render: (limit: SizeLimit, preface?: string) => string,
  defaultJobKey: (context: GitHubRunContext | null) => string,
  extras: PublishExtras = {},
): Promise<void> {
  const context = gitHubContext(settings);
  const preface = provenanceNote(context);
  const links: string[] = [];
  if (context) {
    links.push(
      ...(await publishTo(
        context,
        settings,
        runs,
        (l) => render(l, preface),
        defaultJobKey,
        extras,
      )),
    );
  }
  // Written last, so it can link to what was published.
  const tail = links.length ? `\n${links.join(' · ')}\n` : '';
  await writeJobSummary(
    render(remainingLimit({ bytes: JOB_SUMMARY_MAX_BYTES }, tail), preface) + tail,
  );
}

async function publishTo(
  context: GitHubRunContext,
  settings: ActionSettings,
  runs: readonly RunResult[],
  render: (limit: SizeLimit) => string,
  defaultJobKey: (context: GitHubRunContext | null) => string,
  extras: PublishExtras,
): Promise<string[]> {
  let requests = 0;
  let octokit: Octokit | null = null;
  if (settings.token) {
    octokit = createOctokit(settings.token, { info: core.info, warning: core.warning });
    octokit.hook.before('request', () => {
      requests++;
    });
  }
  const fallback: AnnotationLocation = context.workflowPath
    ? workflowLocation(context.workspace, context.workflowPath)
    : { path: '.github', line: 1 };
  const outcome = await publishResults({
    octokit,
    context,
    jobKey: settings.jobKey ?? defaultJobKey(context),
    runs,
    render,
    failOn: settings.failOn,
    targets: settings.targets,
    annotationFallback: fallback,
    annotationPaths: existingPaths(settings.annotationPaths, context.workspace),
    ...extras,
    log: { info: core.info, warning: core.warning },
  });
  if (outcome.checkRunUrl) core.setOutput('check-run-url', outcome.checkRunUrl);
  if (outcome.commentUrl) core.setOutput('comment-url', outcome.commentUrl);
  if (octokit) core.info(`kaic: ${requests} GitHub API request${requests === 1 ? '' : 's'}`);
  return [
    ...(outcome.checkRunUrl ? [`[check run](${outcome.checkRunUrl})`] : []),
    ...(outcome.commentUrl ? [`[pull-request comment](${outcome.commentUrl})`] : []),
    ...(context.runUrl ? [`[workflow run](${context.runUrl})`] : []),
    ...(outcome.skipped.length
      ? [`not published: ${outcome.skipped.map(mdInline).join('; ')}`]
      : []),
  ];
}

/** Mapped annotation paths that exist in the checked-out repository; the others are said and dropped. */
function existingPaths(
  paths: ReadonlyMap<string, AnnotationLocation>,
  workspace: string | null,
): Map<string, AnnotationLocation> {
  const kept = new Map<string, AnnotationLocation>();
  for (const [id, at] of paths) {
    if (workspace && !existsSync(join(workspace, at.path))) {
      core.warning(
        `kaic: annotation-paths: ${id} → ${at.path} is not in the checked-out repository (${workspace}); its annotations go to the workflow file`,
      );
      continue;
    }
    kept.set(id, at);
  }
  return kept;
}

function failOnGate(settings: ActionSettings, runs: readonly RunResult[]): void {
  const failing = runs.flatMap((r) =>
    gateFailures(r, settings.failOn).map(
      (q) => `${runs.length > 1 ? `${runLabel(r)}: ` : ''}${q.id} (${q.level}, ${q.verdict})`,
    ),
  );
  if (failing.length)
    core.setFailed(
      `kaic: requirements not met (fail-on ${settings.failOn}): ${failing.join(', ')}`,
    );
}

async function runMode(settings: ActionSettings): Promise<void> {
  const plan = await planRun(
    collectRunInputs({ inputs: (n) => core.getInput(n), env: process.env }),
  );
  const created: CreatedResource[] = [];
  const onCreated = (resource: CreatedResource) => {
    created.push(resource);
    // Written at once to the runner's state file: it survives main being killed.
    core.saveState(STATE_CREATED, JSON.stringify(created));
  };
  // A cluster kaic creates has a minor known now; an attached one needs no binaries of kaic's.
  const createdMinor = plannedMinor(plan.config);
  const binaryCache: BinaryCacheOptions | null =
    settings.cacheBinaries && createdMinor
      ? {
          root: cacheDir(),
          minor: createdMinor,
          log: (line) => core.info(line),
          warn: (line) => core.warning(line),
        }
      : null;
  const restored = binaryCache ? await restoreBinaries(binaryCache) : null;
  let outcome: Awaited<ReturnType<typeof runPipeline>>;
  try {
    outcome = await runPipeline(plan, process.stdout, { onCreated });
  } catch (error) {
    // What was downloaded or built before the failure is kept too.
    if (binaryCache) await saveBinaries(restored, binaryCache);
    throw error;
  }
  const { result, reportPaths } = outcome;
  core.setOutput('results-dir', reportPaths.dir);
  if (reportPaths.fallback) {
    core.setFailed(
      `kaic: reports could not be written to ${reportPaths.fallback.wanted} ` +
        `(${reportPaths.fallback.reason}); they are in ${reportPaths.dir}`,
    );
  }
  core.setOutput('results-json', reportPaths.resultsJson);
  core.setOutput('junit-xml', reportPaths.junitXml);
  if (reportPaths.checklist) core.setOutput('checklist', reportPaths.checklist);
  core.setOutput('summary-path', reportPaths.summaryMd);
  core.setOutput('summary', renderSummary(result));
  setCountOutputs([result]);
  core.info(`kaic: ${verdictLine(result)}`);
  await publish(
    settings,
    [result],
    (limit, preface) => renderSummary(result, { limit, ...(preface ? { preface } : {}) }),
    (c) => `${c?.job ?? 'kaic'} (${runLabel(result)})`,
  );
  // After publishing: a first save uploads hundreds of MiB, the results should not wait for it.
  if (binaryCache) await saveBinaries(restored, binaryCache);
  failOnGate(settings, [result]);
}

async function aggregateMode(settings: ActionSettings): Promise<void> {
  const found = await collectRunResults(settings.results);
  const runs = found.map((f) => f.result);
  core.info(`kaic: aggregating ${runs.length} results: ${found.map((f) => f.path).join(', ')}`);
  const present = new Set(runs.map(runMinor));
  const missing = settings.expected.filter((minor) => !present.has(minor));
  const outDir = resolve(core.getInput('output') || process.env.KAIC_OUTPUT || 'kaic-results');
  await mkdir(outDir, { recursive: true });
  const matrix = (limit?: SizeLimit, preface?: string) =>
    renderMatrix(runs, {
      expected: settings.expected,
      ...(limit ? { limit } : {}),
      ...(preface ? { preface } : {}),
    });
  const body = matrix();
  const summaryPath = join(outDir, 'aggregate-summary.md');
  await writeFile(summaryPath, body);
  core.setOutput('results-dir', outDir);
  core.setOutput('summary-path', summaryPath);
  core.setOutput('summary', body);
  setCountOutputs(runs);
  // A leg that sent nothing proved nothing.
  if (missing.length && worst(runs.map(overallVerdict)) === 'conformant') {
    core.setOutput('verdict', 'unverified');
  }
  await publish(settings, runs, matrix, (c) => c?.job ?? 'kaic', {
    // One status per minor, also when only one results file came.
    statusLabels: runLabels(runs),
    missingStatuses: missing.map((minor) => ({
      label: `Kubernetes ${minor}`,
      description: `no results: an expected leg of the matrix (Kubernetes ${minor}) sent none`,
    })),
  });
  failOnGate(settings, runs);
  if (missing.length) {
    const what = `kaic: no results for Kubernetes ${missing.join(', ')} (input "expected": ${settings.expected.join(', ')})`;
    if (settings.failOn === 'none') core.warning(what);
    else core.setFailed(what);
  }
}

/** The job summary of a step that failed before it had results to show. */
async function failureSummary(message: string): Promise<void> {
  if (summaryWritten) return;
  const runUrl = workflowRunUrl(process.env);
  try {
    await writeJobSummary(
      [
        '## Kubernetes AI Conformance: no results',
        '',
        `kaic ${KAIC_VERSION} stopped before it had results to report:`,
        '',
        `> ${mdInline(message)}`,
        '',
        `The step's log has the details${runUrl ? ` ([workflow run](${runUrl}))` : ''}; ` +
          'with `verbose: true` every component log is kept in the results directory too.',
        '',
      ].join('\n'),
    );
  } catch (error) {
    core.warning(`kaic: could not write the job summary: ${(error as Error).message}`);
  }
}

export async function run(): Promise<void> {
  try {
    core.info(`kaic ${KAIC_VERSION}`);
    const settings = readActionSettings((n) => core.getInput(n));
    maskSecrets(settings);
    core.saveState(STATE_MAIN_RAN, 'true');
    if (settings.mode === 'aggregate') await aggregateMode(settings);
    else await runMode(settings);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    core.setFailed(`kaic: ${message}`);
    await failureSummary(message);
  }
}

await run();
// Done: nothing a suite left hanging keeps the step from ending.
exitWhenFlushed();
