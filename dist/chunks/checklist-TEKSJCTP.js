import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  EVIDENCE_DIR,
  checkOutputFile,
  ensureOutputDirectory,
  evidenceDocuments,
  fillsFromResults,
  writeFileSafely
} from "./chunk-GXEHZ5ZH.js";
import {
  isHttpUrl
} from "./chunk-OYMJ6T6V.js";
import {
  loadRunResult
} from "./chunk-D2SJ7AHA.js";
import "./chunk-2XS3DH4U.js";
import {
  CHECKLIST_STATUSES,
  OPTIONAL_METADATA,
  REQUIRED_METADATA,
  fillChecklist,
  loadChecklist,
  loadMetadata,
  loadOfficialChecklist,
  parseChecklist,
  printable
} from "./chunk-ATS4VT7U.js";
import "./chunk-3YTTDGIJ.js";
import {
  isConformanceVersion,
  requirementsFor
} from "./chunk-NKKDUV5A.js";
import {
  CheckFailed,
  UsageError
} from "./chunk-WWHORE4U.js";

// src/cli/checklist.ts
import { existsSync as existsSync2 } from "node:fs";
import { dirname as dirname2, join as join2 } from "node:path";
import { parseArgs } from "node:util";

// src/requirements/checklist-validate.ts
import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
var K8S_CONFORMANCE_URL = /^https:\/\/github\.com\/cncf\/k8s-conformance\/tree\/(master|main)\/v\d+\.\d+\/[^/]+\/?$/;
var snakeCase = (name) => name.replace(/(.)([A-Z][a-z]+)/g, "$1_$2").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
var normalise = (text) => text.replace(/\s+/g, " ").trim();
function firstDifference(official, got) {
  const a = normalise(official);
  const b = normalise(got);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const quote = (s) => `"${printable(s.slice(Math.max(0, i - 20), i + 40), 70)}"`;
  return `from character ${i + 1}: official ${quote(a)}, file ${quote(b)}`;
}
function validateChecklist(filled, options = {}) {
  const problems = [...filled.problems];
  const add = (id, message, line = null) => problems.push({ id, line, message });
  const { official, productPath } = options;
  for (const field of [...REQUIRED_METADATA, ...OPTIONAL_METADATA]) {
    const key = field in filled.metadata ? field : snakeCase(field);
    const value = filled.metadata[key];
    const required = REQUIRED_METADATA.includes(field);
    if (value === void 0 || value === "") {
      if (required) add(null, `metadata.${field} is ${value === void 0 ? "missing" : "empty"}`);
      continue;
    }
    if (value.startsWith("[") && value.endsWith("]")) {
      add(null, `metadata.${field} is still the template's placeholder ${printable(value)}`);
    } else if (field === "k8sConformanceUrl" && !K8S_CONFORMANCE_URL.test(value)) {
      add(
        null,
        `metadata.k8sConformanceUrl ${printable(value)} is not a k8s-conformance submission (https://github.com/cncf/k8s-conformance/tree/main/v1.35/<product>)`
      );
    } else if (/Url$/.test(field) && !isHttpUrl(value)) {
      add(null, `metadata.${field} ${printable(value)} is not an http(s) URL`);
    }
  }
  const pathVersion = productPath ? /(?:^|[\\/])v(\d+\.\d+)[\\/]/.exec(productPath)?.[1] : void 0;
  if (pathVersion && filled.version && pathVersion !== filled.version) {
    add(null, `kubernetesVersion is v${filled.version} but the file sits under v${pathVersion}/`);
  }
  let reference = null;
  let referenceName = "";
  if (official) {
    if (official.version && filled.version && official.version !== filled.version) {
      add(
        null,
        `kubernetesVersion is v${filled.version}, the official checklist is v${official.version}`
      );
    }
    reference = official.items.map((i) => ({
      id: i.id,
      category: i.category,
      level: i.level,
      description: i.description
    }));
    referenceName = "the official checklist";
  } else if (filled.version) {
    if (isConformanceVersion(filled.version)) {
      reference = requirementsFor(filled.version);
      referenceName = `kaic's catalog of v${filled.version}`;
    } else {
      add(
        null,
        `v${filled.version} is not a conformance version kaic knows (1.33\u20131.36); give its official checklist with --checklist`
      );
    }
  }
  if (reference) {
    for (const want of reference) {
      const got = filled.items.find((i) => i.id === want.id);
      if (!got) {
        add(want.id, `missing (it is in ${referenceName}, category ${want.category})`);
        continue;
      }
      if (got.level !== want.level) {
        add(want.id, `level changed from ${want.level} to ${printable(got.level)}`, got.line);
      }
      if (got.category !== want.category) {
        add(want.id, `moved from ${want.category} to ${printable(got.category)}`, got.line);
      }
      if (want.description !== void 0 && normalise(got.description) !== normalise(want.description)) {
        add(
          want.id,
          `description differs from the official text ${firstDifference(want.description, got.description)}`,
          got.line
        );
      }
    }
    for (const got of filled.items) {
      if (!reference.some((r) => r.id === got.id)) {
        add(got.id, `not in ${referenceName}`, got.line);
      }
    }
  }
  const productDir = productPath ? dirname(productPath) : null;
  for (const item of filled.items) {
    const level = reference?.find((r) => r.id === item.id)?.level ?? item.level;
    if (level === "SHOULD" && !item.status && item.evidence.length === 0) continue;
    if (!item.status) {
      add(
        item.id,
        level === "MUST" ? "MUST requirement has no status" : "status is empty but evidence is given (leave both empty, or give a status)",
        item.line
      );
    } else if (!CHECKLIST_STATUSES.includes(item.status)) {
      add(
        item.id,
        `status "${printable(item.status)}" is not one of ${CHECKLIST_STATUSES.join(", ")}`,
        item.line
      );
    } else if (level === "MUST" && item.status !== "Implemented") {
      add(
        item.id,
        `MUST requirement is "${item.status}"; the CNCF check accepts only Implemented`,
        item.line
      );
    }
    if (item.status === "N/A" && !item.notes.trim()) {
      add(item.id, "N/A without a justification in notes", item.line);
    }
    for (const entry of item.evidence) {
      if (!entry) continue;
      if (/^https?:\/\//i.test(entry)) {
        if (!isHttpUrl(entry))
          add(item.id, `evidence ${printable(entry)} is not a valid URL`, item.line);
        continue;
      }
      if (!productDir) {
        add(
          item.id,
          `evidence ${printable(entry)} is not a URL (and there is no file beside a checklist read from a URL)`,
          item.line
        );
        continue;
      }
      const file = isAbsolute(entry) ? entry : join(productDir, entry);
      let found;
      try {
        found = existsSync(file) && statSync(file).isFile();
      } catch {
        found = false;
      }
      if (!found) {
        add(
          item.id,
          `evidence ${printable(entry)} is neither an http(s) URL nor a file beside the checklist (${printable(file)})`,
          item.line
        );
      }
    }
  }
  return problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i).map(({ p }) => p);
}

