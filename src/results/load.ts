/** Reads a results.json back (for `kaic checklist fill`), refusing anything that is not one. */
import { readFile } from 'node:fs/promises';

import { VERDICTS, type RunResult } from './model.js';

export class ResultsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsFileError';
  }
}

export async function loadRunResult(path: string): Promise<RunResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ResultsFileError(`cannot read results ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ResultsFileError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  const result = data as Partial<RunResult>;
  if (typeof data !== 'object' || data === null || result.schemaVersion !== 1) {
    throw new ResultsFileError(`${path} is not a kaic results.json (schemaVersion 1)`);
  }
  if (typeof result.conformanceVersion !== 'string' || !Array.isArray(result.requirements)) {
    throw new ResultsFileError(`${path} lacks conformanceVersion or requirements`);
  }
  for (const req of result.requirements) {
    if (typeof req?.id !== 'string' || !(VERDICTS as readonly string[]).includes(req.verdict)) {
      throw new ResultsFileError(
        `${path}: requirement entry ${JSON.stringify(req?.id)} has no valid verdict`,
      );
    }
  }
  return result as RunResult;
}
