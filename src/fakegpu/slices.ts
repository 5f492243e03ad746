/**
 * The objects the fake-GPU driver publishes: its DeviceClasses and one ResourceSlice (one pool)
 * per node, in the shape of the DRA API version of the cluster's minor.
 */
import type { DraApiVersion } from '../versions/kubernetes.js';
import {
  MIG_MEMORY_SLICES,
  gpuUuid,
  migUuid,
  pciBusId,
  type GpuProfile,
  type MigProfile,
} from './profiles.js';
import { semver } from '../util/semver.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kaic-fakegpu';
export const PROFILE_LABEL = 'fakegpu.kaic.dev/profile';

type Attribute = { string: string } | { version: string } | { int: number } | { bool: boolean };
type Quantity = { value: string };

export interface CounterConsumption {
  counterSet: string;
  counters: Record<string, Quantity>;
}

export interface DeviceSpec {
  name: string;
  attributes: Record<string, Attribute>;
  capacity: Record<string, Quantity>;
  consumesCounters?: CounterConsumption[];
}

export interface CounterSet {
  name: string;
  counters: Record<string, Quantity>;
}

/** What one node's pool holds: its devices and, for partitionable MIG, the GPUs' counter sets. */
export interface PoolContent {
  devices: DeviceSpec[];
  counterSets: CounterSet[];
}

/** How a node's GPUs are offered; see MigMode in the version table for the two MIG forms. */
export type MigLayout =
  | { mode: 'off' }
  | { mode: 'partitionable' }
  /** The last `gpus` GPUs of the node, each cut into as many `profile` instances as fit. */
  | { mode: 'static'; gpus: number; profile: MigProfile };

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string };
  spec: Record<string, unknown>;
};

/** Nodes labelled with one domain share an NVLink clique; unlabelled, a node is its own. */
export const NVLINK_DOMAIN_LABEL = 'fakegpu.kaic.dev/nvlink-domain';

/** The API's per-slice limits (1.35+): devices that consume counters, and counter sets. */
const MAX_DEVICES_PER_SLICE = 128;
const MAX_COUNTER_DEVICES_PER_SLICE = 64;
const MAX_COUNTER_SETS_PER_SLICE = 8;

/** Engine counters, named as DNS labels (the API requires it), with their MIG profile field. */
const ENGINE_COUNTERS = [
  ['multiprocessors', 'multiprocessors'],
  ['copy-engines', 'copyEngines'],
  ['decoders', 'decoders'],
  ['encoders', 'encoders'],
  ['jpeg-engines', 'jpegEngines'],
  ['ofa-engines', 'ofaEngines'],
] as const satisfies ReadonlyArray<readonly [string, keyof MigProfile]>;

const memorySliceCounter = (k: number) => `memory-slice-${k}`;

/** Attributes a whole GPU and its MIG devices share. */
function commonAttributes(profile: GpuProfile, index: number): Record<string, Attribute> {
  const busId = pciBusId(profile, index);
  return {
    productName: { string: profile.productName },
    brand: { string: profile.brand },
    architecture: { string: profile.architecture },
    cudaComputeCapability: { version: semver(profile.cudaComputeCapability) },
    driverVersion: { version: semver(profile.driverVersion) },
    cudaDriverVersion: { version: semver(profile.cudaDriverVersion) },
    'resource.kubernetes.io/pciBusID': { string: busId },
    'resource.kubernetes.io/pcieRoot': {
      string: `pci${busId.slice(4, 8)}:${busId.slice(9, 11)}`,
    },
  };
}

/**
 * The NVLink clique a node's GPUs belong to, as NVIDIA's driver reports it: the fabric's
 * cluster UUID and the clique number, "<uuid>.<clique>".
 */
export function cliqueId(node: NodeRef): string {
  const domain = node.labels?.[NVLINK_DOMAIN_LABEL] ?? node.name;
  return `${gpuUuid(`nvlink-domain/${domain}`, 0).slice(4)}.1`;
}

/** The node facts a pool depends on: its name and (for NVLink cliques) its labels. */
export interface NodeRef {
  name: string;
  labels?: Record<string, string>;
}

