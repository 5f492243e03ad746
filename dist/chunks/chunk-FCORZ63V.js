import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  ObjectCustomObjectsApi
} from "./chunk-ETKQSHAL.js";
import {
  InputError
} from "./chunk-WWHORE4U.js";

// src/fakegpu/profiles.ts
import { createHash } from "node:crypto";
var MIG_MEMORY_SLICES = 8;
var ANY_1 = [0, 1, 2, 3, 4, 5, 6];
var H100_MIG = [
  mig("1g.10gb", 19, 7, 9.75, 16, 1, 1, 0, 1, 0, 1, ANY_1),
  mig("1g.10gb+me", 20, 1, 9.75, 16, 1, 1, 0, 1, 1, 1, ANY_1),
  mig("1g.20gb", 15, 4, 19.62, 26, 1, 1, 0, 1, 0, 2, [0, 2, 4, 6]),
  mig("2g.20gb", 14, 3, 19.62, 32, 2, 2, 0, 2, 0, 2, [0, 2, 4]),
  mig("3g.40gb", 9, 2, 39.5, 60, 3, 3, 0, 3, 0, 4, [0, 4]),
  mig("4g.40gb", 5, 1, 39.5, 64, 4, 4, 0, 4, 0, 4, [0]),
  mig("7g.80gb", 0, 1, 79.25, 132, 8, 7, 0, 7, 1, 8, [0])
];
function mig(name, id, instances, memoryGiB, multiprocessors, copyEngines, decoders, encoders, jpegEngines, ofaEngines, memorySlices, placements) {
  return {
    name,
    id,
    instances,
    memoryBytes: Math.round(memoryGiB * 1024 ** 3),
    multiprocessors,
    copyEngines,
    decoders,
    encoders,
    jpegEngines,
    ofaEngines,
    memorySlices,
    placements
  };
}
var DGX_PCI_BUSES = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"];
var NVIDIA_COMMON = {
  vendor: "nvidia",
  driver: "gpu.nvidia.com",
  deviceClass: "gpu.nvidia.com",
  extendedResourceName: "nvidia.com/gpu",
  brand: "Nvidia",
  driverVersion: "580.159.04",
  cudaDriverVersion: "13.0",
  pciBuses: DGX_PCI_BUSES
};
var GPU_PROFILES = [
  {
    ...NVIDIA_COMMON,
    name: "nvidia-h100-80gb",
    migDeviceClass: "mig.nvidia.com",
    productName: "NVIDIA H100 80GB HBM3",
    architecture: "Hopper",
    cudaComputeCapability: "9.0",
    memoryBytes: 85520809984,
    multiprocessors: 132,
    powerLimitWatts: 700,
    nvlinkClique: false,
    migProfiles: H100_MIG
  },
  {
    ...NVIDIA_COMMON,
    name: "nvidia-a100-80gb",
    migDeviceClass: "mig.nvidia.com",
    productName: "NVIDIA A100-SXM4-80GB",
    architecture: "Ampere",
    cudaComputeCapability: "8.0",
    memoryBytes: 85899345920,
    multiprocessors: 108,
    powerLimitWatts: 400,
    nvlinkClique: false,
    migProfiles: [
      mig("1g.10gb", 19, 7, 9.5, 14, 1, 0, 0, 0, 0, 1, ANY_1),
      mig("1g.20gb", 15, 4, 19.5, 14, 1, 1, 0, 1, 0, 2, [0, 2, 4, 6]),
      mig("2g.20gb", 14, 3, 19.5, 28, 2, 1, 0, 0, 0, 2, [0, 2, 4]),
      mig("3g.40gb", 9, 2, 39.25, 42, 3, 2, 0, 0, 0, 4, [0, 4]),
      mig("4g.40gb", 5, 1, 39.25, 56, 4, 2, 0, 0, 0, 4, [0]),
      mig("7g.80gb", 0, 1, 79, 98, 7, 5, 0, 1, 1, 8, [0])
    ]
  },
  {
    ...NVIDIA_COMMON,
    name: "nvidia-l4",
    migDeviceClass: null,
    productName: "NVIDIA L4",
    architecture: "Ada Lovelace",
    cudaComputeCapability: "8.9",
    memoryBytes: 24152899584,
    multiprocessors: 58,
    powerLimitWatts: 72,
    nvlinkClique: false,
    migProfiles: []
  },
  {
    ...NVIDIA_COMMON,
    name: "nvidia-b200",
    migDeviceClass: "mig.nvidia.com",
    productName: "NVIDIA B200",
    architecture: "Blackwell",
    cudaComputeCapability: "10.0",
    memoryBytes: 192265846784,
    multiprocessors: 148,
    powerLimitWatts: 1e3,
    nvlinkClique: true,
    migProfiles: [
      mig("1g.23gb", 19, 7, 22.5, 18, 1, 1, 0, 1, 0, 1, ANY_1),
      mig("2g.45gb", 14, 3, 44.75, 36, 2, 2, 0, 2, 0, 2, [0, 2, 4]),
      mig("3g.90gb", 9, 2, 89.75, 54, 3, 3, 0, 3, 0, 4, [0, 4]),
      mig("4g.90gb", 5, 1, 89.75, 72, 4, 4, 0, 4, 0, 4, [0]),
      mig("7g.180gb", 0, 1, 178.5, 148, 8, 7, 0, 7, 1, 8, [0])
    ]
  },
  {
    name: "generic-accelerator",
    vendor: "generic",
    driver: "accel.kaic.dev",
    deviceClass: "accel.kaic.dev",
    migDeviceClass: null,
    extendedResourceName: null,
    productName: "kaic Generic Accelerator 32GB",
    brand: "kaic",
    architecture: "generic",
    cudaComputeCapability: "1.0",
    driverVersion: "1.0.0",
    cudaDriverVersion: "1.0",
    memoryBytes: 34359738368,
    multiprocessors: 64,
    powerLimitWatts: 300,
    pciBuses: DGX_PCI_BUSES,
    nvlinkClique: false,
    migProfiles: []
  }
];
var MAX_GPUS_PER_NODE = 64;
var ProfileError = class extends InputError {
  name = "ProfileError";
};
function gpuProfile(name) {
  const profile = GPU_PROFILES.find((p) => p.name === name);
  if (!profile) {
    throw new ProfileError(
      `unknown GPU profile "${name}"; profiles: ${GPU_PROFILES.map((p) => p.name).join(", ")}`
    );
  }
  return profile;
}
function checkGpuCount(count) {
  if (!Number.isInteger(count) || count < 1 || count > MAX_GPUS_PER_NODE) {
    throw new ProfileError(
      `GPUs per node must be a whole number from 1 to ${MAX_GPUS_PER_NODE}, got ${count}`
    );
  }
  return count;
}
function semver(version) {
  const parts = version.split(".").map((p) => String(Number(p)));
  while (parts.length < 3) parts.push("0");
  return parts.join(".");
}
function nvmlUuid(prefix, seed) {
  const hex = createHash("sha256").update(`kaic-fakegpu/${seed}`).digest("hex");
  return `${prefix}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
function gpuUuid(nodeName, index) {
  return nvmlUuid("GPU", `${nodeName}/${index}`);
}
function migUuid(nodeName, index, mig2, start) {
  return nvmlUuid("MIG", `${nodeName}/${index}/${mig2.name}/${start}`);
}
function pciBusId(profile, index) {
  const bus = profile.pciBuses[index % profile.pciBuses.length] ?? "00";
  const domain = Math.floor(index / profile.pciBuses.length).toString(16).padStart(8, "0");
  return `${domain}:${bus}:00.0`;
}

// src/fakegpu/slices.ts
var MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
var MANAGED_BY = "kaic-fakegpu";
var PROFILE_LABEL = "fakegpu.kaic.dev/profile";
var NVLINK_DOMAIN_LABEL = "fakegpu.kaic.dev/nvlink-domain";
var MAX_DEVICES_PER_SLICE = 128;
var MAX_COUNTER_DEVICES_PER_SLICE = 64;
var MAX_COUNTER_SETS_PER_SLICE = 8;
var ENGINE_COUNTERS = [
  ["multiprocessors", "multiprocessors"],
  ["copy-engines", "copyEngines"],
  ["decoders", "decoders"],
  ["encoders", "encoders"],
  ["jpeg-engines", "jpegEngines"],
  ["ofa-engines", "ofaEngines"]
];
var memorySliceCounter = (k) => `memory-slice-${k}`;
function commonAttributes(profile, index) {
  const busId = pciBusId(profile, index);
  return {
    productName: { string: profile.productName },
    brand: { string: profile.brand },
    architecture: { string: profile.architecture },
    cudaComputeCapability: { version: semver(profile.cudaComputeCapability) },
    driverVersion: { version: semver(profile.driverVersion) },
    cudaDriverVersion: { version: semver(profile.cudaDriverVersion) },
    "resource.kubernetes.io/pciBusID": { string: busId },
    "resource.kubernetes.io/pcieRoot": {
      string: `pci${busId.slice(4, 8)}:${busId.slice(9, 11)}`
    }
  };
}
function cliqueId(node) {
  const domain = node.labels?.[NVLINK_DOMAIN_LABEL] ?? node.name;
  return `${gpuUuid(`nvlink-domain/${domain}`, 0).slice(4)}.1`;
}
function gpuDevices(profile, node, count) {
  return Array.from({ length: count }, (_, index) => ({
    name: `gpu-${index}`,
    attributes: {
      type: { string: "gpu" },
      uuid: { string: gpuUuid(node.name, index) },
      ...commonAttributes(profile, index),
      ...profile.nvlinkClique ? { cliqueID: { string: cliqueId(node) } } : {}
    },
    capacity: { memory: { value: String(profile.memoryBytes) } }
  }));
}
var dnsLabel = (value) => value.toLowerCase().replace(/[^a-z0-9]+/g, "-");
function migDevice(profile, nodeName, index, mig2, start) {
  const slices = Array.from({ length: mig2.memorySlices }, (_, k) => start + k);
  return {
    name: `gpu-${index}-mig-${dnsLabel(mig2.name)}-${mig2.id}-${start}`,
    attributes: {
      type: { string: "mig" },
      uuid: { string: migUuid(nodeName, index, mig2, start) },
      parentUUID: { string: gpuUuid(nodeName, index) },
      profile: { string: mig2.name },
      ...commonAttributes(profile, index)
    },
    capacity: {
      multiprocessors: { value: String(mig2.multiprocessors) },
      copyEngines: { value: String(mig2.copyEngines) },
      decoders: { value: String(mig2.decoders) },
      encoders: { value: String(mig2.encoders) },
      jpegEngines: { value: String(mig2.jpegEngines) },
      ofaEngines: { value: String(mig2.ofaEngines) },
      memory: { value: String(mig2.memoryBytes) },
      ...Object.fromEntries(slices.map((k) => [`memorySlice${k}`, { value: "1" }]))
    }
  };
}
function gpuCounterSet(profile, index) {
  const counters = {};
  for (const [counter, field] of ENGINE_COUNTERS) {
    const most = Math.max(
      ...profile.migProfiles.map((m) => m[field] * m.instances),
      field === "multiprocessors" ? profile.multiprocessors : 0
    );
    counters[counter] = { value: String(most) };
  }
  for (let k = 0; k < MIG_MEMORY_SLICES; k++) counters[memorySliceCounter(k)] = { value: "1" };
  return { name: `gpu-${index}-counter-set`, counters };
}
function consumption(set, take) {
  const counters = Object.fromEntries(
    Object.entries(take).filter(([, n]) => n > 0).map(([name, n]) => [name, { value: String(n) }])
  );
  return [{ counterSet: set.name, counters }];
}
function poolContent(profile, node, gpus, layout) {
  const whole = gpuDevices(profile, node, gpus);
  if (layout.mode === "off") return { devices: whole, counterSets: [] };
  if (layout.mode === "static") {
    const firstMig = gpus - layout.gpus;
    const devices2 = whole.slice(0, firstMig);
    for (let index = firstMig; index < gpus; index++) {
      for (const start of layout.profile.placements.slice(0, layout.profile.instances)) {
        devices2.push(migDevice(profile, node.name, index, layout.profile, start));
      }
    }
    return { devices: devices2, counterSets: [] };
  }
  const devices = [];
  const counterSets = [];
  whole.forEach((gpu, index) => {
    const set = gpuCounterSet(profile, index);
    counterSets.push(set);
    const all = Object.fromEntries(
      Object.entries(set.counters).map(([n, q]) => [n, Number(q.value)])
    );
    devices.push({ ...gpu, consumesCounters: consumption(set, all) });
    for (const mig2 of profile.migProfiles) {
      for (const start of mig2.placements) {
        const take = {};
        for (const [counter, field] of ENGINE_COUNTERS) take[counter] = mig2[field];
        for (let k = start; k < start + mig2.memorySlices; k++) take[memorySliceCounter(k)] = 1;
        devices.push({
          ...migDevice(profile, node.name, index, mig2, start),
          consumesCounters: consumption(set, take)
        });
      }
    }
  });
  return { devices, counterSets };
}
function deviceInShape(api, device) {
  if (api === "resource.k8s.io/v1") return { ...device };
  const { name, ...basic } = device;
  return { name, basic };
}
function sliceName(profile, nodeName, part = 0) {
  return part === 0 ? `${nodeName}-${profile.driver}` : `${nodeName}-${profile.driver}-${part}`;
}
function chunks(items, size) {
  const out = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
function poolSlices(api, profile, node, content, generation) {
  const perSlice = content.devices.some((d) => d.consumesCounters) ? MAX_COUNTER_DEVICES_PER_SLICE : MAX_DEVICES_PER_SLICE;
  const specs = [
    ...chunks(content.devices, perSlice).map((devices) => ({
      devices: devices.map((d) => deviceInShape(api, d))
    })),
    ...chunks(content.counterSets, MAX_COUNTER_SETS_PER_SLICE).map((sets) => ({
      sharedCounters: sets
    }))
  ];
  return specs.map((body, part) => ({
    apiVersion: api,
    kind: "ResourceSlice",
    metadata: {
      name: sliceName(profile, node.name, part),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [PROFILE_LABEL]: profile.name },
      // The garbage collector removes the slice with its node, even when the publisher is down.
      ownerReferences: [
        { apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid, controller: true }
      ]
    },
    spec: {
      driver: profile.driver,
      nodeName: node.name,
      pool: { name: node.name, generation, resourceSliceCount: specs.length },
      ...body
    }
  }));
}
function deviceClasses(api, profile) {
  const cel = (type) => `device.driver == '${profile.driver}' && device.attributes['${profile.driver}'].type == '${type}'`;
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [PROFILE_LABEL]: profile.name };
  const classes = [
    {
      apiVersion: api,
      kind: "DeviceClass",
      metadata: { name: profile.deviceClass, labels },
      spec: {
        selectors: [{ cel: { expression: cel("gpu") } }],
        // Only v1 has the field; a server without DRAExtendedResource drops it.
        ...api === "resource.k8s.io/v1" && profile.extendedResourceName ? { extendedResourceName: profile.extendedResourceName } : {}
      }
    }
  ];
  if (profile.migDeviceClass) {
    classes.push({
      apiVersion: api,
      kind: "DeviceClass",
      metadata: { name: profile.migDeviceClass, labels },
      spec: { selectors: [{ cel: { expression: cel("mig") } }] }
    });
  }
  return classes;
}
function devicesOf(api, slice) {
  const spec = slice.spec;
  return (spec?.devices ?? []).map((raw) => {
    const d = raw;
    const body = api === "resource.k8s.io/v1" ? d : { ...d.basic };
    return {
      name: d.name,
      attributes: body.attributes ?? {},
      capacity: body.capacity ?? {},
      ...body.consumesCounters ? { consumesCounters: body.consumesCounters } : {}
    };
  });
}
function sliceContent(api, slice) {
  const spec = slice.spec;
  return { devices: devicesOf(api, slice), counterSets: spec?.sharedCounters ?? [] };
}

// src/k8s/dra-objects.ts
var PLURALS = {
  DeviceClass: "deviceclasses",
  ResourceSlice: "resourceslices",
  ResourceClaim: "resourceclaims",
  ResourceClaimTemplate: "resourceclaimtemplates"
};
function httpStatus(error) {
  return error.code ?? 0;
}
var DraObjects = class {
  constructor(kc, api) {
    this.api = api;
    this.custom = kc.makeApiClient(ObjectCustomObjectsApi);
  }
  api;
  custom;
  where(kind) {
    const [group, version] = this.api.split("/");
    const plural = PLURALS[kind];
    if (!plural) throw new Error(`no plural known for ${kind}`);
    return { group, version, plural };
  }
  /** `dryRun`: the server validates, defaults and answers, but stores nothing. */
  async create(body, options = {}) {
    const namespace = body.metadata?.namespace;
    const at = { ...this.where(body.kind), ...options.dryRun ? { dryRun: "All" } : {} };
    return await (namespace ? this.custom.createNamespacedCustomObject({ ...at, namespace, body }) : this.custom.createClusterCustomObject({ ...at, body }));
  }
  async replace(body) {
    const name = body.metadata?.name;
    const namespace = body.metadata?.namespace;
    const at = this.where(body.kind);
    return await (namespace ? this.custom.replaceNamespacedCustomObject({ ...at, namespace, name, body }) : this.custom.replaceClusterCustomObject({ ...at, name, body }));
  }
  async read(kind, name, namespace) {
    const at = this.where(kind);
    return await (namespace ? this.custom.getNamespacedCustomObject({ ...at, namespace, name }) : this.custom.getClusterCustomObject({ ...at, name }));
  }
  async list(kind, labelSelector, fieldSelector) {
    const result = await this.custom.listClusterCustomObject({
      ...this.where(kind),
      ...labelSelector ? { labelSelector } : {},
      ...fieldSelector ? { fieldSelector } : {}
    });
    return result.items;
  }
  async delete(kind, name, namespace) {
    const at = this.where(kind);
    await (namespace ? this.custom.deleteNamespacedCustomObject({ ...at, namespace, name }) : this.custom.deleteClusterCustomObject({ ...at, name }));
  }
};
function claimTemplate(api, namespace, name, request) {
  const exact = {
    deviceClassName: request.deviceClassName,
    allocationMode: "ExactCount",
    count: request.count,
    ...request.selectors?.length ? { selectors: request.selectors.map((expression) => ({ cel: { expression } })) } : {}
  };
  return {
    apiVersion: api,
    kind: "ResourceClaimTemplate",
    metadata: { name, namespace },
    spec: {
      spec: {
        devices: {
          requests: [
            api === "resource.k8s.io/v1" ? { name: "gpu", exactly: exact } : { name: "gpu", ...exact }
          ]
        }
      }
    }
  };
}

export {
  GPU_PROFILES,
  MAX_GPUS_PER_NODE,
  gpuProfile,
  checkGpuCount,
  semver,
  gpuUuid,
  pciBusId,
  MANAGED_BY_LABEL,
  MANAGED_BY,
  PROFILE_LABEL,
  NVLINK_DOMAIN_LABEL,
  gpuCounterSet,
  poolContent,
  poolSlices,
  deviceClasses,
  devicesOf,
  sliceContent,
  httpStatus,
  DraObjects,
  claimTemplate
};
