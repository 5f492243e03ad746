import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  mdCell,
  mdCodeBlock,
  mdInline,
  shorten
} from "./chunk-2XS3DH4U.js";

// src/report/limits.ts
var ANNOTATIONS_PER_REQUEST = 50;
var ANNOTATION_TITLE_MAX_UNITS = 255;
var ANNOTATION_MESSAGE_MAX_BYTES = 65535;
var CHECK_OUTPUT_MAX_BYTES = 65535;
var CHECK_TITLE_MAX_UNITS = 1e3;
var COMMENT_BODY_MAX_UNITS = 65536;
var STATUS_DESCRIPTION_MAX_UNITS = 140;
var JOB_SUMMARY_MAX_BYTES = 1048576;
var ELLIPSIS = "\u2026";
var utf8Bytes = (text) => Buffer.byteLength(text, "utf8");
function fitsLimit(text, limit) {
  return (limit.units === void 0 || text.length <= limit.units) && (limit.bytes === void 0 || utf8Bytes(text) <= limit.bytes);
}
function remainingLimit(limit, text) {
  return {
    ...limit.units !== void 0 ? { units: limit.units - text.length } : {},
    ...limit.bytes !== void 0 ? { bytes: limit.bytes - utf8Bytes(text) } : {}
  };
}
function truncateToLimit(text, limit) {
  if (fitsLimit(text, limit)) return text;
  const units = (limit.units ?? Infinity) - ELLIPSIS.length;
  const bytes = (limit.bytes ?? Infinity) - utf8Bytes(ELLIPSIS);
  let out = "";
  let usedUnits = 0;
  let usedBytes = 0;
  for (const ch of text) {
    const size = utf8Bytes(ch);
    if (usedUnits + ch.length > units || usedBytes + size > bytes) break;
    out += ch;
    usedUnits += ch.length;
    usedBytes += size;
  }
  return out + ELLIPSIS;
}
var truncateUnits = (text, max) => truncateToLimit(text, { units: max });
var truncateBytes = (text, max) => truncateToLimit(text, { bytes: max });

// src/results/gate.ts
var FAIL_ON = ["MUST", "SHOULD", "none"];
var failed = (r) => r.verdict === "Not Implemented" || r.verdict === "Partially Implemented";
function overallVerdict(result) {
  const must = result.requirements.filter((r) => r.level === "MUST");
  if (must.some(failed)) return "not-conformant";
  if (must.some((r) => r.verdict === "Unknown")) return "unverified";
  if (result.requirements.length === 0) return "unverified";
  return "conformant";
}
function gateFailures(result, failOn) {
  if (failOn === "none") return [];
  return result.requirements.filter(
    (r) => failed(r) && (r.level === "MUST" || failOn === "SHOULD" && r.level === "SHOULD")
  );
}

