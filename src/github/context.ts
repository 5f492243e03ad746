/**
 * Where the action runs, read from the runner's GITHUB_* variables and the event payload: the
 * repository, the commit the results belong to, the pull request (if any) and whether this run's
 * token can write to it. A pull request from a fork (or from Dependabot) gets a read-only token.
 */
import { existsSync, readFileSync } from 'node:fs';

export interface GitHubRunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** The commit that checks and statuses attach to: a pull request's head, else GITHUB_SHA. */
  sha: string;
  pullRequest: number | null;
  /** Why the token is read-only here (fork PR, Dependabot), or null. */
  readOnlyReason: string | null;
  /** The workflow run's page, for links. */
  runUrl: string | null;
  /** The workflow file in the repository, e.g. `.github/workflows/ci.yml`. */
  workflowPath: string | null;
  job: string;
  workspace: string | null;
  /** kaic's docs folder as an absolute URL (the action's own repository at its ref). */
  docsUrl: string;
  /**
   * Set for a `workflow_run` event: what GitHub itself recorded of the run that produced the
   * results. The pull request is not known until it is verified through the API
   * (src/github/pull-request.ts); until then `pullRequest` is null.
   */
  workflowRun: WorkflowRunOrigin | null;
}

export interface WorkflowRunOrigin {
  /** The commit that run tested (`workflow_run.head_sha`): the only commit kaic publishes to. */
  headSha: string;
  /** `workflow_run.head_repository.full_name`: a fork's name for a fork's pull request. */
  headRepository: string | null;
  /** The event that started the tested workflow (`pull_request`, `push`, …). */
  event: string;
  runId: number | null;
  runUrl: string | null;
  /** The pull requests GitHub lists for the run (empty for forks). */
  pullRequests: number[];
  /**
   * The pull request named by the uploaded event file (`event-file`): the tested workflow's own
   * claim, so untrusted; used only once the API confirms it.
   */
  claimedPullRequest: number | null;
  /** The head commit that event file names, if any: it must be `headSha`, or nothing is published. */
  claimedHeadSha: string | null;
}

export class GitHubContextError extends Error {
  override name = 'GitHubContextError';
}

interface EventPayload {
  number?: number;
  pull_request?: {
    number?: number;
    head?: { sha?: string; repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } };
  };
  workflow_run?: {
    id?: number;
    html_url?: string;
    head_sha?: string;
    head_repository?: { full_name?: string } | null;
    event?: string;
    pull_requests?: Array<{ number?: number }>;
  };
}

/**
 * kaic's docs as an absolute URL: the action's repository and ref as the runner names them
 * (GITHUB_ACTION_REPOSITORY/GITHUB_ACTION_REF), or this repository for `uses: ./`.
 */
export function docsUrl(env: NodeJS.ProcessEnv = process.env): string {
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const repository = env.GITHUB_ACTION_REPOSITORY || env.GITHUB_REPOSITORY || 'kaic/kaic';
  const ref = env.GITHUB_ACTION_REPOSITORY ? env.GITHUB_ACTION_REF || 'main' : 'main';
  return `${server}/${repository}/blob/${ref}/docs`;
}

/** The workflow run's page (with its attempt after the first), or null outside a run. */
export function workflowRunUrl(env: NodeJS.ProcessEnv = process.env): string | null {
  if (!env.GITHUB_REPOSITORY || !env.GITHUB_RUN_ID) return null;
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  const attempt =
    env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1'
      ? `/attempts/${env.GITHUB_RUN_ATTEMPT}`
      : '';
  return `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}${attempt}`;
}

/** Reads an event payload file; a missing or malformed file names the path. */
export function readEventPayload(path: string): EventPayload {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as EventPayload;
  } catch (error) {
    throw new GitHubContextError(
      `cannot read the event payload ${path}: ${(error as Error).message}`,
    );
  }
}

/**
 * `eventFile` is, for a `workflow_run` publisher, the pull request's own event file uploaded by the
 * tested workflow (GitHub leaves `workflow_run.pull_requests` empty for forks). Only the pull-request
 * number is read from it, as a claim to verify; the commit always comes from the `workflow_run`
 * event GitHub wrote.
 */
