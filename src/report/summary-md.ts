/**
 * summary.md: the requirement table first, then failures and skips. GitHub caps a job summary at
 * 65,535 bytes; detail is cut to fit, never the table.
 */
import type { RunResult, Verdict } from '../results/model.js';

export const SUMMARY_LIMIT_BYTES = 65_535;

const ICONS: Record<Verdict, string> = {
  Implemented: '✅',
  'Partially Implemented': '🟡',
  'Not Implemented': '❌',
  'N/A': '➖',
  Unknown: '❔',
};

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderSummary(result: RunResult, limitBytes = SUMMARY_LIMIT_BYTES): string {
  const head: string[] = [
    `## Kubernetes AI Conformance v${result.conformanceVersion}`,
    '',
    `kaic ${result.kaicVersion} · ${result.cluster.provider} · Kubernetes ${result.cluster.serverVersion ?? 'unknown'}` +
      (result.acceleratorProfile ? ` · ${result.acceleratorProfile}` : '') +
      ` · ${(result.durationMs / 1000).toFixed(0)}s`,
    '',
    '| Requirement | Level | Verdict | Tests | Why |',
    '|---|---|---|---|---|',
  ];
  for (const req of result.requirements) {
    const passed = req.tests.filter((t) => t.status === 'passed').length;
    head.push(
      `| \`${req.id}\` ${cell(req.title)} | ${req.level} | ${ICONS[req.verdict]} ${req.verdict} | ${passed}/${req.tests.length} | ${cell(req.reason)} |`,
    );
  }
  const v = result.counts.verdicts;
  head.push(
    '',
    `**${v.Implemented}** implemented, **${v['Partially Implemented']}** partially, **${v['Not Implemented']}** not implemented, ` +
      `**${v['N/A']}** N/A, **${v.Unknown}** unknown.`,
  );
  const table = head.join('\n') + '\n';

  const details: string[] = [];
  const failed = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === 'failed'));
  const skipped = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === 'skipped'));
  if (failed.length) {
    details.push('', '### Failures', '');
    for (const test of failed) {
      const where = test.failure?.location
        ? ` (${test.failure.location.file}:${test.failure.location.line})`
        : '';
      details.push(
        `- **${test.fullTitle}**${where}`,
        '',
        '  ```',
        ...(test.failure?.message ?? '').split('\n').map((l) => `  ${l}`),
        '  ```',
      );
    }
  }
  if (skipped.length) {
    details.push('', '### Not verified here', '');
    for (const test of skipped)
      details.push(`- ${test.fullTitle}: ${test.skipReason ?? 'skipped'}`);
  }

  // The table always fits whole; detail lines are added while they fit, then a note says so.
  const note = (n: number) =>
    `\n\n_${n} more detail lines cut to stay within GitHub's ${limitBytes}-byte summary limit; see e2e.log._\n`;
  let out = table;
  for (let i = 0; i < details.length; i++) {
    const line = `${details[i]}\n`;
    if (bytes(out) + bytes(line) + bytes(note(details.length - i)) > limitBytes) {
      return out + note(details.length - i);
    }
    out += line;
  }
  return out;
}
