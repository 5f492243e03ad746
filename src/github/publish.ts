/**
 * Publishes run results to GitHub through @actions/github's Octokit: a check run per job key with
 * annotations (sent 50 per request), one sticky pull-request comment per job key (found again by a
 * hidden marker and edited in place), and a commit status per Kubernetes minor. A token that cannot
 * write (fork pull requests, Dependabot, missing permissions) is said in the log and never fails
 * the job: the job summary and the report files carry the results, and the job ends on the verdict.
 */
import type * as github from '@actions/github';

import { gateFailures, overallVerdict, type FailOn } from '../results/gate.js';
import type { RunResult } from '../results/model.js';
import { runLabels } from '../report/summary-md.js';
import { buildAnnotations, type Annotation, type AnnotationLocation } from './annotations.js';
import type { GitHubRunContext } from './context.js';
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_OUTPUT_MAX_BYTES,
  COMMENT_BODY_MAX_CHARS,
  STATUS_DESCRIPTION_MAX_CHARS,
  truncateBytes,
  truncateChars,
} from './limits.js';

export type Octokit = ReturnType<typeof github.getOctokit>;

export interface PublishLog {
  info(line: string): void;
  warning(line: string): void;
}

export interface PublishTargets {
  checkRun: boolean;
  comment: boolean;
  commitStatus: boolean;
}

export interface PublishInput {
  octokit: Octokit | null;
  context: GitHubRunContext;
  jobKey: string;
  runs: readonly RunResult[];
  /** The Markdown report: the job summary, the check run's summary, the comment. */
  body: string;
  failOn: FailOn;
  targets: PublishTargets;
  annotationFallback: AnnotationLocation;
  annotationPaths?: ReadonlyMap<string, AnnotationLocation>;
  log: PublishLog;
}

export interface PublishOutcome {
  checkRunUrl: string | null;
  commentUrl: string | null;
  statuses: number;
  annotations: number;
  /** What was not published, and why. */
  skipped: string[];
}

export const FORK_DOC = 'docs/github-action.md#pull-requests-from-forks';

/** The hidden line that finds this job key's comment again. */
export function commentMarker(jobKey: string): string {
  return `<!-- kaic-report job-key: ${jobKey.replace(/--+/g, '-').replace(/>/g, '')} -->`;
}

function conclusionOf(runs: readonly RunResult[], failOn: FailOn) {
  if (runs.some((r) => gateFailures(r, failOn).length)) return 'failure' as const;
  return runs.every((r) => overallVerdict(r) === 'conformant')
    ? ('success' as const)
    : ('neutral' as const);
}

/** One line for a run: "conformant: 11 implemented, 1 unknown (12 requirements)". */
export function verdictLine(result: RunResult): string {
  const v = result.counts.verdicts;
  const parts = [
    [v.Implemented, 'implemented'],
    [v['Partially Implemented'], 'partially'],
    [v['Not Implemented'], 'not implemented'],
    [v['N/A'], 'N/A'],
    [v.Unknown, 'unknown'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, what]) => `${n} ${what}`);
  return `${overallVerdict(result)}: ${parts.join(', ')} (${result.requirements.length} requirements)`;
}

function httpStatus(error: unknown): number | null {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' ? status : null;
}

/** Why a write was refused, for the log; a read-only token is not a failed job. */
function explainFailure(what: string, error: unknown, log: PublishLog): string {
  const status = httpStatus(error);
  const message = (error as Error).message ?? String(error);
  const reason =
    status === 403 || status === 404
      ? `${what}: the token cannot write here (HTTP ${status}: ${message}); give the job the permission it needs (${PERMISSION[what] ?? 'see the docs'}), or for fork pull requests publish from a workflow_run workflow (${FORK_DOC})`
      : `${what}: GitHub answered ${status ? `HTTP ${status}` : 'with an error'}: ${message}`;
  log.warning(`kaic: ${reason}; the results are in the job summary and the report files`);
  return reason;
}

const PERMISSION: Record<string, string> = {
  'check run': 'checks: write',
  'pull-request comment': 'pull-requests: write',
  'commit status': 'statuses: write',
};

async function publishCheckRun(
  octokit: Octokit,
  input: PublishInput,
  annotations: Annotation[],
): Promise<string> {
  const { context, runs } = input;
  const title = truncateChars(
    runs.length === 1 ? verdictLine(runs[0] as RunResult) : `${runs.length} runs`,
    1000,
  );
  const summary = truncateBytes(input.body, CHECK_OUTPUT_MAX_BYTES);
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += ANNOTATIONS_PER_REQUEST) {
    batches.push(annotations.slice(i, i + ANNOTATIONS_PER_REQUEST));
  }
  const created = await octokit.rest.checks.create({
    owner: context.owner,
    repo: context.repo,
    name: `kaic · ${input.jobKey}`,
    head_sha: context.sha,
    status: 'completed',
    conclusion: conclusionOf(runs, input.failOn),
    completed_at: new Date().toISOString(),
    external_id: input.jobKey,
    ...(context.runUrl ? { details_url: context.runUrl } : {}),
    output: { title, summary, annotations: batches[0] ?? [] },
  });
  // Each update appends its annotations to those the check run already has.
  for (const batch of batches.slice(1)) {
    await octokit.rest.checks.update({
      owner: context.owner,
      repo: context.repo,
      check_run_id: created.data.id,
      output: { title, summary, annotations: batch },
    });
  }
  return created.data.html_url ?? '';
}

