/**
 * Accelerator profiles: how the conformance suites find, request and observe an accelerator,
 * after the working group's AcceleratorConfig (device class, DRA driver, extended resource,
 * taint key, device pattern) plus a probe strategy. One place for all of them, NVIDIA's, AMD's,
 * Intel's GPUs and Gaudi, Google's TPUs and AWS Neuron among them; `auto` detects the profile
 * and the allocation mode from what the cluster publishes.
 *
 * The vendor facts (names, attributes, device nodes) were read from the vendors' drivers and
 * device plugins; where no primary source was found the choice is the conservative one and a
 * comment says so.
 */
import * as k8s from '@kubernetes/client-node';

import { MANAGED_BY, MANAGED_BY_LABEL } from '../fakegpu/slices.js';
import { DraObjects } from '../k8s/dra-objects.js';
import { servedDraApi } from '../k8s/discovery.js';
import type { DraApiVersion } from '../versions/kubernetes.js';

export const ACCELERATOR_KINDS = [
  'nvidia',
  'amd',
  'intel-gpu',
  'intel-gaudi',
  'google-tpu',
  'aws-neuron',
  'fake',
  'example',
  'generic',
] as const;
export type AcceleratorKind = (typeof ACCELERATOR_KINDS)[number];

export const ALLOCATION_MODES = ['auto', 'dra', 'device-plugin'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];

/**
 * How a container shows what it was given: device nodes in /dev whose names match a pattern
 * (real drivers, CDI), or environment variables whose `NAME=value` line matches a pattern, one
 * variable per device (dra-example-driver).
 */
export type ProbeStrategy =
  { kind: 'devnodes'; pattern: string } | { kind: 'env'; pattern: string };

/**
 * What one unit of a device plugin's extended resource is: a whole device, a partition of one
 * (a MIG instance, a NeuronCore), or one of several replicas of a device or partition that
 * containers share (time-slicing, MPS).
 */
export type ExtendedResourceUnit = 'whole' | 'partition' | 'shared';

/** One extended resource (or family of them) a profile's device plugin advertises. */
export interface ExtendedResourceRule {
  /** The resource's name, or a pattern for a family of names (nvidia.com/mig-<profile>). */
  match: string | RegExp;
  /** What one unit is when nothing says it is shared. */
  unit: 'whole' | 'partition';
}

/**
 * How a device plugin shows that it advertises replicas of its devices (NVIDIA's time-slicing
 * and MPS): a suffix on renamed resources, and a node label with the replica count.
 */
export interface DeviceSharing {
  /** Suffix of a resource renamed because it is shared (`renameByDefault`): `.shared`. */
  renamedSuffix: string;
  /**
   * Suffix, on the resource's own name (less `renamedSuffix`), of the node label that says how
   * many replicas each device is split into: nvidia.com/gpu + `.replicas`.
   */
  replicasLabelSuffix: string;
}

/**
 * Partitions of one device (MIG, AMD compute partitions): the DeviceClass to ask for, CEL
 * selectors that narrow that class to partitions (empty where the class holds only
 * partitions), and the attribute naming the physical device a partition is cut from.
 */
export interface PartitionSpec {
  deviceClass: string;
  selectors: string[];
  parentAttribute: string;
}

export interface AcceleratorProfile {
  kind: AcceleratorKind;
  /** DeviceClass a claim asks for. */
  deviceClass: string;
  /** DRA driver name of its ResourceSlices (also the attribute domain). */
  draDriver: string;
  /**
   * Extended resource a pod requests on the device-plugin path, where there is one: one of
   * `extendedResources` whose unit is a whole device. Detection sets the one the nodes have
   * (Intel's i915 or xe).
   */
  extendedResource: string | null;
  /** Every extended resource of the profile's device plugin, with what one unit is. */
  extendedResources: ExtendedResourceRule[];
  /** How the device plugin marks shared replicas, or null where kaic knows of none. */
  deviceSharing: DeviceSharing | null;
  /** Taint accelerator nodes commonly carry, tolerated by the suites' pods. */
  taintKey: string | null;
  /**
   * devnodes: a pattern (grep -E, whole path) over the entries of /dev and of its subdirectories
   * one level down, as paths relative to /dev: `^nvidia[0-9]+$`, `^dri/renderD[0-9]+$`.
   */
  probe: ProbeStrategy;
  /**
   * Attribute (in the driver's domain; a qualified name such as resource.kubernetes.io/pciBusID
   * as is) that names one device, for telling whether two claims got the same one; null where
   * none is known. A string or an int attribute. Only NVIDIA's `uuid` is known to be unique
   * across nodes: compare the others (PCI addresses, indexes) within one node. Partitions may
   * carry their parent's instead (see `partitions.parentAttribute`).
   */
  identityAttribute: string | null;
  /**
   * Device nodes, relative to /dev, that a container given a device of this vendor also gets
   * and that are not devices (nvidiactl, kfd): not counted by the probe, not a leak by themselves.
   */
  controlDevices: string[];
  /** Attribute (in the driver's domain) that carries the driver version, where published. */
  driverVersionAttribute: string | null;
  /** Partitions of one device, or null where the profile has none kaic knows of. */
  partitions: PartitionSpec | null;
  /** How to read the driver version inside a container (a shell line printing it), if known. */
  driverVersionCommand: string | null;
  /**
   * Label selectors of the Services in front of the vendor's metrics exporter, tried in order
   * when no endpoint is configured; empty where kaic knows no convention.
   */
  metricsExporters: string[];
}

