/**
 * From measured results to the official checklist's status, evidence and notes, and the evidence
 * documents that go beside the filled file. Evidence must pass the CNCF repository's PR check,
 * which accepts an http(s) URL or a file beside PRODUCT.yaml: kaic lists its own evidence
 * document (`kaic-evidence/<id>.md`, written with the filled file) and, when given, the URL where
 * results.json is published. What the tests did goes into notes.
 */
import type { ItemFill } from '../requirements/checklist.js';
import type { RequirementResult, RunResult } from '../results/model.js';
import { mdCell, mdCodeBlock, shorten } from './markdown.js';

/** The folder, beside the filled checklist, that holds one evidence document per requirement. */
export const EVIDENCE_DIR = 'kaic-evidence';

/** Notes stay readable in a YAML file: the reason and the checks' titles, cut to this length. */
const NOTES_MAX_CHARS = 1500;

export interface FillOptions {
  /** Where results.json is published (e.g. the uploaded artifact's URL): listed as evidence. */
  resultsUrl?: string;
}

const evidencePath = (id: string) => `${EVIDENCE_DIR}/${id}.md`;

function shortTitle(title: string, id: string): string {
  // "[AIConformance] [dra_support] [MUST] allocates a GPU" → "allocates a GPU"
  return title.replace(/^(\s*\[[^\]]*\])+\s*/, '').replace(new RegExp(`^${id}\\s+`), '') || title;
}

function measuredNotes(req: RequirementResult, result: RunResult): string {
  const where = `${result.cluster.provider}, Kubernetes ${result.cluster.serverVersion ?? 'unknown'}`;
  const passed = req.tests
    .filter((t) => t.status === 'passed')
    .map((t) => shortTitle(t.fullTitle, req.id));
  const failed = req.tests
    .filter((t) => t.status === 'failed')
    .map((t) => shortTitle(t.fullTitle, req.id));
  const parts = [`Measured by kaic ${result.kaicVersion} on ${where}: ${req.reason}.`];
  if (failed.length) parts.push(`Failed: ${failed.join('; ')}.`);
  if (passed.length) parts.push(`Passed: ${passed.join('; ')}.`);
  parts.push(`Details: ${evidencePath(req.id)}.`);
  return shorten(parts.join(' '), NOTES_MAX_CHARS);
}

/**
 * Implemented, Partially Implemented, Not Implemented and N/A carry over. Unknown has no
 * checklist status: it stays empty, with no evidence (the CNCF check skips an empty SHOULD) and
 * the reason in notes, for a person to settle.
 */
export function fillFromRequirement(
  req: RequirementResult,
  result: RunResult,
  options: FillOptions = {},
): ItemFill {
  switch (req.verdict) {
    case 'N/A':
      return { status: 'N/A', evidence: [], notes: req.justification ?? '' };
    case 'Unknown':
      return {
        status: '',
        evidence: [],
        notes: shorten(`kaic could not verify this: ${req.reason}`, NOTES_MAX_CHARS),
      };
    default:
      return {
        status: req.verdict,
        evidence: [evidencePath(req.id), ...(options.resultsUrl ? [options.resultsUrl] : [])],
        notes: measuredNotes(req, result),
      };
  }
}

export function fillsFromResults(
  result: RunResult,
  options: FillOptions = {},
): Map<string, ItemFill> {
  return new Map(
    result.requirements.map((req) => [req.id, fillFromRequirement(req, result, options)]),
  );
}

/** One Markdown document per requirement the fills point at (path relative to the checklist). */
export function evidenceDocuments(
  result: RunResult,
  fills: ReadonlyMap<string, ItemFill>,
): Map<string, string> {
  const docs = new Map<string, string>();
  for (const req of result.requirements) {
    const path = evidencePath(req.id);
    if (!fills.get(req.id)?.evidence.includes(path)) continue;
    const lines = [
      `# ${req.id} (${req.level}): ${req.verdict}`,
      '',
      `Measured by kaic ${mdCell(result.kaicVersion)} against ${mdCell(result.cluster.provider)} ` +
        `Kubernetes ${mdCell(result.cluster.serverVersion ?? 'unknown')}` +
        (result.acceleratorProfile ? ` with ${mdCell(result.acceleratorProfile)}` : '') +
        `, ${result.startedAt} – ${result.finishedAt}, AI conformance v${result.conformanceVersion}.`,
      '',
      `**Why:** ${mdCell(req.reason)}`,
      '',
      '## Checks',
      '',
      '| Check | Result | Seconds |',
      '|---|---|---|',
      ...req.tests.map(
        (t) =>
          `| ${mdCell(t.fullTitle, 300)} | ${t.status}${t.skipReason ? `: ${mdCell(t.skipReason, 300)}` : ''} | ${(t.durationMs / 1000).toFixed(1)} |`,
      ),
    ];
    const failed = req.tests.filter((t) => t.status === 'failed');
    if (failed.length) {
      lines.push('', '## Failures', '');
      for (const t of failed) {
        lines.push(
          `- ${mdCell(t.fullTitle, 300)}`,
          '',
          ...mdCodeBlock(t.failure?.message ?? '', '  '),
          '',
        );
      }
    }
    const records = req.tests.flatMap((t) => t.evidence.map((e) => ({ test: t, e })));
    if (records.length) {
      lines.push('', '## What the checks created and observed', '');
      for (const { e } of records) lines.push(`- ${e.at} ${e.kind}: ${mdCell(e.summary, 500)}`);
    }
    lines.push(
      '',
      '---',
      '',
      `The whole run is in results.json (kaic's JSON Schema: schema/run-result.schema.json).`,
      '',
    );
    docs.set(path, lines.join('\n'));
  }
  return docs;
}
