import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  ResultsFileError,
  loadRunResult
} from "./chunk-D2SJ7AHA.js";

// src/results/collect.ts
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import { join, resolve } from "node:path";
async function findBelow(dir, depth) {
  const found = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isFile() && e.name === "results.json") found.push(join(dir, e.name));
    else if (e.isDirectory() && depth > 0)
      found.push(...await findBelow(join(dir, e.name), depth - 1));
  }
  return found;
}
async function collectRunResults(paths, depth = 3) {
  const files = [];
  for (const p of paths) {
    const abs = resolve(p);
    if (!existsSync(abs)) throw new ResultsFileError(`results ${p}: no such file or directory`);
    if (statSync(abs).isDirectory()) {
      const below = await findBelow(abs, depth);
      if (!below.length) {
        throw new ResultsFileError(
          `results ${p}: no results.json in it (searched ${depth} levels down)`
        );
      }
      files.push(...below);
    } else files.push(abs);
  }
  const unique = [...new Set(files)];
  return Promise.all(unique.map(async (path) => ({ path, result: await loadRunResult(path) })));
}

export {
  collectRunResults
};
