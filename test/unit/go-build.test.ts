import { mkdtemp, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { definedFeatureGates, parseGoMod } from '../../src/binaries/build.js';
import { buildSourceTree, type SourceTreeRecipe } from '../../src/binaries/source-tree.js';

describe('Go build helpers', function () {
  it('reads go/godebug lines and the staging replacements of a k8s.io/kubernetes go.mod', function () {
    const facts = parseGoMod(
      [
        'module k8s.io/kubernetes',
        '',
        'go 1.25.0',
        '',
        'godebug default=go1.25',
        '',
        'require (',
        '\tk8s.io/api v0.0.0',
        '\tgithub.com/google/uuid v1.6.0',
        ')',
        '',
        'replace (',
        '\tk8s.io/api => ./staging/src/k8s.io/api',
        '\tk8s.io/cri-streaming => ./staging/src/k8s.io/cri-streaming',
        '\tgithub.com/example/x => github.com/example/x v1.0.0',
        ')',
      ].join('\n'),
    );
    expect(facts).to.deep.equal({
      go: '1.25.0',
      godebug: 'default=go1.25',
      stagingModules: ['k8s.io/api', 'k8s.io/cri-streaming'],
    });
  });

  it('refuses a go.mod without a go directive', function () {
    expect(() => parseGoMod('module x\n')).to.throw(/no go directive/);
  });

  describe('feature gates defined by a source tree', function () {
    let dir = '';
    before(async function () {
      dir = await mkdtemp(join(tmpdir(), 'kaic-gates-'));
      await mkdir(join(dir, 'features'));
      await writeFile(
        join(dir, 'features', 'kube_features.go'),
        [
          'const (',
          '\tGenericWorkload featuregate.Feature = "GenericWorkload"',
          '\t// comment',
          '\tDynamicResourceAllocation featuregate.Feature = "DynamicResourceAllocation"',
          ')',
        ].join('\n'),
      );
      await writeFile(
        join(dir, 'features', 'kube_features_test.go'),
        'TestOnly featuregate.Feature = "TestOnly"',
      );
    });
    after(async function () {
      await rm(dir, { recursive: true, force: true });
    });

    it('collects the gate names and ignores test files and missing directories', async function () {
      const gates = await definedFeatureGates([join(dir, 'features'), join(dir, 'absent')]);
      expect([...gates].sort()).to.deep.equal(['DynamicResourceAllocation', 'GenericWorkload']);
    });
  });
});

describe('builds from a source tree', function () {
  const recipe: SourceTreeRecipe = {
    component: 'tree-test',
    version: 'v1',
    module: 'example.com/wanted',
    outDir: (root) => join(root, 'bin', 'tree-test'),
    packages: ['./cmd/x'],
    binaries: ['x'],
    verify: [],
  };
  let dir = '';
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-tree-'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });
  const build = (source: string) =>
    buildSourceTree(recipe, source, 'KAIC_TREE', () => undefined, join(dir, 'cache'));

  it('names the setting when the source is missing, not an archive, or another module', async function () {
    await expectRejection(build(join(dir, 'absent')), /^KAIC_TREE=.*absent: no such file/);
    await writeFile(join(dir, 'plain.tar.gz'), 'not gzip');
    await expectRejection(build(join(dir, 'plain.tar.gz')), /not a \.tar\.gz archive/);
    await mkdir(join(dir, 'src', 'project-1.0'), { recursive: true });
    await writeFile(
      join(dir, 'src', 'project-1.0', 'go.mod'),
      'module example.com/other\n\ngo 1.22\n',
    );
    await expectRejection(
      build(join(dir, 'src')),
      /^KAIC_TREE=.*src: its go\.mod declares example\.com\/other, not example\.com\/wanted$/,
    );
    await rm(join(dir, 'src', 'project-1.0', 'go.mod'));
    await expectRejection(build(join(dir, 'src')), /no go\.mod at its top or one directory down/);
    // Nothing was written into the source, and no scratch copy is left in the cache.
    expect(await readdir(join(dir, 'cache', 'bin'))).to.deep.equal([]);
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  const error = await promise.then(
    () => null,
    (e: Error) => e,
  );
  expect(error?.message, 'an error').to.match(pattern);
}
