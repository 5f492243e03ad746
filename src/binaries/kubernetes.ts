/**
 * The Kubernetes binaries of one release: the control plane (and kubectl) and the kubelet, built
 * from k8s.io/kubernetes, which does not fit a recipe (its staging modules are pinned from the
 * release's own go.mod, the version table's gates and APIs are checked against its source, and
 * the build date is stamped in); the release's own binaries downloaded in place of a build; and
 * the sets a kwok cluster and the real node need, with etcd, kwok, containerd and crictl built
 * from their recipes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  binaryPaths,
  cacheDir,
  etcdBinDir,
  kindNodeBinDir,
  kubeletBinDir,
  kubernetesBinDir,
  kwokBinDir,
  nodeBinaryPaths,
  type NodeBinaryPaths,
} from '../cache.js';
import {
  etcdReleaseFile,
  kubernetesReleaseFiles,
  kwokReleaseFiles,
} from '../versions/downloads.js';
import { KWOK_VERSION, stagingVersion, type KubernetesRelease } from '../versions/kubernetes.js';
import {
  BuildError,
  buildRecipe,
  buildWrapper,
  definedFeatureGates,
  downloadModule,
  goEnv,
  goVersion,
  isComplete,
  parseGoMod,
  runChecks,
  writeStamp,
  type ProgressLog,
} from './build.js';
import { downloadRelease } from './download.js';
import { etcdRecipe, RECIPES } from './recipes.js';

/** The control plane of one release (and kubectl: kwokctl probes readiness with it). */
export async function buildKubernetes(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildFromKubernetesModule(
    release,
    'kubernetes',
    kubernetesBinDir(release, root),
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
    log,
    root,
  );
}

/**
 * The kubelet of one release, for the real test node. Built apart from the control plane so a
 * cache without it only builds the kubelet.
 */
export async function buildKubelet(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildFromKubernetesModule(
    release,
    'kubelet',
    kubeletBinDir(release, root),
    ['kubelet'],
    log,
    root,
  );
}

/**
 * kubeadm and kube-proxy of one release: a kind node brings its cluster up with kubeadm and runs
 * kube-proxy; neither is needed by the kwok provider, so they are built only for kind images.
 */
export async function buildKindNodeBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildFromKubernetesModule(
    release,
    'kind-node',
    kindNodeBinDir(release, root),
    ['kubeadm', 'kube-proxy'],
    log,
    root,
  );
}

