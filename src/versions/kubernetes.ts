/**
 * The Kubernetes version table: everything that differs by minor lives here and nowhere else.
 *
 * Feature gates and runtime-config are listed per minor on purpose: a component refuses to start on
 * a gate it does not know ("unrecognized feature gate"), so a list can never be shared across
 * minors. `scripts/build-k8s.ts` checks every gate named here against the source of that exact
 * release when it builds the binaries.
 */

export const KUBERNETES_MINORS = ['1.33', '1.34', '1.35', '1.36', '1.37'] as const;
export type KubernetesMinor = (typeof KUBERNETES_MINORS)[number];

/** The minor our own tests run against unless told otherwise. */
export const DEFAULT_TEST_MINOR: KubernetesMinor = '1.35';

/** kwok and kwokctl are one release for every minor (they talk to the apiserver as a client). */
export const KWOK_VERSION = 'v0.8.0';

/**
 * The real test node's container runtime and CRI client, built from their Go modules. containerd
 * 2.x for the CRI config v3 and CDI; crictl speaks CRI v1, which every minor here serves.
 */
export const CONTAINERD_VERSION = 'v2.2.9';
export const CRI_TOOLS_VERSION = 'v1.34.0';

export type DraApiVersion = 'resource.k8s.io/v1beta1' | 'resource.k8s.io/v1';

/**
 * How the fake-GPU driver offers MIG on a minor. `partitionable`: every GPU is published whole and
 * as all its MIG placements, tied by shared counters so the scheduler cannot hand out both
 * (DRAPartitionableDevices, in the 1.35+ layout where counters live in their own slices).
 * `static`: some GPUs are pre-cut into MIG devices and those are not offered whole.
 */
export type MigMode = 'partitionable' | 'static';

export type GangApiVersion =
  'scheduling.k8s.io/v1alpha1' | 'scheduling.k8s.io/v1alpha2' | 'scheduling.k8s.io/v1beta1';

export interface KubernetesRelease {
  readonly minor: KubernetesMinor;
  /** Release built from the Go module proxy (k8s.io/kubernetes at this tag, staging at v0.x.y). */
  readonly version: string;
  /** etcd server module version built for this minor. */
  readonly etcdVersion: string;
  /** The DRA API version our fake driver and tests speak on this minor. */
  readonly draApiVersion: DraApiVersion;
  /** MIG the fake-GPU driver publishes on this minor. */
  readonly mig: MigMode;
  /** Native gang scheduling (Workload API), or null where the minor has none. */
  readonly gang: { readonly apiVersion: GangApiVersion; readonly podField: string } | null;
  /** Gates passed to kube-apiserver, kube-controller-manager and kube-scheduler. */
  readonly featureGates: Readonly<Record<string, boolean>>;
  /** kube-apiserver --runtime-config entries. */
  readonly runtimeConfig: Readonly<Record<string, string>>;
  /** kind node image for this minor, pinned by digest, and the kind release it belongs to. */
  readonly kind: { readonly nodeImage: string; readonly kindVersion: string };
}

