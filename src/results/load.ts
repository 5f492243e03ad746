/**
 * Reads a results.json back (`kaic checklist fill`, `kaic aggregate`, the action's aggregate mode).
 * The file may come from anywhere, a fork's workflow included, so it is untrusted input: capped in
 * size, validated against schema/run-result.schema.json, and its counts must agree with its
 * requirements. Every refusal names the file and the first problems found.
 */
import { stat, readFile } from 'node:fs/promises';

import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

import schema from '../../schema/run-result.schema.json' with { type: 'json' };
import { VERDICTS, type RunResult, type TestStatus, type Verdict } from './model.js';
import { InputError } from '../errors.js';

/** Far above a real run (a full run with 800 failures is under 2 MB); a larger file is refused unread. */
export const RESULTS_MAX_BYTES = 32 * 1024 * 1024;

/** Every official checklist has a few dozen; more is not a real run (and no table could show it). */
const MAX_REQUIREMENTS = 200;

export class ResultsFileError extends InputError {
  override name = 'ResultsFileError';
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
let validator: ReturnType<Ajv2020['compile']> | null = null;

function validate(data: unknown): ErrorObject[] {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(schema as object);
  }
  return validator(data) ? [] : (validator.errors ?? []);
}

function describeErrors(errors: ErrorObject[]): string {
  const shown = errors.slice(0, 5).map((e) => {
    const where = e.instancePath || '(top level)';
    const extra =
      e.keyword === 'additionalProperties'
        ? ` (${(e.params as { additionalProperty: string }).additionalProperty})`
        : e.keyword === 'enum'
          ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
    return `${where} ${e.message ?? 'is invalid'}${extra}`;
  });
  const more = errors.length > 5 ? `; and ${errors.length - 5} more` : '';
  return shown.join('; ') + more;
}

/** The counts a results.json must carry, recomputed from its requirements and tests. */
function countsOf(result: RunResult): RunResult['counts'] {
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  const tests: Record<TestStatus, number> = { passed: 0, failed: 0, skipped: 0 };
  for (const req of result.requirements) {
    verdicts[req.verdict]++;
    for (const t of req.tests) tests[t.status]++;
  }
  return { verdicts, tests };
}

/** Checks parsed JSON is a RunResult; `name` is how errors refer to it. */
export function checkRunResult(data: unknown, name: string): RunResult {
  if (
    typeof data !== 'object' ||
    data === null ||
    (data as { schemaVersion?: unknown }).schemaVersion !== 1
  ) {
    throw new ResultsFileError(`${name} is not a kaic results.json (schemaVersion 1)`);
  }
  const errors = validate(data);
  if (errors.length) {
    throw new ResultsFileError(
      `${name} does not match kaic's results schema (schema/run-result.schema.json): ${describeErrors(errors)}`,
    );
  }
  const result = data as RunResult;
  if (result.requirements.length > MAX_REQUIREMENTS) {
    throw new ResultsFileError(
      `${name} lists ${result.requirements.length} requirements; no checklist has more than ${MAX_REQUIREMENTS}`,
    );
  }
  const ids = new Set<string>();
  for (const req of result.requirements) {
    if (ids.has(req.id)) throw new ResultsFileError(`${name}: requirement ${req.id} appears twice`);
    ids.add(req.id);
    const stray = req.tests.find((t) => t.requirementId !== req.id);
    if (stray) {
      throw new ResultsFileError(
        `${name}: a test of requirement ${req.id} names requirement ${stray.requirementId}`,
      );
    }
  }
  const expected = countsOf(result);
  if (JSON.stringify(expected) !== JSON.stringify(result.counts)) {
    throw new ResultsFileError(
      `${name}: its counts ${JSON.stringify(result.counts)} do not match its requirements and tests ${JSON.stringify(expected)}`,
    );
  }
  return result;
}

export async function loadRunResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > RESULTS_MAX_BYTES) {
      throw new ResultsFileError(
        `results ${path} is ${info.size} bytes; kaic reads at most ${RESULTS_MAX_BYTES} (a real run's results.json is far smaller)`,
      );
    }
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof ResultsFileError) throw error;
    throw new ResultsFileError(`cannot read results ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ResultsFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  return checkRunResult(data, path);
}