/** Fields a profile may leave out of its declaration, with their defaults (see completeProfile). */
type DefaultedField =
  | 'extendedResources'
  | 'deviceSharing'
  | 'identityAttribute'
  | 'controlDevices'
  | 'metricsExporters';
type ProfileDeclaration = Omit<AcceleratorProfile, DefaultedField> &
  Partial<Pick<AcceleratorProfile, DefaultedField>>;

/** A declared profile with its defaults: its one extended resource as whole devices, no more. */
function completeProfile(declared: ProfileDeclaration): AcceleratorProfile {
  return {
    ...declared,
    extendedResources:
      declared.extendedResources ??
      (declared.extendedResource ? [{ match: declared.extendedResource, unit: 'whole' }] : []),
    deviceSharing: declared.deviceSharing ?? null,
    identityAttribute: declared.identityAttribute ?? null,
    controlDevices: declared.controlDevices ?? [],
    metricsExporters: declared.metricsExporters ?? [],
  };
}

/** NVIDIA GPUs: /dev/nvidia0, /dev/nvidia1, …; the control nodes (nvidiactl, …) do not count. */
const NVIDIA_DEVNODES: ProbeStrategy = { kind: 'devnodes', pattern: '^nvidia[0-9]+$' };
/** NVIDIA's DRA driver publishes MIG devices in their own class, each naming its GPU. */
const NVIDIA_MIG: PartitionSpec = {
  deviceClass: 'mig.nvidia.com',
  selectors: [],
  parentAttribute: 'parentUUID',
};
/**
 * nvidia-smi -q prints "Driver Version : 580.159.04" (the real tool and kaic's fake alike). It is
 * on PATH where NVIDIA's container toolkit mounts it (/usr/bin); GKE's installer mounts it under
 * /usr/local/nvidia/bin, not always on an image's PATH. Without the tool, the loaded kernel
 * module's version (/proc/driver/nvidia/version: "… Kernel Module  580.159.04 …", or "… Open Kernel
 * Module for x86_64  580.65.06 …").
 */
export function nvidiaDriverVersionCommand(
  moduleVersionFile = '/proc/driver/nvidia/version',
): string {
  return [
    'smi=$(command -v nvidia-smi || ls /usr/local/nvidia/bin/nvidia-smi /usr/bin/nvidia-smi 2>/dev/null | head -n 1)',
    `if [ -n "$smi" ]; then "$smi" -q | sed -n 's/^ *Driver Version *: *//p' | head -n 1`,
    `else awk '/Kernel Module/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+[.][0-9]+([.][0-9]+)?$/) { print $i; exit } }' ${moduleVersionFile} 2>/dev/null; fi`,
  ].join('; ');
}

const NVIDIA: AcceleratorProfile = {
  kind: 'nvidia',
  deviceClass: 'gpu.nvidia.com',
  draDriver: 'gpu.nvidia.com',
  extendedResource: 'nvidia.com/gpu',
  extendedResources: [
    { match: 'nvidia.com/gpu', unit: 'whole' },
    // The device plugin's mixed MIG strategy: one resource per MIG profile (mig-1g.5gb, …).
    { match: /^nvidia\.com\/mig-.+$/, unit: 'partition' },
  ],
  // Time-slicing and MPS: renamed to nvidia.com/gpu.shared with renameByDefault, else the same
  // name with replicas × GPUs; feature discovery labels nvidia.com/gpu.replicas either way.
  deviceSharing: { renamedSuffix: '.shared', replicasLabelSuffix: '.replicas' },
  taintKey: 'nvidia.com/gpu',
  probe: NVIDIA_DEVNODES,
  identityAttribute: 'uuid',
  // Injected only where the host has them; MIG's nvidia-caps/nvidia-cap<N> come per partition.
  controlDevices: ['nvidiactl', 'nvidia-uvm', 'nvidia-uvm-tools', 'nvidia-modeset'],
  driverVersionAttribute: 'driverVersion',
  partitions: NVIDIA_MIG,
  driverVersionCommand: nvidiaDriverVersionCommand(),
  // DCGM exporter: the GPU Operator's Service, then the exporter's own chart.
  metricsExporters: ['app=nvidia-dcgm-exporter', 'app.kubernetes.io/name=dcgm-exporter'],
};