/** Whole-GPU devices of one node, as NVIDIA's driver names and describes them. */
export function gpuDevices(profile: GpuProfile, node: NodeRef, count: number): DeviceSpec[] {
  return Array.from({ length: count }, (_, index) => ({
    name: `gpu-${index}`,
    attributes: {
      type: { string: 'gpu' },
      uuid: { string: gpuUuid(node.name, index) },
      ...commonAttributes(profile, index),
      ...(profile.nvlinkClique ? { cliqueID: { string: cliqueId(node) } } : {}),
    },
    capacity: { memory: { value: String(profile.memoryBytes) } },
  }));
}

/** "1g.10gb+me" -> "1g-10gb-me", as device names must be DNS labels. */
const dnsLabel = (value: string) => value.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/** One MIG device of GPU `index`, placed at memory slice `start`. */
function migDevice(
  profile: GpuProfile,
  nodeName: string,
  index: number,
  mig: MigProfile,
  start: number,
): DeviceSpec {
  const slices = Array.from({ length: mig.memorySlices }, (_, k) => start + k);
  return {
    name: `gpu-${index}-mig-${dnsLabel(mig.name)}-${mig.id}-${start}`,
    attributes: {
      type: { string: 'mig' },
      uuid: { string: migUuid(nodeName, index, mig, start) },
      parentUUID: { string: gpuUuid(nodeName, index) },
      profile: { string: mig.name },
      ...commonAttributes(profile, index),
    },
    capacity: {
      multiprocessors: { value: String(mig.multiprocessors) },
      copyEngines: { value: String(mig.copyEngines) },
      decoders: { value: String(mig.decoders) },
      encoders: { value: String(mig.encoders) },
      jpegEngines: { value: String(mig.jpegEngines) },
      ofaEngines: { value: String(mig.ofaEngines) },
      memory: { value: String(mig.memoryBytes) },
      ...Object.fromEntries(slices.map((k) => [`memorySlice${k}`, { value: '1' }])),
    },
  };
}

/**
 * The counters one GPU shares between its whole self and its MIG placements. Engine totals are
 * the most any single-profile layout uses, so every layout the hardware allows fits; the memory
 * slices make placements that overlap exclusive.
 */
export function gpuCounterSet(profile: GpuProfile, index: number): CounterSet {
  const counters: Record<string, Quantity> = {};
  for (const [counter, field] of ENGINE_COUNTERS) {
    const most = Math.max(
      ...profile.migProfiles.map((m) => (m[field] as number) * m.instances),
      field === 'multiprocessors' ? profile.multiprocessors : 0,
    );
    counters[counter] = { value: String(most) };
  }
  for (let k = 0; k < MIG_MEMORY_SLICES; k++) counters[memorySliceCounter(k)] = { value: '1' };
  return { name: `gpu-${index}-counter-set`, counters };
}

/** What a device takes from its GPU's counter set; counters it takes none of are left out. */
function consumption(set: CounterSet, take: Record<string, number>): CounterConsumption[] {
  const counters = Object.fromEntries(
    Object.entries(take)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => [name, { value: String(n) }]),
  );
  return [{ counterSet: set.name, counters }];
}

/** Everything one node's pool offers under `layout`. */
export function poolContent(
  profile: GpuProfile,
  node: NodeRef,
  gpus: number,
  layout: MigLayout,
): PoolContent {
  const whole = gpuDevices(profile, node, gpus);
  if (layout.mode === 'off') return { devices: whole, counterSets: [] };
  if (layout.mode === 'static') {
    const firstMig = gpus - layout.gpus;
    const devices = whole.slice(0, firstMig);
    for (let index = firstMig; index < gpus; index++) {
      for (const start of layout.profile.placements.slice(0, layout.profile.instances)) {
        devices.push(migDevice(profile, node.name, index, layout.profile, start));
      }
    }
    return { devices, counterSets: [] };
  }
  const devices: DeviceSpec[] = [];
  const counterSets: CounterSet[] = [];
  whole.forEach((gpu, index) => {
    const set = gpuCounterSet(profile, index);
    counterSets.push(set);
    const all = Object.fromEntries(
      Object.entries(set.counters).map(([n, q]) => [n, Number(q.value)]),
    );
    devices.push({ ...gpu, consumesCounters: consumption(set, all) });
    for (const mig of profile.migProfiles) {
      for (const start of mig.placements) {
        const take: Record<string, number> = {};
        for (const [counter, field] of ENGINE_COUNTERS) take[counter] = mig[field] as number;
        for (let k = start; k < start + mig.memorySlices; k++) take[memorySliceCounter(k)] = 1;
        devices.push({
          ...migDevice(profile, node.name, index, mig, start),
          consumesCounters: consumption(set, take),
        });
      }
    }
  });
  return { devices, counterSets };
}

