/**
 * The kwok provider's life cycle against real processes: clean teardown on success, failure,
 * Ctrl-C and a crashed owner; no collision between two clusters; clear errors that name the cause.
 * Each test uses its own kwok work directory, apart from the suite's shared cluster.
 */
import { createServer, type Server } from 'node:net';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { execa } from 'execa';

import { KwokProvider, KwokStartError } from '../../src/providers/kwok.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { waitUntil } from './k8s-helpers.js';

/** Pids of live processes whose command line mentions `path`. */
async function processesMentioning(path: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    if (cmdline.split('\0').join(' ').includes(path) && !/\) Z /.test(stat))
      pids.push(Number(entry));
  }
  return pids;
}

/** `npm run cluster` in a child process, resolved once its cluster is up. */
async function startClusterProcess(workdir: string, minor: string) {
  const child = execa(
    process.execPath,
    ['--import', 'tsx', 'scripts/start-cluster.ts', minor, '--nodes', '1'],
    {
      env: { KAIC_KWOK_WORKDIR: workdir },
      reject: false,
      all: true,
      buffer: true,
    },
  );
  let text = '';
  child.all?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  await waitUntil(
    'the cluster process to bring its cluster up',
    async () => text.includes('Ctrl-C deletes'),
    90_000,
  );
  return { child, output: () => text };
}

async function clusterDirs(workdir: string): Promise<string[]> {
  const dir = join(workdir, 'clusters');
  return existsSync(dir) ? readdir(dir) : [];
}

async function serverVersion(kubeconfigPath: string): Promise<string> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return (await kc.makeApiClient(k8s.VersionApi).getCode()).gitVersion;
}