/** One render node per GPU or partition under /dev/dri (AMD and Intel); card<N> beside it. */
const DRI_RENDER_NODES: ProbeStrategy = { kind: 'devnodes', pattern: '^dri/renderD[0-9]+$' };

/**
 * AMD GPUs (ROCm's DRA driver and device plugin). The DRA driver publishes no uuid: a GPU is
 * named by its PCI address, a partition by its parent's.
 */
const AMD: ProfileDeclaration = {
  kind: 'amd',
  deviceClass: 'gpu.amd.com',
  draDriver: 'gpu.amd.com',
  extendedResource: 'amd.com/gpu',
  extendedResources: [
    { match: 'amd.com/gpu', unit: 'whole' },
    // The plugin's mixed naming strategy names resources by partition mode (cpx_nps4, …). SPX is
    // one partition per GPU, so a whole GPU; that reading of SPX is UNCONFIRMED by a source.
    { match: /^amd\.com\/spx_nps[0-9]+$/, unit: 'whole' },
    { match: /^amd\.com\/[a-z]px_nps[0-9]+$/, unit: 'partition' },
  ],
  // No vendor-defined taint; amd.com/gpu is the community's convention.
  taintKey: 'amd.com/gpu',
  probe: DRI_RENDER_NODES,
  identityAttribute: 'pciAddr',
  controlDevices: ['kfd'],
  driverVersionAttribute: 'driverVersion',
  // Partitions share the GPUs' class; their type tells them apart.
  partitions: {
    deviceClass: 'gpu.amd.com',
    selectors: ['device.attributes["gpu.amd.com"].type == "amdgpu-partition"'],
    parentAttribute: 'parentPciAddr',
  },
  // amd-smi and rocm-smi are in an image only if it ships ROCm; /sys/module/amdgpu/version exists
  // only with the out-of-tree driver (UNCONFIRMED for in-tree kernels): none is assumed.
  driverVersionCommand: null,
};

/** Intel GPUs (Intel's resource driver and GPU device plugin, i915 or xe kernel driver). */
const INTEL_GPU: ProfileDeclaration = {
  kind: 'intel-gpu',
  deviceClass: 'gpu.intel.com',
  draDriver: 'gpu.intel.com',
  // The resource is named after the kernel driver; detection takes the one the nodes have.
  extendedResource: 'gpu.intel.com/i915',
  // Not gpu.intel.com/monitoring (every GPU, for monitoring) nor millicores/memory.max/tiles
  // (amounts, not devices). With shared-dev, i915/xe count replicas under the same name and no
  // label kaic knows of says so.
  extendedResources: [
    { match: 'gpu.intel.com/i915', unit: 'whole' },
    { match: 'gpu.intel.com/xe', unit: 'whole' },
  ],
  taintKey: null, // no vendor convention found (UNCONFIRMED)
  probe: DRI_RENDER_NODES,
  // The standard PCI address attribute (a virtual function has its own).
  identityAttribute: 'resource.kubernetes.io/pciBusID',
  controlDevices: [],
  driverVersionAttribute: null, // only `driver` (i915, xe), no version
  partitions: null,
  driverVersionCommand: null, // xpu-smi only where the image installs it (UNCONFIRMED)
};

/** Intel Gaudi (Intel's Gaudi resource driver; Habana's device plugin). */
const INTEL_GAUDI: ProfileDeclaration = {
  kind: 'intel-gaudi',
  deviceClass: 'gaudi.intel.com',
  draDriver: 'gaudi.intel.com',
  extendedResource: 'habana.ai/gaudi',
  taintKey: null, // no vendor convention found (UNCONFIRMED)
  // accel/accel<N>; the accel/accel_controlD<N> beside each comes with its device and is not counted.
  probe: { kind: 'devnodes', pattern: '^accel/accel[0-9]+$' },
  identityAttribute: 'serial',
  controlDevices: [],
  driverVersionAttribute: null,
  partitions: null,
  driverVersionCommand: null, // hl-smi's query flags are UNCONFIRMED
};

/** Google Cloud TPUs (GKE's device plugin; its TPU DRA driver). */
const GOOGLE_TPU: ProfileDeclaration = {
  kind: 'google-tpu',
  deviceClass: 'tpu.google.com',
  draDriver: 'tpu.google.com',
  extendedResource: 'google.com/tpu', // counts chips
  taintKey: 'google.com/tpu',
  // accel<N> at the top of /dev (v4, v5e, v5p), or VFIO groups vfio/<N> (v6e and later).
  probe: { kind: 'devnodes', pattern: '^(accel[0-9]+|vfio/[0-9]+)$' },
  // The DRA driver's attributes are UNCONFIRMED (no public source): none assumed.
  identityAttribute: null,
  controlDevices: ['vfio/vfio'], // VFIO TPUs only
  driverVersionAttribute: null,
  partitions: null,
  driverVersionCommand: null, // the TPU runtime is host-managed; no standard command
};

