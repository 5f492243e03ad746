/**
 * `kaic checklist fill --results results.json --checklist AIConformance-1.35.yaml [--metadata meta.yaml] --out PRODUCT.yaml`
 * `kaic checklist validate PRODUCT.yaml [--checklist official.yaml]`
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { parse } from 'yaml';

import { fillsFromResults } from '../report/checklist-fill.js';
import { fillChecklist, loadChecklist, validateChecklist } from '../requirements/checklist.js';
import { loadRunResult } from '../results/load.js';
import { CheckFailed, UsageError } from './errors.js';

export async function loadMetadata(path: string): Promise<Record<string, string>> {
  let data: unknown;
  try {
    data = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UsageError(
      `cannot read metadata ${path}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new UsageError(`${path}: expected a mapping of checklist metadata keys to values`);
  }
  const meta = (data as { metadata?: unknown }).metadata ?? data;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta as Record<string, unknown>)) {
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UsageError(`${path}: metadata ${key} must be a string`);
    }
    out[key] = String(value);
  }
  return out;
}

async function fill(args: string[]): Promise<number> {
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
    if (!values[flag]) throw new UsageError(`checklist fill needs --${flag}`);
  }
  const result = await loadRunResult(values.results as string);
  const checklist = await loadChecklist(values.checklist as string);
  if (result.conformanceVersion !== checklist.version) {
    throw new UsageError(
      `${values.results} is a v${result.conformanceVersion} run but ${values.checklist} is the v${checklist.version} checklist`,
    );
  }
  const metadata = values.metadata ? await loadMetadata(values.metadata) : {};
  const fills = fillsFromResults(result, {
    resultsReference: values['results-url'] ?? 'results.json',
  });
  for (const id of [...fills.keys()])
    if (!checklist.items.some((i) => i.id === id)) fills.delete(id);
  const text = fillChecklist(checklist, fills, metadata);
  const out = values.out as string;
  const tmp = `${out}.kaic-tmp`;
  await writeFile(tmp, text);
  await rename(tmp, out);
  const unknown = result.requirements.filter((r) => r.verdict === 'Unknown').map((r) => r.id);
  process.stdout.write(
    `wrote ${out}: ${fills.size} requirements filled from ${values.results}` +
      (unknown.length ? `; left for you to settle (Unknown): ${unknown.join(', ')}` : '') +
      '\n',
  );
  return 0;
}

async function validate(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { checklist: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1)
    throw new UsageError('checklist validate takes exactly one filled checklist file');
  const path = positionals[0] as string;
  if (!existsSync(path)) throw new UsageError(`no such file: ${path}`);
  const filled = await loadChecklist(path);
  const official = values.checklist ? await loadChecklist(values.checklist) : undefined;
  const problems = validateChecklist(filled, official);
  if (problems.length) {
    for (const p of problems)
      process.stdout.write(`${path}: ${p.id ? `${p.id}: ` : ''}${p.message}\n`);
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
  throw new UsageError(
    `checklist needs a subcommand: fill or validate${sub ? ` (got "${sub}")` : ''}`,
  );
}
