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

export {
  recordEvidence,
  skipBecause,
  evidenceOf,
  skipReasonOf,
  TitleTagError,
  parseTitleTag,
  requirementTag,
  ACCELERATOR_KINDS,
  ALLOCATION_MODES,
  AcceleratorError,
  probeScript,
  probeListScript,
  parseProbe,
  detectAccelerator
};
