/**
 * pod_autoscaling (MUST, KAR-0057): a HorizontalPodAutoscaler scales accelerator workloads on a
 * custom metric. A Deployment of the stub inference server whose pods each hold an accelerator
 * exposes its queue depth; the suite raises it on the first pod, waits until the metrics API
 * reports at least that value, and requires the HPA (average target 10) to take the Deployment
 * 1 → 2 with both pods Ready and holding accelerators; lowered to 0, back to 1. CPU scaling never
 * counts.
 * The metric comes through custom.metrics.k8s.io (a Pods metric) when that API is served, else
 * through external.metrics.k8s.io (an External metric, as KEDA or a cloud's adapter serves it):
 * KAIC_EXTERNAL_METRIC names it (default the stub's own name), read in the suite's namespace. An
 * external metric that never appears is Unknown naming that setting: kaic cannot know another
 * adapter's names.
 * Configuration: KAIC_HPA_METRICS_API (auto, custom, external), KAIC_EXTERNAL_METRIC,
 * KAIC_METRICS_TIMEOUT_SECONDS (metric arrival, default 180), KAIC_HPA_TIMEOUT_SECONDS (each
 * scaling step, default 300).
 */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import type { AcceleratorSetup } from '../src/accelerators/profiles.js';
import { getJson } from '../src/k8s/raw.js';
import {
  createClaimTemplate,
  createNamespace,
  deleteNamespace,
  requireAcceleratorSetup,
  suiteCluster,
  waitFor,
  WaitAborted,
  tolerationsFor,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import {
  QUEUE_METRIC,
  callPod,
  chooseHpaMetricsPath,
  type HpaMetricsPath,
  ensurePodMonitor,
  inferencePodTemplate,
  metricsTimeoutMs,
  nodesRunningContainers,
} from './lib/monitoring.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): the Deployment scales to two pods, each holding a device. */
export const budget: SuiteBudget = { devices: 2, typicalSeconds: 38 };

const DEPLOYMENT = 'kaic-scaled';
const HPA = 'kaic-scaled';
const RAISED = 100;
const TARGET_AVERAGE = 10;

function hpaTimeoutMs(): number {
  return suiteSettings().hpaTimeoutMs;
}

/** The HPA's conditions in one line, for messages. */
function conditionsOf(status: k8s.V2HorizontalPodAutoscalerStatus | undefined): string {
  return (status?.conditions ?? [])
    .map((c) => `${c.type}=${c.status} ${c.reason ?? ''}`)
    .join(', ');
}

async function served(groupVersion: string): Promise<boolean> {
  return getJson(suiteCluster().kc, `/apis/${groupVersion}`).then(
    () => true,
    () => false,
  );
}

describe(`${requirementTag('pod_autoscaling', 'MUST')} Pod autoscaling`, function () {
  this.timeout(900_000);
  let setup: AcceleratorSetup;
  let ns = '';
  /** The metrics API the HPA scales on, chosen at the start of the test. */
  let path: { api: 'custom'; version: string } | { api: 'external'; metric: string } | null = null;
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  const runSelector = `conformance.kaic.dev/run=${runId}`;

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  after(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
  });

  async function readyPods(): Promise<k8s.V1Pod[]> {
    const pods = await suiteCluster().core.listNamespacedPod({
      namespace: ns,
      labelSelector: runSelector,
    });
    return pods.items.filter(
      (p) =>
        !p.metadata?.deletionTimestamp &&
        p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
  }

  /** The metric's value per pod, as the custom metrics API reports it. */
  async function customMetric(version: string): Promise<Map<string, number>> {
    const list = (await getJson(
      suiteCluster().kc,
      `/apis/custom.metrics.k8s.io/${version}/namespaces/${ns}/pods/*/${QUEUE_METRIC}` +
        `?labelSelector=${encodeURIComponent(runSelector)}`,
    )) as { items?: Array<{ describedObject?: { name?: string }; value?: string }> };
    return new Map(
      (list.items ?? []).map((i) => [i.describedObject?.name as string, quantity(i.value ?? '')]),
    );
  }

  /** The external metric's total in the suite's namespace (the HPA sums its items too). */
  async function externalMetric(metric: string): Promise<number | undefined> {
    const list = (await getJson(
      suiteCluster().kc,
      `/apis/external.metrics.k8s.io/v1beta1/namespaces/${ns}/${encodeURIComponent(metric)}`,
    )) as { items?: Array<{ value?: string }> };
    const items = list.items ?? [];
    return items.length ? items.reduce((sum, i) => sum + quantity(i.value ?? ''), 0) : undefined;
  }

  async function hpaStatus(): Promise<k8s.V2HorizontalPodAutoscalerStatus | undefined> {
    const api = suiteCluster().kc.makeApiClient(k8s.AutoscalingV2Api);
    return (await api.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: HPA })).status;
  }

  /** Which metrics APIs are served, for chooseHpaMetricsPath. */
  async function choosePath(): Promise<HpaMetricsPath | null> {
    const customVersions: string[] = [];
    for (const version of ['v1beta2', 'v1beta1']) {
      if (await served(`custom.metrics.k8s.io/${version}`)) customVersions.push(version);
    }
    return chooseHpaMetricsPath(
      suiteSettings().hpaMetricsApi,
      { customVersions, external: await served('external.metrics.k8s.io/v1beta1') },
      suiteSettings().externalMetric ?? QUEUE_METRIC,
    );
  }

  it(`scales an accelerator Deployment 1 → 2 → 1 on a custom metric (custom or external metrics API)`, async function () {
    path = await choosePath();
    if (!path) {
      const asked = suiteSettings().hpaMetricsApi;
      throw new Error(
        asked === 'external'
          ? 'external.metrics.k8s.io is not served (no APIService answers it; KAIC_HPA_METRICS_API=external): the HPA cannot scale on an external metric'
          : asked === 'custom'
            ? 'custom.metrics.k8s.io is not served (no APIService answers it; KAIC_HPA_METRICS_API=custom): the HPA cannot scale on a custom metric'
            : 'neither custom.metrics.k8s.io nor external.metrics.k8s.io is served (no APIService answers them): the HPA cannot scale on a custom metric',
      );
    }
    const chosen = path;
    const apiName =
      chosen.api === 'custom'
        ? `custom.metrics.k8s.io/${chosen.version}`
        : 'external.metrics.k8s.io/v1beta1';
    const metricName = chosen.api === 'custom' ? QUEUE_METRIC : chosen.metric;
    // Any accelerator node that runs containers: not one pinned node, so a pool of single-GPU
    // nodes can hold the two replicas.
    const running = await nodesRunningContainers();
    const nodes = running.filter((n) => setup.nodes.includes(n));
    if (nodes.length === 0) {
      skipBecause(
        this,
        'no accelerator node runs containers (only simulated nodes): no metric to serve',
      );
    }
    ns = await createNamespace('kaic-pod-autoscaling');
    const monitor = await ensurePodMonitor(ns, runId);
    await createClaimTemplate(setup, ns, 'one');
    const { core } = suiteCluster();
    const template = inferencePodTemplate({
      runId,
      labels: { app: DEPLOYMENT },
      nodes,
      tolerations: tolerationsFor(await Promise.all(nodes.map((name) => core.readNode({ name })))),
      scrapeAnnotations: !monitor,
    });
    const dra = setup.mode === 'dra';
    const container = template.spec!.containers[0] as k8s.V1Container;
    if (dra) {
      template.spec!.resourceClaims = [{ name: 'accelerator', resourceClaimTemplateName: 'one' }];
      container.resources = { claims: [{ name: 'accelerator' }] };
    } else {
      container.resources = { limits: { [setup.profile.extendedResource as string]: '1' } };
    }
    await suiteCluster()
      .kc.makeApiClient(k8s.AppsV1Api)
      .createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: DEPLOYMENT, namespace: ns },
          spec: {
            replicas: 1,
            selector: { matchLabels: { 'conformance.kaic.dev/run': runId } },
            template,
          },
        },
      });
    recordEvidence(
      this,
      'created',
      `Deployment ${ns}/${DEPLOYMENT} (1 replica, 1 accelerator per pod, on ${nodes.join(' or ')}); collection by ${monitor ?? 'scrape annotations'}`,
    );
    const [first] = await waitFor(
      `1 Ready pod of ${DEPLOYMENT}`,
      async () => {
        const pods = await readyPods();
        return pods.length === 1 ? pods : undefined;
      },
      180_000,
    );
    const firstName = first!.metadata?.name as string;
    // The HPA exists before the metric rises: with no metric it must stay at one replica.
    await suiteCluster()
      .kc.makeApiClient(k8s.AutoscalingV2Api)
      .createNamespacedHorizontalPodAutoscaler({
        namespace: ns,
        body: {
          metadata: { name: HPA, namespace: ns },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: DEPLOYMENT },
            minReplicas: 1,
            maxReplicas: 2,
            metrics: [
              chosen.api === 'custom'
                ? {
                    type: 'Pods',
                    pods: {
                      metric: { name: QUEUE_METRIC },
                      target: { type: 'AverageValue', averageValue: String(TARGET_AVERAGE) },
                    },
                  }
                : {
                    // The total over the pods, per replica: the same target as the Pods metric.
                    type: 'External',
                    external: {
                      metric: { name: chosen.metric },
                      target: { type: 'AverageValue', averageValue: String(TARGET_AVERAGE) },
                    },
                  },
            ],
            behavior: {
              scaleUp: { stabilizationWindowSeconds: 0 },
              scaleDown: { stabilizationWindowSeconds: 0 },
            },
          },
        },
      });
    await callPod(ns, firstName, `/cgi-bin/queue?${RAISED}`);
    const t0 = Date.now();
    const reported = await waitFor(
      chosen.api === 'custom'
        ? `${apiName} to report ${QUEUE_METRIC} ≥ ${RAISED} for pod ${firstName}`
        : `${apiName} to report ${metricName} ≥ ${RAISED} in namespace ${ns}`,
      async () => {
        const value =
          chosen.api === 'custom'
            ? (await customMetric(chosen.version).catch(() => new Map<string, number>())).get(
                firstName,
              )
            : await externalMetric(chosen.metric).catch(() => undefined);
        // At or above what was set: a platform may collect the pod more than once.
        if (value !== undefined && value >= RAISED) return value;
        const status = await hpaStatus();
        const ready = (await readyPods()).length;
        if (ready > 1) {
          throw new WaitAborted(
            `${DEPLOYMENT} scaled before its metric was served (HPA desired ${status?.desiredReplicas})`,
          );
        }
        throw new Error(
          `${chosen.api} metric ${value ?? 'absent'}; ${ready} Ready pod; HPA desired ${status?.desiredReplicas ?? '?'}, ` +
            `conditions ${conditionsOf(status)}`,
        );
      },
      metricsTimeoutMs(),
      2_000,
    ).catch((error: unknown) => {
      // Another adapter's external metric names are its own: none seen is not proof of absence.
      if (chosen.api === 'external' && !(error instanceof WaitAborted)) {
        skipBecause(
          this,
          `${apiName} never reported ${metricName} ≥ ${RAISED} in namespace ${ns} (${(error as Error).message}); ` +
            "set KAIC_EXTERNAL_METRIC to the external metric that carries the workload's queue depth",
        );
      }
      throw error;
    });
    recordEvidence(
      this,
      'observed',
      chosen.api === 'custom'
        ? `${apiName} reports ${QUEUE_METRIC}=${reported} (set: ${RAISED}) for ${firstName} after ${((Date.now() - t0) / 1000).toFixed(1)} s`
        : `${apiName} reports ${metricName}=${reported} (set: ${RAISED}) in ${ns} after ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    const t1 = Date.now();
    const up = await waitFor(
      `HPA ${HPA} to scale ${DEPLOYMENT} to 2 Ready pods`,
      async () => {
        const pods = await readyPods();
        const status = await hpaStatus();
        if (pods.length !== 2) {
          throw new Error(
            `${pods.length} Ready pods; HPA desired ${status?.desiredReplicas ?? '?'}, ` +
              `conditions ${conditionsOf(status)}`,
          );
        }
        return { pods, status };
      },
      hpaTimeoutMs(),
      2_000,
    );
    const scaledUpIn = (Date.now() - t1) / 1000;
    for (const pod of up.pods) {
      if (dra) {
        const claim = pod.status?.resourceClaimStatuses?.[0]?.resourceClaimName;
        expect(claim, `pod ${pod.metadata?.name} holds an accelerator claim`).to.be.a('string');
      } else {
        expect(
          pod.spec?.containers[0]?.resources?.limits?.[setup.profile.extendedResource as string],
        ).to.equal('1');
      }
    }
    recordEvidence(
      this,
      'observed',
      `scaled 1 → 2 on ${apiName} in ${scaledUpIn.toFixed(1)} s (HPA current ${JSON.stringify(up.status?.currentMetrics?.[0]?.pods?.current ?? up.status?.currentMetrics?.[0]?.external?.current ?? {})}); pods ${up.pods.map((p) => `${p.metadata?.name}@${p.spec?.nodeName}`).join(', ')}`,
    );
    for (const pod of up.pods) await callPod(ns, pod.metadata?.name as string, '/cgi-bin/queue?0');
    const t2 = Date.now();
    await waitFor(
      `HPA ${HPA} to scale ${DEPLOYMENT} back to 1 pod`,
      async () => {
        const pods = await suiteCluster().core.listNamespacedPod({
          namespace: ns,
          labelSelector: runSelector,
        });
        const status = await hpaStatus();
        return (
          status?.desiredReplicas === 1 &&
          pods.items.filter((p) => !p.metadata?.deletionTimestamp).length === 1
        );
      },
      hpaTimeoutMs(),
      2_000,
    );
    recordEvidence(
      this,
      'observed',
      `scaled 2 → 1 in ${((Date.now() - t2) / 1000).toFixed(1)} s after the metric fell to 0`,
    );
  });
});

/** A resource.Quantity string ("100", "1500m", "2k") as a number. */
function quantity(value: string): number {
  const match = /^(-?[0-9.]+)([a-zA-Z]*)$/.exec(value);
  if (!match) return Number.NaN;
  const scale: Record<string, number> = { '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9 };
  return Number(match[1]) * (scale[match[2] as string] ?? Number.NaN);
}
