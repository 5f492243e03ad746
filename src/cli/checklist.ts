/**
 * `kaic checklist fill --results results.json --checklist AIConformance-1.35.yaml [--metadata meta.yaml] [--results-url URL] --out PRODUCT.yaml`
 * `kaic checklist validate PRODUCT.yaml [--checklist official.yaml]`
 *
 * Exit codes: 0 done / valid; 1 the file has problems (each listed); 2 bad flags or input that
 * cannot be read (and then nothing was written).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { evidenceDocuments, EVIDENCE_DIR, fillsFromResults } from '../report/checklist-fill.js';
import { validateChecklist } from '../requirements/checklist-validate.js';
import {
  fillChecklist,
  loadChecklist,
  loadOfficialChecklist,
  loadMetadata,
  parseChecklist,
  type ChecklistProblem,
} from '../requirements/checklist.js';
import { loadRunResult } from '../results/load.js';
import { isHttpUrl } from '../util/url.js';
import { checkOutputFile, ensureOutputDirectory, writeFileSafely } from '../util/safe-write.js';
import { CheckFailed, UsageError } from '../errors.js';

export const CHECKLIST_FILL_USAGE = `usage: kaic checklist fill --results <results.json> --checklist <official.yaml|URL> --out <PRODUCT.yaml>
                          [--metadata <meta.yaml>] [--results-url <URL of the published results.json>]
  Fills status, evidence and notes of the official checklist from a run's results, keeping every
  other byte. Evidence is ${EVIDENCE_DIR}/<id>.md, written beside --out, and --results-url when
  given (both pass the CNCF repository's PR check); what the checks did goes into notes. Unknown
  requirements are left empty for you to settle. --out must be a regular file or a new one.
`;

export const CHECKLIST_VALIDATE_USAGE = `usage: kaic checklist validate <PRODUCT.yaml> [--checklist <official.yaml|URL>]
  Lists every problem the CNCF repository's PR check would report (docs/requirements.md lists its
  rules, and those kaic cannot apply offline), plus changes from the official checklist (or, without
  --checklist, from kaic's catalog of the file's version). Exit 1 when there are problems.
`;

const isHelp = (args: string[]) => args.includes('--help') || args.includes('-h');

function problemLine(source: string, p: ChecklistProblem): string {
  return `${source}${p.line ? `:${p.line}` : ''}: ${p.id ? `${p.id}: ` : ''}${p.message}`;
}

async function fill(args: string[]): Promise<number> {
  if (isHelp(args)) {
    process.stdout.write(CHECKLIST_FILL_USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      results: { type: 'string' },
      checklist: { type: 'string' },
      metadata: { type: 'string' },
      out: { type: 'string' },
      'results-url': { type: 'string' },
    },
    strict: true,
  });
  for (const flag of ['results', 'checklist', 'out'] as const) {
    if (!values[flag])
      throw new UsageError(`checklist fill needs --${flag}\n${CHECKLIST_FILL_USAGE}`);
  }
  const resultsUrl = values['results-url'];
  if (resultsUrl !== undefined && !isHttpUrl(resultsUrl)) {
    throw new UsageError(`--results-url "${resultsUrl}" is not an http(s) URL`);
  }
  const out = values.out as string;
  // Checked before anything is read, and again when written.
  try {
    checkOutputFile(out, '--out');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const result = await loadRunResult(values.results as string);
  const checklist = await loadOfficialChecklist(values.checklist as string);
  if (result.conformanceVersion !== checklist.version) {
    throw new UsageError(
      `${values.results} is a v${result.conformanceVersion} run but ${values.checklist} is the v${checklist.version} checklist`,
    );
  }
  const metadata = values.metadata ? await loadMetadata(values.metadata) : {};
  const fills = fillsFromResults(result, resultsUrl ? { resultsUrl } : {});
  for (const id of [...fills.keys()])
    if (!checklist.items.some((i) => i.id === id)) fills.delete(id);
  // Everything is rendered and checked before the first file is written.
  const text = fillChecklist(checklist, fills, metadata);
  const docs = evidenceDocuments(result, fills);
  try {
    if (docs.size) {
      const dir = join(dirname(out), EVIDENCE_DIR);
      await ensureOutputDirectory(dir, 'evidence directory');
      for (const [path, doc] of docs) {
        await writeFileSafely(join(dirname(out), path), doc, 'evidence document');
      }
    }
    await writeFileSafely(out, text, '--out');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const unknown = result.requirements
    .filter((r) => r.verdict === 'Unknown' && fills.has(r.id))
    .map((r) => r.id);
  process.stdout.write(
    `wrote ${out}: ${fills.size} requirements filled from ${values.results}` +
      (docs.size ? `, evidence in ${join(dirname(out), EVIDENCE_DIR)}/` : '') +
      (unknown.length ? `; left for you to settle (Unknown): ${unknown.join(', ')}` : '') +
      '\n',
  );
  // What the CNCF PR check would still refuse (metadata to give, MUSTs not Implemented).
  const left = validateChecklist(parseChecklist(text, out), {
    official: checklist,
    productPath: out,
  });
  if (left.length) {
    process.stdout.write(`before submitting, settle (kaic checklist validate ${out}):\n`);
    for (const p of left) process.stdout.write(`  ${problemLine(out, p)}\n`);
  }
  return 0;
}

async function validate(args: string[]): Promise<number> {
  if (isHelp(args)) {
    process.stdout.write(CHECKLIST_VALIDATE_USAGE);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    options: { checklist: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      `checklist validate takes exactly one filled checklist file\n${CHECKLIST_VALIDATE_USAGE}`,
    );
  }
  const path = positionals[0] as string;
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  const filled = await loadChecklist(path);
  const official = values.checklist ? await loadOfficialChecklist(values.checklist) : undefined;
  const problems = validateChecklist(filled, {
    ...(official ? { official } : {}),
    ...(/^https?:\/\//i.test(path) ? {} : { productPath: path }),
  });
  if (problems.length) {
    for (const p of problems) process.stdout.write(`${problemLine(path, p)}\n`);
    throw new CheckFailed(
      `${problems.length} problem${problems.length === 1 ? '' : 's'} in ${path}`,
    );
  }
  process.stdout.write(
    `${path}: valid (${filled.items.length} requirements, v${filled.version})\n`,
  );
  return 0;
}

export async function checklistCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'fill') return fill(rest);
  if (sub === 'validate') return validate(rest);
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(`${CHECKLIST_FILL_USAGE}\n${CHECKLIST_VALIDATE_USAGE}`);
    return 0;
  }
  throw new UsageError(
    `checklist needs a subcommand: fill or validate${sub ? ` (got "${sub}")` : ''}`,
  );
}
