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

/**
 * The verdict for one requirement from its tests. A skip is never evidence: a requirement whose
 * tests were all skipped, or that has a skipped test and no failure, is Unknown, because part of
 * it could not be shown here. N/A comes only from a user's justification.
 */
const checks = (n: number) => `${n} check${n === 1 ? '' : 's'}`;

export function decideVerdict(
  tests: readonly TestResult[],
  justification: string | null,
): { verdict: Verdict; reason: string } {
  if (justification !== null) {
    return { verdict: 'N/A', reason: `declared not applicable: ${justification}` };
  }
  const passed = tests.filter((t) => t.status === 'passed').length;
  const failed = tests.filter((t) => t.status === 'failed').length;
  const skipped = tests.filter((t) => t.status === 'skipped').length;
  if (tests.length === 0) return { verdict: 'Unknown', reason: 'no test ran for this requirement' };
  if (failed > 0) {
    return passed > 0
      ? { verdict: 'Partially Implemented', reason: `${failed} of ${checks(tests.length)} failed` }
      : {
          verdict: 'Not Implemented',
          reason: failed === 1 ? 'its only check failed' : `all ${failed} checks failed`,
        };
  }
  if (skipped > 0) {
    const reasons = [...new Set(tests.filter((t) => t.skipReason).map((t) => t.skipReason))];
    return {
      verdict: 'Unknown',
      reason:
        `${skipped} of ${checks(tests.length)} could not run here` +
        (reasons.length ? ` (${reasons.join('; ')})` : ''),
    };
  }
  return {
    verdict: 'Implemented',
    reason: passed === 1 ? 'its only check passed' : `all ${passed} checks passed`,
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
