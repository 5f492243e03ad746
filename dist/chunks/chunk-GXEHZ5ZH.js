import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  mdCell,
  mdCodeBlock,
  shorten
} from "./chunk-2XS3DH4U.js";
import {
  InputError
} from "./chunk-WWHORE4U.js";

// src/util/safe-write.ts
import { randomBytes } from "node:crypto";
import { lstatSync, statSync } from "node:fs";
import { chmod, mkdir, mkdtemp, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { tmpdir } from "node:os";
var OutputPathError = class extends InputError {
  name = "OutputPathError";
};
function lstatOrNull(path) {
  try {
    return lstatSync(path);
  } catch (error) {
    if (error.code === "ENOENT") return null;
    throw new OutputPathError(`cannot use ${path}: ${error.message}`);
  }
}
function kindOf(stats) {
  if (stats.isFile()) return "a regular file";
  if (stats.isSymbolicLink()) return "a symbolic link";
  if (stats.isDirectory()) return "a directory";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isFIFO()) return "a FIFO";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}
function checkOutputFile(path, what = "output") {
  const target = lstatOrNull(path);
  if (target && !target.isFile()) {
    throw new OutputPathError(
      `${what} ${path} is ${kindOf(target)}; kaic writes only a regular file or a new one`
    );
  }
  const parent = dirname(resolve(path));
  const dir = lstatOrNull(parent);
  if (!dir) throw new OutputPathError(`${what} ${path}: its directory ${parent} does not exist`);
  if (!dir.isDirectory())
    throw new OutputPathError(`${what} ${path}: ${parent} is not a directory`);
}
async function ensureOutputDirectory(path, what = "output directory") {
  const stats = lstatOrNull(path);
  if (stats && !stats.isDirectory()) {
    throw new OutputPathError(`${what} ${path} is ${kindOf(stats)}, not a directory`);
  }
  if (!stats) await mkdir(path);
}
async function writeFileSafely(path, text, what = "output") {
  checkOutputFile(path, what);
  const existing = lstatOrNull(path);
  const tmp = join(
    dirname(resolve(path)),
    `.${basename(path)}.kaic-${randomBytes(4).toString("hex")}`
  );
  try {
    await writeFile(tmp, text, { flag: "wx" });
    if (existing) await chmod(tmp, existing.mode & 4095);
    checkOutputFile(path, what);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof OutputPathError) throw error;
    throw new OutputPathError(`cannot write ${what} ${path}: ${error.message}`);
  }
}
function statOrNull(path) {
  try {
    return statSync(path);
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw new OutputPathError(`cannot use ${path}: ${error.message}`);
  }
}
async function makeDirectories(path, what = "output directory") {
  const target = resolve(path);
  const missing = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const stats = statOrNull(dir);
    if (stats) {
      if (!stats.isDirectory()) {
        throw new OutputPathError(
          `${what} ${target}: ${dir === target ? "it" : dir} is ${kindOf(stats)}, not a directory`
        );
      }
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      if (error.code === "EEXIST" && statOrNull(dir)?.isDirectory()) {
        continue;
      }
      throw new OutputPathError(
        `${what} ${target}: cannot create ${dir}: ${error.message}`
      );
    }
  }
  return missing;
}
async function removeEmptyDirectories(made) {
  for (const dir of [...made].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      return;
    }
  }
}
async function probeOutputDirectory(path, what = "output directory") {
  const made = await makeDirectories(path, what);
  const probe = join(resolve(path), `.kaic-probe-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(probe, "kaic checks that it can write here\n", { flag: "wx" });
  } catch (error) {
    await rm(probe, { force: true }).catch(() => void 0);
    await removeEmptyDirectories(made);
    throw new OutputPathError(
      `${what} ${resolve(path)}: cannot write there: ${error.message}`
    );
  }
  await rm(probe, { force: true });
  return made;
}
async function fallbackDirectory(prefix = "kaic-results-") {
  return mkdtemp(join(tmpdir(), prefix));
}

// src/report/checklist-fill.ts
var EVIDENCE_DIR = "kaic-evidence";
var NOTES_MAX_CHARS = 1500;
var evidencePath = (id) => `${EVIDENCE_DIR}/${id}.md`;
function shortTitle(title, id) {
  return title.replace(/^(\s*\[[^\]]*\])+\s*/, "").replace(new RegExp(`^${id}\\s+`), "") || title;
}
function measuredNotes(req, result) {
  const where = `${result.cluster.provider}, Kubernetes ${result.cluster.serverVersion ?? "unknown"}`;
  const passed = req.tests.filter((t) => t.status === "passed").map((t) => shortTitle(t.fullTitle, req.id));
  const failed = req.tests.filter((t) => t.status === "failed").map((t) => shortTitle(t.fullTitle, req.id));
  const parts = [`Measured by kaic ${result.kaicVersion} on ${where}: ${req.reason}.`];
  if (failed.length) parts.push(`Failed: ${failed.join("; ")}.`);
  if (passed.length) parts.push(`Passed: ${passed.join("; ")}.`);
  parts.push(`Details: ${evidencePath(req.id)}.`);
  return shorten(parts.join(" "), NOTES_MAX_CHARS);
}
function fillFromRequirement(req, result, options = {}) {
  switch (req.verdict) {
    case "N/A":
      return { status: "N/A", evidence: [], notes: req.justification ?? "" };
    case "Unknown":
      return {
        status: "",
        evidence: [],
        notes: shorten(`kaic could not verify this: ${req.reason}`, NOTES_MAX_CHARS)
      };
    default:
      return {
        status: req.verdict,
        evidence: [evidencePath(req.id), ...options.resultsUrl ? [options.resultsUrl] : []],
        notes: measuredNotes(req, result)
      };
  }
}
function fillsFromResults(result, options = {}) {
  return new Map(
    result.requirements.map((req) => [req.id, fillFromRequirement(req, result, options)])
  );
}
function evidenceDocuments(result, fills) {
  const docs = /* @__PURE__ */ new Map();
  for (const req of result.requirements) {
    const path = evidencePath(req.id);
    if (!fills.get(req.id)?.evidence.includes(path)) continue;
    const lines = [
      `# ${req.id} (${req.level}): ${req.verdict}`,
      "",
      `Measured by kaic ${mdCell(result.kaicVersion)} against ${mdCell(result.cluster.provider)} Kubernetes ${mdCell(result.cluster.serverVersion ?? "unknown")}` + (result.acceleratorProfile ? ` with ${mdCell(result.acceleratorProfile)}` : "") + `, ${result.startedAt} \u2013 ${result.finishedAt}, AI conformance v${result.conformanceVersion}.`,
      "",
      `**Why:** ${mdCell(req.reason)}`,
      "",
      "## Checks",
      "",
      "| Check | Result | Seconds |",
      "|---|---|---|",
      ...req.tests.map(
        (t) => `| ${mdCell(t.fullTitle, 300)} | ${t.status}${t.skipReason ? `: ${mdCell(t.skipReason, 300)}` : ""} | ${(t.durationMs / 1e3).toFixed(1)} |`
      )
    ];
    const failed = req.tests.filter((t) => t.status === "failed");
    if (failed.length) {
      lines.push("", "## Failures", "");
      for (const t of failed) {
        lines.push(
          `- ${mdCell(t.fullTitle, 300)}`,
          "",
          ...mdCodeBlock(t.failure?.message ?? "", "  "),
          ""
        );
      }
    }
    const records = req.tests.flatMap((t) => t.evidence.map((e) => ({ test: t, e })));
    if (records.length) {
      lines.push("", "## What the checks created and observed", "");
      for (const { e } of records) lines.push(`- ${e.at} ${e.kind}: ${mdCell(e.summary, 500)}`);
    }
    lines.push(
      "",
      "---",
      "",
      `The whole run is in results.json (kaic's JSON Schema: schema/run-result.schema.json).`,
      ""
    );
    docs.set(path, lines.join("\n"));
  }
  return docs;
}

export {
  checkOutputFile,
  ensureOutputDirectory,
  writeFileSafely,
  makeDirectories,
  removeEmptyDirectories,
  probeOutputDirectory,
  fallbackDirectory,
  EVIDENCE_DIR,
  fillsFromResults,
  evidenceDocuments
};
