import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  servedDraApi
} from "./chunk-4DKCGVH3.js";
import {
  DraObjects,
  MANAGED_BY,
  MANAGED_BY_LABEL
} from "./chunk-FCORZ63V.js";
import {
  LOCAL_NODE_IMAGES
} from "./chunk-J4JJAD2Y.js";
import {
  ObjectCoreV1Api
} from "./chunk-ETKQSHAL.js";
import {
  LEVELS
} from "./chunk-NKKDUV5A.js";

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

// src/runner/suite-settings.ts
function bad(env, raw, want) {
  return new Error(`${env}="${raw}"; ${want}`);
}
function text(env, suites, describe, byDefault = "unset") {
  return { env, suites, describe, byDefault, parse: (raw) => raw || void 0 };
}
function choice(env, suites, describe, allowed, fallback, options = {}) {
  return {
    env,
    suites,
    describe: `${describe}: ${allowed.join(" | ")}`,
    byDefault: fallback,
    parse: (raw) => {
      const value = options.lowerCase ? raw?.toLowerCase() : raw;
      if (!value) return fallback;
      if (!allowed.includes(value)) {
        throw bad(env, raw, `accepted: ${allowed.join(", ")}`);
      }
      return value;
    }
  };
}
function seconds(env, suites, describe, fallback) {
  return {
    env,
    suites,
    describe: `${describe} (seconds)`,
    byDefault: String(fallback),
    parse: (raw) => {
      const value = Number(raw || fallback);
      if (!Number.isFinite(value) || value <= 0) throw bad(env, raw, "give seconds > 0");
      return value * 1e3;
    }
  };
}
function integer(env, suites, describe, fallback, range) {
  return {
    env,
    suites,
    describe,
    byDefault: String(fallback),
    parse: (raw) => {
      const value = Number(raw || fallback);
      if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
        throw bad(env, raw, `give a whole number from ${range[0]} to ${range[1]}`);
      }
      return value;
    }
  };
}
var SUITE_SETTINGS = {
  kubeconfig: text(
    "KUBECONFIG",
    "all",
    "the cluster under test (set by kaic run)",
    "client-node's default"
  ),
  runId: text(
    "KAIC_RUN_ID",
    "all",
    "the run's id, labelled on every object a test creates (set by kaic run)"
  ),
  accelerator: choice(
    "KAIC_ACCELERATOR",
    "all that use accelerators",
    "the accelerator profile to test",
    ["auto", ...ACCELERATOR_KINDS],
    "auto"
  ),
  allocationMode: choice(
    "KAIC_ALLOCATION_MODE",
    "all that use accelerators",
    "how pods ask for accelerators",
    ALLOCATION_MODES,
    "auto"
  ),
  workloadImage: {
    ...text("KAIC_WORKLOAD_IMAGE", "all", "an image with a POSIX shell for probe pods"),
    byDefault: LOCAL_NODE_IMAGES.busybox,
    parse: (raw) => raw || LOCAL_NODE_IMAGES.busybox
  },
  acceleratorMetrics: text(
    "KAIC_ACCELERATOR_METRICS",
    "accelerator_metrics",
    "the accelerator metrics endpoint: http(s)://\u2026/metrics (scraped from the runner) or <namespace>/<service>:<port>[/path] (through the API server)",
    "found by its labels"
  ),
  acceleratorLoadImage: text(
    "KAIC_ACCELERATOR_LOAD_IMAGE",
    "accelerator_metrics",
    "a container that keeps the accelerator it holds busy (e.g. a CUDA sample in a loop); not needed for simulated GPUs"
  ),
  acceleratorLoadCommand: text(
    "KAIC_ACCELERATOR_LOAD_COMMAND",
    "accelerator_metrics",
    "the load container's command, run with sh -c",
    "the image's own"
  ),
  metricsTimeoutMs: seconds(
    "KAIC_METRICS_TIMEOUT_SECONDS",
    "accelerator_metrics, ai_service_metrics",
    "how long a metric value may take to arrive or move",
    180
  ),
  prometheus: {
    ...text(
      "KAIC_PROMETHEUS",
      "accelerator_metrics, ai_service_metrics, pod_autoscaling",
      "the cluster's Prometheus: http(s)://host:port or <namespace>/<service>:<port>",
      "found by its labels"
    ),
    setByKaic: true
  },
  hpaTimeoutMs: seconds(
    "KAIC_HPA_TIMEOUT_SECONDS",
    "pod_autoscaling",
    "how long the HPA may take to scale",
    300
  ),
  gangScheduler: {
    ...choice(
      "KAIC_GANG_SCHEDULER",
      "gang_scheduling",
      "the gang scheduling solution to test (auto: Kueue when its API is served, else the native Workload API)",
      ["auto", "native", "kueue"],
      "auto",
      { lowerCase: true }
    ),
    setByKaic: true
  },
  gangWindowMs: seconds(
    "KAIC_GANG_WINDOW_SECONDS",
    "gang_scheduling",
    "the longest an incomplete gang is watched for the scheduler to hold it back (Kueue: QuotaReserved=False; native: a member unschedulable), then 3 s more; without that decision, the whole time",
    20
  ),
  gangTimeoutMs: seconds(
    "KAIC_GANG_TIMEOUT_SECONDS",
    "gang_scheduling",
    "how long a gang with room may take to bind and run (and the pod that makes room scarce to start)",
    120
  ),
  aiOperator: {
    ...text(
      "KAIC_AI_OPERATOR",
      "robust_controller",
      "the operator to test: kubeflow-trainer | kuberay | jobset",
      "the first installed, in that order"
    ),
    setByKaic: true
  },
  operatorRuntime: {
    ...text(
      "KAIC_OPERATOR_RUNTIME",
      "robust_controller",
      "Kubeflow Trainer: the ClusterTrainingRuntime of the valid TrainJob (its trainer runs the workload image's echo)"
    ),
    byDefault: "torch-distributed",
    parse: (raw) => raw || "torch-distributed"
  },
  operatorImage: {
    ...text(
      "KAIC_OPERATOR_IMAGE",
      "robust_controller",
      "KubeRay: the Ray image of the valid RayCluster"
    ),
    byDefault: "rayproject/ray:2.46.0",
    parse: (raw) => raw || "rayproject/ray:2.46.0"
  },
  operatorTimeoutMs: seconds(
    "KAIC_OPERATOR_TIMEOUT_SECONDS",
    "robust_controller",
    "reconciliation and clean-up waits (as the working group)",
    180
  ),
  networkDraDriver: text(
    "KAIC_NETWORK_DRA_DRIVER",
    "high_performance_networking",
    "the DRA driver publishing network devices",
    "any driver whose devices carry network attributes"
  ),
  pdSelector: text(
    "KAIC_PD_SELECTOR",
    "disaggregated_inference",
    "label selectors of the prefill and decode pods: <prefill selector>;<decode selector>",
    "llm-d's roles"
  ),
  autoscalerNodeLabel: text(
    "KAIC_AUTOSCALER_NODE_LABEL",
    "cluster_autoscaling",
    "the accelerator node group: <key>=<value>",
    "Karpenter's karpenter.sh/nodepool label, any pool"
  ),
  autoscalerPendingMs: seconds(
    "KAIC_AUTOSCALER_PENDING_SECONDS",
    "cluster_autoscaling",
    "how long the filler pods may take to bind",
    120
  ),
  autoscalerScaleUpMs: seconds(
    "KAIC_AUTOSCALER_SCALE_UP_SECONDS",
    "cluster_autoscaling",
    "how long a node may take to join (as the working group)",
    1200
  ),
  autoscalerScaleDownMs: seconds(
    "KAIC_AUTOSCALER_SCALE_DOWN_SECONDS",
    "cluster_autoscaling",
    "how long the added node may take to go (as the working group)",
    1800
  ),
  gatewayClass: {
    ...text(
      "KAIC_GATEWAY_CLASS",
      "ai_inference, advanced_inference_ingress",
      "the GatewayClass to use",
      "the Accepted one, by name"
    ),
    setByKaic: true
  },
  gatewayListenerPort: {
    ...integer(
      "KAIC_GATEWAY_LISTENER_PORT",
      "ai_inference, advanced_inference_ingress",
      "the Gateway listener's port",
      80,
      [1, 65535]
    ),
    setByKaic: true
  },
  gatewayAddress: text(
    "KAIC_GATEWAY_ADDRESS",
    "ai_inference, advanced_inference_ingress",
    "host[:port] the client pod sends to, when the Gateway's own address is not reachable from pods",
    "the Gateway's first status address and the listener port"
  ),
  gatewayRequests: integer(
    "KAIC_GATEWAY_REQUESTS",
    "ai_inference",
    "requests for the weight check (at least 500)",
    500,
    [500, Number.MAX_SAFE_INTEGER]
  ),
  gatewayWeightTolerance: {
    env: "KAIC_GATEWAY_WEIGHT_TOLERANCE",
    suites: "ai_inference",
    describe: "allowed distance of a share from its weight, in percentage points, in (0, 50) (the Gateway API's own conformance test uses 5 with up to 10 attempts)",
    byDefault: "10",
    parse: (raw) => {
      const value = Number(raw || 10);
      if (!Number.isFinite(value) || value <= 0 || value >= 50) {
        throw bad("KAIC_GATEWAY_WEIGHT_TOLERANCE", raw, "give percentage points in (0, 50)");
      }
      return value;
    }
  },
  gatewayTimeoutMs: seconds(
    "KAIC_GATEWAY_TIMEOUT_SECONDS",
    "ai_inference, advanced_inference_ingress",
    "each status wait and the client's run",
    180
  )
};
function suiteSettingsFrom(env) {
  const settings = {};
  for (const name of Object.keys(SUITE_SETTINGS)) {
    const spec = SUITE_SETTINGS[name];
    Object.defineProperty(settings, name, {
      enumerable: true,
      get: () => spec.parse(env[spec.env])
    });
  }
  return settings;
}

export {
  recordEvidence,
  skipBecause,
  evidenceOf,
  skipReasonOf,
  TitleTagError,
  parseTitleTag,
  requirementTag,
  AcceleratorError,
  probeScript,
  probeListScript,
  parseProbe,
  detectAccelerator,
  suiteSettingsFrom
};
