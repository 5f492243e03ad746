/**
 * summary.md: the requirement table first, then failures and skips; for several runs (a matrix
 * over Kubernetes minors) one version × requirement table. Every text from a results.json goes
 * through src/report/markdown.ts (the file may be a fork's). Output fits a size budget (GitHub's
 * check-run summary: 65,535 bytes by default): detail is cut whole entry by whole entry, never the
 * table; a table too big for the budget has its long cells shortened instead.
 */
import { CHECK_OUTPUT_MAX_BYTES, fitsLimit, type SizeLimit } from './limits.js';
import type { RequirementResult, RunResult, Verdict } from '../results/model.js';
import { mdCell, mdCodeBlock, mdInline, shorten } from './markdown.js';

/** By default: GitHub's check-run summary, the tightest place the summary goes. */
export const SUMMARY_LIMIT: SizeLimit = { bytes: CHECK_OUTPUT_MAX_BYTES };

export const VERDICT_ICONS: Record<Verdict, string> = {
  Implemented: '✅',
  'Partially Implemented': '🟡',
  'Not Implemented': '❌',
  'N/A': '➖',
  Unknown: '❔',
};

/** Cell widths tried in turn (UTF-16 code units of source text) until the table fits. */
const CELL_WIDTHS = [1000, 400, 160, 60, 24];
/** A failure message shown in the detail is cut to this many lines and code units. */
const DETAIL_MAX_LINES = 40;
const DETAIL_MAX_UNITS = 4000;

export interface RenderOptions {
  limit?: SizeLimit;
  /** Markdown placed under the heading (trusted text only: kaic's own notes). */
  preface?: string;
}

export interface MatrixOptions extends RenderOptions {
  /** Kubernetes minors that must each have a run (the matrix's legs): a missing one is shown. */
  expected?: readonly string[];
}

/** The Kubernetes minor a run's cluster reported, e.g. "1.35", or null. */
export function runMinor(result: RunResult): string | null {
  return /^v?(\d+\.\d+)/.exec(result.cluster.serverVersion ?? '')?.[1] ?? null;
}

/** How a run is named beside others: its Kubernetes minor, else its conformance version. */
export function runLabel(result: RunResult): string {
  const minor = runMinor(result);
  return minor ? `Kubernetes ${minor}` : `conformance v${result.conformanceVersion}`;
}

/** Labels for runs shown side by side, made unique (profile, then a counter) where they repeat. */
export function runLabels(results: readonly RunResult[]): string[] {
  const base = results.map(
    (r, i) =>
      runLabel(r) +
      (results.some((o, j) => j !== i && runLabel(o) === runLabel(r)) && r.acceleratorProfile
        ? ` · ${shorten(r.acceleratorProfile, 40)}`
        : ''),
  );
  return base.map((label, i) =>
    base.filter((l) => l === label).length > 1
      ? `${label} #${base.slice(0, i + 1).filter((l) => l === label).length}`
      : label,
  );
}

function describeLimit(limit: SizeLimit): string {
  const parts = [
    ...(limit.bytes !== undefined ? [`${limit.bytes} bytes`] : []),
    ...(limit.units !== undefined ? [`${limit.units} characters`] : []),
  ];
  return parts.join(', ');
}

/** The first table (cells shortened as needed) that fits, with room left for a cut note. */
function fitTable(build: (cellWidth: number) => string, limit: SizeLimit, reserve: string): string {
  for (const width of CELL_WIDTHS) {
    const table = build(width);
    if (fitsLimit(table + reserve, limit)) return table;
  }
  return build(CELL_WIDTHS[CELL_WIDTHS.length - 1] as number);
}

/** Appends whole detail entries while they fit; then a note says how many were cut. */
function fitDetails(head: string, entries: string[][], limit: SizeLimit): string {
  const note = (n: number) =>
    `\n_${n} more detail entr${n === 1 ? 'y' : 'ies'} cut to stay within GitHub's size limit (${describeLimit(limit)}); see e2e.log._\n`;
  let out = head;
  for (let i = 0; i < entries.length; i++) {
    const block = `${(entries[i] as string[]).join('\n')}\n`;
    const rest = entries.length - i - 1;
    if (!fitsLimit(out + block + (rest ? note(rest) : ''), limit)) {
      return out + note(entries.length - i);
    }
    out += block;
  }
  return out;
}

function failureEntry(test: RequirementResult['tests'][number]): string[] {
  const where = test.failure?.location
    ? ` (${mdInline(`${test.failure.location.file}:${test.failure.location.line}`)})`
    : '';
  const lines = (test.failure?.message ?? '').split(/\r\n?|\n/);
  let message = shorten(lines.slice(0, DETAIL_MAX_LINES).join('\n'), DETAIL_MAX_UNITS);
  if (lines.length > DETAIL_MAX_LINES)
    message += `\n… ${lines.length - DETAIL_MAX_LINES} more lines`;
  return [`- **${mdCell(test.fullTitle, 300)}**${where}`, '', ...mdCodeBlock(message, '  ')];
}

