/**
 * cluster_autoscaling (MUST where the platform autoscales): an accelerator node group grows for a
 * pod that fits no current node and shrinks back afterwards. Measured by node identity:
 *  - the autoscaler is detected (cluster-autoscaler's status ConfigMap, Karpenter's API) or its
 *    node group configured; none → Unknown, to be declared N/A with the user's justification;
 *  - a pod asking for one accelerator, restricted to the node group, is Unschedulable at first;
 *  - a node that was not there before (by UID) joins the group and the pod runs on it;
 *  - after the pod goes, the group's nodes return exactly to the ones before (no new node left,
 *    no original node replaced); nodes outside the group are not compared (other pools and
 *    consolidation move on a live cluster).
 * Free accelerators already in the group are first taken by filler pods, so the trigger cannot
 * fit anywhere that exists.
 *
 * Configuration:
 *   KAIC_AUTOSCALER_NODE_LABEL   <key>=<value> of the accelerator node group (default: Karpenter's
 *                                karpenter.sh/nodepool label, any pool)
 *   KAIC_AUTOSCALER_SCALE_UP_SECONDS / _SCALE_DOWN_SECONDS   (defaults 1200 / 1800, as the WG)
 */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import type { AcceleratorSetup } from '../src/accelerators/profiles.js';
