/**
 * Writes every report of a run into one directory; all are rendered before any file is written,
 * results.json first. When the directory cannot take them (removed and not makeable, full,
 * read-only), they go to a fallback directory under the system temp dir instead, and the paths
 * say so: what was measured is never lost to the place it was meant to go.
 */
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { fallbackDirectory, makeDirectories } from '../util/safe-write.js';

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
  /** Where the reports are: the directory asked for, or the fallback. */
  dir: string;
  resultsJson: string;
  junitXml: string;
  e2eLog: string;
  summaryMd: string;
  checklist: string | null;
  /** Set when the directory asked for could not take them: it, and why. */
  fallback?: { wanted: string; reason: string };
}

/** Each file whole or not at all: written beside its name, then renamed over it. */
async function writeAll(dir: string, files: Array<[string, string]>): Promise<void> {
  await makeDirectories(dir, 'report directory');
  if (files.some(([name]) => name.startsWith(`${EVIDENCE_DIR}/`))) {
    await makeDirectories(join(dir, EVIDENCE_DIR), 'report directory');
  }
  for (const [name, text] of files) {
    const tmp = join(
      dir,
      name.replace(/[^/]+$/, (base) => `.${base}.tmp`),
    );
    try {
      await writeFile(tmp, text);
      await rename(tmp, join(dir, name));
    } catch (error) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw error;
    }
  }
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
  let dir = outDir;
  let fallback: ReportPaths['fallback'];
  try {
    await writeAll(outDir, files);
  } catch (error) {
    dir = await fallbackDirectory();
    fallback = { wanted: outDir, reason: (error as Error).message };
    await writeAll(dir, files);
  }
  return {
    dir,
    resultsJson: join(dir, 'results.json'),
    junitXml: join(dir, 'junit.xml'),
    e2eLog: join(dir, 'e2e.log'),
    summaryMd: join(dir, 'summary.md'),
    checklist: checklistName ? join(dir, checklistName) : null,
    ...(fallback ? { fallback } : {}),
  };
}