/** AWS Inferentia and Trainium (the Neuron DRA driver and device plugin). */
const AWS_NEURON: ProfileDeclaration = {
  kind: 'aws-neuron',
  deviceClass: 'neuron.aws.com',
  draDriver: 'neuron.aws.com',
  extendedResource: 'aws.amazon.com/neuron',
  extendedResources: [
    { match: 'aws.amazon.com/neuron', unit: 'whole' },
    // The older name of the same whole devices (kept for older plugins).
    { match: 'aws.amazon.com/neurondevice', unit: 'whole' },
    { match: 'aws.amazon.com/neuroncore', unit: 'partition' },
  ],
  taintKey: 'aws.amazon.com/neuron', // the EKS convention, not an AWS requirement
  probe: { kind: 'devnodes', pattern: '^neuron[0-9]+$' },
  identityAttribute: 'deviceId', // an int, unique within its node
  controlDevices: [],
  driverVersionAttribute: 'neuronDriverVersion', // a string attribute, e.g. 2.25.4.0
  partitions: null, // logical NeuronCores are configured, not published as partitions
  driverVersionCommand: null, // neuron-ls prints the runtime's version, not the driver's
};

const DECLARED_PROFILES: Record<Exclude<AcceleratorKind, 'generic'>, ProfileDeclaration> = {
  nvidia: NVIDIA,
  amd: AMD,
  'intel-gpu': INTEL_GPU,
  'intel-gaudi': INTEL_GAUDI,
  'google-tpu': GOOGLE_TPU,
  'aws-neuron': AWS_NEURON,
  // kaic's fake-GPU driver publishes NVIDIA's names and injects NVIDIA-shaped device nodes and a
  // fake nvidia-smi; only its publisher's label tells it apart (see detectAccelerator).
  fake: { ...NVIDIA, kind: 'fake' },
  example: {
    kind: 'example',
    deviceClass: 'gpu.example.com',
    draDriver: 'gpu.example.com',
    extendedResource: null,
    taintKey: null,
    // One `GPU_DEVICE_<id>=gpu-…` per device; its other variables (GPU_DEVICE_<id>_SHARING_STRATEGY=
    // TimeSlicing, …_MEMORY, GPU_DEVICE_GPU_<id>_RESOURCE_CLAIM=<uid>) describe that same device.
    probe: { kind: 'env', pattern: '^GPU_DEVICE_[A-Za-z0-9_]+=gpu-' },
    // Per node: its uuids are generated from the node's name (partitions share their GPU's).
    identityAttribute: 'uuid',
    driverVersionAttribute: 'driverVersion',
    // With --gpu-partitions, partitions sit in the same class beside each GPU's "full" device,
    // marked by a `partition` attribute and carrying their GPU's uuid.
    partitions: {
      deviceClass: 'gpu.example.com',
      selectors: ["has(device.attributes['gpu.example.com'].partition)"],
      parentAttribute: 'uuid',
    },
    driverVersionCommand: null,
  },
};

export const ACCELERATOR_PROFILES = Object.fromEntries(
  Object.entries(DECLARED_PROFILES).map(([kind, declared]) => [kind, completeProfile(declared)]),
) as Record<Exclude<AcceleratorKind, 'generic'>, AcceleratorProfile>;

/**
 * The order `auto` tries the profiles in: kaic's fake before NVIDIA (they share names, see
 * detectAccelerator), the vendors, then the example driver.
 */
export const AUTO_DETECTION_ORDER: ReadonlyArray<Exclude<AcceleratorKind, 'generic'>> = [
  'fake',
  'nvidia',
  'amd',
  'intel-gpu',
  'intel-gaudi',
  'google-tpu',
  'aws-neuron',
  'example',
];

/** Selects the slices and classes kaic's fake-GPU publisher made. */
const FAKE_GPU_MANAGED_BY = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export class AcceleratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AcceleratorError';
  }
}

/** What a user says about an accelerator kaic has no profile for (KAIC_GENERIC_* settings). */
export interface GenericAcceleratorOptions {
  /** DeviceClass a claim asks for. */
  deviceClass: string;
  /** DRA driver of its ResourceSlices; default: the class's name. */
  draDriver?: string;
  /** Extended resource of its device plugin (whole devices), if it has one. */
  extendedResource?: string;
  /** The devnodes probe's pattern over paths relative to /dev (^accel/accel[0-9]+$) … */
  devicePattern?: string;
  /** … or the env probe's variable prefix. */
  envPrefix?: string;
  identityAttribute?: string;
  /** Relative to /dev (a leading /dev/ is dropped). */
  controlDevices?: string[];
  driverVersionAttribute?: string;
}

