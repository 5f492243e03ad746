import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  DURATION_METRIC,
  QUEUE_METRIC,
  REQUESTS_METRIC,
  callPod,
  ensurePodMonitor,
  findPrometheus,
  inferencePodTemplate,
  metricsTimeoutMs,
  nodesRunningContainers
} from "../chunks/chunk-GHGEUTGR.js";
import {
  createNamespace,
  createPod,
  deleteNamespace,
  expect,
  suiteCluster
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  WaitAborted,
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/ai_service_metrics.ts
import { randomBytes } from "node:crypto";
var budget = { devices: 0, typicalSeconds: 19 };
var REQUESTS = 10;
var QUEUE_DEPTH = 7;
describe(`${requirementTag("ai_service_metrics", "MUST")} AI service metrics`, function() {
  this.timeout(36e4);
  let prometheus;
  let ns = "";
  let monitoringSetup = "";
  const runId = `kaic-${randomBytes(4).toString("hex")}`;
  const selector = `{conformance_run="${runId}"}`;
  before(async function() {
    const nodes = await nodesRunningContainers();
    if (nodes.length === 0) {
      skipBecause(this, "no node runs containers (only simulated nodes): no service to scrape");
    }
    const found = await findPrometheus();
    prometheus = found.prometheus;
    ns = await createNamespace("kaic-service-metrics");
    const monitor = await ensurePodMonitor(ns, runId);
    const template = inferencePodTemplate({
      runId,
      labels: { app: "kaic-inference" },
      node: nodes[0]
    });
    await createPod({
      metadata: { ...template.metadata, name: "inference", namespace: ns },
      spec: { ...template.spec, restartPolicy: "Never", activeDeadlineSeconds: 900 }
    });
    await waitFor(
      `pod ${ns}/inference Ready`,
      async () => {
        const pod = await suiteCluster().core.readNamespacedPod({
          namespace: ns,
          name: "inference"
        });
        if (pod.status?.phase === "Failed") {
          throw new WaitAborted(`pod ${ns}/inference failed: ${pod.status.message ?? ""}`);
        }
        const unscheduled = pod.status?.conditions?.find(
          (c) => c.type === "PodScheduled" && c.status === "False"
        );
        if (unscheduled) throw new Error(`unschedulable: ${unscheduled.message ?? ""}`);
        return pod.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      },
      12e4
    );
    monitoringSetup = `Prometheus ${found.how} (${prometheus.describe}); collection by ${monitor ?? "the prometheus.io/scrape annotations (no Prometheus Operator API)"}`;
  });
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  async function valueOf(promql) {
    const samples = await prometheus.query(promql);
    return samples.length > 0 ? Math.max(...samples.map((s) => s.value)) : null;
  }
  it(`after exactly ${REQUESTS} requests the monitoring system reports exactly ${REQUESTS} for this run`, async function() {
    recordEvidence(this, "observed", monitoringSetup);
    for (let i = 0; i < REQUESTS; i++) await callPod(ns, "inference", "/cgi-bin/infer");
    recordEvidence(
      this,
      "created",
      `${REQUESTS} requests to ${ns}/inference through the API server`
    );
    const query = `max(${REQUESTS_METRIC}${selector})`;
    const t0 = Date.now();
    const count = await waitFor(
      `${query} == ${REQUESTS} from ${prometheus.describe}`,
      async () => {
        const value = await valueOf(query);
        if (value !== null && value > REQUESTS) {
          throw new WaitAborted(`${query} = ${value}, more than the ${REQUESTS} requests sent`);
        }
        return value === REQUESTS ? value : void 0;
      },
      metricsTimeoutMs(),
      2e3
    );
    const pod = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: "inference" });
    expect(pod.status?.containerStatuses?.[0]?.restartCount ?? 0, "server restarts").to.equal(0);
    recordEvidence(
      this,
      "observed",
      `${query} = ${count} after ${((Date.now() - t0) / 1e3).toFixed(1)} s`
    );
  });
  it("the latency histogram and the queue depth reach the monitoring system with the count", async function() {
    await callPod(ns, "inference", `/cgi-bin/queue?${QUEUE_DEPTH}`);
    const histogram = `max(${DURATION_METRIC}_count${selector})`;
    const queue = `max(${QUEUE_METRIC}${selector})`;
    const values = await waitFor(
      `${histogram} == ${REQUESTS} and ${queue} == ${QUEUE_DEPTH}`,
      async () => {
        const [h, q] = [await valueOf(histogram), await valueOf(queue)];
        return h === REQUESTS && q === QUEUE_DEPTH ? { h, q } : void 0;
      },
      metricsTimeoutMs(),
      2e3
    );
    recordEvidence(this, "observed", `${histogram} = ${values.h}; ${queue} = ${values.q}`);
  });
});
export {
  budget
};
