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
}

export function kindConfig(minor: KubernetesMinor, options: KindConfigOptions = {}): object {
  const release = kubernetesRelease(minor);
  const image = release.kind.nodeImage;
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
    containerdConfigPatches: [CONTAINERD_CDI_PATCH],
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
