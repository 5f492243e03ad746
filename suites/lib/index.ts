/** Helpers for conformance suites, ours and users' own spec files. */
export { optional, recordEvidence, skipBecause, supporting } from '../../src/runner/evidence.js';
export { requirementTag } from '../../src/runner/titles.js';