export function readGitHubContext(
  env: NodeJS.ProcessEnv = process.env,
  options: { eventFile?: string } = {},
): GitHubRunContext {
  const repository = env.GITHUB_REPOSITORY ?? '';
  const [owner, repo] = repository.split('/');
  if (!owner || !repo) {
    throw new GitHubContextError(
      `GITHUB_REPOSITORY is ${repository ? `"${repository}"` : 'unset'}; expected owner/name (is this running in GitHub Actions?)`,
    );
  }
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const eventPath = env.GITHUB_EVENT_PATH;
  const payload = eventPath && existsSync(eventPath) ? readEventPayload(eventPath) : {};
  let sha = env.GITHUB_SHA ?? '';
  let pullRequest: number | null = null;
  let readOnlyReason: string | null = null;
  let workflowRun: WorkflowRunOrigin | null = null;

  const fromPullRequest = (p: EventPayload) => {
    const pr = p.pull_request;
    if (!pr) return;
    pullRequest = pr.number ?? p.number ?? null;
    if (pr.head?.sha) sha = pr.head.sha;
    return pr;
  };

  if (eventName === 'pull_request' || eventName === 'pull_request_review') {
    const pr = fromPullRequest(payload);
    const head = pr?.head?.repo?.full_name;
    if (head && head !== repository) {
      readOnlyReason = `this pull request comes from the fork ${head}, so GITHUB_TOKEN is read-only`;
    } else if (env.GITHUB_ACTOR === 'dependabot[bot]') {
      readOnlyReason = 'Dependabot pull requests get a read-only GITHUB_TOKEN';
    }
  } else if (eventName === 'pull_request_target') {
    fromPullRequest(payload);
  } else if (eventName === 'workflow_run') {
    const run = payload.workflow_run;
    if (!run?.head_sha) {
      throw new GitHubContextError(
        `the workflow_run event${eventPath ? ` (${eventPath})` : ''} has no workflow_run.head_sha`,
      );
    }
    sha = run.head_sha;
    let claimed: number | null = null;
    let claimedHeadSha: string | null = null;
    if (options.eventFile) {
      const uploaded = readEventPayload(options.eventFile);
      const number = uploaded.pull_request?.number ?? uploaded.number;
      if (number !== undefined && (!Number.isSafeInteger(number) || number < 1)) {
        throw new GitHubContextError(
          `the event file ${options.eventFile} names pull request ${JSON.stringify(number)}, not a number`,
        );
      }
      claimed = number ?? null;
      const head = uploaded.pull_request?.head?.sha;
      claimedHeadSha = typeof head === 'string' ? head : null;
    }
    workflowRun = {
      headSha: run.head_sha,
      headRepository: run.head_repository?.full_name ?? null,
      event: run.event ?? '',
      runId: typeof run.id === 'number' ? run.id : null,
      runUrl: typeof run.html_url === 'string' ? run.html_url : null,
      pullRequests: (run.pull_requests ?? [])
        .map((p) => p.number)
        .filter((n): n is number => Number.isSafeInteger(n)),
      claimedPullRequest: claimed,
      claimedHeadSha,
    };
  }
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new GitHubContextError(
      `no commit to publish to: GITHUB_SHA is ${sha ? `"${sha}"` : 'unset'} and the ${eventName || 'unnamed'} event names none`,
    );
  }

  const runUrl = workflowRunUrl(env);
  // GITHUB_WORKFLOW_REF: owner/repo/.github/workflows/ci.yml@refs/heads/main
  const workflowRef = env.GITHUB_WORKFLOW_REF ?? '';
  const workflowPath = workflowRef.startsWith(`${repository}/`)
    ? workflowRef.slice(repository.length + 1).replace(/@.*$/, '')
    : null;
  return {
    eventName,
    owner,
    repo,
    sha,
    pullRequest,
    readOnlyReason,
    runUrl,
    workflowPath,
    job: env.GITHUB_JOB ?? 'kaic',
    workspace: env.GITHUB_WORKSPACE ?? null,
    docsUrl: docsUrl(env),
    workflowRun,
  };
}
