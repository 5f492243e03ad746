import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  collectRunResults
} from "./chunk-YLXWZOTL.js";
import {
  FAIL_ON,
  gateFailures,
  renderMatrix,
  runLabel,
  runMinor
} from "./chunk-ON4VCPHQ.js";
import "./chunk-D2SJ7AHA.js";
import "./chunk-2XS3DH4U.js";
import {
  UsageError
} from "./chunk-WWHORE4U.js";

// src/cli/aggregate.ts
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
var AGGREGATE_USAGE = `usage: kaic aggregate [--output <file>] [--fail-on MUST|SHOULD|none] [--expected 1.33,1.34,\u2026] <results.json or directory>\u2026
  Directories are searched 3 levels deep for results.json. Exit 1 when a requirement at the
  --fail-on level (default MUST) is Not or Partially Implemented in any run, or when a Kubernetes
  minor named in --expected (the matrix's legs) has no results.
`;
async function aggregateCommand(args) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      output: { type: "string" },
      "fail-on": { type: "string", default: "MUST" },
      expected: { type: "string" },
      help: { type: "boolean", short: "h" }
    },
    allowPositionals: true,
    strict: true
  });
  if (values.help) {
    process.stdout.write(AGGREGATE_USAGE);
    return 0;
  }
  const failOn = values["fail-on"];
  const expected = (values.expected ?? "").split(/[\s,]+/).map((m) => m.replace(/^v/, "")).filter(Boolean);
  const bad = expected.find((m) => !/^\d+\.\d+$/.test(m));
  if (bad) throw new UsageError(`--expected: "${bad}" is not a Kubernetes minor (e.g. 1.35)`);
  if (!FAIL_ON.includes(failOn)) {
    throw new UsageError(`--fail-on "${failOn}"; accepted: ${FAIL_ON.join(", ")}`);
  }
  if (!positionals.length) throw new UsageError(`no results given
${AGGREGATE_USAGE}`);
  const runs = (await collectRunResults(positionals)).map((f) => f.result);
  const table = renderMatrix(runs, { expected });
  const present = new Set(runs.map(runMinor));
  const missing = expected.filter((m) => !present.has(m));
  if (values.output) await writeFile(values.output, table);
  else process.stdout.write(table);
  const failing = runs.flatMap(
    (r) => gateFailures(r, failOn).map((q) => `${runLabel(r)}: ${q.id}`)
  );
  if (failing.length) process.stderr.write(`kaic: requirements not met: ${failing.join(", ")}
`);
  if (missing.length) {
    process.stderr.write(`kaic: no results for Kubernetes ${missing.join(", ")} (--expected)
`);
  }
  return failing.length || missing.length && failOn !== "none" ? 1 : 0;
}
export {
  AGGREGATE_USAGE,
  aggregateCommand
};
