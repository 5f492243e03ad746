import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  DraObjects,
  KubeConfig,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  ObjectApisApi,
  ObjectCoreV1Api,
  ObjectVersionApi
} from "./chunk-MXEDRECR.js";

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

// src/k8s/discovery.ts
async function servedGroupVersions(kc, group) {
  const groups = await kc.makeApiClient(ObjectApisApi).getAPIVersions();
  return groups.groups.find((g) => g.name === group)?.versions.map((v) => v.groupVersion) ?? [];
}
async function servedDraApi(kc) {
  const served = await servedGroupVersions(kc, "resource.k8s.io");
  if (served.includes("resource.k8s.io/v1")) return "resource.k8s.io/v1";
  if (served.includes("resource.k8s.io/v1beta1")) return "resource.k8s.io/v1beta1";
  return null;
}
async function serverMinor(kc) {
  const info = await kc.makeApiClient(ObjectVersionApi).getCode();
  const minor = `${info.major}.${info.minor.replace(/\D+$/, "")}`;
  return isKubernetesMinor(minor) ? minor : null;
}

// src/util/wait.ts
var WaitAborted = class extends Error {
};
async function waitFor(what, probe, timeoutMs = 6e4, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      if (error instanceof WaitAborted) throw error;
      last = error;
    }
    await new Promise((r2) => setTimeout(r2, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs / 1e3}s waiting for ${what}` + (last ? ` (last error: ${last.message})` : "")
  );
}

// src/accelerators/profiles.ts
var ACCELERATOR_KINDS = ["nvidia", "fake", "example", "generic"];
var ALLOCATION_MODES = ["auto", "dra", "device-plugin"];
var NVIDIA_DEVNODES = { kind: "devnodes", pattern: "^nvidia[0-9]+$" };
var NVIDIA_MIG = { deviceClass: "mig.nvidia.com", parentAttribute: "parentUUID" };
var NVIDIA_SMI_DRIVER_VERSION = `nvidia-smi -q | sed -n 's/^ *Driver Version *: *//p' | head -n 1`;
var NVIDIA = {
  kind: "nvidia",
  deviceClass: "gpu.nvidia.com",
  draDriver: "gpu.nvidia.com",
  extendedResource: "nvidia.com/gpu",
  taintKey: "nvidia.com/gpu",
  probe: NVIDIA_DEVNODES,
  driverVersionAttribute: "driverVersion",
  partitions: NVIDIA_MIG,
  driverVersionCommand: NVIDIA_SMI_DRIVER_VERSION
};
var ACCELERATOR_PROFILES = {
  nvidia: NVIDIA,
  // kaic's fake-GPU driver publishes NVIDIA's names and injects NVIDIA-shaped device nodes and a
  // fake nvidia-smi; only its publisher's label tells it apart (see detectAccelerator).
  fake: { ...NVIDIA, kind: "fake" },
  example: {
    kind: "example",
    deviceClass: "gpu.example.com",
    draDriver: "gpu.example.com",
    extendedResource: null,
    taintKey: null,
    probe: { kind: "env", prefix: "GPU_DEVICE_" },
    driverVersionAttribute: "driverVersion",
    partitions: null,
    driverVersionCommand: null
  }
};
var FAKE_GPU_MANAGED_BY = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
var AcceleratorError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "AcceleratorError";
  }
};
function probeScript(probe) {
  const count = probe.kind === "devnodes" ? `ls /dev | grep -cE '${probe.pattern}'` : `env | grep -c '^${probe.prefix}'`;
  return `n=$(${count}); echo "RESULT: ACCELERATOR_COUNT=$n"`;
}
function probeListScript(probe) {
  return probe.kind === "devnodes" ? `ls /dev | grep -E '${probe.pattern}' || true` : `env | grep '^${probe.prefix}' | sort || true`;
}
function parseProbe(output) {
  const match = /RESULT: ACCELERATOR_COUNT=(\d+)/.exec(output);
  return match ? Number(match[1]) : null;
}
function nodesWithCompletePools(slices, driver) {
  const pools = /* @__PURE__ */ new Map();
  for (const slice of slices) {
    if (slice.spec?.driver !== driver || !slice.spec.pool) continue;
    const key = slice.spec.pool.name;
    pools.set(key, [...pools.get(key) ?? [], slice]);
  }
  const nodes = /* @__PURE__ */ new Set();
  for (const poolSlices of pools.values()) {
    const newest = Math.max(...poolSlices.map((s) => s.spec?.pool?.generation ?? 0));
    const current = poolSlices.filter((s) => s.spec?.pool?.generation === newest);
    const expected = current[0]?.spec?.pool?.resourceSliceCount ?? 0;
    const devices = current.reduce((n, s) => n + (s.spec?.devices?.length ?? 0), 0);
    if (current.length !== expected || devices === 0) continue;
    for (const s of current) if (s.spec?.nodeName) nodes.add(s.spec.nodeName);
  }
  return [...nodes];
}
function readySchedulable(node) {
  return Boolean(
    node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !node.spec?.unschedulable
  );
}
async function detectAccelerator(kc, wanted = {}) {
  const kindWanted = wanted.kind ?? "auto";
  const mode = wanted.mode ?? "auto";
  if (kindWanted === "generic" && !wanted.generic) {
    throw new AcceleratorError('accelerator "generic" needs its device class and probe configured');
  }
  const core = kc.makeApiClient(ObjectCoreV1Api);
  const nodes = (await core.listNode()).items.filter(readySchedulable);
  const readyNames = new Set(nodes.map((n) => n.metadata?.name));
  const draApi = await servedDraApi(kc);
  const candidates = kindWanted === "generic" ? [wanted.generic] : kindWanted === "auto" ? [ACCELERATOR_PROFILES.fake, ACCELERATOR_PROFILES.nvidia, ACCELERATOR_PROFILES.example] : [ACCELERATOR_PROFILES[kindWanted]];
  const tried = [];
  if (mode !== "device-plugin" && draApi) {
    const objects = new DraObjects(kc, draApi);
    const slices = await objects.list("ResourceSlice");
    const fakeSlices = new Set(
      (await objects.list("ResourceSlice", FAKE_GPU_MANAGED_BY)).map(
        (s) => s.metadata?.name
      )
    );
    for (const profile of candidates) {
      const classExists = await objects.read("DeviceClass", profile.deviceClass).then(
        () => true,
        () => false
      );
      const ofDriver = slices.filter((s) => s.spec?.driver === profile.draDriver);
      const isFake = ofDriver.length > 0 && ofDriver.every((s) => fakeSlices.has(s.metadata?.name));
      if (profile.kind === "fake" && !isFake) {
        tried.push(`fake: no ResourceSlices of kaic's fake-GPU driver`);
        continue;
      }
      if (profile.kind === "nvidia" && isFake && kindWanted === "auto") continue;
      const withDevices = nodesWithCompletePools(ofDriver, profile.draDriver).filter(
        (n) => readyNames.has(n)
      );
      if (classExists && withDevices.length > 0) {
        return {
          profile,
          mode: "dra",
          draApi,
          nodes: withDevices.sort(),
          reason: `DeviceClass ${profile.deviceClass} exists and complete ${profile.draDriver} pools with devices sit on ${withDevices.length} Ready node(s)`
        };
      }
      tried.push(
        `${profile.kind}: DeviceClass ${profile.deviceClass} ${classExists ? "exists" : "missing"}, ${withDevices.length} Ready node(s) with complete ${profile.draDriver} pools`
      );
    }
  } else if (mode !== "device-plugin") {
    tried.push("the server serves no resource.k8s.io API (DRA is off)");
  }
  if (mode !== "dra") {
    for (const profile of candidates) {
      if (!profile.extendedResource) continue;
      const resource = profile.extendedResource;
      const withResource = nodes.filter(
        (n) => Number(n.status?.allocatable?.[resource] ?? "0") > 0
      );
      if (withResource.length === 0) {
        tried.push(`${profile.kind}: no Ready node has ${resource} allocatable`);
        continue;
      }
      if (draApi) {
        const backing = (await new DraObjects(kc, draApi).list("DeviceClass")).find(
          (c) => c.spec?.extendedResourceName === resource
        );
        if (backing) {
          tried.push(
            `${profile.kind}: ${resource} is backed by DRA (DeviceClass ${backing.metadata?.name}), so the device-plugin path cannot be attributed`
          );
          continue;
        }
      }
      return {
        profile,
        mode: "device-plugin",
        draApi,
        nodes: withResource.map((n) => n.metadata?.name).sort(),
        reason: `${withResource.length} Ready node(s) have ${resource} allocatable`
      };
    }
  }
  throw new AcceleratorError(
    `no accelerator found (profile ${kindWanted}, allocation mode ${mode}): ${tried.join("; ") || "nothing matched"}`
  );
}

