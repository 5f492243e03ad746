/** What the server serves, asked of the server itself. */
import * as k8s from '@kubernetes/client-node';

import {
  isKubernetesMinor,
  type DraApiVersion,
  type KubernetesMinor,
} from '../versions/kubernetes.js';

export async function servedGroupVersions(kc: k8s.KubeConfig, group: string): Promise<string[]> {
  const groups = await kc.makeApiClient(k8s.ApisApi).getAPIVersions();
  return groups.groups.find((g) => g.name === group)?.versions.map((v) => v.groupVersion) ?? [];
}

/** The DRA API version to speak: v1 where served, else v1beta1; null when DRA is off. */
export async function servedDraApi(kc: k8s.KubeConfig): Promise<DraApiVersion | null> {
  const served = await servedGroupVersions(kc, 'resource.k8s.io');
  if (served.includes('resource.k8s.io/v1')) return 'resource.k8s.io/v1';
  if (served.includes('resource.k8s.io/v1beta1')) return 'resource.k8s.io/v1beta1';
  return null;
}

/** The server's Kubernetes minor where the version table knows it ("1.35"), else null. */
export async function serverMinor(kc: k8s.KubeConfig): Promise<KubernetesMinor | null> {
  const info = await kc.makeApiClient(k8s.VersionApi).getCode();
  // Managed clusters report minors like "35+".
  const minor = `${info.major}.${info.minor.replace(/\D+$/, '')}`;
  return isKubernetesMinor(minor) ? minor : null;
}
