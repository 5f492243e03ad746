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
import * as github from '@actions/github';

import { readActionSettings, type ActionSettings } from './action/inputs.js';
import { collectRunInputs } from './config/run-config.js';
import { workflowLocation, type AnnotationLocation } from './github/annotations.js';
import { readGitHubContext, type GitHubRunContext } from './github/context.js';
import { JOB_SUMMARY_MAX_BYTES, truncateBytes } from './github/limits.js';
import { publishResults, verdictLine, type Octokit } from './github/publish.js';
import { planRun, runPipeline } from './pipeline/run.js';
import type { CreatedResource } from './providers/types.js';
import { collectRunResults } from './results/collect.js';
import { gateFailures, overallVerdict, type OverallVerdict } from './results/gate.js';
import type { RunResult, Verdict } from './results/model.js';
import { renderMatrix, renderSummary, runLabel } from './report/summary-md.js';
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

/** Check run / comment / statuses, then the job summary with links to them; sets the link outputs. */
async function publish(
  settings: ActionSettings,
  runs: readonly RunResult[],
  body: string,
  defaultJobKey: (context: GitHubRunContext | null) => string,
): Promise<void> {
  const context = gitHubContext(settings);
  const links: string[] = [];
  if (context) links.push(...(await publishTo(context, settings, runs, body, defaultJobKey)));
  // Written last, so it can link to what was published.
  if (process.env.GITHUB_STEP_SUMMARY) {
    const tail = links.length ? `\n${links.join(' · ')}\n` : '';
    await core.summary
      .addRaw(truncateBytes(body, JOB_SUMMARY_MAX_BYTES - Buffer.byteLength(tail)) + tail)
      .write();
  } else {
    core.info('kaic: GITHUB_STEP_SUMMARY is not set; no job summary');
  }
}

async function publishTo(
  context: GitHubRunContext,
  settings: ActionSettings,
  runs: readonly RunResult[],
  body: string,
  defaultJobKey: (context: GitHubRunContext | null) => string,
): Promise<string[]> {
  let requests = 0;
  let octokit: Octokit | null = null;
  if (settings.token) {
    octokit = github.getOctokit(settings.token);
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
    body,
    failOn: settings.failOn,
    targets: settings.targets,
    annotationFallback: fallback,
    annotationPaths: existingPaths(settings.annotationPaths, context.workspace),
    log: { info: core.info, warning: core.warning },
  });
  if (outcome.checkRunUrl) core.setOutput('check-run-url', outcome.checkRunUrl);
  if (outcome.commentUrl) core.setOutput('comment-url', outcome.commentUrl);
  if (octokit) core.info(`kaic: ${requests} GitHub API request${requests === 1 ? '' : 's'}`);
  return [
    ...(outcome.checkRunUrl ? [`[check run](${outcome.checkRunUrl})`] : []),
    ...(outcome.commentUrl ? [`[pull-request comment](${outcome.commentUrl})`] : []),
    ...(context.runUrl ? [`[workflow run](${context.runUrl})`] : []),
    ...(outcome.skipped.length ? [`not published: ${outcome.skipped.join('; ')}`] : []),
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
  const outcome = await runPipeline(plan, process.stdout, { onCreated });
  const { result, reportPaths } = outcome;
  core.setOutput('results-dir', plan.outDir);
  core.setOutput('results-json', reportPaths.resultsJson);
  core.setOutput('junit-xml', reportPaths.junitXml);
  if (reportPaths.checklist) core.setOutput('checklist', reportPaths.checklist);
  core.setOutput('summary-path', reportPaths.summaryMd);
  const body = renderSummary(result);
  core.setOutput('summary', body);
  setCountOutputs([result]);
  core.info(`kaic: ${verdictLine(result)}`);
  await publish(settings, [result], body, (c) => `${c?.job ?? 'kaic'} (${runLabel(result)})`);
  failOnGate(settings, [result]);
}

async function aggregateMode(settings: ActionSettings): Promise<void> {
  const found = await collectRunResults(settings.results);
  const runs = found.map((f) => f.result);
  core.info(`kaic: aggregating ${runs.length} results: ${found.map((f) => f.path).join(', ')}`);
  const outDir = resolve(core.getInput('output') || process.env.KAIC_OUTPUT || 'kaic-results');
  await mkdir(outDir, { recursive: true });
  const body = renderMatrix(runs);
  const summaryPath = join(outDir, 'aggregate-summary.md');
  await writeFile(summaryPath, body);
  core.setOutput('results-dir', outDir);
  core.setOutput('summary-path', summaryPath);
  core.setOutput('summary', body);
  setCountOutputs(runs);
  await publish(settings, runs, body, (c) => c?.job ?? 'kaic');
  failOnGate(settings, runs);
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
    core.setFailed(`kaic: ${error instanceof Error ? error.message : String(error)}`);
  }
}

await run();