export type GenericOption = keyof GenericAcceleratorOptions;

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
/** A device attribute: a C identifier, optionally qualified by a domain. */
const ATTRIBUTE_NAME = new RegExp(`^(${DNS_LABEL}(\\.${DNS_LABEL})*/)?[A-Za-z_][A-Za-z0-9_]*$`);
const RESOURCE_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A /dev entry or one a level down, as the devnodes probe lists them. */
const DEV_PATH = /^[A-Za-z0-9_+-][A-Za-z0-9_.+-]*(\/[A-Za-z0-9_+-][A-Za-z0-9_.+-]*)?$/;

/** A control device as given (kfd, /dev/kfd) as the profile keeps it: relative to /dev. */
export function controlDevicePath(value: string): string {
  return value.trim().replace(/^\/dev\//, '');
}

/**
 * What is wrong with one value of a generic-profile option, or null when it is fine. The same
 * rules serve genericProfile and the KAIC_GENERIC_* settings, whose errors name the variable.
 */
export function genericOptionProblem(option: GenericOption, value: string): string | null {
  switch (option) {
    case 'deviceClass':
      return DNS_SUBDOMAIN.test(value) && value.length <= 253
        ? null
        : 'not a DeviceClass name (a DNS subdomain such as accel.example.com)';
    case 'draDriver':
      return DNS_SUBDOMAIN.test(value) && value.length <= 63
        ? null
        : 'not a DRA driver name (a DNS subdomain of at most 63 characters such as accel.example.com)';
    case 'extendedResource': {
      const [domain, name, ...rest] = value.split('/');
      const fine =
        rest.length === 0 &&
        DNS_SUBDOMAIN.test(domain ?? '') &&
        RESOURCE_NAME.test(name ?? '') &&
        (name ?? '').length <= 63 &&
        !/(^|\.)kubernetes\.io$/.test(domain ?? '');
      return fine
        ? null
        : 'not an extended resource name (<domain>/<name> outside kubernetes.io, such as example.com/accel)';
    }
    case 'devicePattern':
      if (value.includes("'")) return 'may not contain a single quote (the probe quotes it for sh)';
      if (/\\[dDwWsSb]/.test(value)) {
        return 'uses \\d, \\w, \\s or \\b, which grep -E lacks; use classes such as [0-9]';
      }
      try {
        new RegExp(value);
      } catch (error) {
        return `not a regular expression (${(error as Error).message})`;
      }
      return null;
    case 'envPrefix':
      return /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)
        ? null
        : 'not an environment variable prefix (letters, digits and _, such as ACCEL_DEVICE_)';
    case 'identityAttribute':
    case 'driverVersionAttribute':
      return ATTRIBUTE_NAME.test(value) && value.length <= 253
        ? null
        : 'not a device attribute name (an identifier such as uuid, or a qualified one such as resource.kubernetes.io/pciBusID)';
    case 'controlDevices':
      return DEV_PATH.test(controlDevicePath(value))
        ? null
        : 'not a device node under /dev (name or dir/name, such as kfd or vfio/vfio)';
  }
}

/**
 * A profile for an accelerator kaic has none for, from what the user says: its class and a way
 * to probe, at least; everything else as GenericAcceleratorOptions says. A bad value throws,
 * naming the option.
 */
export function genericProfile(options: GenericAcceleratorOptions): AcceleratorProfile {
  if (!options.devicePattern && !options.envPrefix) {
    throw new AcceleratorError(
      'the generic accelerator profile needs a probe: a device-node pattern (e.g. ^accel[0-9]+$) or an environment prefix',
    );
  }
  if (options.devicePattern && options.envPrefix) {
    throw new AcceleratorError(
      'the generic accelerator profile takes one probe: a device-node pattern or an environment prefix, not both',
    );
  }
  for (const [option, given] of Object.entries(options) as Array<
    [GenericOption, string | string[] | undefined]
  >) {
    for (const value of given === undefined ? [] : Array.isArray(given) ? given : [given]) {
      const problem = genericOptionProblem(option, value);
      if (problem)
        throw new AcceleratorError(`generic accelerator ${option} "${value}": ${problem}`);
    }
  }
  return {
    kind: 'generic',
    deviceClass: options.deviceClass,
    draDriver: options.draDriver ?? options.deviceClass,
    extendedResource: options.extendedResource ?? null,
    extendedResources: options.extendedResource
      ? [{ match: options.extendedResource, unit: 'whole' }]
      : [],
    deviceSharing: null,
    taintKey: null,
    probe: options.devicePattern
      ? { kind: 'devnodes', pattern: options.devicePattern }
      : { kind: 'env', pattern: `^${options.envPrefix as string}` },
    identityAttribute: options.identityAttribute ?? null,
    controlDevices: (options.controlDevices ?? []).map(controlDevicePath),
    driverVersionAttribute: options.driverVersionAttribute ?? null,
    partitions: null,
    driverVersionCommand: null,
    // Its endpoint is configured (KAIC_ACCELERATOR_METRICS).
    metricsExporters: [],
  };
}

