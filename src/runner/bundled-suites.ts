/**
 * kaic's own conformance suites, one file per requirement id: dist/suites/<id>.js of this
 * installation (bundled), or suites/<id>.ts beside the sources when kaic runs from TypeScript.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory holding the suites of this installation, and their file extension. */
export function bundledSuitesDir(): { dir: string; extension: '.js' | '.ts' } {
  const here = fileURLToPath(import.meta.url);
  const fromSource = here.endsWith('.ts');
  let dir = dirname(here);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) {
      const suites = fromSource ? join(dir, 'suites') : join(dir, 'dist', 'suites');
      if (existsSync(suites)) return { dir: suites, extension: fromSource ? '.ts' : '.js' };
    }
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`kaic's suites were not found above ${here}; run "npm run build"`);
    }
    dir = parent;
  }
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