describe('[provider] kwok cluster life cycle', function () {
  let workdir = '';
  const logs: string[] = [];
  const log = (line: string) => logs.push(line);

  beforeEach(async function () {
    workdir = await mkdtemp(join(tmpdir(), 'kaic-kwok-test-'));
    logs.length = 0;
  });

  afterEach(async function () {
    // Whatever a failed test left running must not outlive it.
    for (const pid of await processesMentioning(workdir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await rm(workdir, { recursive: true, force: true });
  });

  it('starts two clusters side by side under unique names, with the nodes asked for, and removes both', async function () {
    const { minor } = testCluster().handle;
    const a = new KwokProvider({
      minor,
      nodeGroups: [
        {
          namePrefix: 'gpu',
          count: 2,
          labels: { 'nvidia.com/gpu.present': 'true' },
          allocatable: { 'nvidia.com/gpu': '8', cpu: '96' },
          taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }],
        },
      ],
      workdir,
      log,
    });
    const b = new KwokProvider({
      minor,
      nodeGroups: [{ namePrefix: 'b', count: 1 }],
      workdir,
      log,
    });
    try {
      const [ha, hb] = await Promise.all([a.up(), b.up()]);
      expect(ha.name).to.not.equal(hb.name);
      expect(ha.kubeconfigPath).to.not.equal(hb.kubeconfigPath);
      expect(await serverVersion(ha.kubeconfigPath)).to.equal(testCluster().release.version);
      expect(await serverVersion(hb.kubeconfigPath)).to.equal(testCluster().release.version);
      expect((await clusterDirs(workdir)).sort()).to.deep.equal([ha.name, hb.name].sort());
      expect(ha.nodes).to.deep.equal(['gpu-0', 'gpu-1']);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(ha.kubeconfigPath);
      const node = await kc.makeApiClient(k8s.CoreV1Api).readNode({ name: 'gpu-1' });
      expect(node.metadata?.labels).to.include({ 'nvidia.com/gpu.present': 'true', type: 'kwok' });
      expect(node.status?.allocatable).to.include({
        'nvidia.com/gpu': '8',
        cpu: '96',
        pods: '110',
      });
      // kwok's own taint first (only pods that opt in land where nothing runs), then the group's.
      expect(node.spec?.taints?.map((t) => `${t.key}=${t.value ?? ''}:${t.effect}`)).to.deep.equal([
        'kwok.x-k8s.io/node=fake:NoSchedule',
        'nvidia.com/gpu=:NoSchedule',
      ]);
    } finally {
      await Promise.all([a.down(), b.down()]);
    }
    expect(await clusterDirs(workdir)).to.deep.equal([]);
    expect(await processesMentioning(workdir)).to.deep.equal([]);
  });

  it('refuses a kube-apiserver port that is taken, naming it, and leaves nothing behind', async function () {
    onDefaultMinorOnly(this, 'a taken port is refused the same way on every minor');
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const provider = new KwokProvider({
        minor: testCluster().handle.minor,
        nodeGroups: [],
        workdir,
        apiserverPort: port,
        log,
      });
      let error: unknown;
      await provider.up().catch((e: unknown) => (error = e));
      expect(String(error)).to.match(
        new RegExp(`port ${port} on 127.0.0.1 for kube-apiserver is already in use`),
      );
    } finally {
      server.close();
    }
    expect(await clusterDirs(workdir)).to.deep.equal([]);
    expect(await processesMentioning(workdir)).to.deep.equal([]);
  });

  it('reports a component that dies at start with its log tail, and stops the rest', async function () {
    onDefaultMinorOnly(this, 'how a dead component is reported does not change with the minor');
    const { release, handle } = testCluster();
    const broken = join(workdir, 'broken-kube-apiserver');
    await writeFile(
      broken,
      [
        '#!/bin/sh',
        `[ "$1" = "--version" ] && { echo "Kubernetes ${release.version}"; exit 0; }`,
        'echo "E1126 planted fault: kube-apiserver refuses to start" >&2',
        'exit 1',
        '',
      ].join('\n'),
    );
    await chmod(broken, 0o755);
    const provider = new KwokProvider({
      minor: handle.minor,
      nodeGroups: [],
      workdir,
      binaries: { kubeApiserver: broken },
      startTimeoutSeconds: 60,
      log,
    });
    const t0 = Date.now();
    let error: unknown;
    await provider.up().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(KwokStartError);
    const message = (error as Error).message;
    expect(message).to.include('control plane did not start');
    expect(message).to.include('kube-apiserver');
    expect(message, 'carries the component log tail').to.include('planted fault');
    expect(Date.now() - t0, 'noticed before kwokctl timeout').to.be.below(60_000);
    expect(await clusterDirs(workdir)).to.deep.equal([]);
    expect(await processesMentioning(workdir)).to.deep.equal([]);
  });

  it('tears the cluster down on SIGINT and exits 130', async function () {
    onDefaultMinorOnly(this, 'the teardown on a signal does not change with the minor');
    const { child, output } = await startClusterProcess(workdir, testCluster().handle.minor);
    expect((await processesMentioning(workdir)).length, 'components running').to.be.greaterThan(0);
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, output()).to.equal(130);
    expect(await clusterDirs(workdir)).to.deep.equal([]);
    expect(await processesMentioning(workdir)).to.deep.equal([]);
  });

  it('removes a crashed run’s cluster (owner killed with SIGKILL) before starting a new one', async function () {
    onDefaultMinorOnly(this, 'the clean-up of a crashed run does not change with the minor');
    const { minor } = testCluster().handle;
    const { child } = await startClusterProcess(workdir, minor);
    child.kill('SIGKILL');
    await child;
    const [stale] = await clusterDirs(workdir);
    expect(stale, 'a leftover cluster directory').to.be.a('string');
    const leftovers = await processesMentioning(workdir);
    expect(leftovers.length, 'leftover components still running').to.be.greaterThan(0);

    const provider = new KwokProvider({
      minor,
      nodeGroups: [{ namePrefix: 'n', count: 1 }],
      workdir,
      log,
    });
    try {
      const handle = await provider.up();
      expect(handle.name).to.not.equal(stale);
      expect(logs.join('\n')).to.include(`removing stale cluster ${stale as string}`);
      expect(await clusterDirs(workdir)).to.deep.equal([handle.name]);
      for (const pid of leftovers) {
        expect(
          existsSync(`/proc/${pid}`) && (await processesMentioning(workdir)).includes(pid),
          `pid ${pid} stopped`,
        ).to.equal(false);
      }
    } finally {
      await provider.down();
    }
    expect(await processesMentioning(workdir)).to.deep.equal([]);
  });
});
