/**
 * The official CNCF checklist file: read it (from a path or URL, so a newer version works without
 * a kaic release), fill it, and validate a filled one.
 *
 * Filling edits the original text in place at the exact byte ranges of the `status`, `evidence`
 * and `notes` values (and of metadata values), so comments, order, quoting and descriptions stay
 * exactly as the official file has them.
 */
import { readFile } from 'node:fs/promises';

import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';

import { LEVELS, type Level } from './catalog.js';

/** The statuses the official checklist accepts. */
export const CHECKLIST_STATUSES = [
  'Implemented',
  'Not Implemented',
  'Partially Implemented',
  'N/A',
] as const;
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

export class ChecklistError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChecklistError';
  }
}

interface ValueRange {
  start: number;
  end: number;
}

export interface ChecklistItem {
  id: string;
  category: string;
  level: Level;
  description: string;
  status: string;
  evidence: string[];
  notes: string;
  /** Where each fillable value sits in the text. */
  ranges: { status: ValueRange; evidence: ValueRange; notes: ValueRange };
}

export interface Checklist {
  /** Where it came from (path or URL), for messages. */
  source: string;
  text: string;
  /** e.g. "1.35" from metadata.kubernetesVersion "v1.35". */
  version: string;
  metadata: Record<string, string>;
  metadataRanges: Record<string, ValueRange>;
  items: ChecklistItem[];
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function rangeOf(node: Node | null | undefined): ValueRange | null {
  const range = node?.range;
  return range ? { start: range[0], end: range[1] } : null;
}

function scalarString(node: unknown): string | null {
  if (!isScalar(node)) return null;
  return node.value === null || node.value === undefined ? '' : String(node.value);
}

/** Parses checklist text; every structural problem names the source and the line. */
export function parseChecklist(text: string, source: string): Checklist {
  const doc: Document = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    throw new ChecklistError(
      `${source}${line ? `:${line}` : ''}: not valid YAML: ${first?.message.split('\n')[0]}`,
    );
  }
  const fail = (node: Node | null | undefined, message: string): never => {
    const at = node?.range ? `:${lineOf(text, node.range[0])}` : '';
    throw new ChecklistError(`${source}${at}: ${message}`);
  };
  const root = doc.contents;
  if (!isMap(root)) fail(root, 'expected a mapping with metadata and spec');

  const metadataNode = doc.get('metadata', true) as Node | undefined;
  if (!isMap(metadataNode)) return fail(root, 'missing the metadata mapping');
  const metadata: Record<string, string> = {};
  const metadataRanges: Record<string, ValueRange> = {};
  for (const pair of metadataNode.items as Pair[]) {
    const key = scalarString(pair.key);
    const value = scalarString(pair.value);
    const range = rangeOf(pair.value as Node);
    if (key === null) continue;
    metadata[key] = value ?? '';
    if (range) metadataRanges[key] = range;
  }
  const kubernetesVersion = metadata.kubernetesVersion ?? '';
  const match = /^v?(\d+\.\d+)$/.exec(kubernetesVersion.trim());
  if (!match) {
    fail(metadataNode, `metadata.kubernetesVersion "${kubernetesVersion}" is not like v1.35`);
  }

  const spec = doc.get('spec', true) as Node | undefined;
  if (!isMap(spec)) return fail(root, 'missing the spec mapping');
  const items: ChecklistItem[] = [];
  const seen = new Set<string>();
  for (const categoryPair of spec.items as Pair[]) {
    const category = scalarString(categoryPair.key);
    const list = categoryPair.value as Node;
    if (category === null) continue;
    if (!isSeq(list)) fail(list ?? spec, `spec.${category} is not a list of requirements`);
    for (const entry of (list as { items: unknown[] }).items) {
      const itemNode = entry as Node;
      if (!isMap(itemNode)) fail(itemNode, `spec.${category} has an entry that is not a mapping`);
      const field = (key: string) =>
        (itemNode as unknown as { get: (k: string, keep: true) => Node }).get(key, true);
      const id = scalarString(field('id'));
      if (!id) fail(itemNode, `spec.${category} has an entry without an id`);
      const where = `requirement ${id}`;
      if (seen.has(id as string)) fail(itemNode, `${where} appears twice`);
      seen.add(id as string);
      const level = scalarString(field('level'));
      if (!level || !(LEVELS as readonly string[]).includes(level)) {
        fail(field('level') ?? itemNode, `${where}: level "${level ?? ''}" is not MUST or SHOULD`);
      }
      const statusNode = field('status');
      const evidenceNode = field('evidence');
      const notesNode = field('notes');
      for (const [name, node] of [
        ['status', statusNode],
        ['evidence', evidenceNode],
        ['notes', notesNode],
      ] as const) {
        if (!node || !rangeOf(node)) fail(itemNode, `${where} has no ${name} field to fill`);
      }
      if (!isSeq(evidenceNode)) fail(evidenceNode, `${where}: evidence is not a list`);
      items.push({
        id: id as string,
        category,
        level: level as Level,
        description: scalarString(field('description')) ?? '',
        status: scalarString(statusNode) ?? '',
        evidence: (evidenceNode as unknown as { items: unknown[] }).items.map(
          (e) => scalarString(e) ?? '',
        ),
        notes: scalarString(notesNode) ?? '',
        ranges: {
          status: rangeOf(statusNode) as ValueRange,
          evidence: rangeOf(evidenceNode) as ValueRange,
          notes: rangeOf(notesNode) as ValueRange,
        },
      });
    }
  }
  if (items.length === 0) fail(spec, 'spec lists no requirements');
  return {
    source,
    text,
    version: (match as RegExpExecArray)[1] as string,
    metadata,
    metadataRanges,
    items,
  };
}

