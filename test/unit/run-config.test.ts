/**
 * RunConfig: every bad input is refused by name with what is accepted, before anything is created;
 * flags, action inputs and KAIC_<NAME> feed one schema in that order of precedence.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { UsageError } from '../../src/errors.js';
import {
  RUN_OPTIONS,
  collectRunInputs,
  validateRunConfig,
  type RunConfig,
} from '../../src/config/run-config.js';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: https://127.0.0.1:6443}
users:
- name: u
  user: {token: t}
contexts:
- name: ctx
  context: {cluster: c, user: u}
current-context: ctx
`;

describe('RunConfig', function () {
  let dir = '';
  before(function () {
    dir = mkdtempSync(join(tmpdir(), 'kaic-run-config-'));
    writeFileSync(join(dir, 'kubeconfig'), KUBECONFIG);
    writeFileSync(join(dir, 'no-current'), KUBECONFIG.replace('current-context: ctx\n', ''));
    writeFileSync(join(dir, 'broken'), 'clusters: [unclosed');
    writeFileSync(join(dir, 'a-file'), 'not a directory');
  });
  after(function () {
    rmSync(dir, { recursive: true, force: true });
  });

  const fromArgs = (args: string[], env: NodeJS.ProcessEnv = {}): RunConfig =>
    validateRunConfig(collectRunInputs({ args: [...args], env }));

  it('takes --nodes 0: the real node alone', function () {
    const config = fromArgs(['--nodes', '0', '--output', join(dir, 'out')]);
    expect(config.nodes).to.equal(0);
    expect(config.realNode).to.equal('auto');
  });

  it('takes the defaults: kwok, the test minor, 2 nodes, 4 simulated H100s each', function () {
    const config = fromArgs(['--output', join(dir, 'out')]);
    expect(config).to.include({
      provider: 'kwok',
      kubernetesVersion: '1.35',
      nodes: 2,
      gpusPerNode: 4,
      gpuProfile: 'nvidia-h100-80gb',
      timeoutMs: 300_000,
    });
    expect(config.output).to.equal(join(dir, 'out'));
  });

  it('prefers a flag to an action input, an input to KAIC_<NAME>, that to the default', function () {
    const env = { KAIC_NODES: '5', KAIC_GPUS_PER_NODE: '6', KAIC_TIMEOUT: '60' };
    const inputs = (name: string) => ({ nodes: '4', 'gpus-per-node': '' })[name] ?? '';
    const raw = collectRunInputs({ args: ['--nodes', '3'], inputs, env });
    const config = validateRunConfig(raw);
    expect(config.nodes).to.equal(3);
    expect(config.gpusPerNode).to.equal(6); // the empty input does not count
    expect(config.timeoutMs).to.equal(60_000);
    expect(validateRunConfig(collectRunInputs({ inputs, env })).nodes).to.equal(4);
  });

  it('names an action input by its input name', function () {
    const inputs = (name: string) => (name === 'levels' ? 'MAY' : '');
    expect(() => validateRunConfig(collectRunInputs({ inputs }))).to.throw(
      UsageError,
      'input "levels" "MAY" is not accepted; use MUST, SHOULD',
    );
  });

  it('knows the kebab-case names the issue asks for, as flags and inputs', function () {
    const names = RUN_OPTIONS.map((o) => o.name);
    for (const name of [
      'provider',
      'kubernetes-version',
      'nodes',
      'gpus-per-node',
      'gpu-profile',
      'requirements',
      'levels',
      'kubeconfig',
      'context',
      'output',
      'checklist',
      'na-justifications',
    ]) {
      expect(names).to.include(name);
    }
  });

  it('plans every addon on kwok and none on an existing cluster; takes kubeconfig text', function () {
    expect(fromArgs(['--output', join(dir, 'out')]).addons).to.have.length(8);
    expect(fromArgs(['--output', join(dir, 'out'), '--addons', 'none']).addons).to.deep.equal([]);
    expect(
      fromArgs(['--output', join(dir, 'out'), '--addons', 'gateway, gang-scheduler']).addons,
    ).to.deep.equal(['gateway', 'gang-scheduler']);
    const existing = fromArgs(['--output', join(dir, 'out'), '--provider', 'existing'], {
      KAIC_KUBECONFIG: KUBECONFIG,
    });
    expect(existing.addons).to.deep.equal([]);
    expect(existing.kubeconfig).to.equal(KUBECONFIG);
    const named = fromArgs(
      ['--output', join(dir, 'out'), '--provider', 'existing', '--addons', 'ai-operator'],
      { KAIC_KUBECONFIG: KUBECONFIG },
    );
    expect(named.addons).to.deep.equal(['ai-operator']);
  });

  it('takes Volcano as the gang scheduler on every provider (beside kwok, from its chart elsewhere)', function () {
    for (const provider of ['kwok', 'kind']) {
      const config = fromArgs([
        '--output',
        join(dir, 'out'),
        '--provider',
        provider,
        '--gang-scheduler',
        'volcano',
      ]);
      expect(config.gangScheduler, provider).to.equal('volcano');
    }
  });

  it("leaves kaic's exporter out of every addon with another simulated-GPU driver", function () {
    const example = fromArgs([
      '--output',
      join(dir, 'out'),
      '--fake-gpu-driver',
      'dra-example-driver',
    ]);
    expect(example.fakeGpuDriver).to.equal('dra-example-driver');
    expect(example.gpuPartitions).to.equal(0);
    expect(
      fromArgs([
        '--output',
        join(dir, 'out'),
        '--fake-gpu-driver',
        'dra-example-driver',
        '--gpu-partitions',
        '2',
      ]).gpuPartitions,
    ).to.equal(2);
    expect(example.addons).to.have.length(7).and.not.include('gpu-metrics');
    expect(example.gangScheduler, 'the default gang scheduler').to.equal('kueue');
    expect(
      fromArgs(['--output', join(dir, 'out'), '--gang-scheduler', 'volcano']).gangScheduler,
    ).to.equal('volcano');
    expect(
      fromArgs([
        '--output',
        join(dir, 'out'),
        '--fake-gpu-driver',
        'dra-example-driver',
        '--addons',
        'all',
      ]).addons,
    ).to.not.include('gpu-metrics');
  });

  it('takes --verbose as a switch, and true/false from an input or KAIC_VERBOSE', function () {
    const out = ['--output', join(dir, 'out')];
    expect(fromArgs(out).verbose).to.equal(false);
    expect(fromArgs([...out, '--verbose']).verbose).to.equal(true);
    expect(fromArgs(out, { KAIC_VERBOSE: 'true' }).verbose).to.equal(true);
    expect(() => fromArgs(out, { KAIC_VERBOSE: 'loud' })).to.throw(
      UsageError,
      /KAIC_VERBOSE "loud" is not accepted; use true or false/,
    );
  });

  describe('refuses, naming the input and what is accepted', function () {
    const cases: Array<[string, () => string[], NodeJS.ProcessEnv | undefined, RegExp]> = [
      [
        'unknown provider',
        () => ['--provider', 'minikube'],
        undefined,
        /--provider "minikube" is not a provider; accepted: kwok, kind, existing/,
      ],
      [
        'unknown Kubernetes version',
        () => ['--kubernetes-version', '1.29'],
        undefined,
        /--kubernetes-version "1.29" is not supported; accepted: 1.33, 1.34, 1.35, 1.36, 1.37/,
      ],
      [
        'a version that is no version',
        () => ['--kubernetes-version', 'latest'],
        undefined,
        /--kubernetes-version "latest"/,
      ],
      [
        'more nodes than the limit',
        () => ['--nodes', '1001'],
        undefined,
        /--nodes must be a whole number from 0 to 1000, got "1001"/,
      ],
      [
        'zero nodes without the real node: a cluster of nothing',
        () => ['--nodes', '0', '--real-node', 'no'],
        undefined,
        /--nodes 0 with --real-node no leaves the cluster without a node/,
      ],
      ['fractional nodes', () => ['--nodes', '1.5'], undefined, /--nodes must be a whole number/],
      [
        'GPU count 0',
        () => ['--gpus-per-node', '0'],
        undefined,
        /--gpus-per-node must be a whole number from 1 to 64, got "0"/,
      ],
      [
        'GPU count above the limit',
        () => ['--gpus-per-node', '65'],
        undefined,
        /--gpus-per-node must be a whole number from 1 to 64/,
      ],
      [
        'unknown GPU profile',
        () => ['--gpu-profile', 'h100'],
        undefined,
        /--gpu-profile "h100" is not a GPU profile; accepted: nvidia-h100-80gb/,
      ],
      [
        'unknown level',
        () => ['--levels', 'MUST,MAY'],
        undefined,
        /--levels "MAY" is not accepted; use MUST, SHOULD/,
      ],
      [
        'a grep that is no regular expression',
        () => ['--grep', '(unclosed'],
        undefined,
        /--grep is not a regular expression/,
      ],
      [
        'timeout 0',
        () => ['--timeout', '0'],
        undefined,
        /--timeout must be a number of seconds above 0, got "0"/,
      ],
      [
        'a timeout that is no number',
        () => ['--timeout', 'soon'],
        undefined,
        /--timeout must be a number of seconds above 0/,
      ],
      [
        'a missing spec file',
        () => ['--spec', join(dir, 'absent.spec.js')],
        undefined,
        /--spec .*absent\.spec\.js: no such file/,
      ],
      [
        'a missing justifications file',
        () => ['--na-justifications', join(dir, 'na.yaml')],
        undefined,
        /--na-justifications .*na\.yaml: no such file/,
      ],
      [
        'a missing metadata file',
        () => ['--metadata', join(dir, 'meta.yaml')],
        undefined,
        /--metadata .*meta\.yaml: no such file/,
      ],
      [
        'a missing checklist file',
        () => ['--checklist', join(dir, 'checklist.yaml')],
        undefined,
        /--checklist .*checklist\.yaml: no such file/,
      ],
      [
        'an output below a file',
        () => ['--output', join(dir, 'a-file', 'out')],
        undefined,
        /--output .*a-file is a file, not a directory/,
      ],
      [
        'a missing kubeconfig',
        () => ['--provider', 'existing', '--kubeconfig', join(dir, 'absent')],
        undefined,
        /--kubeconfig .*absent: no such file/,
      ],
      [
        'a malformed kubeconfig',
        () => ['--provider', 'existing', '--kubeconfig', join(dir, 'broken')],
        undefined,
        /--kubeconfig .*broken is not a kubeconfig/,
      ],
      [
        'a context the kubeconfig lacks',
        () => [
          '--provider',
          'existing',
          '--kubeconfig',
          join(dir, 'kubeconfig'),
          '--context',
          'prod',
        ],
        undefined,
        /--context "prod" is not in .*kubeconfig; contexts: ctx/,
      ],
      [
        'a kubeconfig without a current context',
        () => ['--provider', 'existing', '--kubeconfig', join(dir, 'no-current')],
        undefined,
        /has no current context; name one with --context \(ctx\)/,
      ],
      [
        '--context without --kubeconfig',
        () => ['--context', 'ctx'],
        undefined,
        /--context needs --kubeconfig/,
      ],
      [
        '--kubeconfig with a provider that creates its cluster',
        () => ['--kubeconfig', join(dir, 'kubeconfig')],
        undefined,
        /--kubeconfig applies to --provider existing/,
      ],
      [
        'an unknown addon',
        () => ['--addons', 'prometheus,grafana'],
        undefined,
        /--addons "prometheus,grafana" is not an addon list; use all, none, or a comma list of fake-gpu, /,
      ],
      [
        'addons for an existing cluster',
        () => [
          '--provider',
          'existing',
          '--kubeconfig',
          join(dir, 'kubeconfig'),
          '--addons',
          'all',
        ],
        undefined,
        /--addons "all": on an existing cluster kaic installs only gang-scheduler, ai-operator \(from their charts, and only when named\), not fake-gpu, gpu-metrics, .*; install the others yourself/,
      ],
      [
        'a Kubernetes version for an existing cluster',
        () => [
          '--provider',
          'existing',
          '--kubeconfig',
          join(dir, 'kubeconfig'),
          '--kubernetes-version',
          '1.34',
        ],
        undefined,
        /--kubernetes-version applies to the clusters kaic creates; an existing cluster's version is read from its API server/,
      ],
      [
        'an unknown simulated-GPU driver',
        () => ['--fake-gpu-driver', 'nvidia'],
        undefined,
        /--fake-gpu-driver "nvidia" is not a simulated-GPU driver; accepted: kaic, dra-example-driver, fake-gpu-operator/,
      ],
      [
        'the example DRA driver without the real node',
        () => ['--fake-gpu-driver', 'dra-example-driver', '--real-node', 'no'],
        undefined,
        /--fake-gpu-driver "dra-example-driver" runs its node's programs on the real node, which --real-node no leaves out/,
      ],
      [
        'the example DRA driver on kind',
        () => ['--provider', 'kind', '--fake-gpu-driver', 'dra-example-driver'],
        undefined,
        /--fake-gpu-driver "dra-example-driver" runs on kwok's real node so far \(--provider kwok\); kaic cannot install it on kind yet/,
      ],
      [
        "kaic's exporter with another simulated-GPU driver",
        () => ['--fake-gpu-driver', 'dra-example-driver', '--addons', 'fake-gpu,gpu-metrics'],
        undefined,
        /--addons names gpu-metrics, which only knows kaic's own simulated GPUs, not --fake-gpu-driver "dra-example-driver"/,
      ],
      [
        "partitions for kaic's driver",
        () => ['--gpu-partitions', '2'],
        undefined,
        /--gpu-partitions applies to --fake-gpu-driver dra-example-driver; kaic's driver cuts MIG partitions as the minor offers them/,
      ],
      [
        'more partitions than the example driver is given',
        () => ['--fake-gpu-driver', 'dra-example-driver', '--gpu-partitions', '9'],
        undefined,
        /--gpu-partitions must be a whole number from 0 to 8, got "9"/,
      ],
      [
        "run:ai's fake GPU operator without the real node",
        () => ['--fake-gpu-driver', 'fake-gpu-operator', '--real-node', 'no'],
        undefined,
        /--fake-gpu-driver "fake-gpu-operator" runs its node's programs on the real node, which --real-node no leaves out/,
      ],
      [
        'a gang scheduler kaic does not install',
        () => ['--gang-scheduler', 'yunikorn'],
        undefined,
        /--gang-scheduler "yunikorn" is not a gang scheduler kaic installs; accepted: kueue, volcano/,
      ],
      [
        'a cluster name kind would refuse',
        () => ['--provider', 'kind', '--cluster-name', 'My_Cluster'],
        undefined,
        /--cluster-name "My_Cluster" is not a kind cluster name/,
      ],
      [
        'a cluster name for kwok',
        () => ['--cluster-name', 'mine'],
        undefined,
        /--cluster-name applies to --provider kind; --provider \(default\) is "kwok"/,
      ],
      [
        'reuse without a name',
        () => ['--provider', 'kind', '--reuse-cluster', 'yes'],
        undefined,
        /--reuse-cluster yes needs --cluster-name/,
      ],
      [
        'a reuse setting that is not one',
        () => ['--provider', 'kind', '--reuse-cluster', 'always'],
        undefined,
        /--reuse-cluster "always" is not accepted; use no, yes/,
      ],
      [
        'an image source that is not one',
        () => ['--provider', 'kind', '--images', 'mirror'],
        undefined,
        /--images "mirror" is not accepted; use registry, local/,
      ],
      [
        'local images for kwok',
        () => ['--images', 'local'],
        undefined,
        /--images local applies to --provider kind; --provider \(default\) is "kwok"/,
      ],
      [
        'a real-node setting that is not one',
        () => ['--real-node', 'maybe'],
        undefined,
        /--real-node "maybe" is not accepted; use auto, yes, no/,
      ],
      [
        'kubeconfig text that does not parse',
        () => ['--provider', 'existing', '--kubeconfig', 'clusters: [\n'],
        undefined,
        /--kubeconfig \(text\) is not a kubeconfig/,
      ],
      ['an unknown flag', () => ['--gpus', '4'], undefined, /Unknown option '--gpus'/],
      ['a positional argument', () => ['1.35'], undefined, /Unexpected argument '1.35'/],
      [
        'a bad value from the environment',
        () => [],
        { KAIC_NODES: 'many' },
        /KAIC_NODES must be a whole number from 0 to 1000, got "many"/,
      ],
    ];
    for (const [what, args, env, message] of cases) {
      it(what, function () {
        const given = args();
        const output = given.includes('--output') ? [] : ['--output', join(dir, 'out')];
        expect(() => fromArgs([...given, ...output], env)).to.throw(UsageError, message);
      });
    }
  });
});
