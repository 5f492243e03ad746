/**
 * The addon plan on a kind cluster. kaic installs its own fake-GPU driver there (the publisher,
 * the kubelet plugin DaemonSet and the exporter from `kaic fakegpu manifests`, on the GPU workers
 * kind-configs labels), Kueue (gang-scheduler) and JobSet (ai-operator) from the Helm charts
 * their own modules carry (src/addons/kind-charts.ts), and the Gateway API CRDs with Traefik
 * (gateway, src/addons/kind-gateway.ts), Prometheus (src/addons/kind-prometheus.ts; the exporter
 * comes with the fake-GPU manifests) and prometheus-adapter (src/addons/kind-prometheus-adapter.ts).
 * The autoscaler is not installed by kaic on kind yet and is left out, saying so.
 */
import * as k8s from '@kubernetes/client-node';

import { addonSpec, CHART_ADDONS, type AddonId, type AddonPlan } from '../addons/plan.js';
import { fakegpuManifests, type ManifestObject } from '../fakegpu/manifests.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PROFILE_LABEL } from '../fakegpu/slices.js';
import { DraObjects } from '../k8s/dra-objects.js';
import { FAKE_GPU_NODE_LABEL } from '../providers/kind-config.js';
import { applyChart, renderChart, type KindChart } from '../addons/kind-charts.js';
import { installGateway } from '../addons/kind-gateway.js';
import { installPrometheus } from '../addons/kind-prometheus.js';
import { installPrometheusAdapter } from '../addons/kind-prometheus-adapter.js';
import { waitFor } from '../util/wait.js';
import type { KubernetesRelease } from '../versions/kubernetes.js';
import { FAKE_GPU_DRIVER_NAME } from './simulated-gpus.js';
import type { RunningAddons } from './kwok-addons.js';

/** Addons kaic can install into a kind cluster today. */
export const KIND_INSTALLABLE: readonly AddonId[] = [
  'fake-gpu',
  // Served by the exporter `kaic fakegpu manifests` deploys with the driver.
  'gpu-metrics',
  'prometheus',
  'custom-metrics-adapter',
  ...CHART_ADDONS,
  'gateway',
];

/** The chart each chart-installed addon comes from, and what the suites are told of it. */
const CHART_FACTS: Record<KindChart, { env: Record<string, string>; presentWhen: string }> = {
  kueue: { env: { KAIC_GANG_SCHEDULER: 'kueue' }, presentWhen: 'workloads.kueue.x-k8s.io' },
  jobset: { env: { KAIC_AI_OPERATOR: 'jobset' }, presentWhen: 'jobsets.jobset.x-k8s.io' },
};

export interface KindAddonContext {
  kubeConfig: k8s.KubeConfig;
  release: KubernetesRelease;
  /** The cluster's gitVersion, for the charts' version checks. */
  serverVersion: string;
  gpuProfile: string;
  gpusPerNode: number;
  log: (line: string) => void;
  /**
   * Told about each chart before it is applied, with the kubeconfig to remove it by (an existing
   * cluster outlives the run; a kind cluster kaic created is deleted whole).
   */
  onChart?: (chart: KindChart) => void;
  /** How long to wait for the simulated GPUs to be published (default 300 s: images are pulled). */
  readyTimeoutMs?: number;
}

/** The plan's addons kaic does not install on kind, with the reason. */
export function notInstalledOnKind(plan: AddonPlan): Array<{ id: AddonId; reason: string }> {
  return plan.waves
    .flat()
    .filter((id) => !KIND_INSTALLABLE.includes(id))
    .map((id) => ({
      id,
      reason: `kaic does not install ${addonSpec(id).component} on kind yet; its suites test what the cluster has`,
    }));
}

