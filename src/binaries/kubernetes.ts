/**
 * The Kubernetes binaries of one release: the control plane (and kubectl) and the kubelet, built
 * from k8s.io/kubernetes, which does not fit a recipe (its staging modules are pinned from the
 * release's own go.mod, the version table's gates and APIs are checked against its source, and
 * the build date is stamped in), unless the release's own binaries are downloaded in place of
 * the build; and the sets a kwok cluster and the real node need, with etcd, kwok, containerd and
 * crictl from their recipes (downloaded or built the same way).
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import {
  binaryPaths,
  cacheDir,
  kindNodeBinDir,
  kubeletBinDir,
  kubernetesBinDir,
  nodeBinaryPaths,
  type NodeBinaryPaths,
} from '../cache.js';
import { kubernetesReleaseFiles } from '../versions/downloads.js';
import { KWOK_VERSION, stagingVersion, type KubernetesRelease } from '../versions/kubernetes.js';
import {
  BuildError,
  buildRecipe,
  downloadInPlaceOfBuild,
  type BuildCheck,
  buildWrapper,
  definedFeatureGates,
  downloadModule,
  goEnv,
  goVersion,
  isComplete,
  parseGoMod,
  runChecks,
  type ProgressLog,
} from './build.js';
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
  const versionCheck = (b: string): BuildCheck => ({
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
  });
  const verify = (dir: string) => runChecks(binaries.map(versionCheck), dir);
  const files = kubernetesReleaseFiles(release.version, binaries);
  if (
    await downloadInPlaceOfBuild(
      { component, version: release.version, outDir, binaries, files, verify },
      root,
      log,
    )
  ) {
    return true;
  }
  await goVersion();
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
      verify,
    },
    root,
    log,
  );
}

/**
 * Everything a kwok cluster of this minor needs, each the release's own download where one is
 * published (else built); returns the binary paths.
 */
export async function ensureBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
) {
  const paths = binaryPaths(release, KWOK_VERSION, root);
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
  await buildKubelet(release, log, root);
  await buildRecipe(RECIPES.containerd, log, root);
  await buildRecipe(RECIPES.criTools, log, root);
  return nodeBinaryPaths(release, root);
}
