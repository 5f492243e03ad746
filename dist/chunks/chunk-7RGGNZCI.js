import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
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

export {
  MIG_MEMORY_SLICES,
  GPU_PROFILES,
  MAX_GPUS_PER_NODE,
  gpuProfile,
  checkGpuCount,
  semver,
  gpuUuid,
  migUuid,
  pciBusId
};
