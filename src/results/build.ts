/** Turns the runner's test results into the RunResult, one verdict per requirement. */
import { requirementTitle, type Requirement } from '../requirements/catalog.js';
import { countResults, decideVerdict, type RunResult, type TestResult } from './model.js';

export interface RunResultInput {
  kaicVersion: string;
  conformanceVersion: string;
  requirementSource: string;
  cluster: RunResult['cluster'];
  acceleratorProfile: string | null;
  startedAt: Date;
  finishedAt: Date;
  /** The selected requirements, N/A ones included. */
  requirements: Requirement[];
  tests: TestResult[];
  justifications: ReadonlyMap<string, string>;
}

export function buildRunResult(input: RunResultInput): RunResult {
  const requirements = input.requirements.map((req) => {
    const justification = input.justifications.get(req.id) ?? null;
    const tests =
      justification === null ? input.tests.filter((t) => t.requirementId === req.id) : [];
    const { verdict, reason } = decideVerdict(tests, justification);
    return {
      id: req.id,
      category: req.category,
      level: req.level,
      title: requirementTitle(req.id),
      verdict,
      reason,
      justification,
      tests,
    };
  });
  return {
    schemaVersion: 1,
    kaicVersion: input.kaicVersion,
    conformanceVersion: input.conformanceVersion,
    requirementSource: input.requirementSource,
    cluster: input.cluster,
    acceleratorProfile: input.acceleratorProfile,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    durationMs: input.finishedAt.getTime() - input.startedAt.getTime(),
    requirements,
    counts: countResults(requirements),
  };
}
