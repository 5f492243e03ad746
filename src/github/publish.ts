/**
 * Publishes run results to GitHub: a check run per job key with annotations (sent 50 per request),
 * one sticky pull-request comment per job key (kaic's own, found by its author and a hidden marker,
 * edited in place), and a commit status per Kubernetes minor. Transient errors are retried by the
 * Octokit plugins (src/github/octokit.ts); a token that cannot write (fork pull requests,
 * Dependabot, missing permissions) is said in the log and never fails the job: the job summary and
 * the report files carry the results, and the job ends on the verdict.
 */
import { gateFailures, overallVerdict, type FailOn } from '../results/gate.js';
import type { RunResult } from '../results/model.js';
import { runLabels } from '../report/summary-md.js';
import { buildAnnotations, type Annotation, type AnnotationLocation } from './annotations.js';
import type { GitHubRunContext } from './context.js';
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_OUTPUT_MAX_BYTES,
  CHECK_TITLE_MAX_UNITS,
  COMMENT_BODY_MAX_UNITS,
  STATUS_DESCRIPTION_MAX_UNITS,
  truncateUnits,
  type SizeLimit,
} from '../report/limits.js';
import { GITHUB_RETRIES, type Octokit } from './octokit.js';
import { resolveWorkflowRunTarget } from './pull-request.js';

export type { Octokit } from './octokit.js';

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
  /** The Markdown report within a size budget: the check run's summary, the comment. */
  render: (limit: SizeLimit) => string;
  failOn: FailOn;
  targets: PublishTargets;
  annotationFallback: AnnotationLocation;
  annotationPaths?: ReadonlyMap<string, AnnotationLocation>;
  /** Labels of the commit statuses, one per run; a single run gets none unless given. */
  statusLabels?: readonly string[];
  /** Extra failing statuses: expected matrix legs without results (label → description). */
  missingStatuses?: ReadonlyArray<{ label: string; description: string }>;
  log: PublishLog;
}

export interface PublishOutcome {
  checkRunUrl: string | null;
  commentUrl: string | null;
  statuses: number;
  annotations: number;
  /** What was not published, and why: one line per reason. */
  skipped: string[];
}

const forkDoc = (context: GitHubRunContext) =>
  `${context.docsUrl}/github-action.md#pull-requests-from-forks`;

const TARGET_NAMES: Record<keyof PublishTargets, string> = {
  checkRun: 'check run',
  comment: 'pull-request comment',
  commitStatus: 'commit status',
};

/** The hidden line that finds this job key's comment again. */
export function commentMarker(jobKey: string): string {
  return `<!-- kaic-report job-key: ${jobKey.replace(/--+/g, '-').replace(/>/g, '')} -->`;
}

function conclusionOf(input: PublishInput) {
  const { runs, failOn } = input;
  if (runs.some((r) => gateFailures(r, failOn).length)) return 'failure' as const;
  if (input.missingStatuses?.length && failOn !== 'none') return 'failure' as const;
  return runs.length && runs.every((r) => overallVerdict(r) === 'conformant')
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

const PERMISSION: Record<string, string> = {
  'check run': 'checks: write',
  'pull-request comment': 'pull-requests: write',
  'commit status': 'statuses: write',
};

/** Why a write was refused, for the log; a read-only token is not a failed job. */
function explainFailure(
  what: string,
  error: unknown,
  log: PublishLog,
  context: GitHubRunContext,
): string {
  const status = httpStatus(error);
  const message = (error as Error).message ?? String(error);
  const reason =
    status === 403 || status === 404
      ? `${what}: the token cannot write here (HTTP ${status}: ${message}); give the job the permission it needs (${PERMISSION[what] ?? 'see the docs'}), or for fork pull requests publish from a workflow_run workflow (${forkDoc(context)})`
      : `${what}: GitHub answered ${status ? `HTTP ${status}` : 'with an error'}: ${message}`;
  log.warning(`kaic: ${reason}; the results are in the job summary and the report files`);
  return reason;
}

interface CheckRunOutcome {
  url: string;
  sent: number;
  failedBatches: string[];
}

async function publishCheckRun(
  octokit: Octokit,
  input: PublishInput,
  annotations: Annotation[],
): Promise<CheckRunOutcome> {
  const { context, runs } = input;
  const title = truncateUnits(
    runs.length === 1 ? verdictLine(runs[0] as RunResult) : `${runs.length} runs`,
    CHECK_TITLE_MAX_UNITS,
  );
  const summary = input.render({ bytes: CHECK_OUTPUT_MAX_BYTES });
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
    conclusion: conclusionOf(input),
    completed_at: new Date().toISOString(),
    external_id: input.jobKey,
    ...(context.runUrl ? { details_url: context.runUrl } : {}),
    output: { title, summary, annotations: batches[0] ?? [] },
  });
  const outcome: CheckRunOutcome = {
    url: created.data.html_url ?? '',
    sent: batches[0]?.length ?? 0,
    failedBatches: [],
  };
  // Each update appends its annotations to those the check run already has. A batch GitHub still
  // refuses after the retries is said and skipped; the others are sent.
  for (const [i, batch] of batches.slice(1).entries()) {
    try {
      await octokit.rest.checks.update({
        owner: context.owner,
        repo: context.repo,
        check_run_id: created.data.id,
        output: { title, summary, annotations: batch },
      });
      outcome.sent += batch.length;
    } catch (error) {
      const status = httpStatus(error);
      outcome.failedBatches.push(
        `annotations ${(i + 1) * ANNOTATIONS_PER_REQUEST + 1}–${(i + 1) * ANNOTATIONS_PER_REQUEST + batch.length} (${status ? `HTTP ${status}` : (error as Error).message})`,
      );
    }
  }
  return outcome;
}

