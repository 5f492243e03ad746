import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  sleep
} from "../chunks/chunk-M32DOC7A.js";
import {
  createNamespace,
  deleteNamespace,
  expect,
  suiteCluster,
  suiteSettings,
  testObjectLabels,
  workloadImage
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import {
  servedGroupVersions,
  serverMinor
} from "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import {
  getJson,
  postJson
} from "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import {
  kubernetesRelease
} from "../chunks/chunk-J4JJAD2Y.js";
import {
  ObjectApisApi,
  ObjectBatchV1Api,
  ObjectCustomObjectsApi,
  PatchStrategy,
  Watch,
  setHeaderOptions
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/gang_scheduling.ts
var budget = { devices: 0, nodeCpu: "fills", typicalSeconds: 17 };
var GANG_SIZE = 3;
var GANG_LABEL = "conformance.kaic.dev/gang";
var windowMs = () => suiteSettings().gangWindowMs;
var CONFIRM_MS = 3e3;
var OTHER_SOLUTIONS = {
  "scheduling.volcano.sh": "Volcano",
  "scheduling.run.ai": "KAI scheduler"
};
var KUEUE_API = "kueue.x-k8s.io/v1beta2";
function solutionSetting() {
  return suiteSettings().gangScheduler;
}
async function nativeGang(kc) {
  const minor = await serverMinor(kc);
  const gang = minor ? kubernetesRelease(minor).gang : null;
  if (!gang) return null;
  const served = await servedGroupVersions(kc, "scheduling.k8s.io");
  return served.includes(gang.apiVersion) ? gang : null;
}
function cpuMillis(quantity) {
  if (!quantity) return 0;
  if (quantity.endsWith("m")) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1e3);
}
async function roomiestNode(core) {
  const nodes = (await core.listNode()).items.filter(
    (n) => !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
  );
  const pods = (await core.listPodForAllNamespaces()).items.filter(
    (p) => p.spec?.nodeName && !["Succeeded", "Failed"].includes(p.status?.phase ?? "")
  );
  let best = { node: "", freeMillis: -1 };
  for (const node of nodes) {
    const name = node.metadata?.name;
    const requested = pods.filter((p) => p.spec?.nodeName === name).flatMap((p) => p.spec?.containers ?? []).reduce((sum, c) => sum + cpuMillis(c.resources?.requests?.cpu), 0);
    const free = cpuMillis(node.status?.allocatable?.cpu) - requested;
    if (free > best.freeMillis) best = { node: name, freeMillis: free };
  }
  if (!best.node) throw new Error("ENVIRONMENT ERROR: no Ready schedulable node");
  return best;
}
async function kueueServed(kc) {
  return (await servedGroupVersions(kc, "kueue.x-k8s.io")).includes(KUEUE_API);
}
describe(`${requirementTag("gang_scheduling", "MUST")} Gang scheduling`, function() {
  this.timeout(3e5);
  let solution;
  let native = null;
  let driver;
  let ns = "";
  let node = "";
  let perPodMillis = 0;
  before(async function() {
    const { kc } = suiteCluster();
    const setting = solutionSetting();
    native = await nativeGang(kc);
    const kueue = setting !== "native" && await kueueServed(kc);
    if (setting === "kueue" && !kueue) {
      throw new Error(
        `KAIC_GANG_SCHEDULER=kueue, but the server serves no ${KUEUE_API} (Kueue's CRDs are not installed)`
      );
    }
    if (kueue) solution = "kueue";
    else if (native) solution = "native";
    else {
      const groups = (await kc.makeApiClient(ObjectApisApi).getAPIVersions()).groups.map(
        (g) => g.name
      );
      const others = groups.filter((g) => OTHER_SOLUTIONS[g]).map((g) => OTHER_SOLUTIONS[g]);
      if (others.length) {
        skipBecause(
          this,
          `${others.join(", ")} found; kaic drives Kueue and the native Workload API (Kubernetes 1.35+) so far`
        );
      }
      throw new Error(
        setting === "native" ? "KAIC_GANG_SCHEDULER=native, but the server serves no native Workload API for its minor" : "no gang scheduling solution found: no Kueue API, no native Workload API for the server minor, and no Volcano or KAI scheduler API"
      );
    }
    const room = await roomiestNode(suiteCluster().core);
    node = room.node;
    perPodMillis = Math.floor(room.freeMillis / GANG_SIZE);
    if (perPodMillis < 10) {
      throw new Error(`ENVIRONMENT ERROR: node ${node} has only ${room.freeMillis}m CPU free`);
    }
  });
  beforeEach(async function() {
    ns = await createNamespace("kaic-gang");
    driver = solution === "kueue" ? kueueDriver() : nativeDriver(native);
  });
  afterEach(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
    await driver?.cleanup();
    ns = "";
  });
  function podSpec() {
    return {
      nodeSelector: { "kubernetes.io/hostname": node },
      tolerations: [{ operator: "Exists" }],
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "main",
          image: workloadImage(),
          imagePullPolicy: "IfNotPresent",
          command: ["sleep", "3600"],
          resources: { requests: { cpu: `${perPodMillis}m` } }
        }
      ]
    };
  }
  function nativeDriver(gang) {
    const kind = gang.podField === "workloadRef" ? "Workload" : "PodGroup";
    return {
      describe: `${gang.apiVersion} ${kind}`,
      async prepare(capacity) {
        if (capacity >= GANG_SIZE) return;
        await suiteCluster().core.createNamespacedPod({
          namespace: ns,
          body: { metadata: { name: "blocker", namespace: ns }, spec: podSpec() }
        });
        await waitFor(
          "the blocker bound and Running",
          async () => {
            const p = await suiteCluster().core.readNamespacedPod({
              namespace: ns,
              name: "blocker"
            });
            return p.status?.phase === "Running";
          },
          suiteSettings().gangTimeoutMs
        );
      },
      async createGang(name) {
        const [group, version] = gang.apiVersion.split("/");
        const body = kind === "Workload" ? {
          apiVersion: gang.apiVersion,
          kind,
          metadata: { name, namespace: ns },
          spec: {
            podGroups: [{ name: "workers", policy: { gang: { minCount: GANG_SIZE } } }]
          }
        } : {
          apiVersion: gang.apiVersion,
          kind,
          metadata: { name, namespace: ns },
          spec: { schedulingPolicy: { gang: { minCount: GANG_SIZE } } }
        };
        const { kc } = suiteCluster();
        await kc.makeApiClient(ObjectCustomObjectsApi).createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: kind === "Workload" ? "workloads" : "podgroups",
          body
        });
        const membership = kind === "Workload" ? { workloadRef: { name, podGroup: "workers" } } : { schedulingGroup: { podGroupName: name } };
        for (let i = 0; i < GANG_SIZE; i++) {
          const pod = `${name}-${i}`;
          await postJson(kc, `/api/v1/namespaces/${ns}/pods`, {
            metadata: { name: pod, namespace: ns, labels: { [GANG_LABEL]: name } },
            spec: { ...podSpec(), ...membership }
          });
          const stored = await getJson(kc, `/api/v1/namespaces/${ns}/pods/${pod}`);
          expect(
            stored.spec?.[gang.podField],
            `pod ${pod} keeps spec.${gang.podField}`
          ).to.not.equal(void 0);
        }
      },
      async heldBack(gangName) {
        for (const pod of await members(gangName)) {
          const c = pod.status?.conditions?.find(
            (c2) => c2.type === "PodScheduled" && c2.status === "False"
          );
          if (c) {
            return `pod ${pod.metadata?.name} PodScheduled=False (${c.reason}${c.message ? `: ${c.message}` : ""})`;
          }
        }
        return null;
      },
      async relieve() {
        await suiteCluster().core.deleteNamespacedPod({
          namespace: ns,
          name: "blocker",
          gracePeriodSeconds: 0
        });
        return "blocker deleted";
      },
      async cleanup() {
      }
    };
  }
  function kueueDriver() {
    const name = ns;
    const custom = suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi);
    const [group, version] = KUEUE_API.split("/");
    const labels = testObjectLabels();
    const quota = (members2) => ({
      resourceGroups: [
        {
          coveredResources: ["cpu"],
          flavors: [
            { name, resources: [{ name: "cpu", nominalQuota: `${members2 * perPodMillis}m` }] }
          ]
        }
      ]
    });
    return {
      describe: `Kueue (${KUEUE_API}, batch/v1 Job)`,
      async prepare(capacity) {
        await custom.createClusterCustomObject({
          group,
          version,
          plural: "resourceflavors",
          body: { apiVersion: KUEUE_API, kind: "ResourceFlavor", metadata: { name, labels } }
        });
        await custom.createClusterCustomObject({
          group,
          version,
          plural: "clusterqueues",
          body: {
            apiVersion: KUEUE_API,
            kind: "ClusterQueue",
            metadata: { name, labels },
            spec: { namespaceSelector: {}, ...quota(capacity) }
          }
        });
        await custom.createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: "localqueues",
          body: {
            apiVersion: KUEUE_API,
            kind: "LocalQueue",
            metadata: { name: "gang", namespace: ns },
            spec: { clusterQueue: name }
          }
        });
        await waitFor(`ClusterQueue ${name} Active`, async () => {
          const cq = await custom.getClusterCustomObject({
            group,
            version,
            plural: "clusterqueues",
            name
          });
          return cq.status?.conditions?.some((c) => c.type === "Active" && c.status === "True");
        });
      },
      async createGang(gangName) {
        await suiteCluster().kc.makeApiClient(ObjectBatchV1Api).createNamespacedJob({
          namespace: ns,
          body: {
            metadata: {
              name: gangName,
              namespace: ns,
              labels: { "kueue.x-k8s.io/queue-name": "gang" }
            },
            spec: {
              parallelism: GANG_SIZE,
              completions: GANG_SIZE,
              backoffLimit: 0,
              template: {
                metadata: { labels: { [GANG_LABEL]: gangName } },
                spec: { ...podSpec(), restartPolicy: "Never" }
              }
            }
          }
        });
      },
      async heldBack() {
        const list = await custom.listNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: "workloads"
        });
        for (const workload of list.items) {
          const c = workload.status?.conditions?.find(
            (c2) => c2.type === "QuotaReserved" && c2.status === "False"
          );
          if (c) {
            return `Workload ${workload.metadata.name} QuotaReserved=False (${c.reason}${c.message ? `: ${c.message}` : ""})`;
          }
        }
        return null;
      },
      async relieve() {
        await custom.patchClusterCustomObject(
          {
            group,
            version,
            plural: "clusterqueues",
            name,
            body: { spec: quota(GANG_SIZE) }
          },
          setHeaderOptions("Content-Type", PatchStrategy.MergePatch)
        );
        return `ClusterQueue quota raised to ${GANG_SIZE} pods' CPU`;
      },
      async cleanup() {
        await suiteCluster().kc.makeApiClient(ObjectBatchV1Api).deleteCollectionNamespacedJob({ namespace: name, propagationPolicy: "Background" }).catch(() => void 0);
        for (const plural of ["clusterqueues", "resourceflavors"]) {
          await custom.deleteClusterCustomObject({ group, version, plural, name }).catch(() => void 0);
          await waitFor(
            `${plural} ${name} deleted`,
            async () => !await custom.getClusterCustomObject({ group, version, plural, name }).catch(() => null),
            6e4
          );
        }
      }
    };
  }
  async function members(gangName) {
    return (await suiteCluster().core.listNamespacedPod({
      namespace: ns,
      labelSelector: `${GANG_LABEL}=${gangName}`
    })).items;
  }
  async function allRunning(gangName) {
    return waitFor(
      `all ${GANG_SIZE} pods of gang ${gangName} bound and Running (or Succeeded)`,
      async () => {
        const pods = await members(gangName);
        return pods.length === GANG_SIZE && pods.every(
          (p) => p.spec?.nodeName && ["Running", "Succeeded"].includes(p.status?.phase ?? "")
        ) ? pods : void 0;
      },
      suiteSettings().gangTimeoutMs
    );
  }
  it("binds and runs every pod of a gang that fits", async function() {
    await driver.prepare(GANG_SIZE);
    await driver.createGang("fits");
    const pods = await allRunning("fits");
    recordEvidence(
      this,
      "observed",
      `${driver.describe} gang of ${GANG_SIZE} (${perPodMillis}m CPU each) on ${node}: ` + pods.map((p) => `${p.metadata?.name} ${p.status?.phase}`).join(", ")
    );
  });
  async function bindingsDuring(gangName, during) {
    const bound = /* @__PURE__ */ new Map();
    const created = /* @__PURE__ */ new Set();
    const watch = new Watch(suiteCluster().kc);
    let failed = null;
    const abort = await watch.watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: `${GANG_LABEL}=${gangName}` },
      (_type, pod) => {
        const name = pod.metadata?.name ?? "?";
        created.add(name);
        if (pod.spec?.nodeName) bound.set(name, pod.spec.nodeName);
      },
      (error) => {
        if (error && !(error instanceof Error && error.name === "AbortError")) failed = error;
      }
    );
    try {
      await during();
    } finally {
      abort.abort();
    }
    if (failed) throw new Error(`watching the gang's pods failed: ${String(failed)}`);
    for (const pod of await members(gangName)) {
      created.add(pod.metadata?.name ?? "?");
      if (pod.spec?.nodeName) bound.set(pod.metadata?.name ?? "?", pod.spec.nodeName);
    }
    return { bound, created };
  }
  it("binds no pod of a gang that finds room for one pod less, then all once room is freed", async function() {
    await driver.prepare(GANG_SIZE - 1);
    const started = Date.now();
    let decision = null;
    const { bound, created } = await bindingsDuring("short", async () => {
      await driver.createGang("short");
      const deadline = Date.now() + windowMs();
      while (!decision && Date.now() < deadline) {
        decision = await driver.heldBack("short");
        if (!decision) await sleep(250);
      }
      const rest = deadline - Date.now();
      if (rest > 0) await sleep(decision ? Math.min(CONFIRM_MS, rest) : rest);
    });
    const watched = ((Date.now() - started) / 1e3).toFixed(1);
    expect(
      [...bound].map(([pod, on]) => `${pod} on ${on}`),
      `pods of the incomplete gang bound within ${watched} s`
    ).to.deep.equal([]);
    recordEvidence(
      this,
      "observed",
      `${driver.describe} gang short (room for ${GANG_SIZE - 1}): ` + (decision ? `held back: ${decision}; ` : "") + `0 of ${GANG_SIZE} pods bound (${created.size} created) over ${watched} s, every pod change watched`
    );
    const action = await driver.relieve();
    const relieved = Date.now();
    await allRunning("short");
    recordEvidence(
      this,
      "observed",
      `${action}: all ${GANG_SIZE} pods bound and started ${((Date.now() - relieved) / 1e3).toFixed(1)} s later`
    );
  });
});
export {
  budget
};
