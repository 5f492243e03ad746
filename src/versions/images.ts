/**
 * Container images kaic puts into clusters, each pinned by digest (a tag can be moved; a digest
 * names exactly one image). One place for all of them.
 */

/**
 * Node.js 24 on Debian slim, the multi-platform index (amd64 and arm64). It runs the fake-GPU
 * bundle, which kaic ships in a ConfigMap, so no image of our own is needed.
 */
export const NODE_RUNTIME_IMAGE =
  'node:24-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6';

/** True for `name@sha256:<64 hex>` (with or without a tag before the digest). */
export function isPinnedByDigest(image: string): boolean {
  return /^[^@\s]+@sha256:[0-9a-f]{64}$/.test(image);
}

/**
 * `image` as a registry mirror serves it: the image's path (Docker Hub's official images under
 * `library/`) and its tag or digest, under `mirror` (host[:port][/path]) instead of its own
 * registry. `busybox:1.36` → `<mirror>/library/busybox:1.36`; `ghcr.io/org/app@sha256:…` →
 * `<mirror>/org/app@sha256:…`. A digest stays, so the mirror must serve the very same image.
 */
export function mirroredImage(image: string, mirror: string | undefined): string {
  if (!mirror) return image;
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry =
    slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let path = hasRegistry ? image.slice(slash + 1) : image;
  const isDockerHub = !hasRegistry || first === 'docker.io' || first === 'index.docker.io';
  if (isDockerHub && !path.includes('/')) path = `library/${path}`;
  return `${mirror.replace(/\/+$/, '')}/${path}`;
}

/**
 * `image` as containerd's CRI stores it: `busybox:1.36` → `docker.io/library/busybox:1.36`,
 * `org/app:1` → `docker.io/org/app:1`; a name with a registry host stays as it is.
 */
export function qualifiedImageName(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return image;
  }
  return `docker.io/${slash < 0 ? `library/${image}` : image}`;
}

/** What a mirror setting may be: a registry host, with a port and a path where it has them. */
export const MIRROR_PATTERN =
  /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?(\/[a-z0-9][-a-z0-9._/]*)?$/;

/**
 * The suites' default workload image (KAIC_WORKLOAD_IMAGE): busybox 1.36 by its multi-platform
 * index digest, so every cluster runs the very same image whatever the tag points at later.
 */
export const WORKLOAD_IMAGE =
  'busybox:1.36@sha256:73aaf090f3d85aa34ee199857f03fa3a95c8ede2ffd4cc2cdb5b94e566b11662';

/**
 * Images the real test node holds without a registry: stand-ins made from the machine's static
 * busybox (src/images/busybox.ts) and imported under these names, so pods that
 * name them start with imagePullPolicy IfNotPresent. Each image's labels say it is a stand-in.
 */
export const LOCAL_NODE_IMAGES = {
  /** containerd's sandbox ("pause") image; set in its config, so kubelet never asks for another. */
  pause: 'kaic.local/pause:3.10.1',
  /** The suites' general-purpose workload image. */
  busybox: 'busybox:1.36',
  /** The name probe pods use for "a common distribution image". */
  probe: 'ubuntu:22.04',
} as const;

/**
 * Pinned names the real node also gives its stand-ins (no registry serves the real images), so
 * pods that name them by digest start there: pinned name → the stand-in it names.
 */
export const LOCAL_NODE_IMAGE_ALIASES: Readonly<Record<string, string>> = {
  [WORKLOAD_IMAGE]: LOCAL_NODE_IMAGES.busybox,
};

/**
 * What `kaic images` builds kind's images from (air-gapped machines cannot pull kind's own): the
 * Debian release and packages of the node's root filesystem and of kube-proxy's (which runs
 * iptables), and the repository kaic's local builds are named under, so that nothing local wears
 * an upstream name it was not published under.
 */
export const KIND_LOCAL_IMAGES = {
  debianSuite: 'bookworm',
  /** systemd as init; what the kubelet, kube-proxy and CNI plugins call; runc and CNI plugins. */
  nodePackages: [
    'systemd',
    'systemd-sysv',
    'dbus',
    'conntrack',
    'iptables',
    'nftables',
    'iproute2',
    'ethtool',
    'util-linux',
    'mount',
    'kmod',
    'libseccomp2',
    'bash',
    'ca-certificates',
    'procps',
    'runc',
    'containernetworking-plugins',
    'socat',
    'ebtables',
  ],
  kubeProxyPackages: ['iptables', 'conntrack', 'ipset', 'kmod'],
  /** kubeadm's imageRepository for the control plane, kube-proxy, etcd and CoreDNS. */
  repository: 'kaic.local',
  /** The node image, tagged with the Kubernetes version it carries. */
  nodeImage: (kubernetesVersion: string) => `kaic.local/kind-node:${kubernetesVersion}`,
  /**
   * The fake-GPU driver's runtime in place of NODE_RUNTIME_IMAGE: the Node.js that runs kaic,
   * tagged with its version (`kaic images` made with another Node.js is built again).
   */
  nodeRuntimeImage: (nodeVersion: string = process.version) =>
    `kaic.local/node-runtime:${nodeVersion}`,
} as const;
