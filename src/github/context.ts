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
    head_sha?: string;
    event?: string;
    pull_requests?: Array<{ number?: number }>;
  };
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
 * `eventFile` overrides GITHUB_EVENT_PATH: a `workflow_run` publisher passes the pull request's
 * own event file, uploaded as an artifact by the untrusted workflow, to learn the PR number
 * (GitHub leaves `workflow_run.pull_requests` empty for forks).
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
    if (run?.head_sha) sha = run.head_sha;
    pullRequest = run?.pull_requests?.[0]?.number ?? null;
    if (options.eventFile) {
      const original = readEventPayload(options.eventFile);
      // The PR's own event names the PR even when workflow_run.pull_requests is empty (forks).
      const pr = original.pull_request;
      if (pr) {
        pullRequest = pr.number ?? original.number ?? pullRequest;
        if (pr.head?.sha) sha = pr.head.sha;
      }
    }
  }
  if (!/^[0-9a-f]{40}$/.test(sha)) {
    throw new GitHubContextError(
      `no commit to publish to: GITHUB_SHA is ${sha ? `"${sha}"` : 'unset'} and the ${eventName || 'unnamed'} event names none`,
    );
  }

  const server = env.GITHUB_SERVER_URL ?? 'https://github.com';
  const runUrl = env.GITHUB_RUN_ID
    ? `${server}/${repository}/actions/runs/${env.GITHUB_RUN_ID}` +
      (env.GITHUB_RUN_ATTEMPT && env.GITHUB_RUN_ATTEMPT !== '1'
        ? `/attempts/${env.GITHUB_RUN_ATTEMPT}`
        : '')
    : null;
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
  };
}
