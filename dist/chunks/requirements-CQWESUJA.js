import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  loadOfficialChecklist
} from "./chunk-ATS4VT7U.js";
import "./chunk-3YTTDGIJ.js";
import {
  CONFORMANCE_VERSIONS,
  parseConformanceVersion,
  requirementTitle,
  requirementsFor
} from "./chunk-NKKDUV5A.js";
import {
  UsageError
} from "./chunk-WWHORE4U.js";

// src/cli/requirements.ts
import { parseArgs } from "node:util";
async function requirementsCommand(args) {
  const { values } = parseArgs({
    args,
    options: {
      version: { type: "string" },
      format: { type: "string", default: "table" },
      checklist: { type: "string" }
    },
    strict: true
  });
  if (values.format !== "table" && values.format !== "json") {
    throw new UsageError(`--format "${values.format}" is not accepted; use table or json`);
  }
  let version;
  let requirements;
  if (values.checklist) {
    const checklist = await loadOfficialChecklist(values.checklist);
    if (values.version && values.version.trim().replace(/^v/, "") !== checklist.version) {
      throw new UsageError(
        `--version ${values.version} contradicts --checklist ${values.checklist}, which is v${checklist.version}; give one of them`
      );
    }
    version = checklist.version;
    requirements = checklist.items.map(({ id, category, level }) => ({ id, category, level }));
  } else {
    if (!values.version) {
      throw new UsageError(
        `--version is required (one of ${CONFORMANCE_VERSIONS.join(", ")}) unless --checklist is given`
      );
    }
    try {
      version = parseConformanceVersion(values.version, "--version");
    } catch (error) {
      throw new UsageError(error.message);
    }
    requirements = requirementsFor(version);
  }
  if (values.format === "json") {
    process.stdout.write(`${JSON.stringify({ version, requirements }, null, 2)}
`);
    return 0;
  }
  const rows = requirements.map((r) => [r.id, r.level, r.category, requirementTitle(r.id)]);
  const header = ["ID", "LEVEL", "CATEGORY", "TITLE"];
  const widths = header.map(
    (h, i) => Math.max(h.length, ...rows.map((row) => row[i].length))
  );
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
  process.stdout.write(
    [
      `AI conformance v${version}: ${requirements.length} requirements`,
      line(header),
      ...rows.map(line)
    ].join("\n") + "\n"
  );
  return 0;
}
export {
  requirementsCommand
};
