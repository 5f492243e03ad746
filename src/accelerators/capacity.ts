/**
 * Physical accelerator devices per node: partitions count as the device they are cut from.
 */
import * as k8s from '@kubernetes/client-node';

import { DraObjects, type DraObject } from '../k8s/dra-objects.js';
import { extendedResourcesOf, type AcceleratorSetup } from './profiles.js';

type Attribute = { string?: string; int?: number };
type CountedSlice = DraObject & {
  spec?: {
    driver?: string;
    nodeName?: string;
    devices?: Array<{
      name: string;
      attributes?: Record<string, Attribute>;
      basic?: { attributes?: Record<string, Attribute> };
    }>;
  };
};

/** Physical devices per accelerator node of the setup. */
export async function physicalDevicesPerNode(
  kc: k8s.KubeConfig,
  setup: AcceleratorSetup,
): Promise<Map<string, number>> {
  const perNode = new Map(setup.nodes.map((n) => [n, new Set<string>()]));
  if (setup.mode === 'dra' && setup.draApi) {
    const { draDriver: driver, partitions, identityAttribute } = setup.profile;
    const slices = (await new DraObjects(kc, setup.draApi).list('ResourceSlice')) as CountedSlice[];
    for (const slice of slices) {
      const devices = perNode.get(slice.spec?.nodeName ?? '');
      if (slice.spec?.driver !== driver || !devices) continue;
      for (const device of slice.spec.devices ?? []) {
        const attributes = device.attributes ?? device.basic?.attributes ?? {};
        const attribute = (name: string) => {
          const value = attributes[name] ?? attributes[`${driver}/${name}`];
          return value?.string ?? (value?.int === undefined ? undefined : String(value.int));
        };
        // A partition counts as its parent; a device as its identity (two names, one device).
        devices.add(
          (partitions && attribute(partitions.parentAttribute)) ||
            (identityAttribute && attribute(identityAttribute)) ||
            device.name,
        );
      }
    }
    return new Map([...perNode].map(([node, devices]) => [node, devices.size]));
  }
  const resource = setup.profile.extendedResource;
  const nodes = (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items;
  // Shared replicas (time-slicing, MPS) count as the devices behind them, from the node's labels.
  const devicesOf = (n: k8s.V1Node) =>
    extendedResourcesOf(setup.profile, n.status?.allocatable, n.metadata?.labels).find(
      (r) => r.name === resource,
    )?.devices ?? 0;
  return new Map(
    nodes
      .filter((n) => perNode.has(n.metadata?.name ?? ''))
      .map((n) => [n.metadata?.name as string, resource ? devicesOf(n) : 0]),
  );
}
