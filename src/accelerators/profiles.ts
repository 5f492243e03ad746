/**
 * Accelerator profiles: how the conformance suites find, request and observe an accelerator,
 * after the working group's AcceleratorConfig (device class, DRA driver, extended resource,
 * taint key, device pattern) plus a probe strategy. One place for all of them; `auto` detects
 * the profile and the allocation mode from what the cluster publishes.
 */
import * as k8s from '@kubernetes/client-node';

import { MANAGED_BY, MANAGED_BY_LABEL } from '../fakegpu/slices.js';
import { DraObjects } from '../k8s/dra-objects.js';
import { servedDraApi } from '../k8s/discovery.js';
import type { DraApiVersion } from '../versions/kubernetes.js';

export const ACCELERATOR_KINDS = ['nvidia', 'fake', 'example', 'generic'] as const;
export type AcceleratorKind = (typeof ACCELERATOR_KINDS)[number];

export const ALLOCATION_MODES = ['auto', 'dra', 'device-plugin'] as const;
export type AllocationMode = (typeof ALLOCATION_MODES)[number];

/**
 * How a container shows what it was given: device nodes in /dev whose names match a pattern
 * (real drivers, CDI), or environment variables with a prefix (dra-example-driver).
 */
export type ProbeStrategy = { kind: 'devnodes'; pattern: string } | { kind: 'env'; prefix: string };

export interface AcceleratorProfile {
  kind: AcceleratorKind;
  /** DeviceClass a claim asks for. */
  deviceClass: string;
  /** DRA driver name of its ResourceSlices (also the attribute domain). */
  draDriver: string;
  /** Extended resource of the device-plugin path, where there is one. */
  extendedResource: string | null;
  /** Taint accelerator nodes commonly carry, tolerated by the suites' pods. */
  taintKey: string | null;
  probe: ProbeStrategy;
  /** Attribute (in the driver's domain) that carries the driver version, where published. */
  driverVersionAttribute: string | null;
  /**
   * Partitions of one device (MIG): their DeviceClass and the attribute naming the physical
   * device they are cut from; null where the profile has none.
   */
  partitions: { deviceClass: string; parentAttribute: string } | null;
  /** How to read the driver version inside a container (a shell line printing it), if known. */
  driverVersionCommand: string | null;
}

/** NVIDIA GPUs: /dev/nvidia0, /dev/nvidia1, …; the control nodes (nvidiactl, …) do not count. */
const NVIDIA_DEVNODES: ProbeStrategy = { kind: 'devnodes', pattern: '^nvidia[0-9]+$' };
/** NVIDIA's DRA driver publishes MIG devices in their own class, each naming its GPU. */
const NVIDIA_MIG = { deviceClass: 'mig.nvidia.com', parentAttribute: 'parentUUID' };
/** nvidia-smi -q prints "Driver Version : 580.159.04" (the real tool and kaic's fake alike). */
const NVIDIA_SMI_DRIVER_VERSION = `nvidia-smi -q | sed -n 's/^ *Driver Version *: *//p' | head -n 1`;

const NVIDIA: AcceleratorProfile = {
  kind: 'nvidia',
  deviceClass: 'gpu.nvidia.com',
  draDriver: 'gpu.nvidia.com',
  extendedResource: 'nvidia.com/gpu',
  taintKey: 'nvidia.com/gpu',
  probe: NVIDIA_DEVNODES,
  driverVersionAttribute: 'driverVersion',
  partitions: NVIDIA_MIG,
  driverVersionCommand: NVIDIA_SMI_DRIVER_VERSION,
};

export const ACCELERATOR_PROFILES: Record<
  Exclude<AcceleratorKind, 'generic'>,
  AcceleratorProfile
> = {
  nvidia: NVIDIA,
  // kaic's fake-GPU driver publishes NVIDIA's names and injects NVIDIA-shaped device nodes and a
  // fake nvidia-smi; only its publisher's label tells it apart (see detectAccelerator).
  fake: { ...NVIDIA, kind: 'fake' },
  example: {
    kind: 'example',
    deviceClass: 'gpu.example.com',
    draDriver: 'gpu.example.com',
    extendedResource: null,
    taintKey: null,
    probe: { kind: 'env', prefix: 'GPU_DEVICE_' },
    driverVersionAttribute: 'driverVersion',
    partitions: null,
    driverVersionCommand: null,
  },
};

