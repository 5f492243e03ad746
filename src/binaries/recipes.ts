/**
 * What kaic builds from Go modules, as data: one recipe per component, by the pinned version it
 * builds (src/versions/addons.ts, src/versions/kubernetes.ts), each built by buildRecipe
 * (build.ts); and the files kaic takes from modules without building anything (copyFromModule).
 * The control plane and the kubelet are built apart, from k8s.io/kubernetes (kubernetes.ts).
 *
 * A recipe's outDir, binaries and stamp decide whether it is cached: change them and every cache
 * builds it again.
 */
import { basename, dirname } from 'node:path';

import {
  chartDir,
  containerdBinDir,
  criToolsBinDir,
  etcdBinDir,
  gatewayApiDir,
  helmBinDir,
  jobsetDir,
  karpenterDir,
  kindBinDir,
  kueueDir,
  kwokBinDir,
  prometheusAdapterDir,
  prometheusDir,
  traefikDir,
} from '../cache.js';
import {
  GATEWAY_API,
  HELM,
  JOBSET,
  KARPENTER,
  KIND_CHARTS,
  KUEUE,
  PROMETHEUS,
  PROMETHEUS_ADAPTER,
  TRAEFIK,
} from '../versions/addons.js';
import { CONTAINERD_VERSION, CRI_TOOLS_VERSION, KWOK_VERSION } from '../versions/kubernetes.js';
import type { GoModuleRecipe, LocalModule, ModuleCopyRecipe } from './build.js';

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

/** Traefik's release, as its own build sets it (goreleaser's version, without the v). */
const TRAEFIK_RELEASE = TRAEFIK.version.replace(/^v/, '');