async function publishComment(octokit: Octokit, input: PublishInput, pr: number): Promise<string> {
  const { context } = input;
  const marker = commentMarker(input.jobKey);
  const footer =
    `\n\n---\n_kaic · job key \`${input.jobKey}\` · commit ${context.sha.slice(0, 7)}` +
    (context.runUrl ? ` · [workflow run](${context.runUrl})` : '') +
    `; this comment is updated in place on every run._\n${marker}\n`;
  const body = truncateChars(input.body, COMMENT_BODY_MAX_CHARS - [...footer].length) + footer;
  const ours: Array<{ id: number; html_url: string }> = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: context.owner,
    repo: context.repo,
    issue_number: pr,
    per_page: 100,
  })) {
    for (const c of page.data) if (c.body?.includes(marker)) ours.push(c);
  }
  const [first, ...extra] = ours;
  if (!first) {
    const created = await octokit.rest.issues.createComment({
      owner: context.owner,
      repo: context.repo,
      issue_number: pr,
      body,
    });
    return created.data.html_url;
  }
  const updated = await octokit.rest.issues.updateComment({
    owner: context.owner,
    repo: context.repo,
    comment_id: first.id,
    body,
  });
  // Two jobs racing on the first run can both create one; keep the oldest, drop the others.
  for (const c of extra) {
    await octokit.rest.issues.deleteComment({
      owner: context.owner,
      repo: context.repo,
      comment_id: c.id,
    });
  }
  return updated.data.html_url;
}

async function publishStatuses(octokit: Octokit, input: PublishInput): Promise<number> {
  const { context, runs } = input;
  const labels = runLabels(runs);
  let sent = 0;
  for (const [i, result] of runs.entries()) {
    const failing = gateFailures(result, input.failOn).length > 0;
    await octokit.rest.repos.createCommitStatus({
      owner: context.owner,
      repo: context.repo,
      sha: context.sha,
      state: failing ? 'failure' : 'success',
      context:
        runs.length === 1 ? `kaic / ${input.jobKey}` : `kaic / ${input.jobKey} / ${labels[i]}`,
      description: truncateChars(verdictLine(result), STATUS_DESCRIPTION_MAX_CHARS),
      ...(context.runUrl ? { target_url: context.runUrl } : {}),
    });
    sent++;
  }
  return sent;
}

export async function publishResults(input: PublishInput): Promise<PublishOutcome> {
  const { context, targets, log } = input;
  const outcome: PublishOutcome = {
    checkRunUrl: null,
    commentUrl: null,
    statuses: 0,
    annotations: 0,
    skipped: [],
  };
  const wanted = (Object.keys(targets) as Array<keyof PublishTargets>).filter((k) => targets[k]);
  if (!wanted.length) return outcome;
  const skipAll = (why: string) => {
    outcome.skipped.push(...wanted.map((w) => `${w}: ${why}`));
    log.info(
      `kaic: not publishing ${wanted.join(', ')}: ${why}; the results are in the job summary and the report files`,
    );
  };
  if (context.readOnlyReason) {
    skipAll(`${context.readOnlyReason} (publish from a workflow_run workflow: ${FORK_DOC})`);
    return outcome;
  }
  const octokit = input.octokit;
  if (!octokit) {
    skipAll('no github-token');
    return outcome;
  }
  const multiple = input.runs.length > 1;
  const annotations = input.runs.flatMap((r, i) =>
    buildAnnotations(r, {
      fallback: input.annotationFallback,
      ...(input.annotationPaths ? { paths: input.annotationPaths } : {}),
      ...(multiple ? { label: runLabels(input.runs)[i] as string } : {}),
    }),
  );
  if (targets.checkRun) {
    try {
      outcome.checkRunUrl = await publishCheckRun(octokit, input, annotations);
      outcome.annotations = annotations.length;
      log.info(
        `kaic: check run "kaic · ${input.jobKey}" with ${annotations.length} annotations: ${outcome.checkRunUrl}`,
      );
    } catch (error) {
      outcome.skipped.push(`checkRun: ${explainFailure('check run', error, log)}`);
    }
  }
  if (targets.comment) {
    if (context.pullRequest === null) {
      outcome.skipped.push(`comment: the ${context.eventName} event is not about a pull request`);
      log.info(
        `kaic: no pull-request comment: the ${context.eventName} event names no pull request`,
      );
    } else {
      try {
        outcome.commentUrl = await publishComment(octokit, input, context.pullRequest);
        log.info(`kaic: pull-request comment: ${outcome.commentUrl}`);
      } catch (error) {
        outcome.skipped.push(`comment: ${explainFailure('pull-request comment', error, log)}`);
      }
    }
  }
  if (targets.commitStatus) {
    try {
      outcome.statuses = await publishStatuses(octokit, input);
      log.info(
        `kaic: ${outcome.statuses} commit status${outcome.statuses === 1 ? '' : 'es'} on ${context.sha.slice(0, 7)}`,
      );
    } catch (error) {
      outcome.skipped.push(`commitStatus: ${explainFailure('commit status', error, log)}`);
    }
  }
  return outcome;
}