/** Reads a checklist from a file path or an http(s) URL. */
export async function loadChecklist(pathOrUrl: string): Promise<Checklist> {
  let text: string;
  if (/^https?:\/\//.test(pathOrUrl)) {
    let response: Response;
    try {
      response = await fetch(pathOrUrl, { signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      throw new ChecklistError(
        `could not fetch checklist ${pathOrUrl}: ${(error as Error).message}`,
      );
    }
    if (!response.ok) {
      throw new ChecklistError(`could not fetch checklist ${pathOrUrl}: HTTP ${response.status}`);
    }
    text = await response.text();
  } else {
    try {
      text = await readFile(pathOrUrl, 'utf8');
    } catch (error) {
      throw new ChecklistError(`cannot read checklist ${pathOrUrl}: ${(error as Error).message}`);
    }
  }
  return parseChecklist(text, pathOrUrl);
}

export interface ItemFill {
  status: ChecklistStatus | '';
  evidence: string[];
  notes: string;
}

/** YAML double-quoted scalars accept JSON string syntax, so JSON.stringify is a safe encoder. */
const yamlString = (value: string) => JSON.stringify(value);
const yamlFlowList = (values: string[]) => `[${values.map(yamlString).join(', ')}]`;

/**
 * The official text with the given items' status/evidence/notes (and the given metadata values)
 * replaced; every other byte unchanged. Unknown ids or metadata keys are errors.
 */
export function fillChecklist(
  checklist: Checklist,
  fills: ReadonlyMap<string, ItemFill>,
  metadata: Readonly<Record<string, string>> = {},
): string {
  const edits: Array<ValueRange & { text: string }> = [];
  for (const [id, fill] of fills) {
    const item = checklist.items.find((i) => i.id === id);
    if (!item) throw new ChecklistError(`${checklist.source} has no requirement ${id}`);
    if (fill.status === 'N/A' && !fill.notes.trim()) {
      throw new ChecklistError(`requirement ${id} is N/A without a justification in notes`);
    }
    edits.push({ ...item.ranges.status, text: yamlString(fill.status) });
    edits.push({ ...item.ranges.evidence, text: yamlFlowList(fill.evidence) });
    edits.push({ ...item.ranges.notes, text: yamlString(fill.notes) });
  }
  for (const [key, value] of Object.entries(metadata)) {
    const range = checklist.metadataRanges[key];
    if (!range) {
      throw new ChecklistError(
        `metadata key "${key}" is not in ${checklist.source}; its keys: ${Object.keys(checklist.metadataRanges).join(', ')}`,
      );
    }
    if (key === 'kubernetesVersion') {
      throw new ChecklistError(
        'metadata.kubernetesVersion comes from the official checklist and cannot be changed',
      );
    }
    edits.push({ ...range, text: yamlString(value) });
  }
  let text = checklist.text;
  for (const edit of edits.sort((a, b) => b.start - a.start)) {
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
  }
  return text;
}

export interface ValidationProblem {
  id: string | null;
  message: string;
}

/**
 * Problems with a filled checklist: against the official one (when given) ids, levels and
 * descriptions must be unchanged; every MUST needs a status; statuses must be official ones;
 * every N/A needs notes.
 */
export function validateChecklist(filled: Checklist, official?: Checklist): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  if (official) {
    if (official.version !== filled.version) {
      problems.push({
        id: null,
        message: `kubernetesVersion is v${filled.version}, the official checklist is v${official.version}`,
      });
    }
    for (const want of official.items) {
      const got = filled.items.find((i) => i.id === want.id);
      if (!got) {
        problems.push({ id: want.id, message: 'missing (it is in the official checklist)' });
        continue;
      }
      if (got.level !== want.level) {
        problems.push({ id: want.id, message: `level changed from ${want.level} to ${got.level}` });
      }
      if (got.category !== want.category) {
        problems.push({ id: want.id, message: `moved from ${want.category} to ${got.category}` });
      }
      if (got.description !== want.description) {
        problems.push({ id: want.id, message: 'description differs from the official text' });
      }
    }
    for (const got of filled.items) {
      if (!official.items.some((i) => i.id === got.id)) {
        problems.push({ id: got.id, message: 'not in the official checklist' });
      }
    }
  }
  for (const item of filled.items) {
    if (item.status && !(CHECKLIST_STATUSES as readonly string[]).includes(item.status)) {
      problems.push({
        id: item.id,
        message: `status "${item.status}" is not one of ${CHECKLIST_STATUSES.join(', ')}`,
      });
    }
    if (item.level === 'MUST' && !item.status) {
      problems.push({ id: item.id, message: 'MUST requirement has no status' });
    }
    if (item.status === 'N/A' && !item.notes.trim()) {
      problems.push({ id: item.id, message: 'N/A without a justification in notes' });
    }
  }
  return problems;
}
