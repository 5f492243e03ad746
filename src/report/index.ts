/** Writes every report of a run into one directory; all are rendered before any file is written. */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { fillChecklist, type Checklist } from '../requirements/checklist.js';
import type { RunResult } from '../results/model.js';
import {
  evidenceDocuments,
  EVIDENCE_DIR,
  fillsFromResults,
  type FillOptions,
} from './checklist-fill.js';
import { renderE2eLog } from './e2e-log.js';
import { renderJUnit } from './junit.js';
import { renderSummary } from './summary-md.js';

export interface ReportPaths {
  resultsJson: string;
  junitXml: string;
  e2eLog: string;
  summaryMd: string;
  checklist: string | null;
}

export async function writeReports(
  result: RunResult,
  outDir: string,
  options: { checklist?: Checklist; metadata?: Record<string, string> } & FillOptions = {},
): Promise<ReportPaths> {
  const files: Array<[string, string]> = [
    ['results.json', `${JSON.stringify(result, null, 2)}\n`],
    ['junit.xml', renderJUnit(result)],
    ['e2e.log', renderE2eLog(result)],
    ['summary.md', renderSummary(result)],
  ];
  let checklistName: string | null = null;
  if (options.checklist) {
    checklistName = `AIConformance-${options.checklist.version}-filled.yaml`;
    const fills = fillsFromResults(result, options);
    for (const id of [...fills.keys()]) {
      if (!options.checklist.items.some((i) => i.id === id)) fills.delete(id);
    }
    // The evidence documents the filled checklist points at, beside it, before it.
    for (const [path, doc] of evidenceDocuments(result, fills)) files.push([path, doc]);
    files.push([checklistName, fillChecklist(options.checklist, fills, options.metadata)]);
  }
  await mkdir(outDir, { recursive: true });
  if (files.some(([name]) => name.startsWith(`${EVIDENCE_DIR}/`))) {
    await mkdir(join(outDir, EVIDENCE_DIR), { recursive: true });
  }
  // Each file appears whole or not at all.
  for (const [name, text] of files) {
    const tmp = join(
      outDir,
      name.replace(/[^/]+$/, (base) => `.${base}.tmp`),
    );
    await writeFile(tmp, text);
    await rename(tmp, join(outDir, name));
  }
  return {
    resultsJson: join(outDir, 'results.json'),
    junitXml: join(outDir, 'junit.xml'),
    e2eLog: join(outDir, 'e2e.log'),
    summaryMd: join(outDir, 'summary.md'),
    checklist: checklistName ? join(outDir, checklistName) : null,
  };
}
