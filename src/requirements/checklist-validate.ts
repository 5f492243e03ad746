/**
 * Validates a filled checklist (a vendor's PRODUCT.yaml) the way the CNCF k8s-ai-conformance
 * repository's PR check does, plus what kaic knows beyond it. Every problem is listed, one each.
 * The rules, and those of the CNCF check kaic deliberately does not apply, are in
 * docs/requirements.md ("Validating a filled checklist").
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';

import { isHttpUrl } from '../util/url.js';
import { isConformanceVersion, requirementsFor, type Requirement } from './catalog.js';
import {
  CHECKLIST_STATUSES,
  OPTIONAL_METADATA,
  REQUIRED_METADATA,
  printable,
  type Checklist,
  type ChecklistProblem,
} from './checklist.js';

/** The k8s-conformance submission a product must point at (the CNCF check's pattern). */
const K8S_CONFORMANCE_URL =
  /^https:\/\/github\.com\/cncf\/k8s-conformance\/tree\/(master|main)\/v\d+\.\d+\/[^/]+\/?$/;

const snakeCase = (name: string) =>
  name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();

/** Collapses whitespace: a folded or re-wrapped description with the same words is the same text. */
const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Where two texts first differ, as a short quote of each. */
function firstDifference(official: string, got: string): string {
  const a = normalise(official);
  const b = normalise(got);
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const quote = (s: string) => `"${printable(s.slice(Math.max(0, i - 20), i + 40), 70)}"`;
  return `from character ${i + 1}: official ${quote(a)}, file ${quote(b)}`;
}

export interface ValidateOptions {
  /** The official checklist to compare with; else kaic's catalog for the file's version. */
  official?: Checklist;
  /** The filled file on disk: evidence files are looked up beside it, its path's vX.Y is checked. */
  productPath?: string;
}

export function validateChecklist(
  filled: Checklist,
  options: ValidateOptions = {},
): ChecklistProblem[] {
  const problems: ChecklistProblem[] = [...filled.problems];
  const add = (id: string | null, message: string, line: number | null = null) =>
    problems.push({ id, line, message });
  const { official, productPath } = options;

  // Metadata, as the CNCF check reads it.
  for (const field of [...REQUIRED_METADATA, ...OPTIONAL_METADATA]) {
    const key = field in filled.metadata ? field : snakeCase(field);
    const value = filled.metadata[key];
    const required = (REQUIRED_METADATA as readonly string[]).includes(field);
    if (value === undefined || value === '') {
      if (required) add(null, `metadata.${field} is ${value === undefined ? 'missing' : 'empty'}`);
      continue;
    }
    if (value.startsWith('[') && value.endsWith(']')) {
      add(null, `metadata.${field} is still the template's placeholder ${printable(value)}`);
    } else if (field === 'k8sConformanceUrl' && !K8S_CONFORMANCE_URL.test(value)) {
      add(
        null,
        `metadata.k8sConformanceUrl ${printable(value)} is not a k8s-conformance submission (https://github.com/cncf/k8s-conformance/tree/main/v1.35/<product>)`,
      );
    } else if (/Url$/.test(field) && !isHttpUrl(value)) {
      add(null, `metadata.${field} ${printable(value)} is not an http(s) URL`);
    }
  }

  // The version: of the file, of the path it sits under (the CNCF check reads the path), of the
  // official checklist.
  const pathVersion = productPath
    ? /(?:^|[\\/])v(\d+\.\d+)[\\/]/.exec(productPath)?.[1]
    : undefined;
  if (pathVersion && filled.version && pathVersion !== filled.version) {
    add(null, `kubernetesVersion is v${filled.version} but the file sits under v${pathVersion}/`);
  }

  // The requirements to check against.
  let reference: Array<Requirement & { description?: string }> | null = null;
  let referenceName = '';
  if (official) {
    if (official.version && filled.version && official.version !== filled.version) {
      add(
        null,
        `kubernetesVersion is v${filled.version}, the official checklist is v${official.version}`,
      );
    }
    reference = official.items.map((i) => ({
      id: i.id,
      category: i.category,
      level: i.level as Requirement['level'],
      description: i.description,
    }));
    referenceName = 'the official checklist';
  } else if (filled.version) {
    if (isConformanceVersion(filled.version)) {
      reference = requirementsFor(filled.version);
      referenceName = `kaic's catalog of v${filled.version}`;
    } else {
      add(
        null,
        `v${filled.version} is not a conformance version kaic knows (1.33–1.36); give its official checklist with --checklist`,
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
      if (
        want.description !== undefined &&
        normalise(got.description) !== normalise(want.description)
      ) {
        add(
          want.id,
          `description differs from the official text ${firstDifference(want.description, got.description)}`,
          got.line,
        );
      }
    }
    for (const got of filled.items) {
      if (!reference.some((r) => r.id === got.id)) {
        add(got.id, `not in ${referenceName}`, got.line);
      }
    }
  }

  // Statuses and evidence, as the CNCF check reads them (levels from the reference when there is one).
  const productDir = productPath ? dirname(productPath) : null;
  for (const item of filled.items) {
    const level = reference?.find((r) => r.id === item.id)?.level ?? item.level;
    // The CNCF check skips a SHOULD left empty (no status, no evidence).
    if (level === 'SHOULD' && !item.status && item.evidence.length === 0) continue;
    if (!item.status) {
      add(
        item.id,
        level === 'MUST'
          ? 'MUST requirement has no status'
          : 'status is empty but evidence is given (leave both empty, or give a status)',
        item.line,
      );
    } else if (!(CHECKLIST_STATUSES as readonly string[]).includes(item.status)) {
      add(
        item.id,
        `status "${printable(item.status)}" is not one of ${CHECKLIST_STATUSES.join(', ')}`,
        item.line,
      );
    } else if (level === 'MUST' && item.status !== 'Implemented') {
      add(
        item.id,
        `MUST requirement is "${item.status}"; the CNCF check accepts only Implemented`,
        item.line,
      );
    }
    if (item.status === 'N/A' && !item.notes.trim()) {
      add(item.id, 'N/A without a justification in notes', item.line);
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
          item.line,
        );
        continue;
      }
      const file = isAbsolute(entry) ? entry : join(productDir, entry);
      let found: boolean;
      try {
        found = existsSync(file) && statSync(file).isFile();
      } catch {
        found = false;
      }
      if (!found) {
        add(
          item.id,
          `evidence ${printable(entry)} is neither an http(s) URL nor a file beside the checklist (${printable(file)})`,
          item.line,
        );
      }
    }
  }
  // Problems in file order; those without a line first.
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
    .map(({ p }) => p);
}