import { getJson } from '../src/k8s/raw.js';
import {
  createNamespace,
  createPod,
  deleteNamespace,
  requireAcceleratorSetup,
  suiteCluster,
  waitFor,
  WaitAborted,
  workloadImage,
  tolerationsFor,
  tolerationsOfTaints,
  IDLE_COMMAND,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/**
 * What it holds while it runs, for the runner (src/runner/budget.ts): its pods ask for CPU; the
 * devices they hold are on the node group's own nodes, filled and grown by the suite. Until the
 * end: after its pods are gone the node it grew stays empty until the autoscaler removes it, and a
 * suite that picks the roomiest node would pick that one and lose it mid-test (seen on kind with
 * gang_scheduling). The wait is Karpenter's: its fixed 10 s disruption poll and 15 s validation.
 */
export const budget: SuiteBudget = { devices: 0, nodeCpu: 'requests', typicalSeconds: 40 };

/** The label Karpenter puts on every node it launches: the NodePool's name. */
const KARPENTER_POOL_LABEL = 'karpenter.sh/nodepool';

interface NodeGroup {
  /** How the autoscaler was found. */
  autoscaler: string;
  /** Node affinity term that keeps pods inside the group. */
  match: k8s.V1NodeSelectorRequirement;
  describe: string;
  /** Taints the group declares for the nodes it adds (Karpenter NodePool templates). */
  taints: k8s.V1Taint[];
}

async function detect(): Promise<NodeGroup | null> {
  const { kc, core } = suiteCluster();
  const configured = suiteSettings().autoscalerNodeLabel;
  let autoscaler: string | null = null;
  if (
    await core
      .readNamespacedConfigMap({ namespace: 'kube-system', name: 'cluster-autoscaler-status' })
      .then(
        () => true,
        () => false,
      )
  ) {
    autoscaler = 'cluster-autoscaler (ConfigMap kube-system/cluster-autoscaler-status)';
  } else if (
    await getJson(kc, '/apis/karpenter.sh/v1').then(
      () => true,
      () => false,
    )
  ) {
    autoscaler = 'Karpenter (API karpenter.sh/v1 served)';
  }
  if (configured) {
    const match = /^([^=]+)=(.*)$/.exec(configured);
    if (!match) throw new Error(`KAIC_AUTOSCALER_NODE_LABEL="${configured}"; give <key>=<value>`);
    return {
      autoscaler: autoscaler ?? 'configured node group',
      match: { key: match[1]!, operator: 'In', values: [match[2]!] },
      describe: `nodes labelled ${configured}`,
      taints: [],
    };
  }
  if (autoscaler?.startsWith('Karpenter')) {
    const pools = (await getJson(kc, '/apis/karpenter.sh/v1/nodepools')) as {
      items?: Array<{ spec?: { template?: { spec?: { taints?: k8s.V1Taint[] } } } }>;
    };
    return {
      autoscaler,
      match: { key: KARPENTER_POOL_LABEL, operator: 'Exists' },
      describe: 'nodes of any Karpenter NodePool (label karpenter.sh/nodepool)',
      taints: (pools.items ?? []).flatMap((p) => p.spec?.template?.spec?.taints ?? []),
    };
  }
  if (autoscaler) {
    throw new GroupUnknown(
      `${autoscaler} found, but which nodes form the accelerator group is not known: set KAIC_AUTOSCALER_NODE_LABEL=<key>=<value>`,
    );
  }
  return null;
}

/** The newest event about a pod (`reason: message`), for saying why it went. */
async function lastEventOf(namespace: string, pod: string): Promise<string> {
  const events = await suiteCluster()
    .core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${pod}` })
    .catch(() => ({ items: [] as k8s.CoreV1Event[] }));
  const at = (e: k8s.CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? 0).getTime();
  const last = events.items
    .slice()
    .sort((a, b) => at(a) - at(b))
    .pop();
  return last ? `${last.reason}: ${last.message ?? ''}` : 'no event says why';
}

/** An autoscaler whose accelerator node group kaic cannot name: a setting is missing (Unknown). */
class GroupUnknown extends Error {
  override name = 'GroupUnknown';
}

function inGroup(node: k8s.V1Node, match: k8s.V1NodeSelectorRequirement): boolean {
  const value = node.metadata?.labels?.[match.key];
  return match.operator === 'Exists'
    ? value !== undefined
    : value !== undefined && (match.values ?? []).includes(value);
}

describe(`${requirementTag('cluster_autoscaling', 'MUST')} Cluster autoscaling`, function () {
  this.timeout(3_600_000);
  let setup: AcceleratorSetup;
  let ns = '';

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  after(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released', timeoutMs: 300_000 });
  });

  it('grows the accelerator node group for a pod that fits no node, and shrinks back to the same nodes', async function () {
    const group = await detect().catch((error: unknown) => {
      if (error instanceof GroupUnknown) skipBecause(this, error.message);
      throw error;
    });
    if (!group) {
      skipBecause(
        this,
        'no cluster autoscaler found (no kube-system/cluster-autoscaler-status ConfigMap, no karpenter.sh API, no KAIC_AUTOSCALER_NODE_LABEL): declare N/A with a justification if the platform has none',
      );
    }
    const resource = setup.profile.extendedResource;
    if (!resource) {
      skipBecause(
        this,
        `the ${setup.profile.kind} accelerator has no extended resource to request`,
      );
    }
    const { core } = suiteCluster();
    const baseline = (await core.listNode()).items;
    const baselineUids = new Set(baseline.map((n) => n.metadata?.uid as string));
    const groupNodes = baseline.filter((n) => inGroup(n, group.match));
    recordEvidence(
      this,
      'observed',
      `autoscaler: ${group.autoscaler}; group: ${group.describe}; ${baseline.length} nodes before, ${groupNodes.length} in the group`,
    );
    ns = await createNamespace('kaic-cluster-autoscaling');
    const runLabel = `kaic-${randomBytes(3).toString('hex')}`;
    const affinity: k8s.V1Affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [group.match] }],
        },
      },
    };
    // The group's taints as its nodes carry them and as it declares them for the nodes it adds
    // (it may have none yet), and the accelerator's usual taint.
    const tolerations = [
      ...tolerationsFor(groupNodes),
      ...tolerationsOfTaints(group.taints),
      ...(setup.profile.taintKey
        ? [{ key: setup.profile.taintKey, operator: 'Exists' } as k8s.V1Toleration]
        : []),
    ];
    const pod = (name: string, count: number, node?: string): k8s.V1Pod => ({
      metadata: {
        name,
        namespace: ns,
        labels: { 'conformance.kaic.dev/run': runLabel },
        // While it runs, no autoscaler may move it to consolidate nodes: a bare pod evicted is
        // gone, and the group must only grow for the trigger and shrink once it is deleted.
        annotations: {
          'karpenter.sh/do-not-disrupt': 'true',
          'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false',
        },
      },
      spec: {
        affinity,
        ...(node ? { nodeSelector: { 'kubernetes.io/hostname': node } } : {}),
        tolerations,
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'main',
            image: workloadImage(),
            imagePullPolicy: 'IfNotPresent',
            command: [...IDLE_COMMAND],
            resources: {
              requests: { cpu: '100m', memory: '64Mi', [resource]: String(count) },
              limits: { [resource]: String(count) },
            },
          },
        ],
      },
    });
    // Fill what the group already has free, so only a new node can take the trigger.
    for (const node of groupNodes) {
      const name = node.metadata?.name as string;
      const allocatable = Number(node.status?.allocatable?.[resource] ?? 0);
      const used = (
        await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })
      ).items
        .filter((p) => !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''))
        .reduce(
          (sum, p) =>
            sum +
            (p.spec?.containers ?? []).reduce(
              (s, c) => s + Number(c.resources?.requests?.[resource] ?? 0),
              0,
            ),
          0,
        );
      if (allocatable - used > 0) {
        await createPod(pod(`filler-${name}`.slice(0, 63), allocatable - used, name));
      }
    }
    const t0 = Date.now();
    await createPod(pod('trigger', 1));
    const reason = await waitFor(
      'pod trigger to be Unschedulable',
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: 'trigger' });
        if (p.spec?.nodeName) {
          throw new Error(`bound to ${p.spec.nodeName} at once: an existing node had room`);
        }
        const cond = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
        return cond?.status === 'False' && cond.reason === 'Unschedulable'
          ? (cond.message ?? 'Unschedulable')
          : undefined;
      },
      suiteSettings().autoscalerPendingMs,
      500,
    );
    recordEvidence(this, 'observed', `trigger Unschedulable: ${reason}`);
    let recreated = false;
    const placed = await waitFor(
      'the trigger pod Running on a node that was not there before',
      async () => {
        const p = await core
          .readNamespacedPod({ namespace: ns, name: 'trigger' })
          .catch((error: { code?: number }) => {
            if (error.code === 404) return null;
            throw error;
          });
        if (!p) {
          // Gone before it ran: evicted from the new node (the taint manager acting on a taint
          // the autoscaler had just removed), which is not the autoscaler failing. Once, again.
          const why = await lastEventOf(ns, 'trigger');
          if (recreated) {
            throw new WaitAborted(`the trigger pod was deleted again before it ran (${why})`);
          }
          recreated = true;
          recordEvidence(this, 'observed', `trigger deleted before it ran (${why}); created again`);
          await createPod(pod('trigger', 1));
          return undefined;
        }
        const nodeName = p.spec?.nodeName;
        if (!nodeName || p.status?.phase !== 'Running') return undefined;
        const node = await core.readNode({ name: nodeName });
        return { node, pod: p };
      },
      suiteSettings().autoscalerScaleUpMs,
      1_000,
    );
    const upSeconds = (Date.now() - t0) / 1000;
    expect(baselineUids.has(placed.node.metadata?.uid as string), 'the node is new').to.equal(
      false,
    );
    expect(inGroup(placed.node, group.match), 'the new node belongs to the group').to.equal(true);
    expect(
      Number(placed.node.status?.allocatable?.[resource] ?? 0),
      `new node's ${resource}`,
    ).to.be.at.least(1);
    recordEvidence(
      this,
      'observed',
      `scaled up in ${upSeconds.toFixed(1)} s: trigger Running on new node ${placed.node.metadata?.name} (${resource}=${placed.node.status?.allocatable?.[resource]})`,
    );
    // With Karpenter, the accelerator node group is the NodePool that launched the node: only
    // its nodes are compared on the way down.
    const pool = placed.node.metadata?.labels?.[KARPENTER_POOL_LABEL];
    const shrinking: NodeGroup =
      group.match.key === KARPENTER_POOL_LABEL && group.match.operator === 'Exists' && pool
        ? {
            ...group,
            match: { key: KARPENTER_POOL_LABEL, operator: 'In', values: [pool] },
            describe: `nodes of Karpenter NodePool ${pool}`,
          }
        : group;
    const shrinkingNodes = groupNodes.filter((n) => inGroup(n, shrinking.match));
    const shrinkingUids = new Set(shrinkingNodes.map((n) => n.metadata?.uid as string));
    await core.deleteCollectionNamespacedPod({
      namespace: ns,
      labelSelector: `conformance.kaic.dev/run=${runLabel}`,
      gracePeriodSeconds: 0,
    });
    const t1 = Date.now();
    await waitFor(
      `the node group (${shrinking.describe}) to return to the nodes it had before the trigger`,
      async () => {
        // Only the group's nodes count: other pools and consolidation move on a live cluster.
        const now = (await core.listNode()).items.filter((n) => inGroup(n, shrinking.match));
        const uids = new Set(now.map((n) => n.metadata?.uid as string));
        const added = now.filter((n) => !shrinkingUids.has(n.metadata?.uid as string));
        const removed = shrinkingNodes.filter((n) => !uids.has(n.metadata?.uid as string));
        if (removed.length > 0) {
          throw new WaitAborted(
            `nodes of the group gone: ${removed.map((n) => n.metadata?.name).join(', ')} (the group must return exactly)`,
          );
        }
        return added.length === 0 ? true : undefined;
      },
      suiteSettings().autoscalerScaleDownMs,
      1_000,
    );
    recordEvidence(
      this,
      'observed',
      `scaled down in ${((Date.now() - t1) / 1000).toFixed(1)} s: ${shrinking.describe} back to its ${shrinkingNodes.length} original nodes, nothing else`,
    );
  });
});
