/**
 * The verdicts docs/platforms.md expects on a platform, read from its table: the page is the one
 * place they are written (with the reasons), and the platform tests hold kaic to it.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const VERDICTS = ['Implemented', 'Not Implemented', 'Partially Implemented', 'Unknown', 'N/A'];

/** `requirement id → expected verdict` from the table of the section whose heading has `title`. */
export function expectedVerdicts(
  title: string,
  page = resolve('docs/platforms.md'),
): Record<string, string> {
  const text = readFileSync(page, 'utf8');
  const sections = text.split(/^## /m);
  const section = sections.find((s) => s.split('\n')[0]?.includes(title));
  if (!section) throw new Error(`${page} has no section titled "${title}"`);
  const expected: Record<string, string> = {};
  for (const line of section.split('\n')) {
    const row = /^\| `([a-z_]+)` \([A-Z]+\)\s*\| ([^|]+?)\s*\|/.exec(line);
    if (!row) continue;
    const verdict = row[2] as string;
    if (!VERDICTS.includes(verdict)) {
      throw new Error(`${page}, "${title}": ${row[1]} expects "${verdict}", not a verdict`);
    }
    expected[row[1] as string] = verdict;
  }
  if (Object.keys(expected).length === 0) {
    throw new Error(`${page}, "${title}": no expected-verdict rows`);
  }
  return expected;
}
