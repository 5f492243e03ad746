/** What a run left behind, below one directory: processes naming it, and files in it. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Processes whose command line names a path below `dir`. */
export async function processesBelow(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''))
      .split('\0')
      .join(' ');
    if (cmdline.includes(`${dir}/`)) found.push(`${pid}: ${cmdline.slice(0, 160)}`);
  }
  return found;
}

/** Files and directories left below `dir` (empty directories are not counted). */
export async function filesBelow(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => join(e.parentPath, e.name));
}
