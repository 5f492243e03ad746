/** Finds and loads the results.json files of several runs (matrix jobs' artifacts). */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { loadRunResult, ResultsFileError } from './load.js';
import type { RunResult } from './model.js';

async function findBelow(dir: string, depth: number): Promise<string[]> {
  const found: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isFile() && e.name === 'results.json') found.push(join(dir, e.name));
    else if (e.isDirectory() && depth > 0)
      found.push(...(await findBelow(join(dir, e.name), depth - 1)));
  }
  return found;
}

/** Each path is a results.json file or a directory searched `depth` levels down. */
export async function collectRunResults(
  paths: readonly string[],
  depth = 3,
): Promise<Array<{ path: string; result: RunResult }>> {
  const files: string[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new ResultsFileError(`results ${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) {
      const below = await findBelow(abs, depth);
      if (!below.length) {
        throw new ResultsFileError(
          `results ${p}: no results.json in it (searched ${depth} levels down)`,
        );
      }
      files.push(...below);
    } else files.push(abs);
  }
  const unique = [...new Set(files)];
  return Promise.all(unique.map(async (path) => ({ path, result: await loadRunResult(path) })));
}