const RELEASES: Readonly<Record<KubernetesMinor, KubernetesRelease>> = {
  '1.33': {
    minor: '1.33',
    version: 'v1.33.13',
    etcdVersion: 'v3.6.16',
    // DRA is beta and off by default on 1.33: gate plus the beta API groups.
    draApiVersion: 'resource.k8s.io/v1beta1',
    // Partitionable devices had an older slice layout (counters beside devices) until 1.35.
    mig: 'static',
    gang: null,
    featureGates: { DynamicResourceAllocation: true },
    runtimeConfig: { 'resource.k8s.io/v1beta1': 'true', 'resource.k8s.io/v1beta2': 'true' },
    kind: {
      nodeImage:
        'kindest/node:v1.33.12@sha256:3f5c8443c620245e4d355cfe09e96a91ead32ceaa569d3f1ca9edf0cb2fe2ff4',
      kindVersion: 'v0.32.0',
    },
  },
  '1.34': {
    minor: '1.34',
    version: 'v1.34.4',
    etcdVersion: 'v3.6.16',
    draApiVersion: 'resource.k8s.io/v1',
    mig: 'static',
    gang: null,
    featureGates: {},
    runtimeConfig: {},
    kind: {
      nodeImage:
        'kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d',
      kindVersion: 'v0.33.0',
    },
  },
  '1.35': {
    minor: '1.35',
    version: 'v1.35.4',
    etcdVersion: 'v3.6.16',
    draApiVersion: 'resource.k8s.io/v1',
    // DRAPartitionableDevices is alpha here, with the layout that went beta in 1.36.
    mig: 'partitionable',
    gang: { apiVersion: 'scheduling.k8s.io/v1alpha1', podField: 'workloadRef' },
    featureGates: { DRAPartitionableDevices: true, GenericWorkload: true, GangScheduling: true },
    runtimeConfig: { 'scheduling.k8s.io/v1alpha1': 'true' },
    kind: {
      nodeImage:
        'kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0',
      kindVersion: 'v0.33.0',
    },
  },
  '1.36': {
    minor: '1.36',
    version: 'v1.36.3',
    etcdVersion: 'v3.6.16',
    draApiVersion: 'resource.k8s.io/v1',
    mig: 'partitionable',
    gang: { apiVersion: 'scheduling.k8s.io/v1alpha2', podField: 'schedulingGroup' },
    featureGates: { GenericWorkload: true, GangScheduling: true },
    runtimeConfig: { 'scheduling.k8s.io/v1alpha2': 'true' },
    kind: {
      nodeImage:
        'kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed',
      kindVersion: 'v0.33.0',
    },
  },
  '1.37': {
    minor: '1.37',
    version: 'v1.37.2',
    etcdVersion: 'v3.7.3',
    draApiVersion: 'resource.k8s.io/v1',
    mig: 'partitionable',
    // GangScheduling was merged into GenericWorkload in 1.37; naming it there is fatal.
    gang: { apiVersion: 'scheduling.k8s.io/v1beta1', podField: 'schedulingGroup' },
    featureGates: { GenericWorkload: true },
    runtimeConfig: { 'scheduling.k8s.io/v1beta1': 'true' },
    kind: {
      nodeImage:
        'kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5',
      kindVersion: 'v0.33.0',
    },
  },
};

export function isKubernetesMinor(value: string): value is KubernetesMinor {
  return (KUBERNETES_MINORS as readonly string[]).includes(value);
}

/** Accepts "1.35", "v1.35", "1.35.4" or "v1.35.4"; throws naming the accepted minors otherwise. */
export function parseKubernetesMinor(value: string, what = 'Kubernetes version'): KubernetesMinor {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  const minor = match ? `${match[1]}.${match[2]}` : '';
  if (!isKubernetesMinor(minor)) {
    throw new Error(
      `${what} "${value}" is not supported; accepted: ${KUBERNETES_MINORS.join(', ')} ` +
        `(a patch such as 1.35.4 or a leading "v" is also accepted)`,
    );
  }
  return minor;
}

export function kubernetesRelease(minor: KubernetesMinor): KubernetesRelease {
  return RELEASES[minor];
}

/** `--feature-gates` value, sorted so the same table always yields the same flag. */
export function featureGatesFlag(release: KubernetesRelease): string {
  return Object.entries(release.featureGates)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([gate, on]) => `${gate}=${on}`)
    .join(',');
}

/** `--runtime-config` value, sorted like the gates. */
export function runtimeConfigFlag(release: KubernetesRelease): string {
  return Object.entries(release.runtimeConfig)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([group, value]) => `${group}=${value}`)
    .join(',');
}

/** The staging modules' tag for a release: v1.35.4 -> v0.35.4. */
export function stagingVersion(release: KubernetesRelease): string {
  return release.version.replace(/^v1\./, 'v0.');
}
