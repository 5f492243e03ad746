/**
 * The trust boundary of a `workflow_run` publisher. Its results come from a workflow that may run a
 * fork's code, so nothing it uploaded decides where kaic writes: the commit is
 * `workflow_run.head_sha` (GitHub's record of what ran), and a pull request is accepted only when
 * GitHub's API shows it is that commit's pull request, from that head repository, into this one.
 */
import type { Octokit } from './octokit.js';
import type { GitHubRunContext, WorkflowRunOrigin } from './context.js';

/** Where a workflow_run's results may be published, or why nowhere. */
export type WorkflowRunTarget =
  { publish: true; pullRequest: number | null; how: string } | { publish: false; why: string };

interface PullLike {
  number: number;
  head: { sha: string; repo: { full_name: string } | null };
  base: { repo: { full_name: string } };
}

const PULL_REQUEST_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review']);

function mismatch(pr: PullLike, origin: WorkflowRunOrigin, repository: string): string | null {
  if (pr.base.repo.full_name !== repository) {
    return `it is a pull request into ${pr.base.repo.full_name}, not ${repository}`;
  }
  if (pr.head.sha !== origin.headSha) {
    return `its head is ${pr.head.sha.slice(0, 12)}, not the tested commit ${origin.headSha.slice(0, 12)} (a newer push, or a forged event file)`;
  }
  const head = pr.head.repo?.full_name ?? null;
  if (head !== origin.headRepository) {
    return `its head repository is ${head ?? 'deleted'}, not ${origin.headRepository}`;
  }
  return null;
}

/**
 * Finds the pull request a workflow_run's results belong to: among the pulls GitHub associates
 * with the tested commit, else `GET /pulls/{n}` for the number the uploaded event file claims;
 * either way only one whose head commit and head repository are the run's.
 */
export async function resolveWorkflowRunTarget(
  octokit: Octokit,
  context: GitHubRunContext,
  origin: WorkflowRunOrigin,
): Promise<WorkflowRunTarget> {
  const repository = `${context.owner}/${context.repo}`;
  const claimed = origin.claimedPullRequest;
  const wantsPullRequest = claimed !== null || PULL_REQUEST_EVENTS.has(origin.event);
  if (!wantsPullRequest) {
    return {
      publish: true,
      pullRequest: null,
      how: `the ${origin.event || 'unnamed'} run of ${origin.headSha.slice(0, 7)} is not about a pull request`,
    };
  }
  if (!origin.headRepository) {
    return {
      publish: false,
      why: 'the workflow_run event names no head repository (a deleted fork?), so no pull request can be verified',
    };
  }
  if (origin.claimedHeadSha !== null && origin.claimedHeadSha !== origin.headSha) {
    return {
      publish: false,
      why: `the uploaded event file names head ${origin.claimedHeadSha.slice(0, 12)}, but the tested commit is ${origin.headSha.slice(0, 12)} (workflow_run.head_sha): the upload does not belong to this run`,
    };
  }
  const associated = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({
    owner: context.owner,
    repo: context.repo,
    commit_sha: origin.headSha,
    per_page: 100,
  });
  const matching = (associated.data as unknown as PullLike[]).filter(
    (pr) => mismatch(pr, origin, repository) === null,
  );
  if (claimed !== null) {
    if (matching.some((pr) => pr.number === claimed)) {
      return {
        publish: true,
        pullRequest: claimed,
        how: `pull request #${claimed} (verified: its head is the tested commit)`,
      };
    }
    let pr: PullLike;
    try {
      pr = (
        await octokit.rest.pulls.get({
          owner: context.owner,
          repo: context.repo,
          pull_number: claimed,
        })
      ).data as unknown as PullLike;
    } catch (error) {
      const status = (error as { status?: number }).status;
      if (status === 404) {
        return {
          publish: false,
          why: `the uploaded event file names pull request #${claimed}, which ${repository} does not have`,
        };
      }
      throw error;
    }
    const wrong = mismatch(pr, origin, repository);
    if (wrong) {
      return {
        publish: false,
        why: `the uploaded event file names pull request #${claimed}, but ${wrong}; the results are not published to it or to any commit`,
      };
    }
    return {
      publish: true,
      pullRequest: claimed,
      how: `pull request #${claimed} (verified: its head is the tested commit)`,
    };
  }
  // No claim: GitHub's own list for the run, else the commit's associated pulls.
  const own = matching.filter((pr) => origin.pullRequests.includes(pr.number));
  const candidates = own.length ? own : matching;
  if (candidates.length === 1) {
    const number = (candidates[0] as PullLike).number;
    return {
      publish: true,
      pullRequest: number,
      how: `pull request #${number} (found through the API)`,
    };
  }
  return {
    publish: false,
    why:
      candidates.length === 0
        ? `no pull request of ${repository} has the tested commit ${origin.headSha.slice(0, 7)} from ${origin.headRepository} as its head (pass the pull request's event file as event-file)`
        : `${candidates.length} pull requests have the tested commit as their head (${candidates.map((p) => `#${p.number}`).join(', ')}); pass the pull request's event file as event-file`,
  };
}
