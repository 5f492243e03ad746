/**
 * Builds (or finds cached) etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kwok and
 * kwokctl for one or more Kubernetes minors, from the Go module proxy, into $KAIC_CACHE.
 *
 *   npm run k8s:build -- 1.36            one minor
 *   npm run k8s:build -- 1.33 1.35       several
 *   npm run k8s:build -- --all           1.33 … 1.37
 *   npm run k8s:build -- --for-tests     the minors our cluster tests use (KAIC_TEST_MINORS)
 *   npm run k8s:build -- --node 1.35     also the real node's kubelet, containerd and crictl
 *   npm run k8s:build -- --kueue         also Kueue's manager (gang_scheduling tests drive it)
 *   npm run k8s:build -- --addons        every addon the test cluster runs (Kueue, Prometheus, Traefik, JobSet, …)
 *   npm run k8s:build -- --prune-go-cache  drop Go's build cache (GBs; built binaries stay)
 */
import { BuildError, buildRecipe } from '../src/binaries/build.js';
import { ensureBinaries, ensureNodeBinaries } from '../src/binaries/kubernetes.js';
import { RECIPES } from '../src/binaries/recipes.js';
import { ADDON_REGISTRY } from '../src/addons/registry.js';
import { FAKE_GPU_DRIVERS } from '../src/addons/fake-gpu/drivers.js';
import { GANG_SCHEDULERS, KUEUE_RECIPE } from '../src/addons/gang-scheduler/pin.js';
import { execa } from 'execa';

import { cacheDir, goCacheEnv } from '../src/cache.js';
import {
  KUBERNETES_MINORS,
  kubernetesRelease,
  parseKubernetesMinor,
} from '../src/versions/kubernetes.js';
import { testMinors } from '../test/cluster/minors.js';

/** "… cached (…)" lines already said: each driver and scheduler asks every addon again. */
const saidCached = new Set<string>();

function log(line: string): void {
  if (/: cached \(/.test(line)) {
    if (saidCached.has(line)) return;
    saidCached.add(line);
  }
  const time = new Date().toISOString().slice(11, 19);
  process.stdout.write(`[build-k8s ${time}] ${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(
      'usage: npm run k8s:build -- [--all | --for-tests | <minor> ...] [--node] [--kueue] [--addons] [--prune-go-cache]\n' +
        `minors: ${KUBERNETES_MINORS.join(', ')}; cache: ${cacheDir()} (set KAIC_CACHE to move it)\n`,
    );
    return;
  }
  if (argv.includes('--prune-go-cache')) {
    const { GOCACHE } = goCacheEnv();
    log(
      `removing Go's build cache ${GOCACHE} (the built binaries stay; rebuilds compile from scratch)`,
    );
    await execa('go', ['clean', '-cache'], { env: { ...process.env, GOCACHE } });
    if (argv.length === 1) return;
  }
  let minors = argv.filter((a) => !a.startsWith('--')).map((a) => parseKubernetesMinor(a, 'minor'));
  if (argv.includes('--all')) minors = [...KUBERNETES_MINORS];
  if (argv.includes('--for-tests')) minors = [...minors, ...testMinors()];
  const addons = argv.includes('--addons');
  if (argv.includes('--kueue')) await buildRecipe(KUEUE_RECIPE, log);
  // Each addon builds what it needs, for every simulated-GPU driver and gang scheduler kaic runs
  // (the tests drive each; an addon the choice does not change finds itself cached); then Helm,
  // for the charts kaic installs on kind clusters.
  if (addons) {
    for (const fakeGpuDriver of FAKE_GPU_DRIVERS) {
      for (const gangScheduler of GANG_SCHEDULERS) {
        for (const addon of ADDON_REGISTRY) {
          await addon.prepare?.(log, { fakeGpuDriver, gpuPartitions: 0, gangScheduler });
        }
      }
    }
  }
  if (addons) await buildRecipe(RECIPES.helm, log);
  if (addons || argv.includes('--kueue')) {
    if (minors.length === 0) return;
  }
  if (minors.length === 0)
    throw new BuildError('name a minor (e.g. 1.35), --all, --for-tests, --addons or --kueue');
  const started = Date.now();
  for (const minor of [...new Set(minors)]) {
    const t0 = Date.now();
    log(`== Kubernetes ${minor} (cache ${cacheDir()})`);
    await ensureBinaries(kubernetesRelease(minor), log);
    if (argv.includes('--node')) await ensureNodeBinaries(kubernetesRelease(minor), log);
    log(`== Kubernetes ${minor} ready in ${Math.round((Date.now() - t0) / 1000)}s`);
  }
  log(`all done in ${Math.round((Date.now() - started) / 1000)}s`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`build-k8s: ${message}\n`);
  process.exit(1);
});
