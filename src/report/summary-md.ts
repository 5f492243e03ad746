/**
 * summary.md: the requirement table first, then failures and skips; for several runs (a matrix
 * over Kubernetes minors) one version × requirement table. GitHub caps a check-run summary at
 * 65,535 bytes; detail is cut to fit, never the table.
 */
import type { RunResult, Verdict } from '../results/model.js';

export const SUMMARY_LIMIT_BYTES = 65_535;

export const VERDICT_ICONS: Record<Verdict, string> = {
  Implemented: '✅',
  'Partially Implemented': '🟡',
  'Not Implemented': '❌',
  'N/A': '➖',
  Unknown: '❔',
};

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** How a run is named beside others: its Kubernetes minor, else its conformance version. */
export function runLabel(result: RunResult): string {
  const minor = /^v?(\d+\.\d+)/.exec(result.cluster.serverVersion ?? '')?.[1];
  return minor ? `Kubernetes ${minor}` : `conformance v${result.conformanceVersion}`;
}

/** Labels for runs shown side by side, made unique (profile, then a counter) where they repeat. */
export function runLabels(results: readonly RunResult[]): string[] {
  const base = results.map(
    (r, i) =>
      runLabel(r) +
      (results.some((o, j) => j !== i && runLabel(o) === runLabel(r)) && r.acceleratorProfile
        ? ` · ${r.acceleratorProfile}`
        : ''),
  );
  return base.map((label, i) =>
    base.filter((l) => l === label).length > 1
      ? `${label} #${base.slice(0, i + 1).filter((l) => l === label).length}`
      : label,
  );
}

/** Appends detail lines while they fit; the head always fits whole, then a note says what was cut. */
function fitDetails(head: string, details: string[], limitBytes: number): string {
  const note = (n: number) =>
    `\n\n_${n} more detail lines cut to stay within GitHub's ${limitBytes}-byte summary limit; see e2e.log._\n`;
  let out = head;
  for (let i = 0; i < details.length; i++) {
    const line = `${details[i]}\n`;
    if (bytes(out) + bytes(line) + bytes(note(details.length - i)) > limitBytes) {
      return out + note(details.length - i);
    }
    out += line;
  }
  return out;
}

/** One table for several runs: a row per requirement, a column per run; then each run's failures. */
export function renderMatrix(
  results: readonly RunResult[],
  limitBytes = SUMMARY_LIMIT_BYTES,
): string {
  const labels = runLabels(results);
  const ids: string[] = [];
  const level = new Map<string, string>();
  for (const result of results) {
    for (const req of result.requirements) {
      if (!level.has(req.id)) ids.push(req.id);
      level.set(req.id, req.level);
    }
  }
  const head = [
    `## Kubernetes AI Conformance: ${results.length} run${results.length === 1 ? '' : 's'}`,
    '',
    `| Requirement | Level | ${labels.map(cell).join(' | ')} |`,
    `|---|---|${labels.map(() => '---|').join('')}`,
  ];
  for (const id of ids) {
    const cells = results.map((r) => {
      const req = r.requirements.find((q) => q.id === id);
      return req ? `${VERDICT_ICONS[req.verdict]} ${req.verdict}` : '—';
    });
    head.push(`| \`${id}\` | ${level.get(id)} | ${cells.join(' | ')} |`);
  }
  head.push('');
  results.forEach((r, i) => {
    const v = r.counts.verdicts;
    head.push(
      `- **${cell(labels[i] as string)}**: conformance v${r.conformanceVersion}, ${r.cluster.provider}` +
        (r.acceleratorProfile ? `, ${r.acceleratorProfile}` : '') +
        ` — ${v.Implemented} implemented, ${v['Partially Implemented']} partially, ${v['Not Implemented']} not, ${v['N/A']} N/A, ${v.Unknown} unknown`,
    );
  });
  const details: string[] = [];
  results.forEach((r, i) => {
    const failed = r.requirements.flatMap((q) => q.tests.filter((t) => t.status === 'failed'));
    if (!failed.length) return;
    details.push('', `### Failures on ${labels[i]}`, '');
    for (const test of failed) {
      details.push(
        `- **${test.fullTitle}**: ${cell((test.failure?.message ?? '').split('\n')[0] ?? '')}`,
      );
    }
  });
  return fitDetails(head.join('\n') + '\n', details, limitBytes);
}

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
      `| \`${req.id}\` ${cell(req.title)} | ${req.level} | ${VERDICT_ICONS[req.verdict]} ${req.verdict} | ${passed}/${req.tests.length} | ${cell(req.reason)} |`,
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

  return fitDetails(table, details, limitBytes);
}
