/** `kaic fakegpu manifests`: the objects it prints and the input it refuses (no cluster needed). */
import { expect } from 'chai';
import { parseAllDocuments } from 'yaml';

import { nodeAffinity } from '../../src/fakegpu/manifests.js';
import { runKaicInProcess } from '../support/kaic-cli.js';

describe('kaic fakegpu manifests', function () {
  this.timeout(60_000);

  it('prints every object, passing the publish flags through to the publisher', async function () {
    const result = await runKaicInProcess([
      'fakegpu',
      'manifests',
      '--node-selector',
      'gpu=true',
      '--profile',
      'nvidia-a100-80gb',
      '--mig',
      'static',
      '--mig-profile',
      '3g.40gb',
    ]);
    expect(result.exitCode, result.all).to.equal(0);
    type Container = { args: string[]; image: string };
    type Doc = { kind: string; spec: { template: { spec: { containers: Container[] } } } };
    const docs = parseAllDocuments(result.stdout).map((d) => d.toJS() as Doc);
    expect(docs.map((d) => d.kind)).to.deep.equal([
      'Namespace',
      'ServiceAccount',
      'ClusterRole',
      'ClusterRoleBinding',
      'ConfigMap',
      'Deployment',
      'DaemonSet',
      'Deployment',
      'Service',
    ]);
    const publisher = docs[5]?.spec.template.spec.containers[0] as Container;
    expect(publisher.args).to.deep.equal([
      '--profile',
      'nvidia-a100-80gb',
      '--gpus-per-node',
      '8',
      '--node-selector',
      'gpu=true',
      '--mig',
      'static',
      '--mig-profile',
      '3g.40gb',
    ]);
    expect(publisher.image).to.match(/@sha256:[0-9a-f]{64}$/);
    expect(docs[7]?.spec.template.spec.containers[0]?.args).to.deep.equal([
      '--profile',
      'nvidia-a100-80gb',
      '--port',
      '9400',
    ]);
  });

  it('refuses what the publisher would refuse, before printing anything', async function () {
    const cases: Array<[string[], string]> = [
      [
        ['--node-selector', 'a=b', '--mig', 'static', '--mig-gpus', '9'],
        'MIG GPUs per node must be a whole number from 1 to',
      ],
      [
        ['--node-selector', 'a=b', '--profile', 'nvidia-l4', '--mig', 'partitionable'],
        'GPU profile nvidia-l4 has no MIG',
      ],
      [
        ['--node-selector', 'a=b', '--namespace', 'Bad_NS'],
        '--namespace "Bad_NS" is not a valid namespace name',
      ],
      [[], '--node-selector is required'],
      [
        ['--node-selector', 'a=b,zone in a'],
        'node selector "a=b,zone in a": cannot read "zone in a"',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runKaicInProcess(['fakegpu', 'manifests', ...args]);
      expect(result.exitCode, result.all).to.equal(2);
      expect(result.stderr).to.include(message);
      expect(result.stdout).to.equal('');
    }
  });

  it('places the kubelet plugin on exactly the nodes the publisher selects', function () {
    const expressions = (selector: string) =>
      (
        nodeAffinity(selector) as {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: Array<{ matchExpressions: object[] }>;
          };
        }
      ).requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]?.matchExpressions;
    expect(
      expressions('kaic.dev/fake-gpu=true, zone in (a, b),tier!=spot,!cordoned,gpu'),
    ).to.deep.equal([
      { key: 'kaic.dev/fake-gpu', operator: 'In', values: ['true'] },
      { key: 'zone', operator: 'In', values: ['a', 'b'] },
      { key: 'tier', operator: 'NotIn', values: ['spot'] },
      { key: 'cordoned', operator: 'DoesNotExist' },
      { key: 'gpu', operator: 'Exists' },
    ]);
    expect(expressions('a==b')).to.deep.equal([{ key: 'a', operator: 'In', values: ['b'] }]);
  });
});