// src/report/summary-md.ts
var SUMMARY_LIMIT = { bytes: CHECK_OUTPUT_MAX_BYTES };
var VERDICT_ICONS = {
  Implemented: "\u2705",
  "Partially Implemented": "\u{1F7E1}",
  "Not Implemented": "\u274C",
  "N/A": "\u2796",
  Unknown: "\u2754"
};
var CELL_WIDTHS = [1e3, 400, 160, 60, 24];
var DETAIL_MAX_LINES = 40;
var DETAIL_MAX_UNITS = 4e3;
function runMinor(result) {
  return /^v?(\d+\.\d+)/.exec(result.cluster.serverVersion ?? "")?.[1] ?? null;
}
function runLabel(result) {
  const minor = runMinor(result);
  return minor ? `Kubernetes ${minor}` : `conformance v${result.conformanceVersion}`;
}
function runLabels(results) {
  const base = results.map(
    (r, i) => runLabel(r) + (results.some((o, j) => j !== i && runLabel(o) === runLabel(r)) && r.acceleratorProfile ? ` \xB7 ${shorten(r.acceleratorProfile, 40)}` : "")
  );
  return base.map(
    (label, i) => base.filter((l) => l === label).length > 1 ? `${label} #${base.slice(0, i + 1).filter((l) => l === label).length}` : label
  );
}
function describeLimit(limit) {
  const parts = [
    ...limit.bytes !== void 0 ? [`${limit.bytes} bytes`] : [],
    ...limit.units !== void 0 ? [`${limit.units} characters`] : []
  ];
  return parts.join(", ");
}
function fitTable(build, limit, reserve) {
  for (const width of CELL_WIDTHS) {
    const table = build(width);
    if (fitsLimit(table + reserve, limit)) return table;
  }
  return build(CELL_WIDTHS[CELL_WIDTHS.length - 1]);
}
function fitDetails(head, entries, limit) {
  const note = (n) => `
_${n} more detail entr${n === 1 ? "y" : "ies"} cut to stay within GitHub's size limit (${describeLimit(limit)}); see e2e.log._
`;
  let out = head;
  for (let i = 0; i < entries.length; i++) {
    const block = `${entries[i].join("\n")}
`;
    const rest = entries.length - i - 1;
    if (!fitsLimit(out + block + (rest ? note(rest) : ""), limit)) {
      return out + note(entries.length - i);
    }
    out += block;
  }
  return out;
}
function failureEntry(test) {
  const where = test.failure?.location ? ` (${mdInline(`${test.failure.location.file}:${test.failure.location.line}`)})` : "";
  const lines = (test.failure?.message ?? "").split(/\r\n?|\n/);
  let message = shorten(lines.slice(0, DETAIL_MAX_LINES).join("\n"), DETAIL_MAX_UNITS);
  if (lines.length > DETAIL_MAX_LINES)
    message += `
\u2026 ${lines.length - DETAIL_MAX_LINES} more lines`;
  return [`- **${mdCell(test.fullTitle, 300)}**${where}`, "", ...mdCodeBlock(message, "  ")];
}
function renderSummary(result, options = {}) {
  const limit = options.limit ?? SUMMARY_LIMIT;
  const v = result.counts.verdicts;
  const table = (width) => {
    const head = [
      `## Kubernetes AI Conformance v${result.conformanceVersion}`,
      "",
      ...options.preface ? [options.preface, ""] : [],
      [
        `kaic ${mdCell(result.kaicVersion, 40)}`,
        mdCell(result.cluster.provider, 40),
        `Kubernetes ${mdCell(result.cluster.serverVersion ?? "unknown", 40)}`,
        ...result.acceleratorProfile ? [mdCell(result.acceleratorProfile, 60)] : [],
        `${(result.durationMs / 1e3).toFixed(0)}s`
      ].join(" \xB7 "),
      "",
      "| Requirement | Level | Verdict | Tests | Why |",
      "|---|---|---|---|---|"
    ];
    for (const req of result.requirements) {
      const passed = req.tests.filter((t) => t.status === "passed").length;
      head.push(
        `| \`${req.id}\` ${mdCell(req.title, width)} | ${req.level} | ${VERDICT_ICONS[req.verdict]} ${req.verdict} | ${passed}/${req.tests.length} | ${mdCell(req.reason, width)} |`
      );
    }
    head.push(
      "",
      `**${v.Implemented}** implemented, **${v["Partially Implemented"]}** partially, **${v["Not Implemented"]}** not implemented, **${v["N/A"]}** N/A, **${v.Unknown}** unknown.`
    );
    return head.join("\n") + "\n";
  };
  const entries = [];
  const failed2 = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === "failed"));
  const skipped = result.requirements.flatMap((r) => r.tests.filter((t) => t.status === "skipped"));
  if (failed2.length) {
    entries.push(["", "### Failures", ""]);
    for (const test of failed2) entries.push(failureEntry(test));
  }
  if (skipped.length) {
    entries.push(["", "### Not verified here", ""]);
    for (const test of skipped) {
      entries.push([
        `- ${mdCell(test.fullTitle, 300)}: ${mdCell(test.skipReason ?? "skipped", 600)}`
      ]);
    }
  }
  const reserve = "\n_9999 more detail entries cut to stay within GitHub\u2019s size limit; see e2e.log._\n";
  return fitDetails(fitTable(table, limit, reserve), entries, limit);
}
function levelCell(id, results) {
  const byVersion = /* @__PURE__ */ new Map();
  for (const r of results) {
    const req = r.requirements.find((q) => q.id === id);
    if (req) byVersion.set(r.conformanceVersion, req.level);
  }
  const levels = new Set(byVersion.values());
  if (levels.size <= 1) return [...levels][0] ?? "\u2014";
  return [...byVersion].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true })).map(([version, level]) => `${level} (v${version})`).join(" \xB7 ");
}
function renderMatrix(results, options = {}) {
  const limit = options.limit ?? SUMMARY_LIMIT;
  const labels = runLabels(results);
  const present = new Set(results.map(runMinor));
  const missing = (options.expected ?? []).filter((minor) => !present.has(minor));
  const ids = [];
  for (const result of results) {
    for (const req of result.requirements) if (!ids.includes(req.id)) ids.push(req.id);
  }
  const table = () => {
    const columns = [...labels.map((l) => mdCell(l)), ...missing.map((m) => `Kubernetes ${m}`)];
    const head = [
      `## Kubernetes AI Conformance: ${results.length} run${results.length === 1 ? "" : "s"}` + (missing.length ? `, ${missing.length} missing` : ""),
      "",
      ...options.preface ? [options.preface, ""] : [],
      `| Requirement | Level | ${columns.join(" | ")} |`,
      `|---|---|${columns.map(() => "---|").join("")}`
    ];
    for (const id of ids) {
      const cells = results.map((r) => {
        const req = r.requirements.find((q) => q.id === id);
        return req ? `${VERDICT_ICONS[req.verdict]} ${req.verdict}` : "\u2014";
      });
      cells.push(...missing.map(() => "\u26A0\uFE0F no results"));
      head.push(`| \`${id}\` | ${levelCell(id, results)} | ${cells.join(" | ")} |`);
    }
    head.push("");
    results.forEach((r, i) => {
      const v = r.counts.verdicts;
      head.push(
        `- **${mdCell(labels[i])}**: conformance v${r.conformanceVersion}, ${mdCell(r.cluster.provider, 40)}` + (r.acceleratorProfile ? `, ${mdCell(r.acceleratorProfile, 60)}` : "") + ` \u2014 ${v.Implemented} implemented, ${v["Partially Implemented"]} partially, ${v["Not Implemented"]} not, ${v["N/A"]} N/A, ${v.Unknown} unknown`
      );
    });
    for (const minor of missing) {
      head.push(
        `- **Kubernetes ${minor}**: \u26A0\uFE0F no results (an expected leg of the matrix; none was found)`
      );
    }
    return head.join("\n") + "\n";
  };
  const entries = [];
  results.forEach((r, i) => {
    const failed2 = r.requirements.flatMap((q) => q.tests.filter((t) => t.status === "failed"));
    if (!failed2.length) return;
    entries.push(["", `### Failures on ${mdCell(labels[i])}`, ""]);
    for (const test of failed2) {
      const first = (test.failure?.message ?? "").split(/\r\n?|\n/)[0] ?? "";
      entries.push([`- **${mdCell(test.fullTitle, 300)}**: ${mdCell(first, 600)}`]);
    }
  });
  return fitDetails(table(), entries, limit);
}

export {
  ANNOTATIONS_PER_REQUEST,
  ANNOTATION_TITLE_MAX_UNITS,
  ANNOTATION_MESSAGE_MAX_BYTES,
  CHECK_OUTPUT_MAX_BYTES,
  CHECK_TITLE_MAX_UNITS,
  COMMENT_BODY_MAX_UNITS,
  STATUS_DESCRIPTION_MAX_UNITS,
  JOB_SUMMARY_MAX_BYTES,
  remainingLimit,
  truncateUnits,
  truncateBytes,
  FAIL_ON,
  overallVerdict,
  gateFailures,
  runMinor,
  runLabel,
  runLabels,
  renderSummary,
  renderMatrix
};
