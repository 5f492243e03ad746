/**
 * The components' own logs (control plane, real node, addons) live in working directories the
 * teardown removes; these copy them into the output directory first, and print their ends.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';

import type { LogSource } from '../providers/types.js';
import { makeDirectories } from '../util/safe-write.js';

/** Copies every *.log file below each source into `<dest>/<name>/…`; returns the copies. */
export async function collectComponentLogs(sources: LogSource[], dest: string): Promise<string[]> {
  const copied: string[] = [];
  for (const source of sources) {
    if (!existsSync(source.dir)) continue;
    const entries = await readdir(source.dir, { recursive: true, withFileTypes: true }).catch(
      () => [],
    );
    for (const entry of entries) {
      if (!entry.isFile() || !entry.name.endsWith('.log')) continue;
      const from = join(entry.parentPath, entry.name);
      const to = join(dest, source.name, relative(source.dir, from));
      await makeDirectories(dirname(to), 'log directory');
      await copyFile(from, to).then(
        () => copied.push(to),
        () => undefined,
      );
    }
  }
  return copied.sort();
}

/** The last `lines` lines of a file, each indented, under a heading naming it. */
export async function logTail(file: string, lines = 20, heading = file): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const tail = text.trimEnd().split('\n').slice(-lines);
  return `--- ${heading} (last ${tail.length} lines)\n${tail.map((l) => `  ${l}`).join('\n')}\n`;
}
