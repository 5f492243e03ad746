/**
 * docs/requirements.md must say what the catalog says: one section per requirement with its title,
 * its level in every conformance version, and a suite file that exists.
 */
import { existsSync, readFileSync } from 'node:fs';

import { expect } from 'chai';

import {
  CONFORMANCE_VERSIONS,
  REQUIREMENT_TITLES,
  requirementsFor,
} from '../../src/requirements/catalog.js';

const DOC = 'docs/requirements.md';

interface Section {
  id: string;
  title: string;
  body: string;
}

function sections(text: string): Section[] {
  return text
    .split(/^## /m)
    .slice(1)
    .map((chunk) => {
      const [heading = '', ...rest] = chunk.split('\n');
      const match = /^`([a-z_]+)` — (.+)$/.exec(heading.trim());
      if (!match) throw new Error(`${DOC}: heading "## ${heading}" is not "## \`id\` — Title"`);
      return { id: match[1]!, title: match[2]!, body: rest.join('\n') };
    });
}

/** The catalog's level of `id` in each version; absent versions have none. */
function catalogLevels(id: string): Record<string, string> {
  const levels: Record<string, string> = {};
  for (const version of CONFORMANCE_VERSIONS) {
    const req = requirementsFor(version).find((r) => r.id === id);
    if (req) levels[version] = req.level;
  }
  return levels;
}

/** The levels a section states: "MUST in every version", or "1.33 SHOULD · 1.36 — …". */
function documentedLevels(section: Section): Record<string, string> {
  const line = /^Levels: (.+)$/m.exec(section.body)?.[1];
  if (!line) throw new Error(`${DOC}: section ${section.id} has no "Levels:" line`);
  if (/^MUST in every version/.test(line)) {
    return Object.fromEntries(CONFORMANCE_VERSIONS.map((v) => [v, 'MUST']));
  }
  const levels: Record<string, string> = {};
  for (const [, version, level] of line.matchAll(/(\d+\.\d+) (MUST|SHOULD|—)/g)) {
    if (level !== '—') levels[version!] = level!;
  }
  return levels;
}

describe('docs/requirements.md against the catalog', function () {
  const doc = sections(readFileSync(DOC, 'utf8'));
  const catalogIds = [
    ...new Set(CONFORMANCE_VERSIONS.flatMap((v) => requirementsFor(v).map((r) => r.id))),
  ].sort();

  it('has exactly one section per requirement of any conformance version', function () {
    expect(doc.map((s) => s.id).sort()).to.deep.equal(catalogIds);
  });

  for (const id of catalogIds) {
    it(`${id}: title, levels per version and suite file agree`, function () {
      const section = doc.find((s) => s.id === id);
      expect(section, `a section for ${id}`).to.not.equal(undefined);
      expect(section!.title).to.equal(REQUIREMENT_TITLES[id] ?? id);
      expect(documentedLevels(section!), `levels of ${id}`).to.deep.equal(catalogLevels(id));
      const suite = `suites/${id}.ts`;
      expect(section!.body, `${id} names its suite`).to.contain(`\`${suite}\``);
      expect(existsSync(suite), `${suite} exists`).to.equal(true);
      for (const heading of ['**Tested:**', '**Needs:**', '**Unknown when:**', '**N/A:**']) {
        expect(section!.body, `${id}: ${heading}`).to.contain(heading);
      }
    });
  }
});