function goSource(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/**
 * Three of Traefik's dependencies are not served by the module proxy kaic builds from, so the
 * build takes local modules in their place, none of them on the path kaic uses:
 * - github.com/traefik/traefik/dynamic/ext, a nested module (zips leave those out): two empty
 *   extension structs that dynamic.HTTP and dynamic.Router embed;
 * - lego's DNS-01 provider registry, whose providers need cloud SDKs the proxy refuses: lego
 *   without providers/dns/*, the registry answering that no provider is built in (Traefik asks it
 *   only for an ACME resolver with a DNS challenge);
 * - Traefik's fork of go-http-auth: the upstream module, plus the one method the fork adds
 *   (digest auth's stale challenge), for the basic and digest auth middlewares.
 */
const TRAEFIK_LOCAL_MODULES: Record<string, LocalModule> = {
  'github.com/traefik/traefik/dynamic/ext': {
    files: {
      'go.mod': 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n',
      'ext.go': goSource([
        "// Package ext stands in for Traefik's nested module of the same path.",
        'package ext',
        '',
        "// HTTP extends dynamic.HTTP (empty in Traefik's open-source build).",
        'type HTTP struct{}',
        '',
        "// Router extends dynamic.Router (empty in Traefik's open-source build).",
        'type Router struct{}',
      ]),
    },
  },
  'github.com/go-acme/lego/v5': {
    // The version Traefik's go.mod requires.
    base: { module: 'github.com/go-acme/lego/v5', version: 'v5.4.1' },
    drop: ['providers/dns', 'cmd'],
    files: {
      'providers/dns/kaic.go': goSource([
        "// Package dns stands in for lego's DNS-01 provider registry in kaic's build.",
        'package dns',
        '',
        'import (',
        '\t"fmt"',
        '',
        '\t"github.com/go-acme/lego/v5/challenge"',
        ')',
        '',
        '// NewDNSChallengeProviderByName fails: no DNS provider is built in.',
        'func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {',
        '\treturn nil, fmt.Errorf("DNS challenge provider %q is not built into this Traefik", name)',
        '}',
      ]),
    },
  },
  'github.com/abbot/go-http-auth': {
    // The newest version served (Traefik's go.mod names the fork, which is not).
    base: {
      module: 'github.com/abbot/go-http-auth',
      version: 'v0.4.1-0.20220112235402-e1cee1c72f2f',
    },
    files: {
      'kaic_stale.go': goSource([
        'package auth',
        '',
        'import "net/http"',
        '',
        '// RequireAuthStale is RequireAuth with stale=true in the challenge (RFC 7616):',
        '// the nonce is no longer valid, the credentials may be.',
        'func (da *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {',
        '\tda.RequireAuth(staleChallenge{w, da.Headers.V().Authenticate}, r)',
        '}',
        '',
        'type staleChallenge struct {',
        '\thttp.ResponseWriter',
        '\theader string',
        '}',
        '',
        'func (s staleChallenge) WriteHeader(code int) {',
        '\tif challenge := s.Header().Get(s.header); challenge != "" {',
        '\t\ts.Header().Set(s.header, challenge+", stale=true")',
        '\t}',
        '\ts.ResponseWriter.WriteHeader(code)',
        '}',
      ]),
    },
  },
};

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
    verify: [
      { versionOutput: { binary: 'crictl', args: ['--version'], expect: CRI_TOOLS_VERSION } },
    ],
  },

  /**
   * Kueue's manager, with its CRDs (crds/) and webhook configuration (webhook.yaml) from the same
   * module, so running it needs no Go.
   */
  kueue: {
    component: 'kueue',
    module: KUEUE.module,
    version: KUEUE.version,
    outDir: (root) => kueueDir(KUEUE.version, root),
    binaries: ['kueue'],
    packages: [`${KUEUE.module}/cmd/kueue`],
    ldflags: [`-X ${KUEUE.module}/pkg/version.GitVersion=${KUEUE.version}`],
    moduleFiles: [
      ['config/components/crd/bases', 'crds'],
      ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
    ],
    verify: [{ helpMentions: { binary: 'kueue', flag: '-config' } }],
  },

  /**
   * Prometheus and promtool with Kubernetes service discovery as the only discovery compiled in
   * (the module's own build tags), which halves the build; the web UI's assets are left out (the
   * HTTP API, which the suites query, is all there).
   */
  prometheus: {
    component: 'prometheus',
    module: PROMETHEUS.module,
    version: PROMETHEUS.version,
    outDir: (root) => prometheusDir(PROMETHEUS.version, root),
    binaries: ['prometheus', 'promtool'],
    packages: [`${PROMETHEUS.module}/cmd/prometheus`, `${PROMETHEUS.module}/cmd/promtool`],
    tags: ['remove_all_sd', 'enable_kubernetes_sd'],
    ldflags: [
      `-X github.com/prometheus/common/version.Version=${PROMETHEUS.release}`,
      `-X github.com/prometheus/common/version.Branch=module-${PROMETHEUS.version}`,
    ],
    verify: [
      {
        versionOutput: { binary: 'prometheus', args: ['--version'], expect: PROMETHEUS.release },
      },
    ],
  },

  /** prometheus-adapter's server (its module has no replace directives to carry over). */
  prometheusAdapter: {
    component: 'prometheus-adapter',
    module: PROMETHEUS_ADAPTER.module,
    version: PROMETHEUS_ADAPTER.version,
    outDir: (root) => prometheusAdapterDir(PROMETHEUS_ADAPTER.version, root),
    binaries: ['prometheus-adapter'],
    packages: [`${PROMETHEUS_ADAPTER.module}/cmd/adapter`],
    renames: { adapter: 'prometheus-adapter' },
    verify: [{ helpMentions: { binary: 'prometheus-adapter', flag: '--metrics-relist-interval' } }],
  },

  /**
   * Karpenter's kwok provider (launches kwok nodes), with the CRDs it needs (crds/) from the same
   * module: NodePool, NodeClaim, NodeOverlay, CapacityBuffer and the KWOKNodeClass.
   */
  karpenter: {
    component: 'karpenter',
    module: KARPENTER.module,
    version: KARPENTER.version,
    outDir: (root) => karpenterDir(KARPENTER.version, root),
    binaries: ['karpenter-kwok'],
    packages: [`${KARPENTER.module}/kwok`],
    renames: { kwok: 'karpenter-kwok' },
    moduleFiles: [
      ['kwok/charts/crds', 'crds'],
      [
        'kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
        'crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
      ],
    ],
    // Go's flag package prints one dash.
    verify: [{ helpMentions: { binary: 'karpenter-kwok', flag: '-instance-types-file-path' } }],
  },

  /**
   * Traefik's single binary (its kubernetesGateway provider is the part the test cluster uses),
   * with local modules for the dependencies the module proxy does not serve
   * (TRAEFIK_LOCAL_MODULES).
   */
  traefik: {
    component: 'traefik',
    module: TRAEFIK.module,
    version: TRAEFIK.version,
    outDir: (root) => traefikDir(TRAEFIK.version, root),
    binaries: ['traefik'],
    packages: [`${TRAEFIK.module}/cmd/traefik`],
    ldflags: [`-X ${TRAEFIK.module}/pkg/version.Version=${TRAEFIK_RELEASE}`],
    moduleReplaces: { local: TRAEFIK_LOCAL_MODULES },
    verify: [
      { versionOutput: { binary: 'traefik', args: ['version'], expect: TRAEFIK_RELEASE } },
      { helpMentions: { binary: 'traefik', flag: '--providers.kubernetesgateway' } },
    ],
  },

  /**
   * JobSet's controller manager (the module's root package, so Go names the binary `jobset`), with
   * its CRD (crds/) and webhook configurations (webhook.yaml, and the kustomize patches that
   * narrow its pod webhooks to JobSet's pods: webhook-patches/) from the same module.
   */
  jobset: {
    component: 'jobset',
    module: JOBSET.module,
    version: JOBSET.version,
    outDir: (root) => jobsetDir(JOBSET.version, root),
    binaries: ['jobset'],
    packages: [JOBSET.module],
    ldflags: [`-X ${JOBSET.module}/pkg/version.GitVersion=${JOBSET.version}`],
    moduleFiles: [
      ['config/components/crd/bases', 'crds'],
      ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
      ['config/components/webhook/patches', 'webhook-patches'],
    ],
    verify: [{ helpMentions: { binary: 'jobset', flag: '-config' } }],
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
  /** The Gateway API's standard-channel CRDs (the YAMLs at the top of its CRD directory). */
  gatewayApiCrds: {
    component: 'gateway-api',
    module: GATEWAY_API.module,
    version: GATEWAY_API.version,
    source: GATEWAY_API.crdDir,
    outDir: (root) => gatewayApiDir(GATEWAY_API.version, root),
    target: 'crds',
    pattern: /^[^/]*\.ya?ml$/,
  },

  /** Traefik's RBAC for its Gateway API provider, from its module's docs: rbac/<file>. */
  traefikRbac: {
    component: 'traefik-rbac',
    module: TRAEFIK.module,
    version: TRAEFIK.version,
    source: dirname(TRAEFIK.rbacFile),
    outDir: (root) => chartDir('traefik-rbac', TRAEFIK.version, root),
    target: 'rbac',
    files: [basename(TRAEFIK.rbacFile)],
  },

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

/** A chart the addon's own module carries (see KIND_CHARTS): <name>/ in its cache directory. */
export function chartCopy(name: keyof typeof KIND_CHARTS): ModuleCopyRecipe {
  const chart = KIND_CHARTS[name];
  return {
    component: `chart-${name}`,
    module: chart.module,
    version: chart.version,
    source: chart.chartDir,
    outDir: (root) => chartDir(name, chart.version, root),
    target: name,
  };
}