/** Selects the slices and classes kaic's fake-GPU publisher made. */
const FAKE_GPU_MANAGED_BY = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

export class AcceleratorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AcceleratorError';
  }
}

/** A generic profile needs the user to name its class and driver. */
export function genericProfile(options: {
  deviceClass: string;
  draDriver?: string;
  devicePattern?: string;
  envPrefix?: string;
}): AcceleratorProfile {
  if (!options.devicePattern && !options.envPrefix) {
    throw new AcceleratorError(
      'the generic accelerator profile needs a probe: a device-node pattern (e.g. ^accel[0-9]+$) or an environment prefix',
    );
  }
  return {
    kind: 'generic',
    deviceClass: options.deviceClass,
    draDriver: options.draDriver ?? options.deviceClass,
    extendedResource: null,
    taintKey: null,
    probe: options.devicePattern
      ? { kind: 'devnodes', pattern: options.devicePattern }
      : { kind: 'env', prefix: options.envPrefix as string },
    driverVersionAttribute: null,
    partitions: null,
    driverVersionCommand: null,
  };
}

/**
 * A POSIX sh line that prints the working group's marker `RESULT: ACCELERATOR_COUNT=<n>`:
 * device nodes matched by whole name (so nvidia10 is not nvidia1), or variables by prefix.
 */
export function probeScript(probe: ProbeStrategy): string {
  const count =
    probe.kind === 'devnodes'
      ? `ls /dev | grep -cE '${probe.pattern}'`
      : `env | grep -c '^${probe.prefix}'`;
  return `n=$(${count}); echo "RESULT: ACCELERATOR_COUNT=$n"`;
}

/**
 * A POSIX sh line that prints what the probe matches, one per line (device names, or sorted
 * variables), nothing when it matches nothing: for telling whether two containers see the same.
 */
export function probeListScript(probe: ProbeStrategy): string {
  return probe.kind === 'devnodes'
    ? `ls /dev | grep -E '${probe.pattern}' || true`
    : `env | grep '^${probe.prefix}' | sort || true`;
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

/**
 * Chooses the accelerator profile and allocation mode, like the working group's auto mode: DRA
 * when the profile's DeviceClass exists and a complete pool with devices sits on a Ready node;
 * otherwise the device plugin when a Ready node has the extended resource allocatable (refused
 * when that resource is backed by DRA, since the test could not tell who mediated it).
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
        ? [ACCELERATOR_PROFILES.fake, ACCELERATOR_PROFILES.nvidia, ACCELERATOR_PROFILES.example]
        : [ACCELERATOR_PROFILES[kindWanted]];
  const tried: string[] = [];
  if (mode !== 'device-plugin' && draApi) {
    const objects = new DraObjects(kc, draApi);
    const slices = (await objects.list('ResourceSlice')) as Slice[];
    const fakeSlices = new Set(
      ((await objects.list('ResourceSlice', FAKE_GPU_MANAGED_BY)) as Slice[]).map(
        (s) => s.metadata?.name,
      ),
    );
    for (const profile of candidates) {
      const classExists = await objects.read('DeviceClass', profile.deviceClass).then(
        () => true,
        () => false,
      );
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
      if (!profile.extendedResource) continue;
      const resource = profile.extendedResource;
      const withResource = nodes.filter(
        (n) => Number(n.status?.allocatable?.[resource] ?? '0') > 0,
      );
      if (withResource.length === 0) {
        tried.push(`${profile.kind}: no Ready node has ${resource} allocatable`);
        continue;
      }
      if (draApi) {
        const backing = (await new DraObjects(kc, draApi).list('DeviceClass')).find(
          (c) =>
            (c as { spec?: { extendedResourceName?: string } }).spec?.extendedResourceName ===
            resource,
        );
        if (backing) {
          tried.push(
            `${profile.kind}: ${resource} is backed by DRA (DeviceClass ${backing.metadata?.name}), so the device-plugin path cannot be attributed`,
          );
          continue;
        }
      }
      return {
        profile,
        mode: 'device-plugin',
        draApi,
        nodes: withResource.map((n) => n.metadata?.name as string).sort(),
        reason: `${withResource.length} Ready node(s) have ${resource} allocatable`,
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
