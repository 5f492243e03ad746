/**
 * Benchmark: the real test node (kubelet + containerd) per minor: time to Ready, time for a
 * busybox pod to run, memory of kubelet, containerd and the shims with one pod, time to stop.
 *
 *   npm run bench -- real-node                       KAIC_TEST_MINORS minors, 3 rounds
 *   npm run bench -- real-node --minors 1.33,1.37 --rounds 1
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import * as k8s from '@kubernetes/client-node';

import { ensureBinaries, ensureNodeBinaries } from '../../src/binaries/kubernetes.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { kubernetesRelease, parseKubernetesMinor } from '../../src/versions/kubernetes.js';
import { testMinors } from '../../test/cluster/minors.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'real-node'),
  options: { rounds: { type: 'string', default: '3' }, minors: { type: 'string' } },
});
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`--rounds must be ≥ 1, got ${values.rounds}`);
}
const minors = values.minors
  ? values.minors.split(',').map((m) => parseKubernetesMinor(m, '--minors entry'))
  : testMinors();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const log = (line: string) =>
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** RSS of kubelet, containerd and every shim of this node, in MiB. */
async function nodeMemory(
  dir: string,
): Promise<{ kubelet: number; containerd: number; shims: number }> {
  const pidOf = async (file: string) => Number((await readFile(join(dir, file), 'utf8')).trim());
  let shims = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (cmdline.includes('containerd-shim') && cmdline.includes(dir))
      shims += await rssKiB(Number(entry));
  }
  return {
    kubelet: (await rssKiB(await pidOf('kubelet.pid'))) / 1024,
    containerd: (await rssKiB(await pidOf('containerd.pid'))) / 1024,
    shims: shims / 1024,
  };
}

const rows: string[] = [];
for (const minor of minors) {
  const release = kubernetesRelease(minor);
  await ensureBinaries(release, log);
  await ensureNodeBinaries(release, log);
  const ready: number[] = [];
  const pod: number[] = [];
  const stop: number[] = [];
  const memory: Array<{ kubelet: number; containerd: number; shims: number }> = [];
  let failure = '';
  for (let round = 0; round < rounds && !failure; round++) {
    const provider = new KwokProvider({
      minor,
      nodeGroups: [{ namePrefix: 'bench', count: 1 }],
      realNode: true,
      log,
    });
    try {
      const handle = await provider.up();
      const realNode = handle.realNode!;
      ready.push(realNode.startSeconds);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(handle.kubeconfigPath);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      const t0 = performance.now();
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: { name: 'bench' },
          spec: {
            nodeName: realNode.name,
            containers: [
              { name: 'main', image: LOCAL_NODE_IMAGES.busybox, command: ['sleep', '3600'] },
            ],
          },
        },
      });
      for (;;) {
        const p = await core.readNamespacedPod({ namespace: 'default', name: 'bench' });
        if (p.status?.phase === 'Running') break;
        if (performance.now() - t0 > 120_000) throw new Error('pod not Running in 120 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      pod.push((performance.now() - t0) / 1000);
      // Let the kubelet settle after the pod start before reading memory.
      await new Promise((r) => setTimeout(r, 5000));
      memory.push(await nodeMemory(realNode.dir));
    } catch (error) {
      failure = (error as Error).message.split('\n')[0] ?? 'failed';
    } finally {
      const t1 = performance.now();
      await provider.down();
      stop.push((performance.now() - t1) / 1000);
    }
  }
  const mem = memory.at(-1);
  rows.push(
    failure
      ? `| ${minor} | failed: ${failure} | | | | |`
      : `| ${minor} | ${median(ready).toFixed(2)} | ${median(pod).toFixed(2)} | ${mem?.kubelet.toFixed(0)} | ${mem?.containerd.toFixed(0)} | ${mem?.shims.toFixed(0)} | ${median(stop).toFixed(2)} |`,
  );
}
process.stdout.write(
  [
    `rounds: ${rounds}; memory is RSS (MiB) with one pod running`,
    '| minor | node Ready s | pod Running s | kubelet MiB | containerd MiB | shims MiB | stop s |',
    '|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n') + '\n',
);
