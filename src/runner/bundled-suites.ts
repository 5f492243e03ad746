/**
 * kaic's own conformance suites, one file per requirement id: dist/suites/<id>.js of this
 * installation (bundled), or suites/<id>.ts beside the sources when kaic runs from TypeScript.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { installationPath, RUNS_FROM_SOURCE } from '../util/installation.js';

/** The directory holding the suites of this installation, and their file extension. */
export function bundledSuitesDir(): { dir: string; extension: '.js' | '.ts' } {
  return RUNS_FROM_SOURCE
    ? { dir: installationPath('suites'), extension: '.ts' }
    : { dir: installationPath(join('dist', 'suites')), extension: '.js' };
}

/** Suite files for these requirement ids; ids without a suite of their own are returned apart. */
export function bundledSuiteFiles(ids: readonly string[]): { files: string[]; missing: string[] } {
  const { dir, extension } = bundledSuitesDir();
  const present = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith(extension))
      .map((f) => f.slice(0, -extension.length)),
  );
  return {
    files: ids.filter((id) => present.has(id)).map((id) => join(dir, `${id}${extension}`)),
    missing: ids.filter((id) => !present.has(id)),
  };
}
