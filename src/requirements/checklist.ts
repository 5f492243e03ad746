/**
 * The official CNCF checklist file and a vendor's filled copy of it (PRODUCT.yaml): read it (from
 * a path or URL, so a newer version works without a kaic release), fill it, and validate it.
 *
 * Reading is lenient: only text that is not YAML, or not a mapping with metadata and spec, is an
 * error (ChecklistError); every content problem (a bad level, a non-string value, a version that
 * is no version) is collected in `problems`, so `validate` can list them all.
 *
 * Filling edits the original text in place, value by value: each `status`, `evidence` and `notes`
 * value (and metadata value) is replaced, whatever its YAML style (plain, quoted, flow or block
 * sequence, block scalar), as a one-line double-quoted or flow value after its key; a missing key
 * is added to its item. Comments, order, quoting and descriptions stay as the file has them. The
 * result is parsed again and compared with the intended document before anything is written: a
 * mismatch is an error, never a written file.
 */
import { readFile, stat } from 'node:fs/promises';
import { isDeepStrictEqual } from 'node:util';

import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  parse,
  parseDocument,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';

import { LEVELS, type Level } from './catalog.js';
import { InputError } from '../errors.js';

/** The statuses the official checklist accepts. */
export const CHECKLIST_STATUSES = [
  'Implemented',
  'Not Implemented',
  'Partially Implemented',
  'N/A',
] as const;
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

/** Far above any checklist (the official ones are under 20 KB); a larger one is refused unread. */
export const CHECKLIST_MAX_BYTES = 5 * 1024 * 1024;
/** How long a checklist URL may take, headers and body together. */
export const CHECKLIST_FETCH_TIMEOUT_MS = 30_000;

/** Metadata the CNCF PR check requires (camelCase or snake_case), and the optional one. */
export const REQUIRED_METADATA = [
  'kubernetesVersion',
  'platformName',
  'platformVersion',
  'vendorName',
  'websiteUrl',
  'documentationUrl',
  'productLogoUrl',
  'description',
  'contactEmailAddress',
  'k8sConformanceUrl',
] as const;
export const OPTIONAL_METADATA = ['repoUrl'] as const;

export class ChecklistError extends InputError {
  override name = 'ChecklistError';
}

/** Where a value sits: after its key's colon, and the value's own extent (empty when absent). */
interface Slot {
  /** Offset just after the key's `:`; null when the key is missing from the item. */
  afterColon: number | null;
  /** The value's end, trailing line breaks and spaces excluded. */
  valueEnd: number;
}

export interface ChecklistItem {
  id: string;
  category: string;
  /** As written; `problems` says when it is not MUST or SHOULD. */
  level: Level | string;
  description: string;
  status: string;
  evidence: string[];
  notes: string;
  /** 1-based line of the item. */
  line: number;
  slots: { status: Slot; evidence: Slot; notes: Slot };
  /** Where a missing key is added: end of the item's last value, with the item's key indent. */
  append: { at: number; indent: string } | null;
}

export interface ChecklistProblem {
  id: string | null;
  line: number | null;
  message: string;
}

export interface Checklist {
  /** Where it came from (path or URL), for messages. */
  source: string;
  text: string;
  /** e.g. "1.35" from metadata.kubernetesVersion "v1.35" or "v1.35.3"; null when it is not one. */
  version: string | null;
  metadata: Record<string, string>;
  metadataSlots: Record<string, Slot>;
  /** Where a metadata key the template lacks (1.36 has no k8sConformanceUrl) is added. */
  metadataAppend: { at: number; indent: string } | null;
  /** Category names in the file's order (also those with no requirements). */
  categories: string[];
  items: ChecklistItem[];
  /** Content problems found while reading (reported by validate, refused by fill). */
  problems: ChecklistProblem[];
  lineBreak: '\n' | '\r\n';
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

/** Offset of the `:` after a key, +1. */
function afterColonOf(text: string, key: Node): number | null {
  const end = key.range?.[1];
  if (end === undefined) return null;
  let i = end;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text[i] === ':' ? i + 1 : null;
}

/** The end of a value's own text: its range end with trailing whitespace and line breaks dropped. */
function valueEndOf(text: string, node: Node | null | undefined, fallback: number): number {
  let end = node?.range?.[1] ?? fallback;
  const start = node?.range?.[0] ?? fallback;
  while (end > start && /\s/.test(text[end - 1] as string)) end--;
  return Math.max(end, fallback);
}

/** Printable text for a message: control characters and other junk shown as escapes. */
export function printable(value: string, max = 120): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFD]/g, (c) =>
    c === '\uFFFD' ? '\\uFFFD' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** Minor of a kubernetesVersion string: "v1.35", "1.35" and "v1.35.3" are 1.35. */
