import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { definedFeatureGates, parseGoMod } from '../../src/binaries/build.js';

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
