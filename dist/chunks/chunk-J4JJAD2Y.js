import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  KubeConfig
} from "./chunk-ETKQSHAL.js";

// src/versions/kubernetes.ts
var KUBERNETES_MINORS = ["1.33", "1.34", "1.35", "1.36", "1.37"];
var DEFAULT_TEST_MINOR = "1.35";
var KWOK_VERSION = "v0.8.0";
var CONTAINERD_VERSION = "v2.2.9";
var CRI_TOOLS_VERSION = "v1.34.0";
var RELEASES = {
  "1.33": {
    minor: "1.33",
    version: "v1.33.13",
    etcdVersion: "v3.6.16",
    // DRA is beta and off by default on 1.33: gate plus the beta API groups.
    draApiVersion: "resource.k8s.io/v1beta1",
    // Partitionable devices had an older slice layout (counters beside devices) until 1.35.
    mig: "static",
    gang: null,
    featureGates: { DynamicResourceAllocation: true },
    runtimeConfig: { "resource.k8s.io/v1beta1": "true", "resource.k8s.io/v1beta2": "true" },
    kind: {
      nodeImage: "kindest/node:v1.33.12@sha256:3f5c8443c620245e4d355cfe09e96a91ead32ceaa569d3f1ca9edf0cb2fe2ff4",
      kindVersion: "v0.32.0"
    }
  },
  "1.34": {
    minor: "1.34",
    version: "v1.34.4",
    etcdVersion: "v3.6.16",
    draApiVersion: "resource.k8s.io/v1",
    mig: "static",
    gang: null,
    featureGates: {},
    runtimeConfig: {},
    kind: {
      nodeImage: "kindest/node:v1.34.11@sha256:44e222ee2132dab25ff87301682f89eb82c7880ea3a1bf543bfe9708fd08d67d",
      kindVersion: "v0.33.0"
    }
  },
  "1.35": {
    minor: "1.35",
    version: "v1.35.4",
    etcdVersion: "v3.6.16",
    draApiVersion: "resource.k8s.io/v1",
    // DRAPartitionableDevices is alpha here, with the layout that went beta in 1.36.
    mig: "partitionable",
    gang: { apiVersion: "scheduling.k8s.io/v1alpha1", podField: "workloadRef" },
    featureGates: { DRAPartitionableDevices: true, GenericWorkload: true, GangScheduling: true },
    runtimeConfig: { "scheduling.k8s.io/v1alpha1": "true" },
    kind: {
      nodeImage: "kindest/node:v1.35.8@sha256:07b2536e30b803ed61d1677a79df6115f798ce64c80f9e22f6ed45afd09323c0",
      kindVersion: "v0.33.0"
    }
  },
  "1.36": {
    minor: "1.36",
    version: "v1.36.3",
    etcdVersion: "v3.6.16",
    draApiVersion: "resource.k8s.io/v1",
    mig: "partitionable",
    gang: { apiVersion: "scheduling.k8s.io/v1alpha2", podField: "schedulingGroup" },
    featureGates: { GenericWorkload: true, GangScheduling: true },
    runtimeConfig: { "scheduling.k8s.io/v1alpha2": "true" },
    kind: {
      nodeImage: "kindest/node:v1.36.4@sha256:099e049362a1526b2db71494e1947aae99bd16290d7c895f2b7ea312e3cbfaed",
      kindVersion: "v0.33.0"
    }
  },
  "1.37": {
    minor: "1.37",
    version: "v1.37.2",
    etcdVersion: "v3.7.3",
    draApiVersion: "resource.k8s.io/v1",
    mig: "partitionable",
    // GangScheduling was merged into GenericWorkload in 1.37; naming it there is fatal.
    gang: { apiVersion: "scheduling.k8s.io/v1beta1", podField: "schedulingGroup" },
    featureGates: { GenericWorkload: true },
    runtimeConfig: { "scheduling.k8s.io/v1beta1": "true" },
    kind: {
      nodeImage: "kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5",
      kindVersion: "v0.33.0"
    }
  }
};
function isKubernetesMinor(value) {
  return KUBERNETES_MINORS.includes(value);
}
function parseKubernetesMinor(value, what = "Kubernetes version") {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  const minor = match ? `${match[1]}.${match[2]}` : "";
  if (!isKubernetesMinor(minor)) {
    throw new Error(
      `${what} "${value}" is not supported; accepted: ${KUBERNETES_MINORS.join(", ")} (a patch such as 1.35.4 or a leading "v" is also accepted)`
    );
  }
  return minor;
}
function kubernetesRelease(minor) {
  return RELEASES[minor];
}
function featureGatesFlag(release) {
  return Object.entries(release.featureGates).sort(([a], [b]) => a.localeCompare(b)).map(([gate, on]) => `${gate}=${on}`).join(",");
}
function runtimeConfigFlag(release) {
  return Object.entries(release.runtimeConfig).sort(([a], [b]) => a.localeCompare(b)).map(([group, value]) => `${group}=${value}`).join(",");
}
function stagingVersion(release) {
  return release.version.replace(/^v1\./, "v0.");
}

// src/k8s/kubeconfig.ts
import * as https from "node:https";
var PooledKubeConfig = class extends KubeConfig {
  pooled = null;
  async applySecurityAuthentication(context) {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent) || fresh.constructor !== https.Agent) return;
    this.pooled ??= new https.Agent({
      ...fresh.options,
      keepAlive: true,
      maxSockets: 32
    });
    context.setAgent(this.pooled);
  }
  /** Closes the pooled connections (a process that ends need not call it). */
  close() {
    this.pooled?.destroy();
    this.pooled = null;
  }
};
function loadKubeConfig(path, context) {
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}
function isKubeconfigText(value) {
  return value.includes("\n");
}

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
  KUBERNETES_MINORS,
  DEFAULT_TEST_MINOR,
  KWOK_VERSION,
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  isKubernetesMinor,
  parseKubernetesMinor,
  kubernetesRelease,
  featureGatesFlag,
  runtimeConfigFlag,
  stagingVersion,
  NODE_RUNTIME_IMAGE,
  LOCAL_NODE_IMAGES,
  loadKubeConfig,
  isKubeconfigText
};
