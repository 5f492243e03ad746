/** What a run left behind, below one directory: processes naming it, and files in it. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

import { processCommandLine, processNamesPathUnder } from '../../src/util/processes.js';

/** Processes whose command line or environment names a path below `dir`. */
export async function processesBelow(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    // A path in the command line or in the environment (KUBECONFIG of a plugin without arguments).
    if (!(await processNamesPathUnder(Number(pid), dir))) continue;
    found.push(`${pid}: ${((await processCommandLine(Number(pid))) ?? '').slice(0, 160)}`);
  }
  return found;
}

/** Files and directories left below `dir` (empty directories are not counted). */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}
