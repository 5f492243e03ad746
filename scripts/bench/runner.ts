/**
 * Benchmark: the GitHub-runner path with every release file served by a local mirror
 * (KAIC_RELEASE_MIRROR), Go off PATH so that any build would fail instead of running.
 *
 * The mirror holds, in each release's own layout and with its sums published the release's way,
 * the files kaic downloads for the default kwok run of the default minor: the control plane,
 * kubectl and the kubelet, etcd, containerd, crictl, Prometheus and Traefik. They are made from
 * this machine's cached builds (no release host is reachable here), so kwok, whose sums kaic pins
 * to the real release files, is copied into each fresh cache instead of downloaded.
 *
 *   npm run bench -- runner                three cold rounds (empty cache) and three warm ones
 *   npm run bench -- runner --rounds 1 --run
 *       then one `kaic run` (no flags) on the downloaded cache, with the addons that publish no
 *       release binary (Kueue, JobSet, prometheus-adapter, Karpenter's kwok provider: a runner
 *       builds them once) and the files kaic takes from modules copied in from this machine's
 *       cache
 */
import { createReadStream, existsSync } from 'node:fs';
import { appendFile, cp, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';

import { execa } from 'execa';

import { spread } from './spread.js';

import { PROMETHEUS, PROMETHEUS_RECIPE } from '../../src/addons/prometheus/pin.js';
import { TRAEFIK, TRAEFIK_RECIPE } from '../../src/addons/gateway/pin.js';
import { buildRecipe } from '../../src/binaries/build.js';
import { ensureBinaries, ensureNodeBinaries } from '../../src/binaries/kubernetes.js';
import {
  cacheDir,
  containerdBinDir,
  criToolsBinDir,
  etcdBinDir,
  kubeletBinDir,
  kubernetesBinDir,
  kwokBinDir,
  prometheusDir,
  traefikDir,
} from '../../src/cache.js';
import {
  containerdReleaseFile,
  crictlReleaseFile,
  etcdReleaseFile,
  kubernetesReleaseFiles,
  prometheusReleaseFile,
  traefikReleaseFile,
  type ReleaseFile,
} from '../../src/versions/downloads.js';
import {
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  DEFAULT_TEST_MINOR,
  KWOK_VERSION,
  kubernetesRelease,
} from '../../src/versions/kubernetes.js';

const args = process.argv.slice(2).filter((a) => a !== 'runner');
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(args[roundsAt + 1]) : 3;
if (!Number.isInteger(rounds) || rounds < 1) {
  throw new Error(`--rounds must be a whole number ≥ 1, got "${args[roundsAt + 1]}"`);
}
const wholeRun = args.includes('--run');

const say = (line: string) => process.stderr.write(`[bench runner] ${line}\n`);
const source = cacheDir();
const release = kubernetesRelease(DEFAULT_TEST_MINOR);

/** Each release file with the cached directory its binaries are made from. */
const published: Array<{ file: ReleaseFile; from: string }> = [
  ...kubernetesReleaseFiles(release.version, [
    'kube-apiserver',
    'kube-controller-manager',
    'kube-scheduler',
    'kubectl',
  ]).map((file) => ({ file, from: kubernetesBinDir(release, source) })),
  ...kubernetesReleaseFiles(release.version, ['kubelet']).map((file) => ({
    file,
    from: kubeletBinDir(release, source),
  })),
  { file: etcdReleaseFile(release.etcdVersion), from: etcdBinDir(release.etcdVersion, source) },
  {
    file: containerdReleaseFile(CONTAINERD_VERSION),
    from: containerdBinDir(CONTAINERD_VERSION, source),
  },
  { file: crictlReleaseFile(CRI_TOOLS_VERSION), from: criToolsBinDir(CRI_TOOLS_VERSION, source) },
  {
    file: prometheusReleaseFile(PROMETHEUS.release),
    from: prometheusDir(PROMETHEUS.version, source),
  },
  { file: traefikReleaseFile(TRAEFIK.version), from: traefikDir(TRAEFIK.version, source) },
];

for (const { file, from } of published) {
  for (const binary of file.binaries) {
    if (!existsSync(join(from, binary.name))) {
      throw new Error(
        `${join(from, binary.name)} is not built: run npm run k8s:build -- --node ${DEFAULT_TEST_MINOR} --addons first`,
      );
    }
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The mirror's path of a release URL: <root>/<host>/<path>. */
const mirrorPath = (root: string, url: string) =>
  join(root, new URL(url).host, new URL(url).pathname);

/** Lays out the release files and their published sums under `root`. */
async function buildMirror(root: string): Promise<number> {
  let bytes = 0;
  for (const { file, from } of published) {
    const target = mirrorPath(root, file.url);
    await mkdir(dirname(target), { recursive: true });
    if (file.binaries.length === 1 && !file.binaries[0]!.member) {
      await cp(join(from, file.binaries[0]!.name), target);
    } else {
      const tree = await mkdtemp(join(tmpdir(), 'kaic-bench-release-'));
      for (const binary of file.binaries) {
        await mkdir(dirname(join(tree, binary.member!)), { recursive: true });
        await cp(join(from, binary.name), join(tree, binary.member!));
      }
      const tops = [...new Set(file.binaries.map((b) => b.member!.split('/')[0]!))];
      await execa('tar', ['-czf', target, '-C', tree, ...tops]);
      await rm(tree, { recursive: true, force: true });
    }
    bytes += (await stat(target)).size;
    const sum = await sha256(target);
    if (typeof file.sha256 === 'string') continue;
    const sums = mirrorPath(root, file.sha256.publishedAt);
    if (sums.endsWith('.sha256')) await writeFile(sums, `${sum}\n`);
    else await appendFile(sums, `${sum}  ${basename(file.url)}\n`);
  }
  return bytes;
}

const work = await mkdtemp(join(tmpdir(), 'kaic-bench-runner-'));
const mirrorRoot = join(work, 'mirror');
say(`laying out ${published.length} release files from ${source}`);
const mirrorBytes = await buildMirror(mirrorRoot);
let served = 0;
const server = createServer((req, res) => {
  const path = join(mirrorRoot, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
  if (!path.startsWith(mirrorRoot) || !existsSync(path)) return void res.writeHead(404).end();
  void stat(path).then((s) => {
    if (!s.isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-length': s.size });
    if (req.method === 'HEAD') return void res.end();
    served += s.size;
    createReadStream(path).pipe(res);
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.env.KAIC_RELEASE_MIRROR = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
// Go off PATH: a build anywhere fails ("Go is not installed") instead of running.
const goFree = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir && !existsSync(join(dir, 'go')))
  .join(delimiter);
process.env.PATH = goFree;

const log = (line: string) => say(`  ${line}`);
async function everyDownload(root: string): Promise<number> {
  const t0 = Date.now();
  await ensureBinaries(release, log, root);
  await ensureNodeBinaries(release, log, root);
  await buildRecipe(PROMETHEUS_RECIPE, log, root);
  await buildRecipe(TRAEFIK_RECIPE, log, root);
  return (Date.now() - t0) / 1000;
}

const cold: number[] = [];
const warm: number[] = [];
let lastRoot = '';
try {
  for (let round = 1; round <= rounds; round++) {
    const root = join(work, `cache-${round}`);
    await mkdir(join(root, 'bin', 'kwok'), { recursive: true });
    await cp(kwokBinDir(KWOK_VERSION, source), kwokBinDir(KWOK_VERSION, root), {
      recursive: true,
    });
    served = 0;
    say(`round ${round}: cold (an empty cache but kwok)`);
    cold.push(await everyDownload(root));
    const servedCold = served;
    say(`round ${round}: warm`);
    served = 0;
    warm.push(await everyDownload(root));
    say(
      `round ${round}: cold ${cold.at(-1)!.toFixed(1)} s (${(servedCold / 2 ** 20).toFixed(0)} MiB served), ` +
        `warm ${warm.at(-1)!.toFixed(1)} s (${served} bytes served)`,
    );
    if (lastRoot) await rm(lastRoot, { recursive: true, force: true });
    lastRoot = root;
  }

  let runSeconds: number | null = null;
  let runExit: number | null = null;
  if (wholeRun) {
    // What a runner builds once (no release binary published) and what kaic takes from modules.
    for (const top of ['bin', 'charts']) {
      for (const name of await readdir(join(source, top)).catch(() => [] as string[])) {
        if (existsSync(join(lastRoot, top, name))) continue;
        await cp(join(source, top, name), join(lastRoot, top, name), { recursive: true });
      }
    }
    say(`kaic run (no flags), KAIC_CACHE=${lastRoot}, no Go on PATH`);
    const out = join(work, 'results');
    const t0 = Date.now();
    const child = execa(process.execPath, ['bin/kaic.js', 'run', '--output', out], {
      reject: false,
      all: true,
      env: { KAIC_CACHE: lastRoot, PATH: goFree },
    });
    child.all.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    const result = await child;
    runSeconds = (Date.now() - t0) / 1000;
    runExit = result.exitCode ?? 1;
  }

  const lines = [
    '',
    `GitHub-runner path, Kubernetes ${release.version}, every release file from a local mirror, no Go on PATH`,
    `  mirror: ${published.length} release files, ${(mirrorBytes / 2 ** 20).toFixed(0)} MiB`,
    `  cold (empty cache, ${rounds} rounds): ${spread(cold)}`,
    `  warm (found cached):              ${spread(warm)}`,
    ...(runSeconds === null
      ? []
      : [`  kaic run on that cache: ${runSeconds.toFixed(1)} s, exit ${runExit}`]),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (runExit !== null && runExit !== 0) process.exitCode = 1;
} finally {
  server.close();
  await rm(work, { recursive: true, force: true });
}