export function versionMinor(value: string): string | null {
  return /^v?(\d+\.\d+)(?:\.\d+)?$/.exec(value.trim())?.[1] ?? null;
}

/** Where a key is added to a block mapping: after its last value, at its first key's indent. */
function appendPoint(
  text: string,
  pairs: Pair[],
  flow: boolean,
): { at: number; indent: string } | null {
  const last = pairs[pairs.length - 1];
  const keyStart = (pairs[0]?.key as Node | undefined)?.range?.[0];
  if (flow || keyStart === undefined || !last) return null;
  const lineStart = text.lastIndexOf('\n', keyStart - 1) + 1;
  return {
    at: valueEndOf(text, last.value as Node | null, afterColonOf(text, last.key as Node) ?? 0),
    indent: ' '.repeat(keyStart - lineStart),
  };
}

/** Parses checklist text. Throws only for text that is not a checklist at all. */
export function parseChecklist(text: string, source: string): Checklist {
  const doc = parseDocument(text, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    throw new ChecklistError(
      `${source}${line ? `:${line}` : ''}: not valid YAML: ${printable(first?.message.split('\n')[0] ?? '')}`,
    );
  }
  const problems: ChecklistProblem[] = [];
  const at = (node: Node | null | undefined) => (node?.range ? lineOf(text, node.range[0]) : null);
  const problem = (id: string | null, node: Node | null | undefined, message: string) =>
    problems.push({ id, line: at(node), message });
  const fail = (node: Node | null | undefined, message: string): never => {
    const line = at(node);
    throw new ChecklistError(`${source}${line ? `:${line}` : ''}: ${message}`);
  };
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'expected a mapping with metadata and spec');
  const metadataNode = doc.get('metadata', true) as Node | undefined;
  if (!isMap(metadataNode)) return fail(root, 'missing the metadata mapping');
  const spec = doc.get('spec', true) as Node | undefined;
  if (!isMap(spec)) return fail(root, 'missing the spec mapping');

  /** A string value, or a problem when it is another type; null for a missing/empty value. */
  const stringOf = (node: unknown, what: string, id: string | null): string | null => {
    if (node === undefined || node === null) return null;
    // An alias stands for its anchored node.
    if (isAlias(node)) return stringOf(node.resolve(doc), what, id);
    if (isScalar(node)) {
      if (node.value === null || node.value === undefined) return null;
      if (typeof node.value === 'string') return node.value;
      problem(
        id,
        node as Node,
        `${what} is the ${typeof node.value} ${printable(String(node.value))}, not a string (quote it)`,
      );
      return String(node.value);
    }
    problem(id, node as Node, `${what} is a ${isSeq(node) ? 'list' : 'mapping'}, not a string`);
    return null;
  };

  const metadata: Record<string, string> = {};
  const metadataSlots: Record<string, Slot> = {};
  for (const pair of (metadataNode as YAMLMap).items as Pair[]) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const value = stringOf(pair.value, `metadata.${key}`, null);
    metadata[key] = value ?? '';
    const afterColon = afterColonOf(text, pair.key as Node);
    if (afterColon !== null) {
      metadataSlots[key] = {
        afterColon,
        valueEnd: valueEndOf(text, pair.value as Node | null, afterColon),
      };
    }
  }
  const metadataPairs = (metadataNode as YAMLMap).items as Pair[];
  const metadataAppend = appendPoint(text, metadataPairs, (metadataNode as YAMLMap).flow ?? false);
  let version: string | null = null;
  const kv = metadata.kubernetesVersion;
  if (kv === undefined || kv === '') {
    problem(null, metadataNode, 'metadata.kubernetesVersion is missing');
  } else if (
    !isScalar((metadataNode as YAMLMap).get('kubernetesVersion', true)) ||
    typeof ((metadataNode as YAMLMap).get('kubernetesVersion', true) as { value: unknown })
      .value !== 'string'
  ) {
    // Reported by stringOf already (unquoted 1.40 is the number 1.4).
  } else {
    version = versionMinor(kv);
    if (!version) {
      problem(
        null,
        metadataNode,
        `metadata.kubernetesVersion "${printable(kv)}" is not like v1.35`,
      );
    }
  }

  const lineBreak = text.includes('\r\n') ? '\r\n' : '\n';
  const items: ChecklistItem[] = [];
  const categories: string[] = [];
  const seen = new Set<string>();
  for (const categoryPair of (spec as YAMLMap).items as Pair[]) {
    if (!isScalar(categoryPair.key)) continue;
    const category = String(categoryPair.key.value);
    categories.push(category);
    const list = categoryPair.value as Node | null;
    if (list === null || (isScalar(list) && list.value === null)) continue;
    if (!isSeq(list)) {
      problem(null, list, `spec.${category} is not a list of requirements`);
      continue;
    }
    for (const entry of list.items) {
      const itemNode = entry as Node;
      if (!isMap(itemNode)) {
        problem(null, itemNode, `spec.${category} has an entry that is not a mapping`);
        continue;
      }
      const pairs = itemNode.items as Pair[];
      const pairOf = (key: string) =>
        pairs.find((p) => isScalar(p.key) && p.key.value === key) as Pair | undefined;
      const id = stringOf(pairOf('id')?.value, 'id', null);
      if (!id) {
        problem(null, itemNode, `spec.${category} has an entry without an id`);
        continue;
      }
      if (seen.has(id)) problem(id, itemNode, 'appears twice');
      seen.add(id);
      const level = stringOf(pairOf('level')?.value, 'level', id) ?? '';
      if (!(LEVELS as readonly string[]).includes(level)) {
        problem(
          id,
          (pairOf('level')?.value as Node) ?? itemNode,
          `level "${printable(level)}" is not MUST or SHOULD`,
        );
      }
      const slot = (key: string): Slot => {
        const pair = pairOf(key);
        if (!pair) return { afterColon: null, valueEnd: 0 };
        const afterColon = afterColonOf(text, pair.key as Node);
        return {
          afterColon,
          valueEnd: valueEndOf(text, pair.value as Node | null, afterColon ?? 0),
        };
      };
      const evidenceNode = pairOf('evidence')?.value as Node | null | undefined;
      const evidence: string[] = [];
      if (isSeq(evidenceNode)) {
        evidenceNode.items.forEach((e, i) => {
          const value = stringOf(e, `evidence[${i}]`, id);
          if (value !== null) evidence.push(value);
        });
      } else if (evidenceNode && !(isScalar(evidenceNode) && evidenceNode.value === null)) {
        problem(id, evidenceNode, 'evidence is not a list');
      }
      const append = appendPoint(text, pairs, itemNode.flow ?? false);
      items.push({
        id,
        category,
        level,
        description: stringOf(pairOf('description')?.value, 'description', id) ?? '',
        status: stringOf(pairOf('status')?.value, 'status', id) ?? '',
        evidence,
        notes: stringOf(pairOf('notes')?.value, 'notes', id) ?? '',
        line: at(itemNode) ?? 0,
        slots: { status: slot('status'), evidence: slot('evidence'), notes: slot('notes') },
        append,
      });
    }
  }
  if (items.length === 0) problem(null, spec, 'spec lists no requirements');
  return {
    source,
    text,
    version,
    metadata,
    metadataSlots,
    metadataAppend,
    categories,
    items,
    problems,
    lineBreak,
  };
}

