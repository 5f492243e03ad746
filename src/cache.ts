/**
 * Where kaic keeps what it builds or downloads once and reuses: outside any checkout, so a fresh
 * clone (or CI) finds the Kubernetes binaries of an earlier run.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

import {
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  type KubernetesRelease,
} from './versions/kubernetes.js';

/** `$KAIC_CACHE`, else `$XDG_CACHE_HOME/kaic`, else `~/.cache/kaic`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KAIC_CACHE) return env.KAIC_CACHE;
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'kaic');
}

export interface BinaryPaths {
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  kubectl: string;
  kwok: string;
  kwokctl: string;
}

export function kubernetesBinDir(release: KubernetesRelease, root = cacheDir()): string {
  return join(root, 'bin', 'kubernetes', release.version);
}

export function kubeletBinDir(release: KubernetesRelease, root = cacheDir()): string {
  return join(root, 'bin', 'kubelet', release.version);
}

/** kubeadm and kube-proxy of one release: what a kind node image adds to the control plane. */
export function kindNodeBinDir(release: KubernetesRelease, root = cacheDir()): string {
  return join(root, 'bin', 'kind-node', release.version);
}

/** CoreDNS, the cluster DNS a kind node image preloads. */
export function corednsBinDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'coredns', version);
}

/**
 * What `kaic images` builds for kind: the Debian root filesystems, the image archives, and
 * images.json (each image it put into Docker, by name, with its ID and what it was made from).
 */
export function kindImagesDir(root = cacheDir()): string {
  return join(root, 'kind-images');
}

export function containerdBinDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'containerd', version);
}

export function criToolsBinDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'cri-tools', version);
}

/** Kueue's manager and the CRD and webhook manifests of its module. */
export function kueueDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'kueue', version);
}

/** The Kubernetes example DRA driver's kubelet plugin. */
export function draExampleDriverDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'dra-example-driver', version);
}

/** run:ai's fake GPU operator: its device plugin, status updater and exporter, nvidia-smi. */
export function volcanoDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'volcano', version);
}

export function fakeGpuOperatorDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'fake-gpu-operator', version);
}

/** Prometheus and promtool. */
export function prometheusDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'prometheus', version);
}

/** prometheus-adapter (the custom metrics API server). */
export function prometheusAdapterDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'prometheus-adapter', version);
}

/** Karpenter's kwok provider and the CRDs of its module. */
export function karpenterDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'karpenter', version);
}

/** Traefik (the test cluster's Gateway API implementation). */
export function traefikDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'traefik', version);
}

/** The Gateway API CRDs of the gateway-api module. */
export function gatewayApiDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'gateway-api', version);
}

/** JobSet's controller manager and the CRD and webhook manifests of its module. */
export function jobsetDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'jobset', version);
}

/** What the real test node runs that kaic builds (runc and the CNI plugins come from the OS). */
export interface NodeBinaryPaths {
  kubelet: string;
  containerd: string;
  containerdShim: string;
  ctr: string;
  crictl: string;
}

export function nodeBinaryPaths(release: KubernetesRelease, root = cacheDir()): NodeBinaryPaths {
  const containerd = containerdBinDir(CONTAINERD_VERSION, root);
  return {
    kubelet: join(kubeletBinDir(release, root), 'kubelet'),
    containerd: join(containerd, 'containerd'),
    containerdShim: join(containerd, 'containerd-shim-runc-v2'),
    ctr: join(containerd, 'ctr'),
    crictl: join(criToolsBinDir(CRI_TOOLS_VERSION, root), 'crictl'),
  };
}

export function etcdBinDir(etcdVersion: string, root = cacheDir()): string {
  return join(root, 'bin', 'etcd', etcdVersion);
}

/** The kind CLI of one release (the kind provider's cluster tool; built from its module here). */
export function kindBinDir(kindVersion: string, root = cacheDir()): string {
  return join(root, 'bin', 'kind', kindVersion);
}

/** Helm, which renders addon charts for kind clusters. */
export function helmBinDir(version: string, root = cacheDir()): string {
  return join(root, 'bin', 'helm', version);
}

/** A chart copied out of its Go module, e.g. charts/kueue of sigs.k8s.io/kueue@v0.17.0. */
export function chartDir(name: string, version: string, root = cacheDir()): string {
  return join(root, 'charts', name, version);
}

export function kwokBinDir(kwokVersion: string, root = cacheDir()): string {
  return join(root, 'bin', 'kwok', kwokVersion);
}

export function binaryPaths(
  release: KubernetesRelease,
  kwokVersion: string,
  root = cacheDir(),
): BinaryPaths {
  const k8s = kubernetesBinDir(release, root);
  const kwok = kwokBinDir(kwokVersion, root);
  return {
    etcd: join(etcdBinDir(release.etcdVersion, root), 'etcd'),
    kubeApiserver: join(k8s, 'kube-apiserver'),
    kubeControllerManager: join(k8s, 'kube-controller-manager'),
    kubeScheduler: join(k8s, 'kube-scheduler'),
    kubectl: join(k8s, 'kubectl'),
    kwok: join(kwok, 'kwok'),
    kwokctl: join(kwok, 'kwokctl'),
  };
}

/** Go's module and build caches, kept with ours so one directory holds all reusable state. */
export function goCacheEnv(root = cacheDir()): { GOMODCACHE: string; GOCACHE: string } {
  return { GOMODCACHE: join(root, 'go', 'mod'), GOCACHE: join(root, 'go', 'build') };
}