/** One of a node's extended resources that belongs to a profile (see extendedResourcesOf). */
export interface NodeExtendedResource {
  /** The resource's name on the node. */
  name: string;
  /** Its allocatable quantity. */
  count: number;
  unit: ExtendedResourceUnit;
  /** For a shared resource, what is shared (a whole device or a partition); else null. */
  sharedUnit: 'whole' | 'partition' | null;
  /** Replicas per device from the node's labels, where they say (shared only); else null. */
  replicas: number | null;
  /**
   * Physical devices behind it where that follows: the count of whole devices, or of shared
   * whole devices over their replicas; null for partitions and replicas of unknown number.
   */
  devices: number | null;
}

function matchesRule(rule: ExtendedResourceRule, name: string): boolean {
  return typeof rule.match === 'string' ? rule.match === name : rule.match.test(name);
}

/**
 * The extended resources of a node's allocatable that belong to a profile, in the profile's
 * order: which resource, how many, and what one unit is. Node labels, where given, show shared
 * replicas advertised under a device's own name (NVIDIA time-slicing without renaming).
 */
export function extendedResourcesOf(
  profile: AcceleratorProfile,
  allocatable: Record<string, string> | undefined,
  labels?: Record<string, string>,
): NodeExtendedResource[] {
  const sharing = profile.deviceSharing;
  const found: Array<NodeExtendedResource & { rank: number }> = [];
  for (const [name, quantity] of Object.entries(allocatable ?? {})) {
    const count = Number(quantity);
    if (!Number.isInteger(count) || count <= 0) continue;
    const renamed = sharing !== null && name.endsWith(sharing.renamedSuffix);
    const base = renamed ? name.slice(0, -sharing.renamedSuffix.length) : name;
    const rank = profile.extendedResources.findIndex((rule) => matchesRule(rule, base));
    const rule = profile.extendedResources[rank];
    if (!rule) continue;
    const labelled = sharing ? Number(labels?.[`${base}${sharing.replicasLabelSuffix}`]) : NaN;
    // The label says 1 without sharing and 0 where sharing is off: only more than one is replicas.
    const replicas = Number.isInteger(labelled) && labelled > 1 ? labelled : null;
    const shared = renamed || replicas !== null;
    let devices: number | null = null;
    if (rule.unit === 'whole') devices = !shared ? count : replicas && Math.floor(count / replicas);
    found.push({
      name,
      count,
      unit: shared ? 'shared' : rule.unit,
      sharedUnit: shared ? rule.unit : null,
      replicas,
      devices,
      rank,
    });
  }
  return found
    .sort((a, b) => a.rank - b.rank || a.name.localeCompare(b.name))
    .map(({ rank: _rank, ...resource }) => resource);
}

/** Where the devnodes probe looks; tests point it at a directory of their own. */
export const DEV_ROOT = '/dev';

/**
 * The entries of `root` and of its subdirectories one level down, as paths relative to it
 * (nvidia0, dri/renderD128, accel/accel0, vfio/0), one per line: shell globs, not ls -R or
 * find -regex, so busybox and dash run it. Piped, so the cd stays in the pipeline's subshell.
 */
function devicePaths(root: string): string {
  return `{ cd '${root}' 2>/dev/null && printf '%s\\n' * */*; }`;
}

/**
 * A POSIX sh line that prints the working group's marker `RESULT: ACCELERATOR_COUNT=<n>`:
 * device nodes matched by whole path relative to /dev (so nvidia10 is not nvidia1, and
 * dri/renderD128 is one), or variables by pattern.
 */
export function probeScript(probe: ProbeStrategy, devRoot = DEV_ROOT): string {
  const count =
    probe.kind === 'devnodes'
      ? `${devicePaths(devRoot)} | grep -cE '${probe.pattern}'`
      : `env | grep -cE '${probe.pattern}'`;
  return `n=$(${count}); echo "RESULT: ACCELERATOR_COUNT=$n"`;
}

/**
 * A POSIX sh line that prints what the probe matches, one per line (device paths relative to
 * /dev, or sorted variables), nothing when it matches nothing: for telling whether two
 * containers see the same.
 */
export function probeListScript(probe: ProbeStrategy, devRoot = DEV_ROOT): string {
  return probe.kind === 'devnodes'
    ? `${devicePaths(devRoot)} | grep -E '${probe.pattern}' || true`
    : `env | grep -E '${probe.pattern}' | sort || true`;
}

/** The count a probe printed, or null when the marker is missing. */
export function parseProbe(output: string): number | null {
  const match = /RESULT: ACCELERATOR_COUNT=(\d+)/.exec(output);
  return match ? Number(match[1]) : null;
}

type Slice = {
  metadata?: k8s.V1ObjectMeta;
  spec?: {
    driver?: string;
    nodeName?: string;
    allNodes?: boolean;
    pool?: { name: string; generation: number; resourceSliceCount: number };
    devices?: unknown[];
  };
};