// src/runner/evidence.ts
function currentTest(ctx) {
  return ctx.currentTest ?? ctx.test;
}
function recordEvidence(ctx, kind, summary, detail) {
  const test = currentTest(ctx);
  if (!test) throw new Error("recordEvidence called outside a test or hook");
  (test.kaicEvidence ??= []).push({
    kind,
    summary,
    ...detail === void 0 ? {} : { detail },
    at: (/* @__PURE__ */ new Date()).toISOString()
  });
}
function skipBecause(ctx, reason) {
  const test = currentTest(ctx);
  if (test) test.kaicSkipReason = reason;
  ctx.skip();
}
function evidenceOf(test) {
  return [...test.kaicEvidence ?? []];
}
function skipReasonOf(test) {
  return test.kaicSkipReason ?? null;
}

// src/requirements/catalog.ts
var LEVELS = ["MUST", "SHOULD"];
var CATEGORIES = [
  "accelerators",
  "networking",
  "schedulingOrchestration",
  "observability",
  "security",
  "operator"
];
var CONFORMANCE_VERSIONS = ["1.33", "1.34", "1.35", "1.36"];
var REQUIREMENT_TITLES = {
  dra_support: "Dynamic Resource Allocation",
  driver_runtime_management: "Driver and runtime management",
  gpu_sharing: "GPU sharing",
  virtualized_accelerator: "Virtualized accelerators",
  ai_inference: "Gateway API inference routing",
  advanced_inference_ingress: "Advanced inference ingress",
  high_performance_networking: "High-performance networking",
  disaggregated_inference: "Disaggregated inference",
  gang_scheduling: "Gang scheduling",
  cluster_autoscaling: "Cluster autoscaling",
  pod_autoscaling: "Pod autoscaling",
  accelerator_metrics: "Accelerator metrics",
  ai_service_metrics: "AI service metrics",
  secure_accelerator_access: "Secure accelerator access",
  robust_controller: "Robust AI operator"
};
var r = (id, category, level) => ({ id, category, level });
var V133 = [
  r("dra_support", "accelerators", "SHOULD"),
  r("ai_inference", "networking", "MUST"),
  r("gang_scheduling", "schedulingOrchestration", "MUST"),
  r("cluster_autoscaling", "schedulingOrchestration", "MUST"),
  r("pod_autoscaling", "schedulingOrchestration", "MUST"),
  r("accelerator_metrics", "observability", "MUST"),
  r("ai_service_metrics", "observability", "MUST"),
  r("secure_accelerator_access", "security", "MUST"),
  r("robust_controller", "operator", "MUST")
];
var V134 = V133.map(
  (req) => req.id === "dra_support" ? { ...req, level: "MUST" } : { ...req }
);
var V135 = [
  r("dra_support", "accelerators", "MUST"),
  r("driver_runtime_management", "accelerators", "SHOULD"),
  r("gpu_sharing", "accelerators", "SHOULD"),
  r("virtualized_accelerator", "accelerators", "SHOULD"),
  ...V134.filter((req) => req.category !== "accelerators").map((req) => ({ ...req }))
];
var V136 = [
  r("driver_runtime_management", "accelerators", "SHOULD"),
  r("gpu_sharing", "accelerators", "SHOULD"),
  r("virtualized_accelerator", "accelerators", "SHOULD"),
  r("ai_inference", "networking", "MUST"),
  r("advanced_inference_ingress", "networking", "SHOULD"),
  r("high_performance_networking", "networking", "SHOULD"),
  r("disaggregated_inference", "networking", "SHOULD"),
  ...V135.filter((req) => !["accelerators", "networking"].includes(req.category)).map((req) => ({
    ...req
  }))
];
var CATALOG = {
  "1.33": V133,
  "1.34": V134,
  "1.35": V135,
  "1.36": V136
};
function isConformanceVersion(value) {
  return CONFORMANCE_VERSIONS.includes(value);
}
function parseConformanceVersion(value, what = "conformance version") {
  const minor = value.trim().replace(/^v/, "");
  if (!isConformanceVersion(minor)) {
    throw new Error(
      `${what} "${value}" is not one kaic knows; known: ${CONFORMANCE_VERSIONS.join(", ")} (for a newer one, pass its official checklist with --checklist)`
    );
  }
  return minor;
}
function requirementsFor(version) {
  return CATALOG[version].map((req) => ({ ...req }));
}
function requirementTitle(id) {
  return REQUIREMENT_TITLES[id] ?? id;
}

