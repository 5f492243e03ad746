import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  MIG_MEMORY_SLICES,
  gpuUuid,
  migUuid,
  pciBusId,
  semver
} from "./chunk-7RGGNZCI.js";
import {
  ObjectCustomObjectsApi
} from "./chunk-BRNWYLLV.js";

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
function migDevice(profile, nodeName, index, mig, start) {
  const slices = Array.from({ length: mig.memorySlices }, (_, k) => start + k);
  return {
    name: `gpu-${index}-mig-${dnsLabel(mig.name)}-${mig.id}-${start}`,
    attributes: {
      type: { string: "mig" },
      uuid: { string: migUuid(nodeName, index, mig, start) },
      parentUUID: { string: gpuUuid(nodeName, index) },
      profile: { string: mig.name },
      ...commonAttributes(profile, index)
    },
    capacity: {
      multiprocessors: { value: String(mig.multiprocessors) },
      copyEngines: { value: String(mig.copyEngines) },
      decoders: { value: String(mig.decoders) },
      encoders: { value: String(mig.encoders) },
      jpegEngines: { value: String(mig.jpegEngines) },
      ofaEngines: { value: String(mig.ofaEngines) },
      memory: { value: String(mig.memoryBytes) },
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
    for (const mig of profile.migProfiles) {
      for (const start of mig.placements) {
        const take = {};
        for (const [counter, field] of ENGINE_COUNTERS) take[counter] = mig[field];
        for (let k = start; k < start + mig.memorySlices; k++) take[memorySliceCounter(k)] = 1;
        devices.push({
          ...migDevice(profile, node.name, index, mig, start),
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
