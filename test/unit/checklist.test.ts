import { readFileSync } from 'node:fs';

import { expect } from 'chai';

import { CONFORMANCE_VERSIONS, requirementsFor } from '../../src/requirements/catalog.js';
import {
  asOfficial,
  fillChecklist,
  loadChecklist,
  parseChecklist,
  type ItemFill,
} from '../../src/requirements/checklist.js';
import { validateChecklist } from '../../src/requirements/checklist-validate.js';
import { officialChecklistPaths } from '../support/shared.js';

const officials = officialChecklistPaths().map(({ version, path }) => ({
  version,
  path,
  text: readFileSync(path, 'utf8'),
}));

describe('official checklists', function () {
  it('cover exactly the versions the catalog knows', function () {
    expect(officials.map((o) => o.version)).to.deep.equal([...CONFORMANCE_VERSIONS]);
  });

  for (const official of officials) {
    describe(`AIConformance-${official.version}.yaml`, function () {
      const checklist = parseChecklist(official.text, official.path);

      it('matches the catalog: ids, categories and levels, in order', function () {
        expect(checklist.version).to.equal(official.version);
        expect(
          checklist.items.map(({ id, category, level }) => ({ id, category, level })),
        ).to.deep.equal(requirementsFor(official.version as (typeof CONFORMANCE_VERSIONS)[number]));
      });

      it('fills, validates, and differs from the official text only in status/evidence/notes and metadata values', function () {
        const fills = new Map<string, ItemFill>();
        checklist.items.forEach((item, index) => {
          const status = (
            ['Implemented', 'Partially Implemented', 'Not Implemented', 'N/A'] as const
          )[index % 4];
          fills.set(item.id, {
            status: status ?? 'Implemented',
            evidence: [`https://example.test/results/${item.id}.json`, 'e2e.log: "quoted" \\ line'],
            notes: status === 'N/A' ? `not offered: ${item.id} # not a comment` : '',
          });
        });
        const filledText = fillChecklist(checklist, fills, {
          platformName: 'Example Platform: "GPU" edition',
          vendorName: 'Example Inc.',
        });
        const filled = parseChecklist(filledText, 'filled');
        // Nothing changed that the official file fixes (the CNCF rules on statuses, evidence and
        // metadata are tested below).
        const structural = validateChecklist(filled, { official: checklist }).filter(
          (p) => p.id !== null && /level|moved|description|missing \(it is|not in/.test(p.message),
        );
        expect(structural).to.deep.equal([]);
        for (const item of filled.items) {
          const fill = fills.get(item.id) as ItemFill;
          expect(item.status).to.equal(fill.status);
          expect(item.evidence).to.deep.equal(fill.evidence);
          expect(item.notes).to.equal(fill.notes);
        }
        expect(filled.metadata.platformName).to.equal('Example Platform: "GPU" edition');

        const before = official.text.split('\n');
        const after = filledText.split('\n');
        expect(after.length).to.equal(before.length);
        const changed = before
          .map((line, i) => ({ before: line, after: after[i] as string }))
          .filter((pair) => pair.before !== pair.after);
        for (const { before: b, after: a } of changed) {
          expect(b, `changed line: ${b}`).to.match(
            /^\s+(status|evidence|notes|platformName|vendorName):/,
          );
          // The key and any trailing comment survive.
          expect(a.split(':')[0]).to.equal(b.split(':')[0]);
          const comment = / # [A-Z].*$/.exec(b)?.[0];
          if (comment) expect(a.endsWith(comment), a).to.equal(true);
        }
        // status and evidence always change; notes only where one was given (N/A); 2 metadata.
        const withNotes = [...fills.values()].filter((f) => f.notes).length;
        expect(changed.length).to.equal(checklist.items.length * 2 + withNotes + 2);
      });
    });
  }
});

describe('checklist from a URL', function () {
  it('loads over HTTP and names the URL when the server refuses', async function () {
    const { createServer } = await import('node:http');
    const text = officials[3]?.text as string;
    const server = createServer((req, res) => {
      if (req.url === '/AIConformance-1.36.yaml') res.writeHead(200).end(text);
      else res.writeHead(404).end('no');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const checklist = await loadChecklist(`${base}/AIConformance-1.36.yaml`);
      expect(checklist.version).to.equal('1.36');
      expect(checklist.items).to.have.length(14);
      let message = '';
      await loadChecklist(`${base}/missing.yaml`).catch((e: Error) => (message = e.message));
      expect(message).to.equal(`could not fetch checklist ${base}/missing.yaml: HTTP 404`);
    } finally {
      server.close();
    }
  });
});

describe('checklist validation', function () {
  const official = parseChecklist(officials[2]?.text as string, 'official-1.35');

  function filledWith(edit: (text: string) => string, fill?: Partial<ItemFill>) {
    const fills = new Map<string, ItemFill>(
      official.items.map((i) => [
        i.id,
        { status: 'Implemented', evidence: [], notes: '', ...fill },
      ]),
    );
    return parseChecklist(edit(fillChecklist(official, fills)), 'filled');
  }

  it('reports a changed level, description, removed and added requirements', function () {
    const filled = filledWith((t) =>
      t
        .replace(/level: SHOULD/, 'level: MUST')
        .replace('Support Dynamic Resource Allocation (DRA) APIs', 'Support DRA')
        .replace('id: robust_controller', 'id: robust_operator'),
    );
    const messages = validateChecklist(filled, { official: official }).map(
      (p) => `${p.id}: ${p.message}`,
    );
    expect(messages).to.include('driver_runtime_management: level changed from SHOULD to MUST');
    expect(messages).to.include(
      'dra_support: description differs from the official text from character 10: official "Support Dynamic Resource Allocation (DRA) APIs to", file "Support DRA to enable more flexible and fine-grai"',
    );
    expect(messages).to.include(
      'robust_controller: missing (it is in the official checklist, category operator)',
    );
    expect(messages).to.include('robust_operator: not in the official checklist');
  });

  it('requires a status on every MUST, official statuses, and notes on N/A', function () {
    const itemProblems = (c: typeof official, o?: typeof official) =>
      validateChecklist(c, o ? { official: o } : {})
        .filter((p) => p.id !== null)
        .map((p) => p.message);
    const empty = parseChecklist(official.text, 'blank');
    const mustCount = official.items.filter((i) => i.level === 'MUST').length;
    expect(itemProblems(empty, official)).to.have.length(mustCount);
    const odd = filledWith((t) => t.replace('status: "Implemented"', 'status: "Done"'));
    expect(itemProblems(odd)).to.deep.equal([
      'status "Done" is not one of Implemented, Not Implemented, Partially Implemented, N/A',
    ]);
    // dra_support is a MUST: the CNCF check accepts only Implemented there.
    const na = filledWith((t) => t.replace('status: "Implemented"', 'status: "N/A"'));
    expect(itemProblems(na)).to.deep.equal([
      'MUST requirement is "N/A"; the CNCF check accepts only Implemented',
      'N/A without a justification in notes',
    ]);
  });

  it('refuses to fill N/A without notes, an unknown id, or an unknown metadata key', function () {
    expect(() =>
      fillChecklist(
        official,
        new Map([['dra_support', { status: 'N/A', evidence: [], notes: ' ' }]]),
      ),
    ).to.throw(/dra_support is N\/A without a justification/);
    expect(() =>
      fillChecklist(
        official,
        new Map([['nope', { status: 'Implemented', evidence: [], notes: '' }]]),
      ),
    ).to.throw(/has no requirement nope/);
    expect(() => fillChecklist(official, new Map(), { platfromName: 'x' })).to.throw(
      /metadata key "platfromName" is not in official-1.35; its keys: kubernetesVersion, platformName/,
    );
  });

  it('names the source and line of malformed YAML and missing structure', function () {
    expect(() => parseChecklist('metadata:\n  a: [1, 2\nspec: {}\n', 'bad.yaml')).to.throw(
      /^bad\.yaml:\d+: not valid YAML/,
    );
    expect(() => parseChecklist('metadata:\n  kubernetesVersion: v1.35\n', 'x.yaml')).to.throw(
      'x.yaml:1: missing the spec mapping',
    );
    // A content problem is listed, not thrown; an official checklist must have none.
    const may = parseChecklist(
      'metadata:\n  kubernetesVersion: v1.35\nspec:\n  a:\n    - id: x\n      level: MAY\n      status: ""\n      evidence: []\n      notes: ""\n',
      'y.yaml',
    );
    expect(may.problems).to.deep.equal([
      { id: 'x', line: 6, message: 'level "MAY" is not MUST or SHOULD' },
    ]);
    expect(() => asOfficial(may)).to.throw(
      'y.yaml is not a usable checklist: line 6: x: level "MAY" is not MUST or SHOULD',
    );
  });
});
