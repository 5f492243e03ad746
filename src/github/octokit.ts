/**
 * The Octokit kaic publishes with: @actions/github's client (proxy settings, GITHUB_API_URL) plus
 * Octokit's retry plugin (5xx and other transient errors, with backoff) and throttling plugin
 * (GitHub's primary and secondary rate limits, honouring Retry-After; writes paced as GitHub asks).
 */
import * as github from '@actions/github';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export interface OctokitLog {
  info(line: string): void;
  warning(line: string): void;
}

/** Attempts after the first, for transient errors and for rate limits alike. */
export const GITHUB_RETRIES = 3;

interface RetriedRequest {
  method: string;
  url: string;
}

export function createOctokit(token: string, log: OctokitLog) {
  const onLimit =
    (kind: string) =>
    (retryAfter: number, request: RetriedRequest, _octokit: unknown, retryCount: number) => {
      const again = retryCount < GITHUB_RETRIES;
      log.warning(
        `kaic: GitHub's ${kind} for ${request.method} ${request.url}; ` +
          (again
            ? `retrying in ${retryAfter}s (retry ${retryCount + 1} of ${GITHUB_RETRIES})`
            : 'giving up'),
      );
      return again;
    };
  return github.getOctokit(
    token,
    {
      // 429 and 403 are the throttling plugin's (rate limits): retried there, not twice over.
      retry: { retries: GITHUB_RETRIES, doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451] },
      throttle: {
        onRateLimit: onLimit('rate limit'),
        onSecondaryRateLimit: onLimit('secondary rate limit'),
      },
    },
    // The throttling plugin inside the retry plugin: it sees a rate-limit answer first and waits
    // as GitHub says (Retry-After); what it does not take (5xx, a 429 without GitHub's rate-limit
    // signs) the retry plugin retries with its backoff.
    throttling,
    retry,
  );
}

export type Octokit = ReturnType<typeof createOctokit>;