/**
 * The login of the token's identity, as its comments show it. GraphQL's `viewer` answers for
 * GITHUB_TOKEN and app tokens too (REST `GET /user` does not); it names a bot without the
 * `[bot]` suffix its comments carry.
 */
async function tokenIdentity(octokit: Octokit): Promise<string | null> {
  try {
    const data = await octokit.graphql<{ viewer: { login: string } }>('query { viewer { login } }');
    return data.viewer.login;
  } catch {
    return null;
  }
}

function writtenBy(login: string | undefined, identity: string): boolean {
  if (!login) return false;
  const a = login.toLowerCase().replace(/\[bot\]$/, '');
  return a === identity.toLowerCase().replace(/\[bot\]$/, '');
}

async function publishComment(octokit: Octokit, input: PublishInput, pr: number): Promise<string> {
  const { context } = input;
  const marker = commentMarker(input.jobKey);
  const footer =
    `\n\n---\n_kaic · job key \`${input.jobKey.replace(/`/g, "'")}\` · commit ${context.sha.slice(0, 7)}` +
    (context.runUrl ? ` · [workflow run](${context.runUrl})` : '') +
    `; this comment is updated in place on every run._\n${marker}\n`;
  const body = input.render({ units: COMMENT_BODY_MAX_UNITS - footer.length }) + footer;
  const identity = await tokenIdentity(octokit);
  if (!identity) {
    input.log.warning(
      "kaic: could not learn the token's identity (GraphQL viewer); only a bot's comment carrying kaic's marker is taken as kaic's",
    );
  }
  const ours: Array<{ id: number; html_url: string }> = [];
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: context.owner,
    repo: context.repo,
    issue_number: pr,
    per_page: 100,
  })) {
    for (const c of page.data) {
      if (!c.body?.includes(marker)) continue;
      const mine = identity ? writtenBy(c.user?.login, identity) : c.user?.type === 'Bot';
      if (mine) ours.push(c);
    }
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
  // Two jobs racing on the first run can both create one; keep the oldest, drop our others.
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
  const labels = input.statusLabels ?? (runs.length === 1 ? [null] : runLabels(runs));
  const contextOf = (label: string | null | undefined) =>
    truncateUnits(label ? `kaic / ${input.jobKey} / ${label}` : `kaic / ${input.jobKey}`, 255);
  const statuses = [
    ...runs.map((result, i) => ({
      state:
        gateFailures(result, input.failOn).length > 0 ? ('failure' as const) : ('success' as const),
      context: contextOf(labels[i]),
      description: verdictLine(result),
    })),
    ...(input.missingStatuses ?? []).map((m) => ({
      state: input.failOn === 'none' ? ('error' as const) : ('failure' as const),
      context: contextOf(m.label),
      description: m.description,
    })),
  ];
  let sent = 0;
  for (const status of statuses) {
    await octokit.rest.repos.createCommitStatus({
      owner: context.owner,
      repo: context.repo,
      sha: context.sha,
      state: status.state,
      context: status.context,
      description: truncateUnits(status.description, STATUS_DESCRIPTION_MAX_UNITS),
      ...(context.runUrl ? { target_url: context.runUrl } : {}),
    });
    sent++;
  }
  return sent;
}

