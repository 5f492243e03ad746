/**
 * What a test attaches to itself for the results: evidence records, the reason for a skip, and
 * whether it is a supporting check (one that does not decide the verdict).
 * Suites write through these helpers (re-exported in suites/lib); the runner reads them back.
 */
import type { Context, Runnable } from 'mocha';

import type { EvidenceRecord } from '../results/model.js';

interface Annotated {
  kaicEvidence?: EvidenceRecord[];
  kaicSkipReason?: string;
  kaicSupporting?: boolean;
  kaicOptional?: boolean;
}

function currentTest(ctx: Context): (Runnable & Annotated) | undefined {
  return (ctx.currentTest ?? ctx.test) as (Runnable & Annotated) | undefined;
}

/** Records something the test created or observed. */
export function recordEvidence(
  ctx: Context,
  kind: EvidenceRecord['kind'],
  summary: string,
  detail?: unknown,
): void {
  const test = currentTest(ctx);
  if (!test) throw new Error('recordEvidence called outside a test or hook');
  (test.kaicEvidence ??= []).push({
    kind,
    summary,
    ...(detail === undefined ? {} : { detail }),
    at: new Date().toISOString(),
  });
}

/** Skips the test and says why; a skip is reported as Unknown, never as a pass. */
export function skipBecause(ctx: Context, reason: string): never {
  const test = currentTest(ctx);
  if (test) test.kaicSkipReason = reason;
  ctx.skip();
}

export function evidenceOf(test: Runnable): EvidenceRecord[] {
  return [...((test as Runnable & Annotated).kaicEvidence ?? [])];
}

export function skipReasonOf(test: Runnable): string | null {
  return (test as Runnable & Annotated).kaicSkipReason ?? null;
}

/**
 * Marks a test as a supporting check: run and recorded, but not one of the checks the
 * requirement's KAR defines, so it never decides the verdict. Wraps the test where it is declared:
 * `supporting(it('…', async function () { … }))`.
 */
export function supporting<T extends Runnable>(test: T): T {
  (test as T & Annotated).kaicSupporting = true;
  return test;
}

export function isSupporting(test: Runnable): boolean {
  return (test as Runnable & Annotated).kaicSupporting === true;
}

/**
 * Marks a defining check as optional: when it runs, it decides like any other; when it cannot run
 * here (a setup the platform need not have, such as a second device), the others decide and the
 * reason is noted. `optional(it('…', async function () { … }))`.
 */
export function optional<T extends Runnable>(test: T): T {
  (test as T & Annotated).kaicOptional = true;
  return test;
}

export function isOptional(test: Runnable): boolean {
  return (test as Runnable & Annotated).kaicOptional === true;
}