// src/cli/checklist.ts
var CHECKLIST_FILL_USAGE = `usage: kaic checklist fill --results <results.json> --checklist <official.yaml|URL> --out <PRODUCT.yaml>
                          [--metadata <meta.yaml>] [--results-url <URL of the published results.json>]
  Fills status, evidence and notes of the official checklist from a run's results, keeping every
  other byte. Evidence is ${EVIDENCE_DIR}/<id>.md, written beside --out, and --results-url when
  given (both pass the CNCF repository's PR check); what the checks did goes into notes. Unknown
  requirements are left empty for you to settle. --out must be a regular file or a new one.
`;
var CHECKLIST_VALIDATE_USAGE = `usage: kaic checklist validate <PRODUCT.yaml> [--checklist <official.yaml|URL>]
  Lists every problem the CNCF repository's PR check would report (docs/requirements.md lists its
  rules, and those kaic cannot apply offline), plus changes from the official checklist (or, without
  --checklist, from kaic's catalog of the file's version). Exit 1 when there are problems.
`;
var isHelp = (args) => args.includes("--help") || args.includes("-h");
function problemLine(source, p) {
  return `${source}${p.line ? `:${p.line}` : ""}: ${p.id ? `${p.id}: ` : ""}${p.message}`;
}
async function fill(args) {
  if (isHelp(args)) {
    process.stdout.write(CHECKLIST_FILL_USAGE);
    return 0;
  }
  const { values } = parseArgs({
    args,
    options: {
      results: { type: "string" },
      checklist: { type: "string" },
      metadata: { type: "string" },
      out: { type: "string" },
      "results-url": { type: "string" }
    },
    strict: true
  });
  for (const flag of ["results", "checklist", "out"]) {
    if (!values[flag])
      throw new UsageError(`checklist fill needs --${flag}
${CHECKLIST_FILL_USAGE}`);
  }
  const resultsUrl = values["results-url"];
  if (resultsUrl !== void 0 && !isHttpUrl(resultsUrl)) {
    throw new UsageError(`--results-url "${resultsUrl}" is not an http(s) URL`);
  }
  const out = values.out;
  try {
    checkOutputFile(out, "--out");
  } catch (error) {
    throw new UsageError(error.message);
  }
  const result = await loadRunResult(values.results);
  const checklist = await loadOfficialChecklist(values.checklist);
  if (result.conformanceVersion !== checklist.version) {
    throw new UsageError(
      `${values.results} is a v${result.conformanceVersion} run but ${values.checklist} is the v${checklist.version} checklist`
    );
  }
  const metadata = values.metadata ? await loadMetadata(values.metadata) : {};
  const fills = fillsFromResults(result, resultsUrl ? { resultsUrl } : {});
  for (const id of [...fills.keys()])
    if (!checklist.items.some((i) => i.id === id)) fills.delete(id);
  const text = fillChecklist(checklist, fills, metadata);
  const docs = evidenceDocuments(result, fills);
  try {
    if (docs.size) {
      const dir = join2(dirname2(out), EVIDENCE_DIR);
      await ensureOutputDirectory(dir, "evidence directory");
      for (const [path, doc] of docs) {
        await writeFileSafely(join2(dirname2(out), path), doc, "evidence document");
      }
    }
    await writeFileSafely(out, text, "--out");
  } catch (error) {
    throw new UsageError(error.message);
  }
  const unknown = result.requirements.filter((r) => r.verdict === "Unknown" && fills.has(r.id)).map((r) => r.id);
  process.stdout.write(
    `wrote ${out}: ${fills.size} requirements filled from ${values.results}` + (docs.size ? `, evidence in ${join2(dirname2(out), EVIDENCE_DIR)}/` : "") + (unknown.length ? `; left for you to settle (Unknown): ${unknown.join(", ")}` : "") + "\n"
  );
  const left = validateChecklist(parseChecklist(text, out), {
    official: checklist,
    productPath: out
  });
  if (left.length) {
    process.stdout.write(`before submitting, settle (kaic checklist validate ${out}):
`);
    for (const p of left) process.stdout.write(`  ${problemLine(out, p)}
`);
  }
  return 0;
}
async function validate(args) {
  if (isHelp(args)) {
    process.stdout.write(CHECKLIST_VALIDATE_USAGE);
    return 0;
  }
  const { values, positionals } = parseArgs({
    args,
    options: { checklist: { type: "string" } },
    allowPositionals: true,
    strict: true
  });
  if (positionals.length !== 1) {
    throw new UsageError(
      `checklist validate takes exactly one filled checklist file
${CHECKLIST_VALIDATE_USAGE}`
    );
  }
  const path = positionals[0];
  if (!existsSync2(path)) throw new UsageError(`no such file: ${path}`);
  const filled = await loadChecklist(path);
  const official = values.checklist ? await loadOfficialChecklist(values.checklist) : void 0;
  const problems = validateChecklist(filled, {
    ...official ? { official } : {},
    .../^https?:\/\//i.test(path) ? {} : { productPath: path }
  });
  if (problems.length) {
    for (const p of problems) process.stdout.write(`${problemLine(path, p)}
`);
    throw new CheckFailed(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in ${path}`
    );
  }
  process.stdout.write(
    `${path}: valid (${filled.items.length} requirements, v${filled.version})
`
  );
  return 0;
}
async function checklistCommand(args) {
  const [sub, ...rest] = args;
  if (sub === "fill") return fill(rest);
  if (sub === "validate") return validate(rest);
  if (sub === "--help" || sub === "-h" || sub === "help") {
    process.stdout.write(`${CHECKLIST_FILL_USAGE}
${CHECKLIST_VALIDATE_USAGE}`);
    return 0;
  }
  throw new UsageError(
    `checklist needs a subcommand: fill or validate${sub ? ` (got "${sub}")` : ""}`
  );
}
export {
  CHECKLIST_FILL_USAGE,
  CHECKLIST_VALIDATE_USAGE,
  checklistCommand
};
