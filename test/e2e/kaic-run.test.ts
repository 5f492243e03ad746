/**
 * `kaic run` end to end, as a user runs it (the bundled CLI, bin/kaic.js): with no flags it brings
 * up kwok + the real node + simulated GPUs + every addon, runs every suite, writes every report
 * and leaves nothing behind; cancelled mid-suite it still leaves nothing; against an existing
 * cluster it creates only its own labelled namespaces and removes them.
 *
 * Each run gets its own TMPDIR, so whatever it creates (cluster state, addon files, the real
 * node's directories) lies below one directory, and "nothing left" is checked there, in the
 * process table, and in the host traces (mounts, cgroups, network namespaces, iptables chains).
 */

import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { execa, type ResultPromise } from 'execa';

import { KwokProvider } from '../../src/providers/kwok.js';
import { hostTraces } from '../../src/providers/real-node/host.js';
import type { RunResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { filesBelow, processesBelow } from '../support/leftovers.js';

const KAIC = resolve('bin/kaic.js');

function kaicRun(args: string[], tmp: string): ResultPromise<{ reject: false; all: true }> {
  return execa(process.execPath, [KAIC, 'run', ...args], {
    reject: false,
    all: true,
    // Short paths: the real node's unix sockets live below the kwok workdir (107-byte limit).
    env: { TMPDIR: tmp, KAIC_KWOK_WORKDIR: join(tmp, 'k') },
  });
}

function phaseTable(output: string): string {
  const at = output.lastIndexOf('\nphase ');
  return at < 0 ? '(no phase table)' : output.slice(at + 1);
}

describe('[e2e] kaic run', function () {
  let dir = '';
  let tracesBefore = new Set<string>();
  beforeEach(async function () {
    dir = await mkdtemp('/tmp/ke-');
    await mkdir(join(dir, 't'));
    tracesBefore = new Set(await hostTraces());
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  async function expectNothingLeft(tmp: string): Promise<void> {
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
    expect(await filesBelow(tmp), 'files left').to.deep.equal([]);
    const traces = (await hostTraces()).filter((t) => !tracesBefore.has(t));
    expect(traces, 'host traces left').to.deep.equal([]);
  }

  it('with no flags: kwok + real node + simulated GPUs + every addon, every suite, every report, nothing left', async function () {
    const tmp = join(dir, 't');
    const out = join(dir, 'out');
    const run = await kaicRun(['--output', out], tmp);
    process.stdout.write(`${phaseTable(run.all)}\n`);
    expect(run.all).to.include('addons in waves: fake-gpu + prometheus');
    // Said before anything runs: which node runs containers, which only report pods Running.
    expect(run.all).to.match(
      /nodes: real-node-0 runs containers; kaic-worker-0, kaic-worker-1 are simulated by kwok: .*tolerate kwok\.x-k8s\.io\/node=fake:NoSchedule/,
    );
    expect(run.exitCode, run.all.slice(-4000)).to.equal(0);
    expect((await readdir(out)).sort()).to.deep.equal([
      'e2e.log',
      'junit.xml',
      'results.json',
      'summary.md',
    ]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    const verdicts = Object.fromEntries(results.requirements.map((r) => [r.id, r.verdict]));
    process.stdout.write(`      verdicts: ${JSON.stringify(verdicts)}\n`);
    for (const r of results.requirements.filter((r) => r.level === 'MUST')) {
      expect(r.verdict, r.id).to.equal('Implemented');
    }
    expect(results.acceleratorProfile).to.equal('nvidia-h100-80gb');
    await expectNothingLeft(tmp);
  });

  it('cancelled mid-suite with SIGINT: exits 130 and leaves no process, cluster, mount or namespace', async function () {
    const tmp = join(dir, 't');
    const child = kaicRun(['--output', join(dir, 'out')], tmp);
    let output = '';
    child.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // Mid-suite: the first suite has ended (its lines printed), the longer ones still run.
    await waitFor(
      'the first suite to end while others run',
      async () => /requirement \S+: .* \(wall [\d.]+ s\)$/m.test(output),
      15 * 60_000,
      500,
    );
    const cancelledAt = Date.now();
    child.kill('SIGINT');
    const result = await child;
    process.stdout.write(
      `      cancelled; clean-up took ${((Date.now() - cancelledAt) / 1000).toFixed(1)} s\n`,
    );
    expect(result.exitCode, output.slice(-3000)).to.equal(130);
    expect(output).to.include('SIGINT received, cleaning up');
    expect(output).to.match(/cluster down: done/);
    await expectNothingLeft(tmp);
  });

  it('against an existing cluster: only namespaces labelled with its run id, all removed; nothing else changes', async function () {
    const tmp = join(dir, 't');
    // The cluster someone else runs: started here, outside kaic run, and left running by it.
    const provider = new KwokProvider({
      minor: '1.35',
      nodeGroups: [{ namePrefix: 'their-node', count: 2 }],
      workdir: join(dir, 'their-kwok'),
      // Someone's own cluster: its nodes take ordinary pods (an addon's controller), untainted.
      simulatedNodeTaint: false,
      log: () => undefined,
    });
    try {
      const handle = await provider.up();
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(handle.kubeconfigPath);
      const snapshot = () => clusterSnapshot(kc);
      const before = await snapshot();
      // Every namespace that appears while kaic runs, with its labels.
      const seen = new Map<string, Record<string, string>>();
      let watching = true;
      const watcher = (async () => {
        const core = kc.makeApiClient(k8s.CoreV1Api);
        while (watching) {
          for (const ns of (await core.listNamespace()).items) {
            seen.set(ns.metadata!.name!, ns.metadata?.labels ?? {});
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const run = await kaicRun(
        [
          '--provider',
          'existing',
          '--kubeconfig',
          handle.kubeconfigPath,
          '--output',
          join(dir, 'out'),
        ],
        tmp,
      );
      watching = false;
      await watcher;
      process.stdout.write(`${phaseTable(run.all)}\n`);
      expect(run.exitCode, run.all.slice(-3000)).to.be.oneOf([0, 1]);
      const runId = /run (kaic-[0-9a-f]{8})/.exec(run.all)?.[1];
      expect(runId, 'run id in the output').to.be.a('string');
      const created = [...seen].filter(([name]) => !before.namespaces.includes(name));
      process.stdout.write(
        `      namespaces the run created: ${created.map(([n]) => n).join(', ')}\n`,
      );
      expect(created.length).to.be.greaterThan(0);
      for (const [name, labels] of created) {
        expect(labels['conformance.kaic.dev/run-id'], name).to.equal(runId);
      }
      expect(await snapshot()).to.deep.equal(before);
      await expectNothingLeft(tmp);
    } finally {
      await provider.down();
    }
  });
});

/** What an existing cluster holds that a run could change: namespaces and cluster-scoped objects. */
async function clusterSnapshot(kc: k8s.KubeConfig) {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const names = (items: Array<{ metadata?: { name?: string } }>) =>
    items.map((i) => i.metadata!.name!).sort();
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const cluster = async (group: string, version: string, plural: string) =>
    names(
      ((await custom.listClusterCustomObject({ group, version, plural })) as { items: [] }).items,
    );
  return {
    namespaces: names((await core.listNamespace()).items),
    nodes: names((await core.listNode()).items),
    crds: await cluster('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'),
    deviceClasses: await cluster('resource.k8s.io', 'v1', 'deviceclasses'),
    resourceSlices: await cluster('resource.k8s.io', 'v1', 'resourceslices'),
    priorityClasses: await cluster('scheduling.k8s.io', 'v1', 'priorityclasses'),
    clusterRoles: await cluster('rbac.authorization.k8s.io', 'v1', 'clusterroles'),
    clusterRoleBindings: await cluster('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings'),
    validatingWebhooks: await cluster(
      'admissionregistration.k8s.io',
      'v1',
      'validatingwebhookconfigurations',
    ),
    mutatingWebhooks: await cluster(
      'admissionregistration.k8s.io',
      'v1',
      'mutatingwebhookconfigurations',
    ),
    apiServices: await cluster('apiregistration.k8s.io', 'v1', 'apiservices'),
  };
}
