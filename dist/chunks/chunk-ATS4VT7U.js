import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  require_dist
} from "./chunk-3YTTDGIJ.js";
import {
  LEVELS
} from "./chunk-NKKDUV5A.js";
import {
  InputError,
  __toESM
} from "./chunk-WWHORE4U.js";

// src/requirements/checklist.ts
var import_yaml = __toESM(require_dist(), 1);
import { readFile, stat } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
var CHECKLIST_STATUSES = [
  "Implemented",
  "Not Implemented",
  "Partially Implemented",
  "N/A"
];
var CHECKLIST_MAX_BYTES = 5 * 1024 * 1024;
var CHECKLIST_FETCH_TIMEOUT_MS = 3e4;
var REQUIRED_METADATA = [
  "kubernetesVersion",
  "platformName",
  "platformVersion",
  "vendorName",
  "websiteUrl",
  "documentationUrl",
  "productLogoUrl",
  "description",
  "contactEmailAddress",
  "k8sConformanceUrl"
];
var OPTIONAL_METADATA = ["repoUrl"];
var ChecklistError = class extends InputError {
  name = "ChecklistError";
};
function lineOf(text, offset) {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === "\n") line++;
  return line;
}
function afterColonOf(text, key) {
  const end = key.range?.[1];
  if (end === void 0) return null;
  let i = end;
  while (i < text.length && (text[i] === " " || text[i] === "	")) i++;
  return text[i] === ":" ? i + 1 : null;
}
function valueEndOf(text, node, fallback) {
  let end = node?.range?.[1] ?? fallback;
  const start = node?.range?.[0] ?? fallback;
  while (end > start && /\s/.test(text[end - 1])) end--;
  return Math.max(end, fallback);
}
function printable(value, max = 120) {
  const clean = value.replace(
    /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\uFFFD]/g,
    (c) => c === "\uFFFD" ? "\\uFFFD" : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`
  );
  return clean.length > max ? `${clean.slice(0, max - 1)}\u2026` : clean;
}
function versionMinor(value) {
  return /^v?(\d+\.\d+)(?:\.\d+)?$/.exec(value.trim())?.[1] ?? null;
}
function appendPoint(text, pairs, flow) {
  const last = pairs[pairs.length - 1];
  const keyStart = pairs[0]?.key?.range?.[0];
  if (flow || keyStart === void 0 || !last) return null;
  const lineStart = text.lastIndexOf("\n", keyStart - 1) + 1;
  return {
    at: valueEndOf(text, last.value, afterColonOf(text, last.key) ?? 0),
    indent: " ".repeat(keyStart - lineStart)
  };
}
function parseChecklist(text, source) {
  const doc = (0, import_yaml.parseDocument)(text, { keepSourceTokens: false, uniqueKeys: false });
  if (doc.errors.length) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0]?.line;
    throw new ChecklistError(
      `${source}${line ? `:${line}` : ""}: not valid YAML: ${printable(first?.message.split("\n")[0] ?? "")}`
    );
  }
  const problems = [];
  const at = (node) => node?.range ? lineOf(text, node.range[0]) : null;
  const problem = (id, node, message) => problems.push({ id, line: at(node), message });
  const fail = (node, message) => {
    const line = at(node);
    throw new ChecklistError(`${source}${line ? `:${line}` : ""}: ${message}`);
  };
  const root = doc.contents;
  if (!(0, import_yaml.isMap)(root)) return fail(root, "expected a mapping with metadata and spec");
  const metadataNode = doc.get("metadata", true);
  if (!(0, import_yaml.isMap)(metadataNode)) return fail(root, "missing the metadata mapping");
  const spec = doc.get("spec", true);
  if (!(0, import_yaml.isMap)(spec)) return fail(root, "missing the spec mapping");
  const stringOf = (node, what, id) => {
    if (node === void 0 || node === null) return null;
    if ((0, import_yaml.isAlias)(node)) return stringOf(node.resolve(doc), what, id);
    if ((0, import_yaml.isScalar)(node)) {
      if (node.value === null || node.value === void 0) return null;
      if (typeof node.value === "string") return node.value;
      problem(
        id,
        node,
        `${what} is the ${typeof node.value} ${printable(String(node.value))}, not a string (quote it)`
      );
      return String(node.value);
    }
    problem(id, node, `${what} is a ${(0, import_yaml.isSeq)(node) ? "list" : "mapping"}, not a string`);
    return null;
  };
  const metadata = {};
  const metadataSlots = {};
  for (const pair of metadataNode.items) {
    if (!(0, import_yaml.isScalar)(pair.key)) continue;
    const key = String(pair.key.value);
    const value = stringOf(pair.value, `metadata.${key}`, null);
    metadata[key] = value ?? "";
    const afterColon = afterColonOf(text, pair.key);
    if (afterColon !== null) {
      metadataSlots[key] = {
        afterColon,
        valueEnd: valueEndOf(text, pair.value, afterColon)
      };
    }
  }
  const metadataPairs = metadataNode.items;
  const metadataAppend = appendPoint(text, metadataPairs, metadataNode.flow ?? false);
  let version = null;
  const kv = metadata.kubernetesVersion;
  if (kv === void 0 || kv === "") {
    problem(null, metadataNode, "metadata.kubernetesVersion is missing");
  } else if (!(0, import_yaml.isScalar)(metadataNode.get("kubernetesVersion", true)) || typeof metadataNode.get("kubernetesVersion", true).value !== "string") {
  } else {
    version = versionMinor(kv);
    if (!version) {
      problem(
        null,
        metadataNode,
        `metadata.kubernetesVersion "${printable(kv)}" is not like v1.35`
      );
    }
  }
  const lineBreak = text.includes("\r\n") ? "\r\n" : "\n";
  const items = [];
  const categories = [];
  const seen = /* @__PURE__ */ new Set();
  for (const categoryPair of spec.items) {
    if (!(0, import_yaml.isScalar)(categoryPair.key)) continue;
    const category = String(categoryPair.key.value);
    categories.push(category);
    const list = categoryPair.value;
    if (list === null || (0, import_yaml.isScalar)(list) && list.value === null) continue;
    if (!(0, import_yaml.isSeq)(list)) {
      problem(null, list, `spec.${category} is not a list of requirements`);
      continue;
    }
    for (const entry of list.items) {
      const itemNode = entry;
      if (!(0, import_yaml.isMap)(itemNode)) {
        problem(null, itemNode, `spec.${category} has an entry that is not a mapping`);
        continue;
      }
      const pairs = itemNode.items;
      const pairOf = (key) => pairs.find((p) => (0, import_yaml.isScalar)(p.key) && p.key.value === key);
      const id = stringOf(pairOf("id")?.value, "id", null);
      if (!id) {
        problem(null, itemNode, `spec.${category} has an entry without an id`);
        continue;
      }
      if (seen.has(id)) problem(id, itemNode, "appears twice");
      seen.add(id);
      const level = stringOf(pairOf("level")?.value, "level", id) ?? "";
      if (!LEVELS.includes(level)) {
        problem(
          id,
          pairOf("level")?.value ?? itemNode,
          `level "${printable(level)}" is not MUST or SHOULD`
        );
      }
      const slot = (key) => {
        const pair = pairOf(key);
        if (!pair) return { afterColon: null, valueEnd: 0 };
        const afterColon = afterColonOf(text, pair.key);
        return {
          afterColon,
          valueEnd: valueEndOf(text, pair.value, afterColon ?? 0)
        };
      };
      const evidenceNode = pairOf("evidence")?.value;
      const evidence = [];
      if ((0, import_yaml.isSeq)(evidenceNode)) {
        evidenceNode.items.forEach((e, i) => {
          const value = stringOf(e, `evidence[${i}]`, id);
          if (value !== null) evidence.push(value);
        });
      } else if (evidenceNode && !((0, import_yaml.isScalar)(evidenceNode) && evidenceNode.value === null)) {
        problem(id, evidenceNode, "evidence is not a list");
      }
      const append = appendPoint(text, pairs, itemNode.flow ?? false);
      items.push({
        id,
        category,
        level,
        description: stringOf(pairOf("description")?.value, "description", id) ?? "",
        status: stringOf(pairOf("status")?.value, "status", id) ?? "",
        evidence,
        notes: stringOf(pairOf("notes")?.value, "notes", id) ?? "",
        line: at(itemNode) ?? 0,
        slots: { status: slot("status"), evidence: slot("evidence"), notes: slot("notes") },
        append
      });
    }
  }
  if (items.length === 0) problem(null, spec, "spec lists no requirements");
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
    lineBreak
  };
}
function decodeChecklist(bytes, source) {
  if (bytes.length > CHECKLIST_MAX_BYTES) {
    throw new ChecklistError(
      `${source} is ${bytes.length} bytes; a checklist is at most ${CHECKLIST_MAX_BYTES}`
    );
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new ChecklistError(`${source} is not UTF-8 text`);
  }
}
function networkReason(error, timeoutMs) {
  const e = error;
  if (e.name === "TimeoutError" || e.name === "AbortError") {
    return `no complete answer within ${timeoutMs / 1e3}s`;
  }
  const cause = e.cause;
  const code = typeof cause?.code === "string" ? `${cause.code}: ` : "";
  return printable(
    `${code}${cause?.message ?? e.message ?? String(error)}`.replace(/\s+/g, " "),
    200
  );
}
async function readCapped(response, source, max) {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > max) {
    throw new ChecklistError(`${source} is ${declared} bytes; a checklist is at most ${max}`);
  }
  const chunks = [];
  let size = 0;
  if (!response.body) return new Uint8Array();
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > max)
      throw new ChecklistError(`${source} is over ${max} bytes; a checklist is at most ${max}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
async function loadChecklist(pathOrUrl, options = {}) {
  let bytes;
  const timeoutMs = options.timeoutMs ?? CHECKLIST_FETCH_TIMEOUT_MS;
  if (/^https?:\/\//i.test(pathOrUrl)) {
    const signal = AbortSignal.timeout(timeoutMs);
    let response;
    try {
      response = await fetch(pathOrUrl, { signal });
    } catch (error) {
      throw new ChecklistError(
        `could not fetch checklist ${pathOrUrl}: ${networkReason(error, timeoutMs)}`
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
        `could not fetch checklist ${pathOrUrl}: ${networkReason(error, timeoutMs)}`
      );
    }
  } else {
    try {
      const info = await stat(pathOrUrl);
      if (!info.isFile()) throw new Error("not a regular file");
      if (info.size > CHECKLIST_MAX_BYTES) {
        throw new ChecklistError(
          `checklist ${pathOrUrl} is ${info.size} bytes; a checklist is at most ${CHECKLIST_MAX_BYTES}`
        );
      }
      bytes = await readFile(pathOrUrl);
    } catch (error) {
      if (error instanceof ChecklistError) throw error;
      throw new ChecklistError(`cannot read checklist ${pathOrUrl}: ${error.message}`);
    }
  }
  return parseChecklist(decodeChecklist(bytes, pathOrUrl), pathOrUrl);
}
var yamlString = (value) => JSON.stringify(value);
var yamlFlowList = (values) => `[${values.map(yamlString).join(", ")}]`;
function intendedDocument(checklist, fills, metadata) {
  const data = (0, import_yaml.parse)(checklist.text, { uniqueKeys: false });
  Object.assign(data.metadata, metadata);
  for (const list of Object.values(data.spec)) {
    for (const item of Array.isArray(list) ? list : []) {
      const fill = fills.get(item?.id);
      if (!fill) continue;
      item.status = fill.status;
      item.evidence = [...fill.evidence];
      item.notes = fill.notes;
    }
  }
  return data;
}
function fillChecklist(checklist, fills, metadata = {}) {
  asOfficial(checklist);
  const edits = [];
  const push = (edit) => edits.push({ ...edit, seq: edits.length });
  const set = (item, key, value) => {
    const slot = item.slots[key];
    if (slot.afterColon !== null) {
      push({ start: slot.afterColon, end: slot.valueEnd, text: ` ${value}` });
    } else if (item.append) {
      push({
        start: item.append.at,
        end: item.append.at,
        text: `${checklist.lineBreak}${item.append.indent}${key}: ${value}`
      });
    } else {
      throw new ChecklistError(
        `${checklist.source}:${item.line}: requirement ${item.id} has no ${key} key, and kaic adds keys only to block-style items`
      );
    }
  };
  for (const [id, fill] of fills) {
    const item = checklist.items.find((i) => i.id === id);
    if (!item) throw new ChecklistError(`${checklist.source} has no requirement ${id}`);
    if (fill.status === "N/A" && !fill.notes.trim()) {
      throw new ChecklistError(`requirement ${id} is N/A without a justification in notes`);
    }
    set(item, "status", yamlString(fill.status));
    set(item, "evidence", yamlFlowList(fill.evidence));
    set(item, "notes", yamlString(fill.notes));
  }
  for (const [key, value] of Object.entries(metadata)) {
    const slot = checklist.metadataSlots[key];
    const known = [...REQUIRED_METADATA, ...OPTIONAL_METADATA].includes(key);
    if ((!slot || slot.afterColon === null) && known && checklist.metadataAppend) {
      push({
        start: checklist.metadataAppend.at,
        end: checklist.metadataAppend.at,
        text: `${checklist.lineBreak}${checklist.metadataAppend.indent}${key}: ${yamlString(value)}`
      });
      continue;
    }
    if (!slot || slot.afterColon === null) {
      throw new ChecklistError(
        `metadata key "${key}" is not in ${checklist.source}; its keys: ${Object.keys(checklist.metadataSlots).join(", ")}`
      );
    }
    if (key === "kubernetesVersion") {
      throw new ChecklistError(
        "metadata.kubernetesVersion comes from the official checklist and cannot be changed"
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
        `${checklist.source}: two values to fill overlap; nothing was written`
      );
    }
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    previousStart = edit.start;
  }
  let written;
  try {
    const doc = (0, import_yaml.parseDocument)(text, { uniqueKeys: false });
    if (doc.errors.length) throw new Error(doc.errors[0]?.message.split("\n")[0]);
    written = doc.toJS();
  } catch (error) {
    throw new ChecklistError(
      `filling ${checklist.source} would not give valid YAML (${printable(error.message)}); nothing was written`
    );
  }
  if (!isDeepStrictEqual(written, intendedDocument(checklist, fills, metadata))) {
    throw new ChecklistError(
      `filling ${checklist.source} would not read back as intended (a YAML construct kaic does not edit safely); nothing was written`
    );
  }
  return text;
}
function asOfficial(checklist) {
  if (checklist.problems.length || !checklist.version) {
    const list = checklist.problems.map(
      (p) => `${p.line ? `line ${p.line}: ` : ""}${p.id ? `${p.id}: ` : ""}${p.message}`
    );
    throw new ChecklistError(
      `${checklist.source} is not a usable checklist: ${list.join("; ") || "it names no version"}`
    );
  }
  return checklist;
}
async function loadOfficialChecklist(pathOrUrl) {
  return asOfficial(await loadChecklist(pathOrUrl));
}
var ChecklistMetadataError = class extends InputError {
  name = "ChecklistMetadataError";
};
async function loadMetadata(path) {
  let data;
  try {
    data = (0, import_yaml.parse)(await readFile(path, "utf8"));
  } catch (error) {
    throw new ChecklistMetadataError(
      `cannot read metadata ${path}: ${error.message.split("\n")[0]}`
    );
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ChecklistMetadataError(
      `${path}: expected a mapping of checklist metadata keys to values`
    );
  }
  const meta = data.metadata ?? data;
  const out = {};
  for (const [key, value] of Object.entries(meta)) {
    if (typeof value !== "string") {
      throw new ChecklistMetadataError(
        `${path}: metadata ${key} is ${value === null ? "empty" : `the ${typeof value} ${JSON.stringify(value)}`}, not a string (quote it)`
      );
    }
    out[key] = value;
  }
  return out;
}

export {
  CHECKLIST_STATUSES,
  REQUIRED_METADATA,
  OPTIONAL_METADATA,
  printable,
  parseChecklist,
  loadChecklist,
  fillChecklist,
  loadOfficialChecklist,
  loadMetadata
};