export function renderSummary(result: RunResult, options: RenderOptions = {}): string {
  const limit = options.limit ?? SUMMARY_LIMIT;
  const v = result.counts.verdicts;
  const table = (width: number) => {
    const head: string[] = [
      `## Kubernetes AI Conformance v${result.conformanceVersion}`,
      '',
      ...(options.preface ? [options.preface, ''] : []),
      [
        `kaic ${mdCell(result.kaicVersion, 40)}`,
        mdCell(result.cluster.provider, 40),
        `Kubernetes ${mdCell(result.cluster.serverVersion ?? 'unknown', 40)}`,
        ...(result.acceleratorProfile ? [mdCell(result.acceleratorProfile, 60)] : []),
        `${(result.durationMs / 1000).toFixed(0)}s`,
      ].join(' · '),
      '',
      '| Requirement | Level | Verdict | Tests | Why |',
      '|---|---|---|---|---|',
    ];
    for (const req of result.requirements) {
      const passed = req.tests.filter((t) => t.status === 'passed').length;
      head.push(
        `| \`${req.id}\` ${mdCell(req.title, width)} | ${req.level} | ${VERDICT_ICONS[req.verdict]} ${req.verdict} | ${passed}/${req.tests.length} | ${mdCell(req.reason, width)} |`,
      );
    }
    head.push(
      '',
      `**${v.Implemented}** implemented, **${v['Partially Implemented']}** partially, **${v['Not Implemented']}** not implemented, ` +
        `**${v['N/A']}** N/A, **${v.Unknown}** unknown.`,
    );
    return head.join('\n') + '\n';
  };

  const entries: string[][] = [];
  const failed = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === 'failed'));
  const skipped = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === 'skipped'));
  if (failed.length) {
    entries.push(['', '### Failures', '']);
    for (const test of failed) entries.push(failureEntry(test));
  }
  if (skipped.length) {
    entries.push(['', '### Not verified here', '']);
    for (const test of skipped) {
      entries.push([
        `- ${mdCell(test.fullTitle, 300)}: ${mdCell(test.skipReason ?? 'skipped', 600)}`,
      ]);
    }
  }
  const reserve =
    '\n_9999 more detail entries cut to stay within GitHub’s size limit; see e2e.log._\n';
  return fitDetails(fitTable(table, limit, reserve), entries, limit);
}

/** A requirement's level in each run; several when conformance versions disagree (1.33 vs 1.35). */
function levelCell(id: string, results: readonly RunResult[]): string {
  const byVersion = new Map<string, string>();
  for (const r of results) {
    const req = r.requirements.find((q) => q.id === id);
    if (req) byVersion.set(r.conformanceVersion, req.level);
  }
  const levels = new Set(byVersion.values());
  if (levels.size <= 1) return [...levels][0] ?? '—';
  return [...byVersion]
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(([version, level]) => `${level} (v${version})`)
    .join(' · ');
}

/** One table for several runs: a row per requirement, a column per run; then each run's failures. */
export function renderMatrix(results: readonly RunResult[], options: MatrixOptions = {}): string {
  const limit = options.limit ?? SUMMARY_LIMIT;
  const labels = runLabels(results);
  const present = new Set(results.map(runMinor));
  const missing = (options.expected ?? []).filter((minor) => !present.has(minor));
  const ids: string[] = [];
  for (const result of results) {
    for (const req of result.requirements) if (!ids.includes(req.id)) ids.push(req.id);
  }
  const table = () => {
    const columns = [...labels.map((l) => mdCell(l)), ...missing.map((m) => `Kubernetes ${m}`)];
    const head = [
      `## Kubernetes AI Conformance: ${results.length} run${results.length === 1 ? '' : 's'}` +
        (missing.length ? `, ${missing.length} missing` : ''),
      '',
      ...(options.preface ? [options.preface, ''] : []),
      `| Requirement | Level | ${columns.join(' | ')} |`,
      `|---|---|${columns.map(() => '---|').join('')}`,
    ];
    for (const id of ids) {
      const cells = results.map((r) => {
        const req = r.requirements.find((q) => q.id === id);
        return req ? `${VERDICT_ICONS[req.verdict]} ${req.verdict}` : '—';
      });
      cells.push(...missing.map(() => '⚠️ no results'));
      head.push(`| \`${id}\` | ${levelCell(id, results)} | ${cells.join(' | ')} |`);
    }
    head.push('');
    results.forEach((r, i) => {
      const v = r.counts.verdicts;
      head.push(
        `- **${mdCell(labels[i] as string)}**: conformance v${r.conformanceVersion}, ${mdCell(r.cluster.provider, 40)}` +
          (r.acceleratorProfile ? `, ${mdCell(r.acceleratorProfile, 60)}` : '') +
          ` — ${v.Implemented} implemented, ${v['Partially Implemented']} partially, ${v['Not Implemented']} not, ${v['N/A']} N/A, ${v.Unknown} unknown`,
      );
    });
    for (const minor of missing) {
      head.push(
        `- **Kubernetes ${minor}**: ⚠️ no results (an expected leg of the matrix; none was found)`,
      );
    }
    return head.join('\n') + '\n';
  };
  const entries: string[][] = [];
  results.forEach((r, i) => {
    const failed = r.requirements.flatMap((q) => q.tests.filter((t) => t.status === 'failed'));
    if (!failed.length) return;
    entries.push(['', `### Failures on ${mdCell(labels[i] as string)}`, '']);
    for (const test of failed) {
      const first = (test.failure?.message ?? '').split(/\r\n?|\n/)[0] ?? '';
      entries.push([`- **${mdCell(test.fullTitle, 300)}**: ${mdCell(first, 600)}`]);
    }
  });
  return fitDetails(table(), entries, limit);
}
