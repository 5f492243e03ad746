import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  QUEUE_METRIC,
  callPod,
  ensurePodMonitor,
  inferencePodTemplate,
  metricsTimeoutMs,
  nodesRunningContainers
} from "../chunks/chunk-GHGEUTGR.js";
import {
  createClaimTemplate,
  createNamespace,
  deleteNamespace,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  suiteSettings
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
import {
  ObjectAppsV1Api,
  ObjectAutoscalingV2Api
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/pod_autoscaling.ts
import { randomBytes } from "node:crypto";
var budget = { devices: 2, typicalSeconds: 38 };
var DEPLOYMENT = "kaic-scaled";
var HPA = "kaic-scaled";
var RAISED = 100;
var TARGET_AVERAGE = 10;
function hpaTimeoutMs() {
  return suiteSettings().hpaTimeoutMs;
}
function conditionsOf(status) {
  return (status?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason ?? ""}`).join(", ");
}
async function served(groupVersion) {
  return getJson(suiteCluster().kc, `/apis/${groupVersion}`).then(
    () => true,
    () => false
  );
}
describe(`${requirementTag("pod_autoscaling", "MUST")} Pod autoscaling`, function() {
  this.timeout(9e5);
  let setup;
  let ns = "";
  let customVersion = "";
  const runId = `kaic-${randomBytes(4).toString("hex")}`;
  const runSelector = `conformance.kaic.dev/run=${runId}`;
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  async function readyPods() {
    const pods = await suiteCluster().core.listNamespacedPod({
      namespace: ns,
      labelSelector: runSelector
    });
    return pods.items.filter(
      (p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
    );
  }
  async function customMetric() {
    const list = await getJson(
      suiteCluster().kc,
      `/apis/custom.metrics.k8s.io/${customVersion}/namespaces/${ns}/pods/*/${QUEUE_METRIC}?labelSelector=${encodeURIComponent(runSelector)}`
    );
    return new Map(
      (list.items ?? []).map((i) => [i.describedObject?.name, quantity(i.value ?? "")])
    );
  }
  async function hpaStatus() {
    const api = suiteCluster().kc.makeApiClient(ObjectAutoscalingV2Api);
    return (await api.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: HPA })).status;
  }
  it(`scales an accelerator Deployment 1 \u2192 2 \u2192 1 on a custom metric (custom.metrics.k8s.io)`, async function() {
    for (const version of ["v1beta2", "v1beta1"]) {
      if (await served(`custom.metrics.k8s.io/${version}`)) {
        customVersion = version;
        break;
      }
    }
    if (!customVersion) {
      if (await served("external.metrics.k8s.io/v1beta1")) {
        skipBecause(
          this,
          "only external.metrics.k8s.io is served: autoscaling on external metrics needs manual attestation (as the working group asks)"
        );
      }
      throw new Error(
        "custom.metrics.k8s.io is not served (no APIService answers it): the HPA cannot scale on a custom metric"
      );
    }
    const nodes = await nodesRunningContainers();
    const node = nodes.find((n) => setup.nodes.includes(n));
    if (!node) {
      skipBecause(
        this,
        "no accelerator node runs containers (only simulated nodes): no metric to serve"
      );
    }
    ns = await createNamespace("kaic-pod-autoscaling");
    const monitor = await ensurePodMonitor(ns, runId);
    await createClaimTemplate(setup, ns, "one");
    const template = inferencePodTemplate({ runId, labels: { app: DEPLOYMENT }, node });
    const dra = setup.mode === "dra";
    const container = template.spec.containers[0];
    if (dra) {
      template.spec.resourceClaims = [{ name: "accelerator", resourceClaimTemplateName: "one" }];
      container.resources = { claims: [{ name: "accelerator" }] };
    } else {
      container.resources = { limits: { [setup.profile.extendedResource]: "1" } };
    }
    await suiteCluster().kc.makeApiClient(ObjectAppsV1Api).createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: DEPLOYMENT, namespace: ns },
        spec: {
          replicas: 1,
          selector: { matchLabels: { "conformance.kaic.dev/run": runId } },
          template
        }
      }
    });
    recordEvidence(
      this,
      "created",
      `Deployment ${ns}/${DEPLOYMENT} (1 replica, 1 accelerator per pod, on ${node}); collection by ${monitor ?? "scrape annotations"}`
    );
    const [first] = await waitFor(
      `1 Ready pod of ${DEPLOYMENT}`,
      async () => {
        const pods = await readyPods();
        return pods.length === 1 ? pods : void 0;
      },
      18e4
    );
    const firstName = first.metadata?.name;
    await suiteCluster().kc.makeApiClient(ObjectAutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
      namespace: ns,
      body: {
        metadata: { name: HPA, namespace: ns },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: DEPLOYMENT },
          minReplicas: 1,
          maxReplicas: 2,
          metrics: [
            {
              type: "Pods",
              pods: {
                metric: { name: QUEUE_METRIC },
                target: { type: "AverageValue", averageValue: String(TARGET_AVERAGE) }
              }
            }
          ],
          behavior: {
            scaleUp: { stabilizationWindowSeconds: 0 },
            scaleDown: { stabilizationWindowSeconds: 0 }
          }
        }
      }
    });
    await callPod(ns, firstName, `/cgi-bin/queue?${RAISED}`);
    const t0 = Date.now();
    await waitFor(
      `custom.metrics.k8s.io/${customVersion} to report ${QUEUE_METRIC} = ${RAISED} for pod ${firstName}`,
      async () => {
        const value = (await customMetric().catch(() => /* @__PURE__ */ new Map())).get(firstName);
        if (value === RAISED) return true;
        const status = await hpaStatus();
        const ready = (await readyPods()).length;
        if (ready > 1) {
          throw new WaitAborted(
            `${DEPLOYMENT} scaled before its metric was served (HPA desired ${status?.desiredReplicas})`
          );
        }
        throw new Error(
          `custom metric ${value ?? "absent"}; ${ready} Ready pod; HPA desired ${status?.desiredReplicas ?? "?"}, conditions ${conditionsOf(status)}`
        );
      },
      metricsTimeoutMs(),
      2e3
    );
    recordEvidence(
      this,
      "observed",
      `custom.metrics.k8s.io/${customVersion} reports ${QUEUE_METRIC}=${RAISED} for ${firstName} after ${((Date.now() - t0) / 1e3).toFixed(1)} s`
    );
    const t1 = Date.now();
    const up = await waitFor(
      `HPA ${HPA} to scale ${DEPLOYMENT} to 2 Ready pods`,
      async () => {
        const pods = await readyPods();
        const status = await hpaStatus();
        if (pods.length !== 2) {
          throw new Error(
            `${pods.length} Ready pods; HPA desired ${status?.desiredReplicas ?? "?"}, conditions ${conditionsOf(status)}`
          );
        }
        return { pods, status };
      },
      hpaTimeoutMs(),
      2e3
    );
    const scaledUpIn = (Date.now() - t1) / 1e3;
    for (const pod of up.pods) {
      if (dra) {
        const claim = pod.status?.resourceClaimStatuses?.[0]?.resourceClaimName;
        expect(claim, `pod ${pod.metadata?.name} holds an accelerator claim`).to.be.a("string");
      } else {
        expect(
          pod.spec?.containers[0]?.resources?.limits?.[setup.profile.extendedResource]
        ).to.equal("1");
      }
    }
    recordEvidence(
      this,
      "observed",
      `scaled 1 \u2192 2 in ${scaledUpIn.toFixed(1)} s (HPA current ${JSON.stringify(up.status?.currentMetrics?.[0]?.pods?.current ?? {})}); pods ${up.pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}`).join(", ")}`
    );
    for (const pod of up.pods) await callPod(ns, pod.metadata?.name, "/cgi-bin/queue?0");
    const t2 = Date.now();
    await waitFor(
      `HPA ${HPA} to scale ${DEPLOYMENT} back to 1 pod`,
      async () => {
        const pods = await suiteCluster().core.listNamespacedPod({
          namespace: ns,
          labelSelector: runSelector
        });
        const status = await hpaStatus();
        return status?.desiredReplicas === 1 && pods.items.filter((p) => !p.metadata?.deletionTimestamp).length === 1;
      },
      hpaTimeoutMs(),
      2e3
    );
    recordEvidence(
      this,
      "observed",
      `scaled 2 \u2192 1 in ${((Date.now() - t2) / 1e3).toFixed(1)} s after the metric fell to 0`
    );
  });
});
function quantity(value) {
  const match = /^(-?[0-9.]+)([a-zA-Z]*)$/.exec(value);
  if (!match) return Number.NaN;
  const scale = { "": 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(match[1]) * (scale[match[2]] ?? Number.NaN);
}
export {
  budget
};
