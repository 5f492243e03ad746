import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  createNamespace,
  createPod,
  deleteNamespace,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  suiteSettings,
  workloadImage
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import {
  getJson
} from "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  WaitAborted,
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/cluster_autoscaling.ts
import { randomBytes } from "node:crypto";
var budget = { devices: 0, nodeCpu: "requests", typicalSeconds: 30 };
async function detect() {
  const { kc, core } = suiteCluster();
  const configured = suiteSettings().autoscalerNodeLabel;
  let autoscaler = null;
  if (await core.readNamespacedConfigMap({ namespace: "kube-system", name: "cluster-autoscaler-status" }).then(
    () => true,
    () => false
  )) {
    autoscaler = "cluster-autoscaler (ConfigMap kube-system/cluster-autoscaler-status)";
  } else if (await getJson(kc, "/apis/karpenter.sh/v1").then(
    () => true,
    () => false
  )) {
    autoscaler = "Karpenter (API karpenter.sh/v1 served)";
  }
  if (configured) {
    const match = /^([^=]+)=(.*)$/.exec(configured);
    if (!match) throw new Error(`KAIC_AUTOSCALER_NODE_LABEL="${configured}"; give <key>=<value>`);
    return {
      autoscaler: autoscaler ?? "configured node group",
      match: { key: match[1], operator: "In", values: [match[2]] },
      describe: `nodes labelled ${configured}`
    };
  }
  if (autoscaler?.startsWith("Karpenter")) {
    return {
      autoscaler,
      match: { key: "karpenter.sh/nodepool", operator: "Exists" },
      describe: "nodes of any Karpenter NodePool (label karpenter.sh/nodepool)"
    };
  }
  if (autoscaler) {
    throw new Error(
      `${autoscaler} found, but which nodes form the accelerator group is not known: set KAIC_AUTOSCALER_NODE_LABEL=<key>=<value>`
    );
  }
  return null;
}
function inGroup(node, match) {
  const value = node.metadata?.labels?.[match.key];
  return match.operator === "Exists" ? value !== void 0 : value !== void 0 && (match.values ?? []).includes(value);
}
describe(`${requirementTag("cluster_autoscaling", "MUST")} Cluster autoscaling`, function() {
  this.timeout(36e5);
  let setup;
  let ns = "";
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released", timeoutMs: 3e5 });
  });
  it("grows the accelerator node group for a pod that fits no node, and shrinks back to the same nodes", async function() {
    const group = await detect();
    if (!group) {
      skipBecause(
        this,
        "no cluster autoscaler found (no kube-system/cluster-autoscaler-status ConfigMap, no karpenter.sh API, no KAIC_AUTOSCALER_NODE_LABEL): declare N/A with a justification if the platform has none"
      );
    }
    const resource = setup.profile.extendedResource;
    if (!resource) {
      skipBecause(
        this,
        `the ${setup.profile.kind} accelerator has no extended resource to request`
      );
    }
    const { core } = suiteCluster();
    const baseline = (await core.listNode()).items;
    const baselineUids = new Set(baseline.map((n) => n.metadata?.uid));
    const groupNodes = baseline.filter((n) => inGroup(n, group.match));
    recordEvidence(
      this,
      "observed",
      `autoscaler: ${group.autoscaler}; group: ${group.describe}; ${baseline.length} nodes before, ${groupNodes.length} in the group`
    );
    ns = await createNamespace("kaic-cluster-autoscaling");
    const runLabel = `kaic-${randomBytes(3).toString("hex")}`;
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [group.match] }]
        }
      }
    };
    const pod = (name, count, node) => ({
      metadata: { name, namespace: ns, labels: { "conformance.kaic.dev/run": runLabel } },
      spec: {
        affinity,
        ...node ? { nodeSelector: { "kubernetes.io/hostname": node } } : {},
        tolerations: [{ operator: "Exists" }],
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: "main",
            image: workloadImage(),
            imagePullPolicy: "IfNotPresent",
            command: ["sleep", "3600"],
            resources: {
              requests: { cpu: "100m", memory: "64Mi", [resource]: String(count) },
              limits: { [resource]: String(count) }
            }
          }
        ]
      }
    });
    for (const node of groupNodes) {
      const name = node.metadata?.name;
      const allocatable = Number(node.status?.allocatable?.[resource] ?? 0);
      const used = (await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` })).items.filter((p) => !["Succeeded", "Failed"].includes(p.status?.phase ?? "")).reduce(
        (sum, p) => sum + (p.spec?.containers ?? []).reduce(
          (s, c) => s + Number(c.resources?.requests?.[resource] ?? 0),
          0
        ),
        0
      );
      if (allocatable - used > 0) {
        await createPod(pod(`filler-${name}`.slice(0, 63), allocatable - used, name));
      }
    }
    const t0 = Date.now();
    await createPod(pod("trigger", 1));
    const reason = await waitFor(
      "pod trigger to be Unschedulable",
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: "trigger" });
        if (p.spec?.nodeName) {
          throw new Error(`bound to ${p.spec.nodeName} at once: an existing node had room`);
        }
        const cond = p.status?.conditions?.find((c) => c.type === "PodScheduled");
        return cond?.status === "False" && cond.reason === "Unschedulable" ? cond.message ?? "Unschedulable" : void 0;
      },
      suiteSettings().autoscalerPendingMs,
      500
    );
    recordEvidence(this, "observed", `trigger Unschedulable: ${reason}`);
    const placed = await waitFor(
      "the trigger pod Running on a node that was not there before",
      async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: "trigger" });
        const nodeName = p.spec?.nodeName;
        if (!nodeName || p.status?.phase !== "Running") return void 0;
        const node = await core.readNode({ name: nodeName });
        return { node, pod: p };
      },
      suiteSettings().autoscalerScaleUpMs,
      1e3
    );
    const upSeconds = (Date.now() - t0) / 1e3;
    expect(baselineUids.has(placed.node.metadata?.uid), "the node is new").to.equal(
      false
    );
    expect(inGroup(placed.node, group.match), "the new node belongs to the group").to.equal(true);
    expect(
      Number(placed.node.status?.allocatable?.[resource] ?? 0),
      `new node's ${resource}`
    ).to.be.at.least(1);
    recordEvidence(
      this,
      "observed",
      `scaled up in ${upSeconds.toFixed(1)} s: trigger Running on new node ${placed.node.metadata?.name} (${resource}=${placed.node.status?.allocatable?.[resource]})`
    );
    await core.deleteCollectionNamespacedPod({
      namespace: ns,
      labelSelector: `conformance.kaic.dev/run=${runLabel}`,
      gracePeriodSeconds: 0
    });
    const t1 = Date.now();
    await waitFor(
      "the node set to return to the one before the trigger",
      async () => {
        const now = (await core.listNode()).items;
        const uids = new Set(now.map((n) => n.metadata?.uid));
        const added = now.filter((n) => !baselineUids.has(n.metadata?.uid));
        const removed = baseline.filter((n) => !uids.has(n.metadata?.uid));
        if (removed.length > 0) {
          throw new WaitAborted(
            `original nodes gone: ${removed.map((n) => n.metadata?.name).join(", ")} (the set must return exactly)`
          );
        }
        return added.length === 0 ? true : void 0;
      },
      suiteSettings().autoscalerScaleDownMs,
      1e3
    );
    recordEvidence(
      this,
      "observed",
      `scaled down in ${((Date.now() - t1) / 1e3).toFixed(1)} s: the ${baseline.length} original nodes, nothing else`
    );
  });
});
export {
  budget
};
