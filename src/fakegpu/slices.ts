/**
 * The objects the fake-GPU driver publishes: its DeviceClasses and one ResourceSlice (one pool)
 * per node, in the shape of the DRA API version of the cluster's minor.
 */
import type { DraApiVersion } from '../versions/kubernetes.js';
import { gpuUuid, pciBusId, type GpuProfile } from './profiles.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kaic-fakegpu';
export const PROFILE_LABEL = 'fakegpu.kaic.dev/profile';

type Attribute = { string: string } | { version: string } | { int: number } | { bool: boolean };

export interface DeviceSpec {
  name: string;
  attributes: Record<string, Attribute>;
  capacity: Record<string, { value: string }>;
}

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown> & { name: string };
  spec: Record<string, unknown>;
};

/** Whole-GPU devices of one node, as NVIDIA's driver names and describes them. */
export function gpuDevices(profile: GpuProfile, nodeName: string, count: number): DeviceSpec[] {
  return Array.from({ length: count }, (_, index) => {
    const busId = pciBusId(profile, index);
    const attributes: Record<string, Attribute> = {
      type: { string: 'gpu' },
      uuid: { string: gpuUuid(nodeName, index) },
      productName: { string: profile.productName },
      brand: { string: profile.brand },
      architecture: { string: profile.architecture },
      cudaComputeCapability: { version: profile.cudaComputeCapability },
      driverVersion: { version: profile.driverVersion },
      cudaDriverVersion: { version: profile.cudaDriverVersion },
      'resource.kubernetes.io/pciBusID': { string: busId },
      'resource.kubernetes.io/pcieRoot': {
        string: `pci${busId.slice(4, 8)}:${busId.slice(9, 11)}`,
      },
    };
    return {
      name: `gpu-${index}`,
      attributes,
      capacity: { memory: { value: String(profile.memoryBytes) } },
    };
  });
}

/** v1beta1 wraps a device's attributes and capacity in `basic`. */
function deviceInShape(api: DraApiVersion, device: DeviceSpec): Record<string, unknown> {
  return api === 'resource.k8s.io/v1'
    ? { ...device }
    : { name: device.name, basic: { attributes: device.attributes, capacity: device.capacity } };
}

export function sliceName(profile: GpuProfile, nodeName: string): string {
  return `${nodeName}-${profile.driver}`;
}

export function resourceSlice(
  api: DraApiVersion,
  profile: GpuProfile,
  node: { name: string; uid: string },
  devices: DeviceSpec[],
  generation: number,
): KubeObject {
  return {
    apiVersion: api,
    kind: 'ResourceSlice',
    metadata: {
      name: sliceName(profile, node.name),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [PROFILE_LABEL]: profile.name },
      // The garbage collector removes the slice with its node, even when the publisher is down.
      ownerReferences: [
        { apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid, controller: true },
      ],
    },
    spec: {
      driver: profile.driver,
      nodeName: node.name,
      pool: { name: node.name, generation, resourceSliceCount: 1 },
      devices: devices.map((d) => deviceInShape(api, d)),
    },
  };
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
export function devicesOf(
  api: DraApiVersion,
  slice: { spec?: { devices?: unknown[] } },
): DeviceSpec[] {
  return (slice.spec?.devices ?? []).map((raw) => {
    const d = raw as DeviceSpec & { basic?: Omit<DeviceSpec, 'name'> };
    const body = api === 'resource.k8s.io/v1' ? d : { ...d.basic };
    return { name: d.name, attributes: body.attributes ?? {}, capacity: body.capacity ?? {} };
  });
}