/** v1beta1 wraps everything of a device but its name in `basic`. */
function deviceInShape(api: DraApiVersion, device: DeviceSpec): Record<string, unknown> {
  if (api === 'resource.k8s.io/v1') return { ...device };
  const { name, ...basic } = device;
  return { name, basic };
}

/** Slice `part` of a node's pool; the first keeps the plain `<node>-<driver>` name. */
export function sliceName(profile: GpuProfile, nodeName: string, part = 0): string {
  return part === 0 ? `${nodeName}-${profile.driver}` : `${nodeName}-${profile.driver}-${part}`;
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * The ResourceSlices of one node's pool. Counter sets get slices of their own (the API allows
 * devices or counters in a slice, not both), devices are split at the per-slice limits; every
 * slice names the same pool, generation and slice count.
 */
export function poolSlices(
  api: DraApiVersion,
  profile: GpuProfile,
  node: { name: string; uid: string },
  content: PoolContent,
  generation: number,
): KubeObject[] {
  const perSlice = content.devices.some((d) => d.consumesCounters)
    ? MAX_COUNTER_DEVICES_PER_SLICE
    : MAX_DEVICES_PER_SLICE;
  const specs: Array<Record<string, unknown>> = [
    ...chunks(content.devices, perSlice).map((devices) => ({
      devices: devices.map((d) => deviceInShape(api, d)),
    })),
    ...chunks(content.counterSets, MAX_COUNTER_SETS_PER_SLICE).map((sets) => ({
      sharedCounters: sets,
    })),
  ];
  return specs.map((body, part) => ({
    apiVersion: api,
    kind: 'ResourceSlice',
    metadata: {
      name: sliceName(profile, node.name, part),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [PROFILE_LABEL]: profile.name },
      // The garbage collector removes the slice with its node, even when the publisher is down.
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true },
      ],
    },
    spec: {
      driver: profile.driver,
      nodeName: node.name,
      pool: { name: node.name, generation, resourceSliceCount: specs.length },
      ...body,
    },
  }));
}

/** The DeviceClasses of a profile, with the CEL selectors NVIDIA's driver ships. */
export function deviceClasses(api: DraApiVersion, profile: GpuProfile): KubeObject[] {
  const cel = (type: string) =>
    `device.driver == '${profile.driver}' && device.attributes['${profile.driver}'].type == '${type}'`;
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [PROFILE_LABEL]: profile.name };
  const classes: KubeObject[] = [
    {
      apiVersion: api,
      kind: 'DeviceClass',
      metadata: { name: profile.deviceClass, labels },
      spec: {
        selectors: [{ cel: { expression: cel('gpu') } }],
        // Only v1 has the field; a server without DRAExtendedResource drops it.
        ...(api === 'resource.k8s.io/v1' && profile.extendedResourceName
          ? { extendedResourceName: profile.extendedResourceName }
          : {}),
      },
    },
  ];
  if (profile.migDeviceClass) {
    classes.push({
      apiVersion: api,
      kind: 'DeviceClass',
      metadata: { name: profile.migDeviceClass, labels },
      spec: { selectors: [{ cel: { expression: cel('mig') } }] },
    });
  }
  return classes;
}

/** The device list as the server returns it, in v1 terms, for comparing desired and actual. */
export function devicesOf(api: DraApiVersion, slice: object): DeviceSpec[] {
  const spec = (slice as { spec?: { devices?: unknown[] } }).spec;
  return (spec?.devices ?? []).map((raw) => {
    const d = raw as DeviceSpec & { basic?: Omit<DeviceSpec, 'name'> };
    const body = api === 'resource.k8s.io/v1' ? d : { ...d.basic };
    return {
      name: d.name,
      attributes: body.attributes ?? {},
      capacity: body.capacity ?? {},
      ...(body.consumesCounters ? { consumesCounters: body.consumesCounters } : {}),
    };
  });
}

/** A slice's content in the terms `poolSlices` builds it from, for comparing desired and actual. */
export function sliceContent(api: DraApiVersion, slice: object): PoolContent {
  const spec = (slice as { spec?: { sharedCounters?: CounterSet[] } }).spec;
  return { devices: devicesOf(api, slice), counterSets: spec?.sharedCounters ?? [] };
}
