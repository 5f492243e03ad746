/** kind-configs/ is generated from the version table and must not drift from it. */
import { existsSync, readFileSync } from 'node:fs';

import { expect } from 'chai';
import { parse } from 'yaml';

import { FAKE_GPU_NODE_LABEL } from '../../src/fakegpu/driver.js';
import { KIND_CONFIG_MINORS, kindConfigFile } from '../../src/providers/kind-config.js';
import { kubernetesRelease } from '../../src/versions/kubernetes.js';
import { isPinnedByDigest } from '../../src/versions/images.js';

describe('kind configs', function () {
  for (const minor of KIND_CONFIG_MINORS) {
    it(`kind-configs/${minor}.yaml matches the version table (npm run kind-configs regenerates it)`, function () {
      const path = `kind-configs/${minor}.yaml`;
      expect(existsSync(path), path).to.equal(true);
      expect(readFileSync(path, 'utf8')).to.equal(kindConfigFile(minor));
      const config = parse(readFileSync(path, 'utf8')) as {
        featureGates?: Record<string, boolean>;
        containerdConfigPatches: string[];
        nodes: Array<{ role: string; image: string; labels?: Record<string, string> }>;
      };
      const release = kubernetesRelease(minor);
      expect(config.featureGates ?? {}).to.deep.equal(release.featureGates);
      for (const node of config.nodes)
        expect(isPinnedByDigest(node.image), node.image).to.equal(true);
      expect(config.nodes.filter((n) => n.labels?.[FAKE_GPU_NODE_LABEL] === 'true')).to.have.length(
        2,
      );
      expect(config.containerdConfigPatches.join('\n')).to.include('enable_cdi = true');
    });
  }
});
