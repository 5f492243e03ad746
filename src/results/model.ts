/**
 * RunResult: the one data model every reporter and publisher reads. Documented for consumers by
 * schema/run-result.schema.json (a test checks the two agree).
 */
import type { Level } from '../requirements/catalog.js';

export const VERDICTS = [
  'Implemented',
  'Partially Implemented',
  'Not Implemented',
  'N/A',
  'Unknown',
] as const;
export type Verdict = (typeof VERDICTS)[number];

export type TestStatus = 'passed' | 'failed' | 'skipped';

/** Something a test created or observed, for reviewers to follow. */
export interface EvidenceRecord {
  kind: 'created' | 'observed' | 'note';
  summary: string;
  detail?: unknown;
  at: string;
}

export interface SourceLocation {
  file: string;
  line: number;
  column?: number;
}

export interface TestResult {
  requirementId: string;
  level: Level;
  title: string;
  fullTitle: string;
  file: string | null;
  status: TestStatus;
  durationMs: number;
  failure: { message: string; stack: string | null; location: SourceLocation | null } | null;
  skipReason: string | null;
  evidence: EvidenceRecord[];
  /**
   * A supporting check: recorded, but not one of the checks that define the requirement (its
   * KAR), so it does not decide the verdict. Absent: a defining check.
   */
  supporting?: boolean;
  /**
   * An optional defining check: decides when it runs; when it could not run, the other defining
   * checks decide and its reason is noted.
   */
  optional?: boolean;
}

export interface RequirementResult {
  id: string;
  category: string;
  level: Level;
  title: string;
  verdict: Verdict;
  /** Why this verdict, in one sentence. */
  reason: string;
  /** The user's justification, only for N/A. */
  justification: string | null;
  tests: TestResult[];
}

export interface RunResult {
  schemaVersion: 1;
  kaicVersion: string;
  conformanceVersion: string;
  /** "catalog" or the checklist path/URL the requirements came from. */
  requirementSource: string;
  cluster: {
    provider: string;
    name: string | null;
    serverVersion: string | null;
  };
  acceleratorProfile: string | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  requirements: RequirementResult[];
  counts: {
    verdicts: Record<Verdict, number>;
    tests: Record<TestStatus, number>;
  };
}

/** The marker of the working group's environment errors: the check could not run here. */
export const ENVIRONMENT_ERROR = 'ENVIRONMENT ERROR';

/** How a check ended, for the verdict: an environment error is a check that could not run. */
export function checkOutcome(test: TestResult): 'passed' | 'failed' | 'unrunnable' {
  if (test.status === 'passed') return 'passed';
  if (test.status === 'skipped') return 'unrunnable';
  return test.failure?.message.includes(ENVIRONMENT_ERROR) ? 'unrunnable' : 'failed';
}

const checks = (n: number, kind = '') => `${n} ${kind}check${n === 1 ? '' : 's'}`;

/** Why checks could not run: skip reasons and environment errors, each once. */
function unrunnableReasons(tests: readonly TestResult[]): string {
  const reasons = [
    ...new Set(
      tests.flatMap((t) =>
        t.status === 'skipped'
          ? t.skipReason
            ? [t.skipReason]
            : []
          : [(t.failure?.message ?? '').split('\n')[0] as string],
      ),
    ),
  ];
  return reasons.length ? ` (${reasons.join('; ')})` : '';
}

/**
 * The verdict for one requirement from its tests (docs/requirements.md, "How a verdict is
 * decided"). Only its defining checks decide: any failed → Partially or Not Implemented (did some
 * pass?); else any that could not run (a skip, or an ENVIRONMENT ERROR: a missing prerequisite is
 * never a failure) → Unknown with the reasons; else Implemented. Supporting checks are recorded
 * and named in the reason, and never change the verdict. N/A comes only from a justification.
 */
export function decideVerdict(
  tests: readonly TestResult[],
  justification: string | null,
): { verdict: Verdict; reason: string } {
  if (justification !== null) {
    return { verdict: 'N/A', reason: `declared not applicable: ${justification}` };
  }
  if (tests.length === 0) return { verdict: 'Unknown', reason: 'no test ran for this requirement' };
  // An optional check that could not run here leaves the verdict to the others (noted).
  const optionalUnrun = tests.filter(
    (t) => !t.supporting && t.optional && checkOutcome(t) === 'unrunnable',
  );
  const allDefining = tests.filter((t) => !t.supporting);
  const defining =
    allDefining.length > optionalUnrun.length
      ? allDefining.filter((t) => !optionalUnrun.includes(t))
      : allDefining;
  const supporting = tests.filter((t) => t.supporting);
  const kind = supporting.length ? 'defining ' : '';
  const of = (outcome: ReturnType<typeof checkOutcome>, list = defining) =>
    list.filter((t) => checkOutcome(t) === outcome);
  const [passed, failed, unrunnable] = [of('passed'), of('failed'), of('unrunnable')];
  const optionalNote =
    defining === allDefining || optionalUnrun.length === 0
      ? ''
      : `; optional: ${optionalUnrun.length} could not run${unrunnableReasons(optionalUnrun)}`;
  const supportNote =
    optionalNote +
    (supporting.length
      ? '; supporting: ' +
        (['passed', 'failed', 'unrunnable'] as const)
          .map((o) => [o, of(o, supporting)] as const)
          .filter(([, list]) => list.length)
          .map(
            ([o, list]) =>
              `${list.length} ${o === 'unrunnable' ? 'could not run' : o}` +
              (o === 'unrunnable' ? unrunnableReasons(list) : ''),
          )
          .join(', ')
      : '');
  if (defining.length === 0) {
    return {
      verdict: 'Unknown',
      reason: `no defining check ran${supportNote}`,
    };
  }
  if (failed.length > 0) {
    return passed.length > 0
      ? {
          verdict: 'Partially Implemented',
          reason: `${failed.length} of ${checks(defining.length, kind)} failed${supportNote}`,
        }
      : {
          verdict: 'Not Implemented',
          reason:
            (failed.length === defining.length
              ? failed.length === 1
                ? `its only ${kind}check failed`
                : `all ${failed.length} ${kind}checks failed`
              : `${failed.length} of ${checks(defining.length, kind)} failed, none passed`) +
            supportNote,
        };
  }
  if (unrunnable.length > 0) {
    return {
      verdict: 'Unknown',
      reason:
        `${unrunnable.length} of ${checks(defining.length, kind)} could not run here` +
        unrunnableReasons(unrunnable) +
        supportNote,
    };
  }
  return {
    verdict: 'Implemented',
    reason:
      (passed.length === 1
        ? `its only ${kind}check passed`
        : `all ${passed.length} ${kind}checks passed`) + supportNote,
  };
}

export function countResults(requirements: readonly RequirementResult[]): RunResult['counts'] {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const tests: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const req of requirements) {
    verdicts[req.verdict]++;
    for (const test of req.tests) tests[test.status]++;
  }
  return { verdicts, tests };
}
