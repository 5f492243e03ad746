/**
 * The shape of src/ (docs/ARCHITECTURE.md): the command line sits on top, nothing below it
 * imports it, and no two folders import each other, directly or round about. Read from the
 * import statements of the sources themselves.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';

import { expect } from 'chai';

const SRC = 'src';

/** Every .ts file under src/, relative to it. */
function sources(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [relative(SRC, join(dir, e.name))]
        : [],
  );
}

/** The files under src/ a file imports (relative specifiers only). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)[^;]*?from\s+'(\.[^']+)'/gms)].map(
    (m) => m[1]!,
  );
  return specifiers
    .map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, '.ts'))
    .filter((t) => !t.startsWith('..'));
}

/** A file's node in the folder graph: its top folder, or the file itself at src/'s top. */
const nodeOf = (file: string) => (file.includes('/') ? file.split('/')[0]! : file);

describe('architecture of src/', function () {
  const files = sources();
  const edges = new Map<string, Map<string, string>>();
  for (const file of files) {
    for (const target of importsOf(file)) {
      const [a, b] = [nodeOf(file), nodeOf(target)];
      if (a === b) continue;
      if (!edges.has(a)) edges.set(a, new Map());
      edges.get(a)!.set(b, `${file} -> ${target}`);
    }
  }

  it('reads the imports (the scan finds the pipeline using the providers)', function () {
    expect(files.length).to.be.greaterThan(50);
    expect(edges.get('pipeline')?.has('providers')).to.equal(true);
  });

  it('nothing below the command line imports src/cli', function () {
    const offenders = files.filter(
      (f) => nodeOf(f) !== 'cli' && importsOf(f).some((t) => nodeOf(t) === 'cli'),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('no two folders import each other, directly or through others', function () {
    // Depth-first search for a path back to the start, per folder.
    const cycles: string[] = [];
    for (const start of edges.keys()) {
      const path: string[] = [];
      const seen = new Set<string>();
      const visit = (node: string): boolean => {
        for (const [next, example] of edges.get(node) ?? []) {
          path.push(example);
          if (next === start) return true;
          if (!seen.has(next)) {
            seen.add(next);
            if (visit(next)) return true;
          }
          path.pop();
        }
        return false;
      };
      if (visit(start)) cycles.push(`${start}: ${path.join(', ')}`);
    }
    expect(cycles).to.deep.equal([]);
  });

  it('only src/providers/ tells the providers apart (src/config/ checks the flags of each)', function () {
    const asks =
      /instanceof (Kwok|Kind|Existing)Provider|provider\s*[!=]==\s*'(kwok|kind|existing)'/;
    const offenders = files.filter(
      (f) =>
        !['providers', 'config'].includes(nodeOf(f)) &&
        asks.test(readFileSync(join(SRC, f), 'utf8')),
    );
    expect(offenders).to.deep.equal([]);
  });

  it('the run orchestrates its phases in under 100 lines', function () {
    const lines = readFileSync(join(SRC, 'pipeline/run.ts'), 'utf8').split('\n').length;
    expect(lines).to.be.below(100);
  });

  it('every addon has one folder, named by its id, and one line in the registry', async function () {
    const { ADDON_REGISTRY } = await import('../../src/addons/registry.js');
    const folders = readdirSync(join(SRC, 'addons'), { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
    expect(ADDON_REGISTRY.map((a) => a.spec.id).sort()).to.deep.equal(folders);
    const registry = readFileSync(join(SRC, 'addons', 'registry.ts'), 'utf8');
    for (const id of folders) expect(registry).to.include(`from './${id}/index.js'`);
    // Nothing outside an addon's folder names its files: the registry is the way in.
    const reachIn = files.filter(
      (f) =>
        !f.startsWith('addons/') &&
        importsOf(f).some((t) => /^addons\/[^/]+\/(?!index\.ts$|pin\.ts$)/.test(t)),
    );
    expect(reachIn).to.deep.equal([]);
  });
});
