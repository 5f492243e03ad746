/**
 * Benchmark: the fake-GPU publisher at scale on a kwok cluster.
 *
 *   npm run bench -- fakegpu [--nodes 1000] [--gpus 8] [--pods 1000] [--minor 1.35] [--mig off|partitionable|static]
 *
 * Measures: time until every node's slice is published (the bundled `kaic fakegpu publish` in its
 * own process, start-up included), time for N single-GPU claim pods to be allocated by the
 * scheduler and Running, and the publisher's peak RSS (VmHWM). Needs a fresh dist/ (npm run build).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

import { execa } from 'execa';

import * as k8s from '@kubernetes/client-node';

import { devicesOf } from '../../src/fakegpu/slices.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import { SIMULATED_NODE_TAINT } from '../../src/k8s/kwok-nodes.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import { kubernetesRelease, parseKubernetesMinor } from '../../src/versions/kubernetes.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== 'fakegpu'),
  options: {
    nodes: { type: 'string', default: '1000' },
    gpus: { type: 'string', default: '8' },
    pods: { type: 'string', default: '1000' },
    minor: { type: 'string', default: '1.35' },
    mig: { type: 'string', default: 'off' },
  },
});
const nodes = Number(values.nodes);
const gpus = Number(values.gpus);
const pods = Number(values.pods);
const minor = parseKubernetesMinor(values.minor, '--minor');
const api = kubernetesRelease(minor).draApiVersion;
const log = (line: string) =>
  process.stdout.write(`[bench fakegpu ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

let peakRss = 0;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);

const provider = new KwokProvider({
  minor,
  nodeGroups: [
    { namePrefix: 'gpu-node', count: nodes, labels: { 'fakegpu.kaic.dev/bench': 'gpu' } },
  ],
});
const t0 = performance.now();
const handle = await provider.up();
log(`cluster with ${nodes} nodes up in ${((performance.now() - t0) / 1000).toFixed(1)}s`);
try {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(handle.kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = new DraObjects(kc, api);
  // The publisher runs as users run it: the bundled CLI in its own process, so its peak RSS
  // (VmHWM) is its own.
  const t1 = performance.now();
  const child = execa(
    process.execPath,
    [
      'dist/cli.js',
      'fakegpu',
      'publish',
      '--profile',
      'nvidia-h100-80gb',
      '--gpus-per-node',
      String(gpus),
      '--node-selector',
      'fakegpu.kaic.dev/bench=gpu',
      '--mig',
      values.mig,
      '--kubeconfig',
      handle.kubeconfigPath,
    ],
    { reject: false, all: true, buffer: false },
  );
  let publisherOutput = '';
  child.all?.on('data', (chunk: Buffer) => (publisherOutput += chunk.toString()));
  while (!publisherOutput.includes('following node changes')) {
    if (child.exitCode !== null) throw new Error(`publisher exited:\n${publisherOutput}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const publishS = (performance.now() - t1) / 1000;
  const slices = await objects.list('ResourceSlice');
  const deviceCount = slices.reduce((sum, s) => sum + devicesOf(api, s).length, 0);
  log(
    `${slices.length} slices, ${deviceCount} devices (MIG ${values.mig}) published in ${publishS.toFixed(1)}s`,
  );
  const publisherPeakRss = async () =>
    Number(
      /VmHWM:\s+(\d+) kB/.exec(await readFile(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0,
    ) * 1024;

  log(
    `publisher peak RSS after publishing: ${((await publisherPeakRss()) / 2 ** 20).toFixed(0)} MB`,
  );
  await core.createNamespace({ body: { metadata: { name: 'bench' } } });
  await objects.create(
    claimTemplate(api, 'bench', 'one-gpu', { deviceClassName: 'gpu.nvidia.com', count: 1 }),
  );
  for (;;) {
    try {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'bench' });
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const podBody = (name: string): k8s.V1Pod => ({
    metadata: { name, namespace: 'bench' },
    spec: {
      // The simulated nodes carry kaic's taint: only pods that accept simulation land there.
      tolerations: [{ ...SIMULATED_NODE_TAINT, operator: 'Equal' }],
      resourceClaims: [{ name: 'gpu', resourceClaimTemplateName: 'one-gpu' }],
      containers: [
        {
          name: 'c',
          image: 'registry.invalid/never-pulled',
          resources: { claims: [{ name: 'gpu' }] },
        },
      ],
    },
  });
  const running = async () =>
    (await core.listNamespacedPod({ namespace: 'bench' })).items.filter(
      (p) => p.status?.phase === 'Running',
    ).length;
  const t2 = performance.now();
  const created: Promise<unknown>[] = [];
  for (let i = 0; i < pods; i++) {
    created.push(core.createNamespacedPod({ namespace: 'bench', body: podBody(`p-${i}`) }));
    if (created.length >= 20) await Promise.all(created.splice(0));
  }
  await Promise.all(created);
  const createdS = (performance.now() - t2) / 1000;
  let n = 0;
  const deadline = performance.now() + 600_000;
  while ((n = await running()) < pods && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
  }
  const podsS = (performance.now() - t2) / 1000;
  const publisherRss = await publisherPeakRss();
  child.kill('SIGTERM');
  await child;

  // The exporter, scraped as Prometheus would: every device, with the pods that hold them.
  const exporter = execa(
    process.execPath,
    [
      'dist/cli.js',
      'fakegpu',
      'exporter',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--kubeconfig',
      handle.kubeconfigPath,
    ],
    { reject: false, all: true, buffer: false },
  );
  let exporterOutput = '';
  exporter.all?.on('data', (chunk: Buffer) => (exporterOutput += chunk.toString()));
  let metricsUrl: string | undefined;
  while (!(metricsUrl = /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(exporterOutput)?.[1])) {
    if (exporter.exitCode !== null) throw new Error(`exporter exited:\n${exporterOutput}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const scrapesMs: number[] = [];
  let series = 0;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const text = await (await fetch(metricsUrl)).text();
    scrapesMs.push(performance.now() - t);
    series = text.split('\n').filter((l) => l.startsWith('DCGM_FI_DEV_GPU_UTIL{')).length;
  }
  exporter.kill('SIGTERM');
  await exporter;
  log(
    `exporter: ${series} GPU_UTIL series; scrapes took ${scrapesMs.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
  process.stdout.write(
    [
      '| nodes | GPUs/node | MIG | slices | devices | publish s (incl. process start) | pods | pods created s | pods Running s | Running | publisher peak RSS MB | bench process peak RSS MB |',
      '|---|---|---|---|---|---|---|---|---|---|---|---|',
      `| ${nodes} | ${gpus} | ${values.mig} | ${slices.length} | ${deviceCount} | ${publishS.toFixed(1)} | ${pods} | ${createdS.toFixed(1)} | ${podsS.toFixed(1)} | ${n} | ${(publisherRss / 2 ** 20).toFixed(0)} | ${(peakRss / 2 ** 20).toFixed(0)} |`,
    ].join('\n') + '\n',
  );
} finally {
  clearInterval(sampler);
  await provider.down();
}
