/**
 * The N/A justifications file: a YAML (or JSON) mapping of requirement id to the reason it does
 * not apply. It is the only source of N/A verdicts.
 */
import { readFile } from 'node:fs/promises';

import { parse } from 'yaml';
import { InputError } from '../errors.js';

export class JustificationError extends InputError {
  override name = 'JustificationError';
}

export function parseJustifications(
  text: string,
  source: string,
  knownIds: readonly string[],
): Map<string, string> {
  let data: unknown;
  try {
    data = parse(text);
  } catch (error) {
    throw new JustificationError(
      `${source}: not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (data === null || data === undefined) return new Map();
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new JustificationError(
      `${source}: expected a mapping of requirement id to justification`,
    );
  }
  const result = new Map<string, string>();
  for (const [id, reason] of Object.entries(data as Record<string, unknown>)) {
    if (!knownIds.includes(id)) {
      throw new JustificationError(
        `${source}: unknown requirement id "${id}"; known: ${knownIds.join(', ')}`,
      );
    }
    if (typeof reason !== 'string' || !reason.trim()) {
      throw new JustificationError(`${source}: requirement ${id} is N/A without a justification`);
    }
    result.set(id, reason.trim());
  }
  return result;
}

export async function loadJustifications(
  path: string,
  knownIds: readonly string[],
): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new JustificationError(
      `cannot read N/A justifications ${path}: ${(error as Error).message}`,
    );
  }
  return parseJustifications(text, path, knownIds);
}
