import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/versions/images.ts
var NODE_RUNTIME_IMAGE = "node:24-slim@sha256:0e0ff40c39bc087845bfb27465a0df4ea419520094bc35842ff83dd8cbe6f9b6";
var LOCAL_NODE_IMAGES = {
  /** containerd's sandbox ("pause") image; set in its config, so kubelet never asks for another. */
  pause: "kaic.local/pause:3.10.1",
  /** The suites' general-purpose workload image. */
  busybox: "busybox:1.36",
  /** The name probe pods use for "a common distribution image". */
  probe: "ubuntu:22.04"
};

export {
  NODE_RUNTIME_IMAGE,
  LOCAL_NODE_IMAGES
};
