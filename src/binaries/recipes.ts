/**
 * What kaic builds from Go modules for itself, as data: one recipe per tool, by the pinned
 * version it builds (src/versions/), each built by buildRecipe
 * (build.ts); and the files kaic takes from modules without building anything (copyFromModule).
 * The control plane and the kubelet are built apart, from k8s.io/kubernetes (kubernetes.ts); each
 * addon's own recipe lives in its folder (src/addons/<id>/pin.ts).
 *
 * A recipe's outDir, binaries and stamp decide whether it is cached: change them and every cache
 * builds it again.
 */
import {
  chartDir,
  containerdBinDir,
  corednsBinDir,
  criToolsBinDir,
  etcdBinDir,
  helmBinDir,
  kindBinDir,
  kwokBinDir,
} from '../cache.js';
import { HELM } from '../versions/addons.js';
import {
  containerdReleaseFile,
  corednsReleaseFile,
  crictlReleaseFile,
  etcdReleaseFile,
  kwokReleaseFiles,
} from '../versions/downloads.js';
import { CONTAINERD_VERSION, CRI_TOOLS_VERSION, KWOK_VERSION } from '../versions/kubernetes.js';
import type { GoModuleRecipe, ModuleCopyRecipe } from './build.js';

/** The etcd of a release (KubernetesRelease.etcdVersion). */
export function etcdRecipe(version: string): GoModuleRecipe {
  return {
    component: 'etcd',
    module: 'go.etcd.io/etcd/server/v3',
    version,
    outDir: (root) => etcdBinDir(version, root),
    binaries: ['etcd'],
    packages: ['go.etcd.io/etcd/server/v3'],
    // Go names the binary "server" after the package path (the /v3 suffix is dropped).
    renames: { server: 'etcd', v3: 'etcd' },
    release: () => [etcdReleaseFile(version)],
    verify: [
      {
        versionOutput: {
          binary: 'etcd',
          args: ['--version'],
          expect: `etcd Version: ${version.slice(1)}`,
        },
      },
    ],
  };
}

/**
 * The kind CLI of a release's kind version (KubernetesRelease.kind.kindVersion), from its module
 * (the module's root package). The kind provider downloads kind's released binary where it runs;
 * here, without downloads, the same release is built, so that the generated configurations can be
 * loaded by the real thing.
 */
export function kindRecipe(version: string): GoModuleRecipe {
  return {
    component: 'kind',
    module: 'sigs.k8s.io/kind',
    version,
    outDir: (root) => kindBinDir(version, root),
    binaries: ['kind'],
    packages: ['sigs.k8s.io/kind'],
    verify: [{ versionOutput: { binary: 'kind', args: ['version'], expect: `kind ${version}` } }],
  };
}

/**
 * CoreDNS at the version a release's kubeadm deploys (`kubeadm config images list`), for the kind
 * node image; the module's root package is its main.
 */
export function corednsRecipe(version: string): GoModuleRecipe {
  return {
    component: 'coredns',
    module: 'github.com/coredns/coredns',
    version,
    outDir: (root) => corednsBinDir(version, root),
    binaries: ['coredns'],
    packages: ['github.com/coredns/coredns'],
    release: () => [corednsReleaseFile(version)],
    verify: [
      {
        versionOutput: {
          binary: 'coredns',
          args: ['-version'],
          expect: `CoreDNS-${version.replace(/^v/, '')}`,
        },
      },
    ],
  };
}

/** The Go builds at their pinned versions. */
export const RECIPES = {
  /** kwok and kwokctl (KWOK_VERSION). */
  kwok: {
    component: 'kwok',
    module: 'sigs.k8s.io/kwok',
    version: KWOK_VERSION,
    outDir: (root) => kwokBinDir(KWOK_VERSION, root),
    binaries: ['kwok', 'kwokctl'],
    packages: ['sigs.k8s.io/kwok/cmd/kwok', 'sigs.k8s.io/kwok/cmd/kwokctl'],
    release: () => kwokReleaseFiles(KWOK_VERSION),
    verify: [
      { versionOutput: { binary: 'kwokctl', args: ['--version'], expect: KWOK_VERSION.slice(1) } },
    ],
  },

  /** containerd, its runc shim and ctr, for the real test node (CDI support is built in). */
  containerd: {
    component: 'containerd',
    module: 'github.com/containerd/containerd/v2',
    version: CONTAINERD_VERSION,
    outDir: (root) => containerdBinDir(CONTAINERD_VERSION, root),
    binaries: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
    packages: [
      'github.com/containerd/containerd/v2/cmd/containerd',
      'github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2',
      'github.com/containerd/containerd/v2/cmd/ctr',
    ],
    ldflags: [`-X github.com/containerd/containerd/v2/version.Version=${CONTAINERD_VERSION}`],
    release: () => [containerdReleaseFile(CONTAINERD_VERSION)],
    verify: [
      { versionOutput: { binary: 'containerd', args: ['--version'], expect: CONTAINERD_VERSION } },
    ],
  },

  /** crictl: the real node's teardown removes pod sandboxes through the CRI with it. */
  criTools: {
    component: 'cri-tools',
    module: 'sigs.k8s.io/cri-tools',
    version: CRI_TOOLS_VERSION,
    outDir: (root) => criToolsBinDir(CRI_TOOLS_VERSION, root),
    binaries: ['crictl'],
    packages: ['sigs.k8s.io/cri-tools/cmd/crictl'],
    ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${CRI_TOOLS_VERSION}`],
    release: () => [crictlReleaseFile(CRI_TOOLS_VERSION)],
    verify: [
      { versionOutput: { binary: 'crictl', args: ['--version'], expect: CRI_TOOLS_VERSION } },
    ],
  },

  /** Helm, for `helm template` of the charts kaic installs on kind. */
  helm: {
    component: 'helm',
    module: HELM.module,
    version: HELM.version,
    outDir: (root) => helmBinDir(HELM.version, root),
    binaries: ['helm'],
    packages: [`${HELM.module}/cmd/helm`],
    ldflags: [`-X ${HELM.module}/internal/version.version=${HELM.version}`],
    verify: [
      {
        versionOutput: {
          binary: 'helm',
          args: ['version', '--template', '{{.Version}}'],
          expect: HELM.version,
        },
      },
    ],
  },
} as const satisfies Record<string, GoModuleRecipe>;

/** The kwok Stages kaic gives a kwok controller (see MODULE_COPIES.kwokStages). */
const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
] as const;

/** Files taken from modules at their pinned versions (nothing built). */
export const MODULE_COPIES = {
  /**
   * The Stages a kwok controller needs to run nodes and pods (kwok starts with none): node
   * initialise and lease heartbeat, pod ready/complete/delete — the set kwokctl gives its own
   * controller — from kwok's module: stages/<file>.
   */
  kwokStages: {
    component: 'kwok-stages',
    module: 'sigs.k8s.io/kwok',
    version: KWOK_VERSION,
    source: 'kustomize/stage',
    outDir: (root) => chartDir('kwok-stages', KWOK_VERSION, root),
    target: 'stages',
    files: KWOK_STAGES,
  },
} as const satisfies Record<string, ModuleCopyRecipe>;