// src/runner/titles.ts
var TAG_PATTERN = /\[AIConformance\]\s*\[([a-z0-9_]+)\]\s*\[([A-Z]+)\]/g;
var TitleTagError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "TitleTagError";
  }
};
function parseTitleTag(fullTitle) {
  const tags = [...fullTitle.matchAll(TAG_PATTERN)];
  if (tags.length === 0) {
    throw new TitleTagError(
      `test "${fullTitle}" names no requirement; put [AIConformance] [<id>] [MUST|SHOULD] in its describe or it title`
    );
  }
  const ids = new Set(tags.map((t) => t[1]));
  if (ids.size > 1) {
    throw new TitleTagError(
      `test "${fullTitle}" names several requirements (${[...ids].join(", ")}); a test belongs to exactly one`
    );
  }
  const [, requirementId, level] = tags[0];
  if (!LEVELS.includes(level)) {
    throw new TitleTagError(`test "${fullTitle}" has level [${level}]; use [MUST] or [SHOULD]`);
  }
  return { requirementId, level };
}
function requirementTag(id, level) {
  return `[AIConformance] [${id}] [${level}]`;
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

// src/k8s/kwok-nodes.ts
var KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

// src/k8s/test-labels.ts
var TEST_NAMESPACE_LABEL = "conformance.kaic.dev/test";
var RUN_ID_LABEL = "conformance.kaic.dev/run-id";

export {
  LEVELS,
  CATEGORIES,
  CONFORMANCE_VERSIONS,
  isConformanceVersion,
  parseConformanceVersion,
  requirementsFor,
  requirementTitle,
  NODE_RUNTIME_IMAGE,
  LOCAL_NODE_IMAGES,
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
  servedGroupVersions,
  servedDraApi,
  serverMinor,
  loadKubeConfig,
  KWOK_NODE_ANNOTATION,
  TEST_NAMESPACE_LABEL,
  RUN_ID_LABEL,
  WaitAborted,
  waitFor,
  ACCELERATOR_KINDS,
  ALLOCATION_MODES,
  AcceleratorError,
  probeScript,
  probeListScript,
  parseProbe,
  detectAccelerator,
  recordEvidence,
  skipBecause,
  evidenceOf,
  skipReasonOf,
  TitleTagError,
  parseTitleTag,
  requirementTag
};
