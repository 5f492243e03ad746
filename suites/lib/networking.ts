/**
 * high_performance_networking's reading of a pod's interfaces, as pure logic (unit-tested): the
 * interfaces `ip -o link` lists, those a pod holding a network device has beyond a baseline pod on
 * the same node (kernel fallback devices such as tunl0 or sit0 appear in every network namespace
 * where their modules are loaded, so only a comparison shows what the claim added), and whether
 * the allocated device is among them, by interface name or MAC address.
 */

export interface PodInterface {
  name: string;
  /** Lower-case link address, where the link has one. */
  mac?: string;
}

/** Parses `ip -o link` (iproute2 or busybox): one line per link, `N: name[@peer]: … link/ether MAC`. */
export function parseLinks(output: string): PodInterface[] {
  const links: PodInterface[] = [];
  for (const line of output.split('\n')) {
    const name = /^\d+:\s+([^:@\s]+)/.exec(line)?.[1];
    if (!name) continue;
    const mac = /link\/(?:ether|infiniband)\s+([0-9a-fA-F:]+)/.exec(line)?.[1]?.toLowerCase();
    links.push(mac ? { name, mac } : { name });
  }
  return links;
}

/** The claimant's interfaces that the baseline pod (no claim, same node) does not have, by name. */
export function addedInterfaces(
  claimant: readonly PodInterface[],
  baseline: readonly PodInterface[],
): PodInterface[] {
  const base = new Set(baseline.map((l) => l.name));
  return claimant.filter((l) => !base.has(l.name));
}

/** What identifies the allocated device as an interface: its name and MAC attributes, if any. */
export interface DeviceIdentity {
  ifName?: string;
  mac?: string;
}

export type AllocatedCheck =
  | { outcome: 'found'; iface: PodInterface; by: 'name' | 'mac' }
  | { outcome: 'missing'; reason: string }
  | { outcome: 'unidentified'; reason: string };

/**
 * The allocated device among the added interfaces, by MAC (stable across a rename into the pod)
 * else by name. A device that publishes neither cannot be identified: only "something was added"
 * can be checked.
 */
export function findAllocated(
  added: readonly PodInterface[],
  device: DeviceIdentity,
): AllocatedCheck {
  const mac = device.mac?.toLowerCase();
  if (!mac && !device.ifName) {
    return {
      outcome: 'unidentified',
      reason: 'the allocated device publishes no interface name or MAC attribute',
    };
  }
  const byMac = mac ? added.find((l) => l.mac === mac) : undefined;
  if (byMac) return { outcome: 'found', iface: byMac, by: 'mac' };
  const byName = device.ifName ? added.find((l) => l.name === device.ifName) : undefined;
  if (byName) return { outcome: 'found', iface: byName, by: 'name' };
  const wanted = [device.ifName && `name ${device.ifName}`, mac && `MAC ${mac}`]
    .filter(Boolean)
    .join(' or ');
  const seen = added.map((l) => `${l.name}${l.mac ? ` (${l.mac})` : ''}`).join(', ') || 'none';
  return {
    outcome: 'missing',
    reason: `the allocated device (${wanted}) is not among the interfaces the claim added: ${seen}`,
  };
}