/** UTF-8 text of a checklist's bytes; other encodings are refused, not rewritten with U+FFFD. */
export function decodeChecklist(bytes: Uint8Array, source: string): string {
  if (bytes.length > CHECKLIST_MAX_BYTES) {
    throw new ChecklistError(
      `${source} is ${bytes.length} bytes; a checklist is at most ${CHECKLIST_MAX_BYTES}`,
    );
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ChecklistError(`${source} is not UTF-8 text`);
  }
}

/** Why a fetch failed, in a few words: the cause's code and message where there is one. */
function networkReason(error: unknown, timeoutMs: number): string {
  const e = error as {
    name?: string;
    message?: string;
    cause?: { code?: unknown; message?: string };
  };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') {
    return `no complete answer within ${timeoutMs / 1000}s`;
  }
  const cause = e.cause;
  const code = typeof cause?.code === 'string' ? `${cause.code}: ` : '';
  return printable(
    `${code}${cause?.message ?? e.message ?? String(error)}`.replace(/\s+/g, ' '),
    200,
  );
}

/** Reads up to `max` bytes of a response body; more is an error. */
async function readCapped(response: Response, source: string, max: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    throw new ChecklistError(`${source} is ${declared} bytes; a checklist is at most ${max}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (!response.body) return new Uint8Array();
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > max)
      throw new ChecklistError(`${source} is over ${max} bytes; a checklist is at most ${max}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads a checklist from a file path or an http(s) URL; every failure is one line naming it. */
export async function loadChecklist(
  pathOrUrl: string,
  options: { timeoutMs?: number } = {},
): Promise<Checklist> {
  let bytes: Uint8Array;
  const timeoutMs = options.timeoutMs ?? CHECKLIST_FETCH_TIMEOUT_MS;
  if (/^https?:\/\//i.test(pathOrUrl)) {
    const signal = AbortSignal.timeout(timeoutMs);
    let response: Response;
    try {
      response = await fetch(pathOrUrl, { signal });
    } catch (error) {
      throw new ChecklistError(
        `could not fetch checklist ${pathOrUrl}: ${networkReason(error, timeoutMs)}`,
      );
    }
    if (!response.ok) {
      throw new ChecklistError(`could not fetch checklist ${pathOrUrl}: HTTP ${response.status}`);
    }
    try {
      bytes = await readCapped(response, `checklist ${pathOrUrl}`, CHECKLIST_MAX_BYTES);
    } catch (error) {
      if (error instanceof ChecklistError) throw error;
      throw new ChecklistError(
        `could not fetch checklist ${pathOrUrl}: ${networkReason(error, timeoutMs)}`,
      );
    }
  } else {
    try {
      const info = await stat(pathOrUrl);
      if (!info.isFile()) throw new Error('not a regular file');
      if (info.size > CHECKLIST_MAX_BYTES) {
        throw new ChecklistError(
          `checklist ${pathOrUrl} is ${info.size} bytes; a checklist is at most ${CHECKLIST_MAX_BYTES}`,
        );
      }
      bytes = await readFile(pathOrUrl);
    } catch (error) {
      if (error instanceof ChecklistError) throw error;
      throw new ChecklistError(`cannot read checklist ${pathOrUrl}: ${(error as Error).message}`);
    }
  }
  return parseChecklist(decodeChecklist(bytes, pathOrUrl), pathOrUrl);
}

export interface ItemFill {
  status: ChecklistStatus | '';
  evidence: string[];
  notes: string;
}

/** YAML double-quoted scalars accept JSON string syntax, so JSON.stringify is a safe encoder. */
const yamlString = (value: string) => JSON.stringify(value);
const yamlFlowList = (values: string[]) => `[${values.map(yamlString).join(', ')}]`;

interface Edit {
  start: number;
  end: number;
  text: string;
  /** Order of making: inserts at one offset are applied last-made first, so they read in order. */
  seq: number;
}

/** The document a fill must produce: the original's data with the fills and metadata applied. */
function intendedDocument(
  checklist: Checklist,
  fills: ReadonlyMap<string, ItemFill>,
  metadata: Readonly<Record<string, string>>,
): unknown {
  const data = parse(checklist.text, { uniqueKeys: false }) as {
    metadata: Record<string, unknown>;
    spec: Record<string, Array<Record<string, unknown>> | null>;
  };
  Object.assign(data.metadata, metadata);
  for (const list of Object.values(data.spec)) {
    for (const item of Array.isArray(list) ? list : []) {
      const fill = fills.get(item?.id as string);
      if (!fill) continue;
      item.status = fill.status;
      item.evidence = [...fill.evidence];
      item.notes = fill.notes;
    }
  }
  return data;
}

/**
 * The checklist text with the given items' status/evidence/notes (and the given metadata values)
 * replaced; every other byte unchanged. Unknown ids or metadata keys, and a result that would not
 * read back as intended, are errors.
 */
export function fillChecklist(
  checklist: Checklist,
  fills: ReadonlyMap<string, ItemFill>,
  metadata: Readonly<Record<string, string>> = {},
): string {
  // Only a checklist without content problems is filled (the error lists them all).
  asOfficial(checklist);
  const edits: Edit[] = [];
  const push = (edit: Omit<Edit, 'seq'>) => edits.push({ ...edit, seq: edits.length });
  const set = (item: ChecklistItem, key: 'status' | 'evidence' | 'notes', value: string) => {
    const slot = item.slots[key];
    if (slot.afterColon !== null) {
      push({ start: slot.afterColon, end: slot.valueEnd, text: ` ${value}` });
    } else if (item.append) {
      push({
        start: item.append.at,
        end: item.append.at,
        text: `${checklist.lineBreak}${item.append.indent}${key}: ${value}`,
      });
    } else {
      throw new ChecklistError(
        `${checklist.source}:${item.line}: requirement ${item.id} has no ${key} key, and kaic adds keys only to block-style items`,
      );
    }
  };
  for (const [id, fill] of fills) {
    const item = checklist.items.find((i) => i.id === id);
    if (!item) throw new ChecklistError(`${checklist.source} has no requirement ${id}`);
    if (fill.status === 'N/A' && !fill.notes.trim()) {
      throw new ChecklistError(`requirement ${id} is N/A without a justification in notes`);
    }
    set(item, 'status', yamlString(fill.status));
    set(item, 'evidence', yamlFlowList(fill.evidence));
    set(item, 'notes', yamlString(fill.notes));
  }
  for (const [key, value] of Object.entries(metadata)) {
    const slot = checklist.metadataSlots[key];
    const known = ([...REQUIRED_METADATA, ...OPTIONAL_METADATA] as readonly string[]).includes(key);
    if ((!slot || slot.afterColon === null) && known && checklist.metadataAppend) {
      // A key the CNCF check requires that this template lacks: added after the others.
      push({
        start: checklist.metadataAppend.at,
        end: checklist.metadataAppend.at,
        text: `${checklist.lineBreak}${checklist.metadataAppend.indent}${key}: ${yamlString(value)}`,
      });
      continue;
    }
    if (!slot || slot.afterColon === null) {
      throw new ChecklistError(
        `metadata key "${key}" is not in ${checklist.source}; its keys: ${Object.keys(checklist.metadataSlots).join(', ')}`,
      );
    }
    if (key === 'kubernetesVersion') {
      throw new ChecklistError(
        'metadata.kubernetesVersion comes from the official checklist and cannot be changed',
      );
    }
    push({ start: slot.afterColon, end: slot.valueEnd, text: ` ${yamlString(value)}` });
  }
  edits.sort((a, b) => b.start - a.start || b.end - a.end || b.seq - a.seq);
  let text = checklist.text;
  let previousStart = Infinity;
  for (const edit of edits) {
    if (edit.end > previousStart) {
      throw new ChecklistError(
        `${checklist.source}: two values to fill overlap; nothing was written`,
      );
    }
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    previousStart = edit.start;
  }
  // Read back what would be written: it must be the intended document, nothing else.
  let written: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length) throw new Error(doc.errors[0]?.message.split('\n')[0]);
    written = doc.toJS();
  } catch (error) {
    throw new ChecklistError(
      `filling ${checklist.source} would not give valid YAML (${printable((error as Error).message)}); nothing was written`,
    );
  }
  if (!isDeepStrictEqual(written, intendedDocument(checklist, fills, metadata))) {
    throw new ChecklistError(
      `filling ${checklist.source} would not read back as intended (a YAML construct kaic does not edit safely); nothing was written`,
    );
  }
  return text;
}

