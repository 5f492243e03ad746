/**
 * gpu_sharing's device-plugin path, as pure logic (unit-tested): the node where more pods than
 * physical devices can each hold one shared replica (time-slicing or MPS, advertised as replicas
 * of whole devices), so that running them all proves, by pigeonhole, that two share a device.
 */
import type { NodeExtendedResource } from '../../src/accelerators/profiles.js';

export interface NodeReplicas {
  node: string;
  /** The node's extended resources of the accelerator's profile (extendedResourcesOf). */
  resources: readonly NodeExtendedResource[];
  /** Units of each resource already requested by the node's pods that have not ended. */
  requested: Readonly<Record<string, number>>;
}

export interface ReplicaPlan {
  node: string;
  resource: string;
  /** Physical devices behind the resource on the node. */
  devices: number;
  replicas: number;
  /** Pods to run, one replica each: one more than the physical devices. */
  pods: number;
}

/**
 * The first node whose shared replicas of whole devices leave room for devices + 1 pods; else the
 * reason none does (nothing shared advertised, or not enough free).
 */
export function planReplicaSharing(
  nodes: readonly NodeReplicas[],
): ReplicaPlan | { reason: string } {
  const shortOf: string[] = [];
  for (const { node, resources, requested } of nodes) {
    for (const r of resources) {
      if (r.unit !== 'shared' || r.sharedUnit !== 'whole' || !r.devices || !r.replicas) continue;
      const free = r.count - (requested[r.name] ?? 0);
      const pods = r.devices + 1;
      if (free >= pods) {
        return { node, resource: r.name, devices: r.devices, replicas: r.replicas, pods };
      }
      shortOf.push(`${node}: ${free} of ${r.count} ${r.name} free, ${pods} needed`);
    }
  }
  return {
    reason: shortOf.length
      ? `no node has room for one pod more than its physical devices (${shortOf.join('; ')})`
      : 'no node advertises shared replicas of whole devices (a `.shared` resource, or a replicas label above 1 with the device count it multiplies)',
  };
}
