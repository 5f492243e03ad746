/**
 * Accelerator profiles for the fake-GPU driver: what each simulated GPU model looks like to the
 * cluster. The NVIDIA profiles publish the attribute names and types of NVIDIA's DRA driver
 * (gpu.nvidia.com); nvidia-h100-80gb is taken from a real H100 80GB HBM3 node (nvidia-smi -q,
 * NVML, `nvidia-smi mig -lgip`); A100, L4 and B200 from their public specifications. The generic
 * profile has its own driver and class names, so suites can be shown to be vendor-neutral.
 */
import { createHash } from 'node:crypto';
import { InputError } from '../errors.js';

export interface MigProfile {
  /** e.g. "1g.10gb". */
  name: string;
  /** NVML GPU instance profile id. */
  id: number;
  /** How many fit on one GPU. */
  instances: number;
  memoryBytes: number;
  multiprocessors: number;
  copyEngines: number;
  decoders: number;
  encoders: number;
  jpegEngines: number;
  ofaEngines: number;
  /** Memory slices (of MIG_MEMORY_SLICES) one instance occupies. */
  memorySlices: number;
  /** First memory slice of each place an instance may go (`nvidia-smi mig -lgipp`). */
  placements: readonly number[];
}

/** A MIG-capable GPU's memory is cut into eight slices; placements are counted in them. */
export const MIG_MEMORY_SLICES = 8;

export interface GpuProfile {
  name: string;
  vendor: 'nvidia' | 'generic';
  /** DRA driver name, also the attribute domain. */
  driver: string;
  /** DeviceClass for whole devices. */
  deviceClass: string;
  /** DeviceClass for MIG devices, where the model has MIG. */
  migDeviceClass: string | null;
  /** Extended resource the class maps to (DRAExtendedResource), e.g. nvidia.com/gpu. */
  extendedResourceName: string | null;
  productName: string;
  brand: string;
  architecture: string;
  /** As nvidia-smi prints them ("9.0", "580.159.04", "13.0"); `semver()` gives the DRA form. */
  cudaComputeCapability: string;
  driverVersion: string;
  cudaDriverVersion: string;
  /** Total framebuffer in bytes, as NVML reports it. */
  memoryBytes: number;
  multiprocessors: number;
  /** Board power limit in watts (the exporter's power draw scales up to it). */
  powerLimitWatts: number;
  /** PCI bus numbers of the GPUs in a typical 8-GPU server, by index. */
  pciBuses: readonly string[];
  /** Models in a multi-GPU NVLink fabric publish a clique id (`cliqueID`). */
  nvlinkClique: boolean;
  migProfiles: readonly MigProfile[];
}

// Placements: 1g profiles go at slices 0–6, 2-slice profiles at even slices, 4-slice ones at 0
// or 4, the whole-GPU profile at 0 (the same on A100, H100 and B200).
const ANY_1 = [0, 1, 2, 3, 4, 5, 6];
const H100_MIG: readonly MigProfile[] = [
  mig('1g.10gb', 19, 7, 9.75, 16, 1, 1, 0, 1, 0, 1, ANY_1),
  mig('1g.10gb+me', 20, 1, 9.75, 16, 1, 1, 0, 1, 1, 1, ANY_1),
  mig('1g.20gb', 15, 4, 19.62, 26, 1, 1, 0, 1, 0, 2, [0, 2, 4, 6]),
  mig('2g.20gb', 14, 3, 19.62, 32, 2, 2, 0, 2, 0, 2, [0, 2, 4]),
  mig('3g.40gb', 9, 2, 39.5, 60, 3, 3, 0, 3, 0, 4, [0, 4]),
  mig('4g.40gb', 5, 1, 39.5, 64, 4, 4, 0, 4, 0, 4, [0]),
  mig('7g.80gb', 0, 1, 79.25, 132, 8, 7, 0, 7, 1, 8, [0]),
];

function mig(
  name: string,
  id: number,
  instances: number,
  memoryGiB: number,
  multiprocessors: number,
  copyEngines: number,
  decoders: number,
  encoders: number,
  jpegEngines: number,
  ofaEngines: number,
  memorySlices: number,
  placements: readonly number[],
): MigProfile {
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
    placements,
  };
}

const DGX_PCI_BUSES = ['18', '2a', '3a', '5d', '9a', 'ab', 'ba', 'db'] as const;

const NVIDIA_COMMON = {
  vendor: 'nvidia',
  driver: 'gpu.nvidia.com',
  deviceClass: 'gpu.nvidia.com',
  extendedResourceName: 'nvidia.com/gpu',
  brand: 'Nvidia',
  driverVersion: '580.159.04',
  cudaDriverVersion: '13.0',
  pciBuses: DGX_PCI_BUSES,
} as const;