export interface AcceleratorSetup {
  profile: AcceleratorProfile;
  mode: 'dra' | 'device-plugin';
  /** DRA API the server speaks (null on the device-plugin path without DRA). */
  draApi: DraApiVersion | null;
  /** Ready, schedulable nodes with devices of this profile. */
  nodes: string[];
  /** How this was decided, for the log. */
  reason: string;
  /**
   * Device plugin only: one unit of the resource is a shared replica (time-slicing, MPS), not a
   * device, so two pods may hold the same device by design.
   */
  sharedReplicas?: boolean;
}

/**
 * Nodes whose DRA pools of `driver` are complete (every slice of the newest generation present)
 * and offer devices.
 */
export function nodesWithCompletePools(slices: Slice[], driver: string): string[] {
  const pools = new Map<string, Slice[]>();
  for (const slice of slices) {
    if (slice.spec?.driver !== driver || !slice.spec.pool) continue;
    const key = slice.spec.pool.name;
    pools.set(key, [...(pools.get(key) ?? []), slice]);
  }
  const nodes = new Set<string>();
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

function readySchedulable(node: k8s.V1Node): boolean {
  return Boolean(
    node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
    !node.spec?.unschedulable,
  );
}

/** The profile's whole-device resources, for messages: "nvidia.com/gpu" or "a or b". */
function wholeResourceNames(profile: AcceleratorProfile): string {
  return profile.extendedResources
    .filter((r) => r.unit === 'whole')
    .map((r) => String(r.match))
    .join(' or ');
}

/**
 * Chooses the accelerator profile and allocation mode, like the working group's auto mode: DRA
 * when the profile's DeviceClass exists and a complete pool with devices sits on a Ready node;
 * otherwise the device plugin when a Ready node has one of the profile's whole-device extended
 * resources allocatable (refused when that resource is backed by DRA, since the test could not
 * tell who mediated it). `auto` tries every profile in AUTO_DETECTION_ORDER, then the generic
 * one where it is configured; when none is found the error says what was tried.
 */
export async function detectAccelerator(
  kc: k8s.KubeConfig,
  wanted: {
    kind?: AcceleratorKind | 'auto';
    mode?: AllocationMode;
    generic?: AcceleratorProfile;
  } = {},
): Promise<AcceleratorSetup> {
  const kindWanted = wanted.kind ?? 'auto';
  const mode = wanted.mode ?? 'auto';
  if (kindWanted === 'generic' && !wanted.generic) {
    throw new AcceleratorError('accelerator "generic" needs its device class and probe configured');
  }
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const nodes = (await core.listNode()).items.filter(readySchedulable);
  const readyNames = new Set(nodes.map((n) => n.metadata?.name as string));
  const draApi = await servedDraApi(kc);
  const candidates: AcceleratorProfile[] =
    kindWanted === 'generic'
      ? [wanted.generic as AcceleratorProfile]
      : kindWanted === 'auto'
        ? [
            ...AUTO_DETECTION_ORDER.map((kind) => ACCELERATOR_PROFILES[kind]),
            ...(wanted.generic ? [wanted.generic] : []),
          ]
        : [ACCELERATOR_PROFILES[kindWanted]];
  const tried: string[] = [];
  // DeviceClasses by name, and which extended resources one backs (KEP-5004), read once.
  let classes: Array<{ metadata?: { name?: string }; spec?: { extendedResourceName?: string } }> =
    [];
  if (draApi) classes = (await new DraObjects(kc, draApi).list('DeviceClass')) as typeof classes;
  const classNames = new Set(classes.map((c) => c.metadata?.name));
  if (mode !== 'device-plugin' && draApi) {
    const objects = new DraObjects(kc, draApi);
    const slices = (await objects.list('ResourceSlice')) as Slice[];
    const fakeSlices = new Set(
      ((await objects.list('ResourceSlice', FAKE_GPU_MANAGED_BY)) as Slice[]).map(
        (s) => s.metadata?.name,
      ),
    );
    for (const profile of candidates) {
      const classExists = classNames.has(profile.deviceClass);
      const ofDriver = slices.filter((s) => s.spec?.driver === profile.draDriver);
      // kaic's own driver and NVIDIA's share names; the publisher's label tells them apart.
      const isFake = ofDriver.length > 0 && ofDriver.every((s) => fakeSlices.has(s.metadata?.name));
      if (profile.kind === 'fake' && !isFake) {
        tried.push(`fake: no ResourceSlices of kaic's fake-GPU driver`);
        continue;
      }
      if (profile.kind === 'nvidia' && isFake && kindWanted === 'auto') continue;
      const withDevices = nodesWithCompletePools(ofDriver, profile.draDriver).filter((n) =>
        readyNames.has(n),
      );
      if (classExists && withDevices.length > 0) {
        return {
          profile,
          mode: 'dra',
          draApi,
          nodes: withDevices.sort(),
          reason: `DeviceClass ${profile.deviceClass} exists and complete ${profile.draDriver} pools with devices sit on ${withDevices.length} Ready node(s)`,
        };
      }
      tried.push(
        `${profile.kind}: DeviceClass ${profile.deviceClass} ${classExists ? 'exists' : 'missing'}, ` +
          `${withDevices.length} Ready node(s) with complete ${profile.draDriver} pools`,
      );
    }
  } else if (mode !== 'device-plugin') {
    tried.push('the server serves no resource.k8s.io API (DRA is off)');
  }
  if (mode !== 'dra') {
    for (const profile of candidates) {
      // kaic's simulated GPUs are DRA only: NVIDIA's resource on a node is NVIDIA's device plugin
      // (or a stand-in for it, such as run:ai's fake GPU operator).
      if (profile.extendedResources.length === 0 || profile.kind === 'fake') {
        tried.push(`${profile.kind}: no device-plugin resource (DRA only)`);
        continue;
      }
      const perNode = nodes.map((n) => ({
        name: n.metadata?.name as string,
        resources: extendedResourcesOf(profile, n.status?.allocatable, n.metadata?.labels),
      }));
      // Whole devices only: replicas and partitions are not one device per unit, which the
      // suites' device-plugin checks count on. Of several names (i915, xe), the most common.
      const wholeOn = new Map<string, string[]>();
      for (const { name, resources } of perNode) {
        for (const r of resources.filter((r) => r.unit === 'whole')) {
          wholeOn.set(r.name, [...(wholeOn.get(r.name) ?? []), name]);
        }
      }
      // Where every device is shared (time-slicing or MPS on all of them), its replicas: one
      // unit is then not one device, which the setup says (sharedReplicas).
      const sharedOn = new Map<string, string[]>();
      for (const { name, resources } of perNode) {
        for (const r of resources.filter((r) => r.unit === 'shared' && r.sharedUnit === 'whole')) {
          sharedOn.set(r.name, [...(sharedOn.get(r.name) ?? []), name]);
        }
      }
      const [resource, withResource] =
        [...wholeOn].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      const [sharedResource, withShared] =
        [...sharedOn].sort((a, b) => b[1].length - a[1].length)[0] ?? [];
      if ((!resource || !withResource) && sharedResource && withShared) {
        return {
          profile: { ...profile, extendedResource: sharedResource },
          mode: 'device-plugin',
          draApi,
          nodes: withShared.sort(),
          reason: `${withShared.length} Ready node(s) have ${sharedResource} allocatable (shared replicas of whole devices: time-slicing or MPS)`,
          sharedReplicas: true,
        };
      }
      if (!resource || !withResource) {
        const other = [
          ...new Set(
            perNode.flatMap(({ resources }) => resources.map((r) => `${r.name} (${r.unit})`)),
          ),
        ];
        tried.push(
          `${profile.kind}: no Ready node has ${wholeResourceNames(profile)} allocatable as whole devices` +
            (other.length ? `; found only ${other.join(', ')}` : ''),
        );
        continue;
      }
      const backing = classes.find((c) => c.spec?.extendedResourceName === resource);
      if (backing) {
        tried.push(
          `${profile.kind}: ${resource} is backed by DRA (DeviceClass ${backing.metadata?.name}), so the device-plugin path cannot be attributed`,
        );
        continue;
      }
      return {
        profile: { ...profile, extendedResource: resource },
        mode: 'device-plugin',
        draApi,
        nodes: withResource.sort(),
        reason: `${withResource.length} Ready node(s) have ${resource} allocatable (whole devices)`,
      };
    }
  }
  throw new AcceleratorError(
    `no accelerator found (profile ${kindWanted}, allocation mode ${mode}): ${tried.join('; ') || 'nothing matched'}`,
  );
}

/**
 * What on a node's labels shows a virtualized accelerator (NVIDIA's GPU feature discovery), or
 * null. `nvidia.com/vgpu.present` is written on every GPU node, "false" on bare metal: only
 * "true", or a vGPU host driver version, is evidence.
 */
export function vgpuEvidence(labels: Record<string, string> | undefined): string | null {
  if (labels?.['nvidia.com/vgpu.present'] === 'true') return 'nvidia.com/vgpu.present=true';
  const host = labels?.['nvidia.com/vgpu.host-driver-version'];
  return host ? `nvidia.com/vgpu.host-driver-version=${host}` : null;
}

/**
 * CEL selectors that keep a claim on whole devices where the profile publishes partitions in the
 * same DeviceClass as whole devices (AMD): the negation of the partition selectors. None where
 * partitions have their own class (NVIDIA MIG) or there are none.
 */
export function wholeDeviceSelectors(profile: AcceleratorProfile): string[] {
  const partitions = profile.partitions;
  if (!partitions || partitions.deviceClass !== profile.deviceClass) return [];
  return partitions.selectors.map((selector) => `!(${selector})`);
}
