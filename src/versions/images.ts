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
 * Images the real test node holds without a registry: stand-ins made from the machine's static
 * busybox (src/providers/real-node/oci-image.ts) and imported under these names, so pods that
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