async function buildFromKubernetesModule(
  release: KubernetesRelease,
  component: string,
  outDir: string,
  binaries: string[],
  log: ProgressLog,
  root: string,
): Promise<boolean> {
  const env = goEnv(root);
  await mkdir(root, { recursive: true });
  if (await isComplete(outDir, binaries)) {
    log(`${component} ${release.version}: cached (${outDir})`);
    return false;
  }
  log(`${component} ${release.version}: reading k8s.io/kubernetes's go.mod from the module proxy`);
  const info = await downloadModule('k8s.io/kubernetes', release.version, env);
  const facts = parseGoMod(await readFile(info.GoMod, 'utf8'));
  if (facts.stagingModules.length === 0) {
    throw new BuildError(`k8s.io/kubernetes ${release.version} go.mod lists no staging modules`);
  }
  const staging = stagingVersion(release);
  // The table's gates and API groups must exist in this exact release.
  const apiserverInfo = await downloadModule('k8s.io/apiserver', staging, env);
  const apiInfo = await downloadModule('k8s.io/api', staging, env);
  const gates = await definedFeatureGates([
    join(info.Dir, 'pkg', 'features'),
    join(apiserverInfo.Dir, 'pkg', 'features'),
  ]);
  const unknownGates = Object.keys(release.featureGates).filter((g) => !gates.has(g));
  if (unknownGates.length) {
    throw new BuildError(
      `the version table gives ${release.minor} feature gates that ${release.version} does not ` +
        `define: ${unknownGates.join(', ')} (src/versions/kubernetes.ts)`,
    );
  }
  for (const groupVersion of Object.keys(release.runtimeConfig)) {
    const [group, version] = groupVersion.split('/');
    const dir = join(apiInfo.Dir, (group ?? '').replace(/\.k8s\.io$/, ''), version ?? '');
    if (!existsSync(dir)) {
      throw new BuildError(
        `the version table enables ${groupVersion} on ${release.minor}, but k8s.io/api ` +
          `${staging} has no such API version (src/versions/kubernetes.ts)`,
      );
    }
  }
  log(
    `${component} ${release.version}: ${facts.stagingModules.length} staging modules pinned to ${staging}; ` +
      `gates ${Object.keys(release.featureGates).join(',') || '(none)'} exist`,
  );
  const [, minorNumber] = release.minor.split('.');
  const versionVars = (pkg: string) => [
    `-X ${pkg}.gitVersion=${release.version}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${minorNumber}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  ];
  return buildWrapper(
    {
      component,
      version: release.version,
      outDir,
      binaries,
      goDirective: facts.go,
      godebug: facts.godebug,
      requires: [['k8s.io/kubernetes', release.version]],
      replaces: facts.stagingModules.map((m) => [m, m, staging]),
      packages: binaries.map((b) => `k8s.io/kubernetes/cmd/${b}`),
      ldflags: [
        ...versionVars('k8s.io/component-base/version'),
        ...versionVars('k8s.io/client-go/pkg/version'),
      ],
      tags: ['selinux', 'notest'],
      verify: (dir) =>
        runChecks(
          binaries.map((b) => ({
            versionOutput: {
              binary: b,
              args:
                b === 'kubectl'
                  ? ['version', '--client']
                  : b === 'kubeadm'
                    ? ['version', '-o', 'short']
                    : ['--version'],
              expect:
                b === 'kubectl'
                  ? `Client Version: ${release.version}`
                  : b === 'kubeadm'
                    ? release.version
                    : `Kubernetes ${release.version}`,
            },
          })),
          dir,
        ),
    },
    root,
    log,
  );
}

const CONTROL_PLANE_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
] as const;

/**
 * The release's own control-plane binaries and etcd, downloaded and checked against the sums the
 * releases publish, in place of builds (a runner is spared many minutes of compiling). Each
 * directory is downloaded whole or left to the build, which follows; stamped like a build, with
 * where it came from.
 */
async function downloadControlPlane(
  release: KubernetesRelease,
  log: ProgressLog,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const kwokFiles = kwokReleaseFiles(KWOK_VERSION);
  const sets = [
    {
      component: 'kubernetes',
      version: release.version,
      dir: kubernetesBinDir(release, root),
      files: kubernetesReleaseFiles(release.version, CONTROL_PLANE_BINARIES),
    },
    {
      component: 'etcd',
      version: release.etcdVersion,
      dir: etcdBinDir(release.etcdVersion, root),
      files: [etcdReleaseFile(release.etcdVersion)],
    },
    ...(kwokFiles
      ? [
          {
            component: 'kwok',
            version: KWOK_VERSION,
            dir: kwokBinDir(KWOK_VERSION, root),
            files: kwokFiles,
          },
        ]
      : []),
  ];
  for (const set of sets) {
    if (
      await isComplete(
        set.dir,
        set.files.map((f) => f.name),
      )
    )
      continue;
    const outcome = await downloadRelease(set.files, set.dir, { log, env });
    if ('skipped' in outcome) {
      log(`${set.component} ${set.version}: not downloaded (${outcome.skipped}); building it`);
      continue;
    }
    await writeStamp(set.dir, {
      component: set.component,
      version: set.version,
      builtAt: new Date().toISOString(),
      goVersion: 'none (downloaded)',
      seconds: Math.round(outcome.seconds),
      downloadedFrom: set.files.map((f) => f.url),
    });
  }
}

/**
 * Everything a kwok cluster of this minor needs; returns the binary paths. With `download`, the
 * control plane and etcd are first downloaded from their releases (see downloadControlPlane);
 * what is still missing is built.
 */
export async function ensureBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
  options: { download?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  if (options.download) await downloadControlPlane(release, log, root, options.env ?? process.env);
  const paths = binaryPaths(release, KWOK_VERSION, root);
  // Go only where something is left to build (a runner with every download needs none).
  if (!Object.values(paths).every((path) => existsSync(path))) await goVersion();
  await buildKubernetes(release, log, root);
  await buildRecipe(etcdRecipe(release.etcdVersion), log, root);
  await buildRecipe(RECIPES.kwok, log, root);
  return paths;
}

/** Everything the real test node of this minor runs that kaic builds; returns the paths. */
export async function ensureNodeBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<NodeBinaryPaths> {
  await goVersion();
  await buildKubelet(release, log, root);
  await buildRecipe(RECIPES.containerd, log, root);
  await buildRecipe(RECIPES.criTools, log, root);
  return nodeBinaryPaths(release, root);
}
