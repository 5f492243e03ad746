/** RunResult fixtures for publishing tests: real catalog requirements, fabricated test outcomes. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { requirementsFor, type ConformanceVersion } from '../../src/requirements/catalog.js';
import { buildRunResult } from '../../src/results/build.js';
import type { RunResult, TestResult } from '../../src/results/model.js';

export interface FixtureOptions {
  version?: ConformanceVersion;
  /** Failed tests, all in this requirement (default dra_support, a MUST). */
  failures?: number;
  failRequirement?: string;
  /** Length of each failure message, in characters. */
  messageChars?: number;
  /** Requirements whose only test is skipped (Unknown). */
  unknown?: string[];
}

export function makeRunResult(options: FixtureOptions = {}): RunResult {
  const version = options.version ?? '1.35';
  const requirements = requirementsFor(version);
  const tests: TestResult[] = [];
  const test = (req: (typeof requirements)[number], title: string, extra: Partial<TestResult>) =>
    tests.push({
      requirementId: req.id,
      level: req.level,
      title,
      fullTitle: `${req.id} ${title}`,
      file: `suites/${req.id}.ts`,
      status: 'passed',
      durationMs: 1200,
      failure: null,
      skipReason: null,
      evidence: [],
      ...extra,
    });
  const failIn = options.failRequirement ?? 'dra_support';
  for (const req of requirements) {
    if (options.unknown?.includes(req.id)) {
      test(req, 'needs what this cluster lacks', { status: 'skipped', skipReason: 'no vGPU here' });
      continue;
    }
    test(req, 'works', {});
    if (req.id === failIn) {
      for (let i = 1; i <= (options.failures ?? 0); i++) {
        const message = `check ${i} failed: expected the claim to be allocated. `.padEnd(
          options.messageChars ?? 60,
          'x',
        );
        test(req, `check number ${i}`, {
          status: 'failed',
          failure: {
            message,
            stack: `AssertionError: ${message}\n    at suites/${req.id}.ts:10:5`,
            location: null,
          },
        });
      }
    }
  }
  const started = new Date('2026-11-27T10:00:00Z');
  return buildRunResult({
    kaicVersion: '0.1.0',
    conformanceVersion: version,
    requirementSource: 'catalog',
    cluster: { provider: 'kwok', name: 'kaic-test', serverVersion: `v${version}.0` },
    acceleratorProfile: 'nvidia-h100-80gb',
    startedAt: started,
    finishedAt: new Date(started.getTime() + 90_000),
    requirements,
    tests,
    justifications: new Map(),
  });
}

/** Writes results.json into `<dir>/<name>/` (as an artifact download would) and returns that dir. */
export function writeRunResult(dir: string, name: string, result: RunResult): string {
  const at = join(dir, name);
  mkdirSync(at, { recursive: true });
  writeFileSync(join(at, 'results.json'), JSON.stringify(result, null, 2));
  return at;
}
