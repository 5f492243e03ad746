/**
 * ai_service_metrics (MUST): the platform's monitoring system collects the metrics an AI service
 * exposes. A stub inference server exposing Prometheus metrics labelled with this run's id is made
 * collectable the way the platform expects (a PodMonitor satisfying the Prometheus Operator's
 * selectors, or the scrape annotations); after exactly K requests, the monitoring system's query
 * API must return exactly K for that label, and the latency histogram and queue gauge must arrive
 * with it. Accelerator metrics never count here: the series are the workload's own.
 * Configuration: see suites/lib/monitoring.ts (KAIC_PROMETHEUS, KAIC_METRICS_TIMEOUT_SECONDS).
 */
import { randomBytes } from 'node:crypto';

import { expect } from 'chai';

import {
  createNamespace,
  createPod,
  deleteNamespace,
  suiteCluster,
  waitFor,
  WaitAborted,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import {
  DURATION_METRIC,
  QUEUE_METRIC,
  REQUESTS_METRIC,
  callPod,
  ensurePodMonitor,
  findPrometheus,
  inferencePodTemplate,
  metricsTimeoutMs,
  nodesRunningContainers,
  type Prometheus,
} from './lib/monitoring.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): a metrics stub without accelerators. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 19 };

/** Requests the test sends; the monitoring system must report exactly this many. */
const REQUESTS = 10;
const QUEUE_DEPTH = 7;

describe(`${requirementTag('ai_service_metrics', 'MUST')} AI service metrics`, function () {
  this.timeout(360_000);
  let prometheus: Prometheus;
  let ns = '';
  let monitoringSetup = '';
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  const selector = `{conformance_run="${runId}"}`;

  before(async function () {
    const nodes = await nodesRunningContainers();
    if (nodes.length === 0) {
      skipBecause(this, 'no node runs containers (only simulated nodes): no service to scrape');
    }
    const found = await findPrometheus();
    prometheus = found.prometheus;
    ns = await createNamespace('kaic-service-metrics');
    const monitor = await ensurePodMonitor(ns, runId);
    const template = inferencePodTemplate({
      runId,
      labels: { app: 'kaic-inference' },
      node: nodes[0] as string,
    });
    await createPod({
      metadata: { ...template.metadata, name: 'inference', namespace: ns },
      spec: { ...template.spec!, restartPolicy: 'Never', activeDeadlineSeconds: 900 },
    });
    await waitFor(
      `pod ${ns}/inference Ready`,
      async () => {
        const pod = await suiteCluster().core.readNamespacedPod({
          namespace: ns,
          name: 'inference',
        });
        if (pod.status?.phase === 'Failed') {
          throw new WaitAborted(`pod ${ns}/inference failed: ${pod.status.message ?? ''}`);
        }
        const unscheduled = pod.status?.conditions?.find(
          (c) => c.type === 'PodScheduled' && c.status === 'False',
        );
        // Not final (capacity may free up), but the message is what a timeout should show.
        if (unscheduled) throw new Error(`unschedulable: ${unscheduled.message ?? ''}`);
        return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      },
      120_000,
    );
    monitoringSetup = `Prometheus ${found.how} (${prometheus.describe}); collection by ${monitor ?? 'the prometheus.io/scrape annotations (no Prometheus Operator API)'}`;
  });

  after(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
  });

  async function valueOf(promql: string): Promise<number | null> {
    const samples = await prometheus.query(promql);
    return samples.length > 0 ? Math.max(...samples.map((s) => s.value)) : null;
  }

  it(`after exactly ${REQUESTS} requests the monitoring system reports exactly ${REQUESTS} for this run`, async function () {
    recordEvidence(this, 'observed', monitoringSetup);
    for (let i = 0; i < REQUESTS; i++) await callPod(ns, 'inference', '/cgi-bin/infer');
    recordEvidence(this, 'created', `${REQUESTS} requests to ${ns}/inference through port-forward`);
    const query = `max(${REQUESTS_METRIC}${selector})`;
    const t0 = Date.now();
    const count = await waitFor(
      `${query} == ${REQUESTS} from ${prometheus.describe}`,
      async () => {
        const value = await valueOf(query);
        if (value !== null && value > REQUESTS) {
          throw new WaitAborted(`${query} = ${value}, more than the ${REQUESTS} requests sent`);
        }
        return value === REQUESTS ? value : undefined;
      },
      metricsTimeoutMs(),
      2_000,
    );
    const pod = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: 'inference' });
    expect(pod.status?.containerStatuses?.[0]?.restartCount ?? 0, 'server restarts').to.equal(0);
    recordEvidence(
      this,
      'observed',
      `${query} = ${count} after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  });

  it('the latency histogram and the queue depth reach the monitoring system with the count', async function () {
    await callPod(ns, 'inference', `/cgi-bin/queue?${QUEUE_DEPTH}`);
    const histogram = `max(${DURATION_METRIC}_count${selector})`;
    const queue = `max(${QUEUE_METRIC}${selector})`;
    const values = await waitFor(
      `${histogram} == ${REQUESTS} and ${queue} == ${QUEUE_DEPTH}`,
      async () => {
        const [h, q] = [await valueOf(histogram), await valueOf(queue)];
        return h === REQUESTS && q === QUEUE_DEPTH ? { h, q } : undefined;
      },
      metricsTimeoutMs(),
      2_000,
    );
    recordEvidence(this, 'observed', `${histogram} = ${values.h}; ${queue} = ${values.q}`);
  });
});
