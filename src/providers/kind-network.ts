/**
 * Pod networking for kind clusters on kaic's local node image, in place of kind's CNI (kindnetd,
 * whose image cannot be built here): every node gets a CNI configuration for its own pod CIDR
 * (the standard ptp, host-local and portmap plugins from Debian's package in the node image) and
 * a route to every other node's pod CIDR through that node's address on kind's Docker network.
 * That is what kindnetd does for a fixed set of nodes; kaic's kind clusters never add nodes.
 */
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';

import { waitFor } from '../util/wait.js';

export class KindNetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KindNetworkError';
  }
}

export interface NodeRoute {
  node: string;
  podCidr: string;
  address: string;
}

/** The CNI configuration of one node (pod CIDR from the node object, allocated by kubeadm). */
export function nodeCniConfig(podCidr: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '1.0.0',
      name: 'kaic-routed',
      plugins: [
        {
          type: 'ptp',
          ipMasq: false,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: podCidr }]],
            routes: [{ dst: '0.0.0.0/0' }],
          },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

/** Each node's pod CIDR and internal address; an error names a node still without either. */
export function nodeRoutes(nodes: k8s.V1Node[]): NodeRoute[] {
  return nodes.map((node) => {
    const name = node.metadata?.name ?? '?';
    const podCidr = node.spec?.podCIDR;
    const address = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!podCidr || !address) {
      throw new KindNetworkError(
        `node ${name} has no ${podCidr ? 'InternalIP address' : 'pod CIDR'} yet`,
      );
    }
    return { node: name, podCidr, address };
  });
}

/**
 * Writes each node's CNI configuration and its routes to the other nodes' pods, once all
 * `expectedNodes` are registered with a pod CIDR and an address (kind says a worker joined before
 * its Node object exists: routing the nodes there were then left that worker without a network).
 */
export async function setUpRoutedPodNetwork(
  kubeConfig: k8s.KubeConfig,
  env: NodeJS.ProcessEnv,
  log: (line: string) => void,
  expectedNodes: number,
  timeoutMs = 120_000,
): Promise<NodeRoute[]> {
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const routes = await waitFor(
    `${expectedNodes} kind nodes registered with a pod CIDR and an address`,
    async () => {
      const nodes = (await core.listNode()).items;
      if (nodes.length < expectedNodes) {
        throw new KindNetworkError(`${nodes.length} of ${expectedNodes} nodes registered`);
      }
      return nodeRoutes(nodes);
    },
    timeoutMs,
    500,
  );
  const exec = async (node: string, args: string[], input?: string) => {
    const result = await execa('docker', ['exec', ...(input ? ['-i'] : []), node, ...args], {
      env,
      reject: false,
      all: true,
      ...(input ? { input } : {}),
    });
    if (result.exitCode !== 0) {
      throw new KindNetworkError(
        `docker exec ${node} ${args.join(' ')} failed: ${String(result.all).trim()}`,
      );
    }
  };
  for (const route of routes) {
    for (const other of routes) {
      if (other.node === route.node) continue;
      await exec(route.node, ['ip', 'route', 'replace', other.podCidr, 'via', other.address]);
    }
    await exec(
      route.node,
      ['sh', '-c', 'cat > /etc/cni/net.d/10-kaic-routed.conflist'],
      nodeCniConfig(route.podCidr),
    );
  }
  log(`kind: pod network routed (${routes.map((r) => `${r.node} ${r.podCidr}`).join(', ')})`);
  return routes;
}

/**
 * Waits until kube-proxy has programmed the `kubernetes` Service on each of `nodes` (kind node
 * containers). A pod that connects to the Service's IP before that leaves a conntrack entry
 * without the Service's translation, and its connection hangs until the entry expires (120 s for
 * an unanswered SYN): seen with addon pods started from preloaded images right after the nodes
 * were Ready.
 */
export async function waitForServiceRules(
  nodes: readonly string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 120_000,
): Promise<void> {
  const programmed =
    "iptables-save -t nat 2>/dev/null | grep -q 'default/kubernetes:https' || " +
    "nft list ruleset 2>/dev/null | grep -q 'default/kubernetes:https'";
  await Promise.all(
    nodes.map((node) =>
      waitFor(
        `kube-proxy's rules for the kubernetes Service on ${node}`,
        async () =>
          (await execa('docker', ['exec', node, 'sh', '-c', programmed], { env, reject: false }))
            .exitCode === 0
            ? true
            : undefined,
        timeoutMs,
        500,
      ),
    ),
  );
}
