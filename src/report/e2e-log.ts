/** e2e.log: a plain transcript a reviewer reads top to bottom, one block per test. */
import type { RunResult } from '../results/model.js';

export function renderE2eLog(result: RunResult): string {
  const lines: string[] = [
    `kaic ${result.kaicVersion}: Kubernetes AI Conformance v${result.conformanceVersion} (${result.requirementSource})`,
    `cluster: ${result.cluster.provider}${result.cluster.name ? ` ${result.cluster.name}` : ''}, server ${result.cluster.serverVersion ?? 'unknown'}` +
      (result.acceleratorProfile ? `, accelerator profile ${result.acceleratorProfile}` : ''),
    `started ${result.startedAt}, finished ${result.finishedAt} (${(result.durationMs / 1000).toFixed(1)}s)`,
    '',
  ];
  for (const req of result.requirements) {
    lines.push(`== [${req.id}] [${req.level}] ${req.title}: ${req.verdict} (${req.reason})`);
    for (const test of req.tests) {
      const mark = test.status === 'passed' ? 'PASS' : test.status === 'failed' ? 'FAIL' : 'SKIP';
      lines.push(`  ${mark} ${test.fullTitle} (${(test.durationMs / 1000).toFixed(2)}s)`);
      for (const e of test.evidence) lines.push(`       ${e.at} ${e.kind}: ${e.summary}`);
      if (test.skipReason) lines.push(`       skipped: ${test.skipReason}`);
      if (test.failure) {
        const where = test.failure.location
          ? ` at ${test.failure.location.file}:${test.failure.location.line}`
          : '';
        lines.push(`       failure${where}: ${test.failure.message.split('\n').join('\n       ')}`);
      }
    }
    lines.push('');
  }
  const v = result.counts.verdicts;
  const t = result.counts.tests;
  lines.push(
    `verdicts: ${Object.entries(v)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `tests: passed ${t.passed}, failed ${t.failed}, skipped ${t.skipped}`,
    '',
  );
  return lines.join('\n');
}
