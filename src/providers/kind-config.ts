/**
 * kind cluster configurations, one per minor, derived from the version table: the node image by
 * digest, the minor's feature gates and runtime-config, CDI on in containerd (the fake-GPU kubelet
 * plugin hands containers their devices through CDI specs in /var/run/cdi) and GPU workers
 * labelled for the fake-GPU driver. `npm run kind-configs` writes them to kind-configs/<minor>.yaml;
 * a unit test fails when the files and this module disagree.
 */
import { stringify } from 'yaml';

import { FAKE_GPU_NODE_LABEL } from '../fakegpu/driver.js';
import {
  KUBERNETES_MINORS,
  kubernetesRelease,
  type KubernetesMinor,
} from '../versions/kubernetes.js';

/**
 * containerd 2 (every kind node image we pin) reads config version 3, where the CRI runtime
 * plugin holds the CDI switch. CDI is on by default there; saying so keeps it on if a node image
 * changes its defaults, and names both spec directories the CDI spec allows.
 */
const CONTAINERD_CDI_PATCH = `[plugins."io.containerd.cri.v1.runtime"]
  enable_cdi = true
  cdi_spec_dirs = ["/etc/cdi", "/var/run/cdi"]
`;

export interface KindConfigOptions {
  /** GPU worker nodes (default 2). */
  workers?: number;
  /** A node image `kaic images` built here, in place of the pinned one (see localKindSettings). */
  local?: LocalKindSettings;
}

/** What a cluster on kaic's local node image needs said to kind and kubeadm. */
export interface LocalKindSettings {
  nodeImage: string;
  /** kubeadm's imageRepository and the etcd and CoreDNS tags preloaded in the node image. */
  repository: string;
  etcdTag: string;
  corednsTag: string;
  /** The Docker host runs cgroup v1: the kubelet refuses it from 1.35 unless told otherwise. */
  cgroupV1: boolean;
}

/**
 * kubeadm patches for the local node image: the control plane, etcd and CoreDNS from the images
 * preloaded under kaic's repository (nothing to pull), and on cgroup v1 hosts the kubelet told to
 * accept them.
 */
function localPatches(local: LocalKindSettings): string[] {
  const patches = [
    stringify({
      kind: 'ClusterConfiguration',
      imageRepository: local.repository,
      etcd: { local: { imageTag: local.etcdTag } },
      dns: { imageTag: local.corednsTag },
    }),
  ];
  if (local.cgroupV1)
    patches.push(stringify({ kind: 'KubeletConfiguration', failCgroupV1: false }));
  return patches;
}

export function kindConfig(minor: KubernetesMinor, options: KindConfigOptions = {}): object {
  const release = kubernetesRelease(minor);
  const image = options.local?.nodeImage ?? release.kind.nodeImage;
  const workers = options.workers ?? 2;
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    ...(Object.keys(release.featureGates).length
      ? { featureGates: { ...release.featureGates } }
      : {}),
    ...(Object.keys(release.runtimeConfig).length
      ? { runtimeConfig: { ...release.runtimeConfig } }
      : {}),
    // kind's own CNI image (kindnetd) has no source a module proxy serves: on the local image the
    // kind provider sets up routed pod networking itself (kind-network.ts).
    ...(options.local ? { networking: { disableDefaultCNI: true } } : {}),
    containerdConfigPatches: [CONTAINERD_CDI_PATCH],
    ...(options.local ? { kubeadmConfigPatches: localPatches(options.local) } : {}),
    nodes: [
      { role: 'control-plane', image },
      ...Array.from({ length: workers }, () => ({
        role: 'worker',
        image,
        labels: { [FAKE_GPU_NODE_LABEL]: 'true' },
      })),
    ],
  };
}

/** The file text of kind-configs/<minor>.yaml. */
export function kindConfigFile(minor: KubernetesMinor): string {
  const release = kubernetesRelease(minor);
  return (
    `# kind ${release.kind.kindVersion} cluster for Kubernetes ${minor} (${release.version} in the version table).\n` +
    '# Generated from src/versions/kubernetes.ts by `npm run kind-configs`; do not edit.\n' +
    stringify(kindConfig(minor), { lineWidth: 0 })
  );
}

export const KIND_CONFIG_MINORS = KUBERNETES_MINORS;
