/** From measured results to the official checklist's status, evidence and notes. */
import type { ItemFill } from '../requirements/checklist.js';
import type { RequirementResult, RunResult } from '../results/model.js';

export interface FillOptions {
  /** Where results.json will be reachable (an artifact URL, a path); default "results.json". */
  resultsReference?: string;
}

/**
 * Implemented, Partially Implemented, Not Implemented and N/A carry over. Unknown has no
 * checklist status: it stays empty, with the reason in notes, for a person to settle.
 */
export function fillFromRequirement(req: RequirementResult, options: FillOptions = {}): ItemFill {
  const ref = options.resultsReference ?? 'results.json';
  const evidence = [`${ref}#${req.id}`];
  for (const test of req.tests.filter((t) => t.status === 'passed')) {
    evidence.push(`kaic test passed: ${test.fullTitle}`);
  }
  switch (req.verdict) {
    case 'N/A':
      return { status: 'N/A', evidence: [], notes: req.justification ?? '' };
    case 'Unknown':
      return {
        status: '',
        evidence: req.tests.length ? evidence : [],
        notes: `kaic could not verify this: ${req.reason}`,
      };
    default:
      return {
        status: req.verdict,
        evidence,
        notes: req.verdict === 'Implemented' ? '' : req.reason,
      };
  }
}

export function fillsFromResults(
  result: RunResult,
  options: FillOptions = {},
): Map<string, ItemFill> {
  return new Map(result.requirements.map((req) => [req.id, fillFromRequirement(req, options)]));
}
