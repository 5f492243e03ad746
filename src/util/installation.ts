/** Files of the kaic installation this code runs from: a checkout (TypeScript) or the bundle. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(import.meta.url);

/** Whether kaic runs from its TypeScript sources (tsx) rather than from dist/. */
export const RUNS_FROM_SOURCE = HERE.endsWith('.ts');

/**
 * The nearest directory above this module with a package.json and `relative` in it, joined with
 * `relative`; the error names what is missing and the fix.
 */
export function installationPath(relative: string): string {
  let dir = dirname(HERE);
  for (;;) {
    const candidate = join(dir, relative);
    if (existsSync(join(dir, 'package.json')) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found above ${HERE}; run "npm run build"`);
    dir = parent;
  }
}
