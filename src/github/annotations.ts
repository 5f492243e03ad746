/**
 * Check-run annotations from run results: a failed check of a MUST requirement is a `failure`, of a
 * SHOULD requirement a `warning`; a requirement that could not be verified here is a `notice`.
 * Annotations must point at a file of the user's repository: the path the user mapped for the
 * requirement, else the workflow file at the line of kaic's step.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { RunResult } from '../results/model.js';
import {
  ANNOTATION_MESSAGE_MAX_BYTES,
  ANNOTATION_TITLE_MAX_UNITS,
  truncateBytes,
  truncateUnits,
} from '../report/limits.js';

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
  raw_details?: string;
}

export interface AnnotationLocation {
  path: string;
  line: number;
}

/** `path` or `path:line`. */
export function parseLocation(text: string): AnnotationLocation {
  const m = /^(.*?)(?::(\d+))?$/.exec(text.trim());
  const path = (m?.[1] ?? '').replace(/^\.\//, '');
  const line = m?.[2] ? Number(m[2]) : 1;
  return { path, line: line > 0 ? line : 1 };
}

/**
 * The workflow file and the line of the step that uses kaic (`uses: …kaic…` or `uses: ./`),
 * read from the checked-out workspace; line 1 when the file is not there.
 */
export function workflowLocation(
  workspace: string | null,
  workflowPath: string,
): AnnotationLocation {
  const file = workspace ? join(workspace, workflowPath) : null;
  if (file && existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) =>
      /^\s*(-\s*)?uses:\s*['"]?(\S*kaic\S*|\.\/?)['"]?\s*$/.test(l),
    );
    if (at >= 0) return { path: workflowPath, line: at + 1 };
  }
  return { path: workflowPath, line: 1 };
}

export interface AnnotationOptions {
  /** Where annotations without a mapped path go. */
  fallback: AnnotationLocation;
  /** Requirement id → where its annotations go. */
  paths?: ReadonlyMap<string, AnnotationLocation>;
  /** Prefix for titles when several runs are published together, e.g. "Kubernetes 1.35". */
  label?: string;
}

export function buildAnnotations(result: RunResult, options: AnnotationOptions): Annotation[] {
  const out: Annotation[] = [];
  const prefix = options.label ? `${options.label} · ` : '';
  for (const req of result.requirements) {
    const at = options.paths?.get(req.id) ?? options.fallback;
    const base = { path: at.path, start_line: at.line, end_line: at.line };
    for (const test of req.tests) {
      if (test.status !== 'failed') continue;
      out.push({
        ...base,
        annotation_level: req.level === 'MUST' ? 'failure' : 'warning',
        title: truncateUnits(
          `${prefix}${req.id} (${req.level}): ${test.title}`,
          ANNOTATION_TITLE_MAX_UNITS,
        ),
        message: truncateBytes(
          test.failure?.message || 'failed without a message',
          ANNOTATION_MESSAGE_MAX_BYTES,
        ),
        ...(test.failure?.stack
          ? { raw_details: truncateBytes(test.failure.stack, ANNOTATION_MESSAGE_MAX_BYTES) }
          : {}),
      });
    }
    if (req.verdict === 'Unknown') {
      out.push({
        ...base,
        annotation_level: 'notice',
        title: truncateUnits(
          `${prefix}${req.id} (${req.level}): not verified here`,
          ANNOTATION_TITLE_MAX_UNITS,
        ),
        message: truncateBytes(req.reason, ANNOTATION_MESSAGE_MAX_BYTES),
      });
    }
  }
  return out;
}