export async function startKindAddons(
  plan: AddonPlan,
  ctx: KindAddonContext,
  register: (stop: () => Promise<void>) => void = () => undefined,
): Promise<RunningAddons> {
  const created: ManifestObject[] = [];
  const generic = k8s.KubernetesObjectApi.makeApiClient(ctx.kubeConfig);
  const chartStops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopChart of chartStops.reverse()) await stopChart();
    chartStops.length = 0;
    for (const object of created.reverse()) {
      await generic.delete(object as k8s.KubernetesObject).catch(() => undefined);
    }
    created.length = 0;
  };
  register(stop);
  // Charts, wave by wave (the members of a wave in parallel), like the plan orders them.
  const env: Record<string, string> = {};
  const ext = ctx.kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
  const installChart = async (
    id: AddonId,
    chart: KindChart,
    chartEnv: Record<string, string>,
    presentWhen: string,
  ) => {
    // A cluster that already has it (a reused kind cluster) keeps its own, untouched.
    const present = await ext
      .readCustomResourceDefinition({ name: presentWhen })
      .then(() => true)
      .catch(() => false);
    if (present) {
      ctx.log(`addon ${id}: already present (CRD ${presentWhen}); left as it is`);
      Object.assign(env, chartEnv);
      return;
    }
    const t0 = Date.now();
    const docs = await renderChart(chart, ctx.serverVersion, ctx.log);
    ctx.onChart?.(chart);
    ctx.log(`addon ${id}: applying ${docs.length} objects (chart ${chart})`);
    const installed = await applyChart(ctx.kubeConfig, chart, docs, {
      log: ctx.log,
      ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}),
    });
    chartStops.push(installed.stop);
    Object.assign(env, chartEnv);
    ctx.log(`addon ${id}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const installGatewayAddon = async () => {
    const present = await ext
      .readCustomResourceDefinition({ name: 'gateways.gateway.networking.k8s.io' })
      .then(() => true)
      .catch(() => false);
    if (present) {
      ctx.log('addon gateway: already present (Gateway API CRDs); left as it is');
      return;
    }
    const t0 = Date.now();
    ctx.log(`addon gateway: Gateway API CRDs and Traefik`);
    const installed = await installGateway(ctx.kubeConfig, {
      log: ctx.log,
      ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}),
    });
    chartStops.push(installed.stop);
    Object.assign(env, installed.env);
    ctx.log(`addon gateway: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const installPrometheusAddon = async () => {
    const core = ctx.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const existing = (
      await core.listServiceForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=prometheus' })
    ).items;
    if (existing.length) {
      const s = existing[0]!.metadata!;
      ctx.log(
        `addon prometheus: already present (Service ${s.namespace}/${s.name}); left as it is`,
      );
      return;
    }
    const t0 = Date.now();
    const installed = await installPrometheus(ctx.kubeConfig, {
      log: ctx.log,
      ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}),
    });
    chartStops.push(installed.stop);
    Object.assign(env, installed.env);
    ctx.log(`addon prometheus: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  const installAdapterAddon = async () => {
    const generic = k8s.KubernetesObjectApi.makeApiClient(ctx.kubeConfig);
    const present = await generic
      .read({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: 'v1beta2.custom.metrics.k8s.io' },
      })
      .then(() => true)
      .catch(() => false);
    if (present) {
      ctx.log(
        'addon custom-metrics-adapter: already present (custom.metrics.k8s.io served); left as it is',
      );
      return;
    }
    // The Prometheus of the wave before (kaic's, or the cluster's own).
    const core = ctx.kubeConfig.makeApiClient(k8s.CoreV1Api);
    const svc = (
      await core.listServiceForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=prometheus' })
    ).items[0];
    const port = svc?.spec?.ports?.find((p) => /web|http/.test(p.name ?? '') || p.port === 9090);
    if (!svc || !port) {
      throw new Error(
        'addon custom-metrics-adapter: no Prometheus Service (app.kubernetes.io/name=prometheus) to read',
      );
    }
    const url = `http://${svc.metadata!.name}.${svc.metadata!.namespace}.svc:${port.port}/`;
    const t0 = Date.now();
    const installed = await installPrometheusAdapter(ctx.kubeConfig, url, {
      log: ctx.log,
      ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}),
    });
    chartStops.push(installed.stop);
    ctx.log(
      `addon custom-metrics-adapter: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (Prometheus ${url})`,
    );
  };
  for (const wave of plan.waves) {
    await Promise.all(
      wave.flatMap((id) => {
        if (id === 'gateway') return [installGatewayAddon()];
        if (id === 'prometheus') return [installPrometheusAddon()];
        if (id === 'custom-metrics-adapter') return [installAdapterAddon()];
        if (id === 'gpu-metrics') {
          ctx.log("addon gpu-metrics: kaic's exporter comes with the fake-GPU driver's manifests");
          return [];
        }
        const chart = addonSpec(id).chart;
        if (!chart) return [];
        return [installChart(id, chart, CHART_FACTS[chart].env, CHART_FACTS[chart].presentWhen)];
      }),
    );
  }
  if (plan.waves.flat().includes('fake-gpu')) {
    const selector = `${FAKE_GPU_NODE_LABEL}=true`;
    const objects = fakegpuManifests({
      publishArgs: [
        '--profile',
        ctx.gpuProfile,
        '--gpus-per-node',
        String(ctx.gpusPerNode),
        '--node-selector',
        selector,
        '--mig',
        'auto',
      ],
      profile: ctx.gpuProfile,
      nodeSelector: selector,
      driver: FAKE_GPU_DRIVER_NAME,
    });
    const t0 = Date.now();
    ctx.log(`addon fake-gpu: applying ${objects.length} objects (kaic fakegpu manifests)`);
    for (const object of objects) {
      await generic.create(object as k8s.KubernetesObject);
      created.push(object);
    }
    const draObjects = new DraObjects(ctx.kubeConfig, ctx.release.draApiVersion);
    await waitFor(
      'the fake-GPU publisher to publish ResourceSlices',
      async () =>
        (
          await draObjects.list(
            'ResourceSlice',
            `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${ctx.gpuProfile}`,
          )
        ).length > 0,
      ctx.readyTimeoutMs ?? 300_000,
      2000,
    );
    ctx.log(`addon fake-gpu: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  return { env, stop };
}
