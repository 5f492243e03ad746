import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/report/markdown.ts
var BREAK = "&#8203;";
function mdInline(text) {
  return text.replace(/\r\n?|\n/g, " ").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/([\\`*_[\]|~])/g, "\\$1").replace(/#(?=\d)/g, `#${BREAK}`).replace(/\bGH-(?=\d)/gi, (m) => `${m.slice(0, 2)}${BREAK}-`).replace(/@(?=[A-Za-z0-9])/g, `@${BREAK}`);
}
function mdCell(text, maxUnits = Infinity) {
  return mdInline(shorten(text, maxUnits));
}
function shorten(text, maxUnits) {
  if (text.length <= maxUnits) return text;
  let out = "";
  for (const ch of text) {
    if (out.length + ch.length > maxUnits - 1) break;
    out += ch;
  }
  return `${out}\u2026`;
}
function mdCodeBlock(text, indent = "") {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  return [`${indent}${fence}text`, ...lines.map((l) => `${indent}${l}`), `${indent}${fence}`];
}

// src/results/model.ts
var VERDICTS = [
  "Implemented",
  "Partially Implemented",
  "Not Implemented",
  "N/A",
  "Unknown"
];
var checks = (n) => `${n} check${n === 1 ? "" : "s"}`;
function decideVerdict(tests, justification) {
  if (justification !== null) {
    return { verdict: "N/A", reason: `declared not applicable: ${justification}` };
  }
  const passed = tests.filter((t) => t.status === "passed").length;
  const failed = tests.filter((t) => t.status === "failed").length;
  const skipped = tests.filter((t) => t.status === "skipped").length;
  if (tests.length === 0) return { verdict: "Unknown", reason: "no test ran for this requirement" };
  if (failed > 0) {
    return passed > 0 ? { verdict: "Partially Implemented", reason: `${failed} of ${checks(tests.length)} failed` } : {
      verdict: "Not Implemented",
      reason: failed === 1 ? "its only check failed" : `all ${failed} checks failed`
    };
  }
  if (skipped > 0) {
    const reasons = [...new Set(tests.filter((t) => t.skipReason).map((t) => t.skipReason))];
    return {
      verdict: "Unknown",
      reason: `${skipped} of ${checks(tests.length)} could not run here` + (reasons.length ? ` (${reasons.join("; ")})` : "")
    };
  }
  return {
    verdict: "Implemented",
    reason: passed === 1 ? "its only check passed" : `all ${passed} checks passed`
  };
}
function countResults(requirements) {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0]));
  const tests = { passed: 0, failed: 0, skipped: 0 };
  for (const req of requirements) {
    verdicts[req.verdict]++;
    for (const test of req.tests) tests[test.status]++;
  }
  return { verdicts, tests };
}

export {
  mdInline,
  mdCell,
  shorten,
  mdCodeBlock,
  VERDICTS,
  decideVerdict,
  countResults
};
