/**
 * What a run's verdicts mean for a job: the overall verdict, and whether the `fail-on` level
 * fails it. One place for the CLI's exit code, the action's outputs and the published conclusions.
 */
import type { RequirementResult, RunResult } from './model.js';

export const FAIL_ON = ['MUST', 'SHOULD', 'none'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/**
 * `conformant`: every MUST requirement is Implemented (or declared N/A). `not-conformant`: a MUST
 * requirement is Not or Partially Implemented. `unverified`: none failed, but a MUST requirement
 * could not be shown here (Unknown), or the run holds no requirement at all (it proved nothing).
 */
export type OverallVerdict = 'conformant' | 'not-conformant' | 'unverified';

const failed = (r: RequirementResult) =>
  r.verdict === 'Not Implemented' || r.verdict === 'Partially Implemented';

export function overallVerdict(result: RunResult): OverallVerdict {
  const must = result.requirements.filter((r) => r.level === 'MUST');
  if (must.some(failed)) return 'not-conformant';
  if (must.some((r) => r.verdict === 'Unknown')) return 'unverified';
  if (result.requirements.length === 0) return 'unverified';
  return 'conformant';
}

/** The requirements that fail a job with this `fail-on` level (none for `none`). */
export function gateFailures(result: RunResult, failOn: FailOn): RequirementResult[] {
  if (failOn === 'none') return [];
  return result.requirements.filter(
    (r) => failed(r) && (r.level === 'MUST' || (failOn === 'SHOULD' && r.level === 'SHOULD')),
  );
}