export const GPU_PROFILES: readonly GpuProfile[] = [
  {
    ...NVIDIA_COMMON,
    name: 'nvidia-h100-80gb',
    migDeviceClass: 'mig.nvidia.com',
    productName: 'NVIDIA H100 80GB HBM3',
    architecture: 'Hopper',
    cudaComputeCapability: '9.0',
    memoryBytes: 85_520_809_984,
    multiprocessors: 132,
    powerLimitWatts: 700,
    nvlinkClique: false,
    migProfiles: H100_MIG,
  },
  {
    ...NVIDIA_COMMON,
    name: 'nvidia-a100-80gb',
    migDeviceClass: 'mig.nvidia.com',
    productName: 'NVIDIA A100-SXM4-80GB',
    architecture: 'Ampere',
    cudaComputeCapability: '8.0',
    memoryBytes: 85_899_345_920,
    multiprocessors: 108,
    powerLimitWatts: 400,
    nvlinkClique: false,
    migProfiles: [
      mig('1g.10gb', 19, 7, 9.5, 14, 1, 0, 0, 0, 0, 1, ANY_1),
      mig('1g.20gb', 15, 4, 19.5, 14, 1, 1, 0, 1, 0, 2, [0, 2, 4, 6]),
      mig('2g.20gb', 14, 3, 19.5, 28, 2, 1, 0, 0, 0, 2, [0, 2, 4]),
      mig('3g.40gb', 9, 2, 39.25, 42, 3, 2, 0, 0, 0, 4, [0, 4]),
      mig('4g.40gb', 5, 1, 39.25, 56, 4, 2, 0, 0, 0, 4, [0]),
      mig('7g.80gb', 0, 1, 79.0, 98, 7, 5, 0, 1, 1, 8, [0]),
    ],
  },
  {
    ...NVIDIA_COMMON,
    name: 'nvidia-l4',
    migDeviceClass: null,
    productName: 'NVIDIA L4',
    architecture: 'Ada Lovelace',
    cudaComputeCapability: '8.9',
    memoryBytes: 24_152_899_584,
    multiprocessors: 58,
    powerLimitWatts: 72,
    nvlinkClique: false,
    migProfiles: [],
  },
  {
    ...NVIDIA_COMMON,
    name: 'nvidia-b200',
    migDeviceClass: 'mig.nvidia.com',
    productName: 'NVIDIA B200',
    architecture: 'Blackwell',
    cudaComputeCapability: '10.0',
    memoryBytes: 192_265_846_784,
    multiprocessors: 148,
    powerLimitWatts: 1000,
    nvlinkClique: true,
    migProfiles: [
      mig('1g.23gb', 19, 7, 22.5, 18, 1, 1, 0, 1, 0, 1, ANY_1),
      mig('2g.45gb', 14, 3, 44.75, 36, 2, 2, 0, 2, 0, 2, [0, 2, 4]),
      mig('3g.90gb', 9, 2, 89.75, 54, 3, 3, 0, 3, 0, 4, [0, 4]),
      mig('4g.90gb', 5, 1, 89.75, 72, 4, 4, 0, 4, 0, 4, [0]),
      mig('7g.180gb', 0, 1, 178.5, 148, 8, 7, 0, 7, 1, 8, [0]),
    ],
  },
  {
    name: 'generic-accelerator',
    vendor: 'generic',
    driver: 'accel.kaic.dev',
    deviceClass: 'accel.kaic.dev',
    migDeviceClass: null,
    extendedResourceName: null,
    productName: 'kaic Generic Accelerator 32GB',
    brand: 'kaic',
    architecture: 'generic',
    cudaComputeCapability: '1.0',
    driverVersion: '1.0.0',
    cudaDriverVersion: '1.0',
    memoryBytes: 34_359_738_368,
    multiprocessors: 64,
    powerLimitWatts: 300,
    pciBuses: DGX_PCI_BUSES,
    nvlinkClique: false,
    migProfiles: [],
  },
];

export const MAX_GPUS_PER_NODE = 64;

export class ProfileError extends InputError {
  override name = 'ProfileError';
}

export function gpuProfile(name: string): GpuProfile {
  const profile = GPU_PROFILES.find((p) => p.name === name);
  if (!profile) {
    throw new ProfileError(
      `unknown GPU profile "${name}"; profiles: ${GPU_PROFILES.map((p) => p.name).join(', ')}`,
    );
  }
  return profile;
}

/** 1 to 64 devices per node. */
export function checkGpuCount(count: number): number {
  if (!Number.isInteger(count) || count < 1 || count > MAX_GPUS_PER_NODE) {
    throw new ProfileError(
      `GPUs per node must be a whole number from 1 to ${MAX_GPUS_PER_NODE}, got ${count}`,
    );
  }
  return count;
}

/** NVML's UUID shape (GPU-xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), derived from `seed`. */
function nvmlUuid(prefix: 'GPU' | 'MIG', seed: string): string {
  const hex = createHash('sha256').update(`kaic-fakegpu/${seed}`).digest('hex');
  return `${prefix}-${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** A GPU UUID that stays the same for the same node and index. */
export function gpuUuid(nodeName: string, index: number): string {
  return nvmlUuid('GPU', `${nodeName}/${index}`);
}

/** A MIG device's UUID, stable per node, parent GPU, profile and placement. */
export function migUuid(nodeName: string, index: number, mig: MigProfile, start: number): string {
  return nvmlUuid('MIG', `${nodeName}/${index}/${mig.name}/${start}`);
}

/** The PCI bus id NVML prints for GPU `index` (00000000:18:00.0 style). */
export function pciBusId(profile: GpuProfile, index: number): string {
  const bus = profile.pciBuses[index % profile.pciBuses.length] ?? '00';
  const domain = Math.floor(index / profile.pciBuses.length)
    .toString(16)
    .padStart(8, '0');
  return `${domain}:${bus}:00.0`;
}