/** An official checklist: one kaic can take its requirements from (no content problems). */
export interface OfficialChecklist extends Checklist {
  version: string;
  items: Array<ChecklistItem & { level: Level }>;
}

/** Checks a checklist can serve as the official one: every problem is listed in the error. */
export function asOfficial(checklist: Checklist): OfficialChecklist {
  if (checklist.problems.length || !checklist.version) {
    const list = checklist.problems.map(
      (p) => `${p.line ? `line ${p.line}: ` : ''}${p.id ? `${p.id}: ` : ''}${p.message}`,
    );
    throw new ChecklistError(
      `${checklist.source} is not a usable checklist: ${list.join('; ') || 'it names no version'}`,
    );
  }
  return checklist as OfficialChecklist;
}

/** loadChecklist for the official checklist (requirements, fill, a run's --checklist). */
export async function loadOfficialChecklist(pathOrUrl: string): Promise<OfficialChecklist> {
  return asOfficial(await loadChecklist(pathOrUrl));
}

/** A metadata file (--metadata) that cannot be read or is not a mapping of strings. */
export class ChecklistMetadataError extends InputError {
  override name = 'ChecklistMetadataError';
}

/** The checklist metadata a user supplies (--metadata): a mapping, or one under `metadata:`, of strings. */
export async function loadMetadata(path: string): Promise<Record<string, string>> {
  let data: unknown;
  try {
    data = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ChecklistMetadataError(
      `cannot read metadata ${path}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ChecklistMetadataError(
      `${path}: expected a mapping of checklist metadata keys to values`,
    );
  }
  const meta = (data as { metadata?: unknown }).metadata ?? data;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(meta as Record<string, unknown>)) {
    if (typeof value !== 'string') {
      throw new ChecklistMetadataError(
        `${path}: metadata ${key} is ${value === null ? 'empty' : `the ${typeof value} ${JSON.stringify(value)}`}, not a string (quote it)`,
      );
    }
    out[key] = value;
  }
  return out;
}
