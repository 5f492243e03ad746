/**
 * junit.xml: one testsuite per requirement, one testcase per test, requirement id and level as
 * properties, skips with their reason. Requirements with no test get a skipped placeholder case so
 * a JUnit viewer shows them too.
 */
import { create } from 'xmlbuilder2';

import type { RunResult } from '../results/model.js';

const seconds = (ms: number) => (ms / 1000).toFixed(3);

export function renderJUnit(result: RunResult): string {
  const counts = result.counts.tests;
  // Placeholder cases (requirements with no test) count as skipped in the totals too.
  const placeholders = result.requirements.filter((r) => r.tests.length === 0).length;
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: `kaic AI conformance v${result.conformanceVersion}`,
    tests: counts.passed + counts.failed + counts.skipped + placeholders,
    failures: counts.failed,
    errors: 0,
    skipped: counts.skipped + placeholders,
    time: seconds(result.durationMs),
    timestamp: result.startedAt,
  });
  for (const req of result.requirements) {
    const tests = req.tests;
    const placeholder = tests.length === 0;
    const suite = root.ele('testsuite', {
      name: `[${req.id}] [${req.level}] ${req.title}`,
      tests: placeholder ? 1 : tests.length,
      failures: tests.filter((t) => t.status === 'failed').length,
      errors: 0,
      skipped: placeholder ? 1 : tests.filter((t) => t.status === 'skipped').length,
      time: seconds(tests.reduce((sum, t) => sum + t.durationMs, 0)),
      timestamp: result.startedAt,
    });
    const props = suite.ele('properties');
    props.ele('property', { name: 'requirement', value: req.id });
    props.ele('property', { name: 'level', value: req.level });
    props.ele('property', { name: 'category', value: req.category });
    props.ele('property', { name: 'verdict', value: req.verdict });
    if (placeholder) {
      const tc = suite.ele('testcase', {
        name: `${req.id}: ${req.verdict}`,
        classname: req.id,
        time: '0.000',
      });
      tc.ele('skipped', { message: req.reason });
      continue;
    }
    for (const test of tests) {
      const tc = suite.ele('testcase', {
        name: test.fullTitle,
        classname: req.id,
        time: seconds(test.durationMs),
        ...(test.file ? { file: test.file } : {}),
        ...(test.failure?.location ? { line: test.failure.location.line } : {}),
      });
      const tcProps = tc.ele('properties');
      tcProps.ele('property', { name: 'requirement', value: test.requirementId });
      tcProps.ele('property', { name: 'level', value: test.level });
      if (test.status === 'failed' && test.failure) {
        tc.ele('failure', { message: test.failure.message, type: 'AssertionError' }).txt(
          test.failure.stack ?? test.failure.message,
        );
      } else if (test.status === 'skipped') {
        tc.ele('skipped', { message: test.skipReason ?? 'skipped' });
      }
      if (test.evidence.length) {
        tc.ele('system-out').txt(test.evidence.map((e) => `${e.kind}: ${e.summary}`).join('\n'));
      }
    }
  }
  return root.end({ prettyPrint: true });
}
