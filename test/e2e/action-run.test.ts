/**
 * The action's run mode end to end, as the GitHub runner runs it (dist/main.js then dist/post.js,
 * INPUT_* / GITHUB_* / file commands), against a local GitHub API that checks every request
 * against GitHub's OpenAPI description: a kwok cluster with simulated GPUs, one requirement, the
 * results published; then a cancel (SIGINT, as the runner sends it) and a hard kill, each
 * followed by the post step, leaving nothing behind.
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { parse as parseYaml, stringify } from 'yaml';

import { KwokProvider } from '../../src/providers/kwok.js';
import { hostTraces } from '../../src/providers/real-node/host.js';
import type { RunResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import {
  removeRunnerDirs,
  runAction,
  startAction,
  type ActionRunOptions,
} from '../support/action-runner.js';
import { GitHubApiServer } from '../support/github-api.js';
import { filesBelow, processesBelow } from '../support/leftovers.js';

/** The kubeconfig as text with its certificates and key inline, as a secret would hold it. */
async function inlineKubeconfig(path: string): Promise<{ text: string; key: string }> {
  const doc = parseYaml(await readFile(path, 'utf8')) as {
    clusters: Array<{ cluster: Record<string, string> }>;
    users: Array<{ user: Record<string, string> }>;
  };
  const data = async (file: string) => (await readFile(file)).toString('base64');
  for (const { cluster } of doc.clusters) {
    cluster['certificate-authority-data'] = await data(cluster['certificate-authority']!);
    delete cluster['certificate-authority'];
  }
  for (const { user } of doc.users) {
    user['client-certificate-data'] = await data(user['client-certificate']!);
    user['client-key-data'] = await data(user['client-key']!);
    delete user['client-certificate'];
    delete user['client-key'];
  }
  return { text: stringify(doc), key: doc.users[0]!.user['client-key-data']! };
}