export async function publishResults(input: PublishInput): Promise<PublishOutcome> {
  const { targets, log } = input;
  let { context } = input;
  const outcome: PublishOutcome = {
    checkRunUrl: null,
    commentUrl: null,
    statuses: 0,
    annotations: 0,
    skipped: [],
  };
  const wanted = (Object.keys(targets) as Array<keyof PublishTargets>).filter((k) => targets[k]);
  if (!wanted.length) return outcome;
  const skip = (which: Array<keyof PublishTargets>, why: string) => {
    outcome.skipped.push(`${which.map((w) => TARGET_NAMES[w]).join(', ')}: ${why}`);
    log.info(
      `kaic: not publishing the ${which.map((w) => TARGET_NAMES[w]).join(', ')}: ${why}; the results are in the job summary and the report files`,
    );
  };
  if (context.readOnlyReason) {
    skip(
      wanted,
      `${context.readOnlyReason} (publish from a workflow_run workflow: ${forkDoc(context)})`,
    );
    return outcome;
  }
  const octokit = input.octokit;
  if (!octokit) {
    skip(wanted, 'no github-token');
    return outcome;
  }
  if (context.workflowRun) {
    let target;
    try {
      target = await resolveWorkflowRunTarget(octokit, context, context.workflowRun);
    } catch (error) {
      skip(
        wanted,
        `the pull request could not be verified: ${explainFailure('pull-request lookup', error, log, context)}`,
      );
      return outcome;
    }
    if (!target.publish) {
      log.warning(`kaic: publishing nothing: ${target.why}`);
      skip(wanted, target.why);
      return outcome;
    }
    log.info(`kaic: publishing to ${context.workflowRun.headSha.slice(0, 7)}, ${target.how}`);
    context = { ...context, pullRequest: target.pullRequest };
  }
  const multiple = input.runs.length > 1;
  const annotations = input.runs.flatMap((r, i) =>
    buildAnnotations(r, {
      fallback: input.annotationFallback,
      ...(input.annotationPaths ? { paths: input.annotationPaths } : {}),
      ...(multiple ? { label: runLabels(input.runs)[i] as string } : {}),
    }),
  );
  const scoped = { ...input, context };
  if (targets.checkRun) {
    try {
      const check = await publishCheckRun(octokit, scoped, annotations);
      outcome.checkRunUrl = check.url;
      outcome.annotations = check.sent;
      log.info(
        `kaic: check run "kaic · ${input.jobKey}" with ${check.sent} of ${annotations.length} annotations: ${check.url}`,
      );
      if (check.failedBatches.length) {
        const why = `GitHub refused ${check.failedBatches.join(', ')} after ${GITHUB_RETRIES} retries`;
        log.warning(`kaic: check run: ${why}; the other annotations were sent`);
        outcome.skipped.push(`check run annotations: ${why}`);
      }
    } catch (error) {
      outcome.skipped.push(explainFailure('check run', error, log, context));
    }
  }
  if (targets.comment) {
    if (context.pullRequest === null) {
      const why = context.workflowRun
        ? 'the tested run is not about a pull request'
        : `the ${context.eventName} event is not about a pull request`;
      skip(['comment'], why);
    } else {
      try {
        outcome.commentUrl = await publishComment(octokit, scoped, context.pullRequest);
        log.info(`kaic: pull-request comment: ${outcome.commentUrl}`);
      } catch (error) {
        outcome.skipped.push(explainFailure('pull-request comment', error, log, context));
      }
    }
  }
  if (targets.commitStatus) {
    try {
      outcome.statuses = await publishStatuses(octokit, scoped);
      log.info(
        `kaic: ${outcome.statuses} commit status${outcome.statuses === 1 ? '' : 'es'} on ${context.sha.slice(0, 7)}`,
      );
    } catch (error) {
      outcome.skipped.push(explainFailure('commit status', error, log, context));
    }
  }
  return outcome;
}