describe('[e2e] the action, run mode (bundled dist/, as the runner runs it)', function () {
  let dir = '';
  let tmp = '';
  let server: GitHubApiServer;
  let tracesBefore = new Set<string>();

  beforeEach(async function () {
    dir = await mkdtemp('/tmp/ka-');
    tmp = join(dir, 't');
    await mkdir(tmp);
    server = new GitHubApiServer();
    await server.start();
    tracesBefore = new Set(await hostTraces());
  });
  afterEach(async function () {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  });
  after(removeRunnerDirs);

  const options = (inputs: Record<string, string>): ActionRunOptions => ({
    inputs: {
      ...(inputs.provider
        ? {}
        : { provider: 'kwok', 'kubernetes-version': '1.35', addons: 'fake-gpu' }),
      requirements: 'dra_support',
      output: join(dir, 'out'),
      ...inputs,
    },
    event: 'pull_request',
    apiUrl: server.url,
    // Short paths: the real node's unix sockets live below the kwok workdir (107-byte limit).
    env: { TMPDIR: tmp, KAIC_KWOK_WORKDIR: join(tmp, 'k') },
  });

  /** Starts main and returns once its first suite result is printed; `output()` grows on. */
  async function startUntilSuites(
    runOptions: ActionRunOptions,
  ): Promise<{ started: ReturnType<typeof startAction>; output: () => string }> {
    const started = startAction('main', runOptions);
    let text = '';
    started.child.all?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    await waitFor(
      'the suites to start',
      async () => /PASS .*\[dra_support\]/.test(text),
      10 * 60_000,
      250,
    );
    return { started, output: () => text };
  }

  async function expectNothingLeft(): Promise<void> {
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
    expect(await filesBelow(tmp), 'files left').to.deep.equal([]);
    const traces = (await hostTraces()).filter((t) => !tracesBefore.has(t));
    expect(traces, 'host traces left').to.deep.equal([]);
  }

  it('runs the suites, publishes check run, comment and status, and post finds nothing left', async function () {
    const run = await runAction('main', options({}));
    expect(server.violations()).to.deep.equal([]);
    expect(run.exitCode, run.stdout.slice(-4000)).to.equal(0);
    const result = JSON.parse(await readFile(run.outputs['results-json']!, 'utf8')) as RunResult;
    expect(result.requirements.map((r) => [r.id, r.verdict])).to.deep.equal([
      ['dra_support', 'Implemented'],
    ]);
    expect(run.outputs.verdict).to.equal('conformant');
    expect(server.checkRuns.map((c) => [c.name, c.conclusion])).to.deep.equal([
      ['kaic · conformance (Kubernetes 1.35)', 'success'],
    ]);
    expect(server.comments).to.have.length(1);
    expect(server.statuses.map((s) => s.context)).to.deep.equal([
      'kaic / conformance (Kubernetes 1.35)',
    ]);
    expect(run.summary).to.include('`dra_support`');
    expect(run.state['kaic-created'], 'main recorded what it created').to.include('kwok-cluster');
    const post = await runAction('post', { ...options({}), dir: run.dir });
    expect(post.exitCode).to.equal(0);
    expect(post.stdout).to.include('main had removed everything it created');
    await expectNothingLeft();
  });

  for (const signal of ['SIGINT', 'SIGKILL'] as const) {
    it(`cancelled with ${signal} while the suites run: the post step leaves nothing behind`, async function () {
      const { started, output } = await startUntilSuites(options({}));
      const cancelledAt = Date.now();
      started.child.kill(signal);
      const main = await started.done;
      const mainSeconds = (Date.now() - cancelledAt) / 1000;
      if (signal === 'SIGINT') {
        expect(main.exitCode, output().slice(-3000)).to.equal(130);
        expect(output()).to.include('SIGINT received, cleaning up');
      }
      const postAt = Date.now();
      const post = await runAction('post', { ...options({}), dir: started.dir });
      process.stdout.write(
        `      ${signal}: main stopped ${mainSeconds.toFixed(1)} s after the signal; post took ${((Date.now() - postAt) / 1000).toFixed(1)} s\n`,
      );
      expect(post.exitCode, post.stdout).to.equal(0);
      if (signal === 'SIGKILL') {
        expect(post.stdout, 'post removed the cluster main left').to.match(
          /removed what main left: .*kwok cluster kaic-135-/,
        );
      } else {
        expect(post.stdout).to.include('main had removed everything it created');
      }
      expect(
        existsSync(join(tmp, 'k', 'clusters')) ? await filesBelow(join(tmp, 'k', 'clusters')) : [],
      ).to.deep.equal([]);
      await expectNothingLeft();
    });
  }

  it("killed while run:ai's fake GPU operator runs: the post step removes the host directory it needs (/var/lib/runai), not only the cluster", async function () {
    const source = process.env.KAIC_FAKE_GPU_OPERATOR_SOURCE;
    const runOptions = options({ 'fake-gpu-driver': 'fake-gpu-operator' });
    runOptions.env = {
      ...runOptions.env,
      ...(source ? { KAIC_FAKE_GPU_OPERATOR_SOURCE: source } : {}),
      ...(process.env.GOPROXY ? { GOPROXY: process.env.GOPROXY } : {}),
    };
    const { started } = await startUntilSuites(runOptions);
    expect(existsSync('/var/lib/runai'), "the operator's nvidia-smi in place").to.equal(true);
    started.child.kill('SIGKILL');
    await started.done;
    const post = await runAction('post', { ...runOptions, dir: started.dir });
    expect(post.exitCode, post.stdout).to.equal(0);
    expect(post.stdout).to.match(/removed what main left: .*directory \/var\/lib\/runai/);
    expect(existsSync('/var/lib/runai'), '/var/lib/runai left').to.equal(false);
    await expectNothingLeft();
  });

  it('attached to an existing cluster with a named addon and killed: post removes the run’s namespaces and the addon, never the cluster', async function () {
    // Someone else's cluster, outside tmp: started here and left running by kaic.
    const provider = new KwokProvider({
      minor: '1.35',
      nodeGroups: [{ namePrefix: 'their-node', count: 1 }],
      workdir: join(dir, 'their-kwok'),
      // Someone's own cluster: its nodes take ordinary pods (an addon's controller), untainted.
      simulatedNodeTaint: false,
      log: () => undefined,
    });
    try {
      const handle = await provider.up();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(handle.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const runNamespaces = async () =>
        (await core.listNamespace({ labelSelector: 'conformance.kaic.dev/run-id' })).items.map(
          (n) => n.metadata!.name!,
        );
      const nodesBefore = (await core.listNode()).items.map((n) => n.metadata!.name!);
      // Given as text, as from a secret: its credentials must never show.
      const kubeconfig = await inlineKubeconfig(handle.kubeconfigPath);
      // Named, so kaic installs JobSet from its chart; killed, post must remove it too.
      const started = startAction(
        'main',
        options({ provider: 'existing', kubeconfig: kubeconfig.text, addons: 'ai-operator' }),
      );
      await waitFor(
        'the run to create its namespace',
        async () => (await runNamespaces()).length > 0,
        5 * 60_000,
        100,
      );
      const created = await runNamespaces();
      started.child.kill('SIGKILL');
      const main = await started.done;
      const shown = main.stdout.split('\n').filter((l) => l.includes(kubeconfig.key.slice(0, 40)));
      expect(shown.length, 'the key is masked').to.be.greaterThan(0);
      expect(
        shown.filter((l) => !l.startsWith('::add-mask::')),
        'lines showing the key',
      ).to.deep.equal([]);
      for (const file of await readdir(join(dir, 'out')).catch(() => [] as string[])) {
        expect(await readFile(join(dir, 'out', file), 'utf8'), file).not.to.include(
          kubeconfig.key.slice(0, 40),
        );
      }
      expect(JSON.stringify(main.state)).not.to.include(kubeconfig.key.slice(0, 40));
      expect(await runNamespaces(), 'left by the killed main').to.deep.equal(created);
      const post = await runAction('post', {
        ...options({ provider: 'existing' }),
        dir: started.dir,
      });
      expect(post.exitCode, post.stdout).to.equal(0);
      expect(post.stdout).to.match(/removed what main left: .*namespace kaic-/);
      expect(post.stdout).to.match(/removed what main left: .*jobset chart/);
      const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
      expect(
        (await ext.listCustomResourceDefinition()).items.map((c) => c.metadata!.name),
        'CRDs left',
      ).not.to.include('jobsets.jobset.x-k8s.io');
      expect(
        (await core.listNamespace()).items.map((n) => n.metadata!.name),
        'namespaces left',
      ).not.to.include('jobset-system');
      expect(await runNamespaces()).to.deep.equal([]);
      expect((await core.listNode()).items.map((n) => n.metadata!.name!)).to.deep.equal(
        nodesBefore,
      );
      await expectNothingLeft();
    } finally {
      await provider.down();
    }
  });
});
