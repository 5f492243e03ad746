/**
 * The addon plan on a kind cluster. kaic installs its own fake-GPU driver there (the publisher,
 * the kubelet plugin DaemonSet and the exporter from `kaic fakegpu manifests`, on the GPU workers
 * kind-configs labels), Kueue (gang-scheduler) and JobSet (ai-operator) from the Helm charts
 * their own modules carry (src/addons/kind-charts.ts), and the Gateway API CRDs with Traefik
 * (gateway, src/addons/kind-gateway.ts), Prometheus (src/addons/kind-prometheus.ts; the exporter
 * comes with the fake-GPU manifests), prometheus-adapter (src/addons/kind-prometheus-adapter.ts)
 * and the autoscaler — Karpenter's kwok provider and a kwok controller for the nodes it launches,
 * as processes on this machine (src/addons/kind-autoscaler.ts).
 */
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import {
  addonSpec,
  CHART_ADDONS,
  reportAddonPlan,
  resolveAddonPlan,
  type AddonId,
  type AddonPlan,
} from '../addons/plan.js';
import { fakegpuManifests, type ManifestObject } from '../fakegpu/manifests.js';
import { gpuProfile } from '../fakegpu/profiles.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PROFILE_LABEL } from '../fakegpu/slices.js';
import { DraObjects } from '../k8s/dra-objects.js';
import { FAKE_GPU_NODE_LABEL } from './kind-config.js';
import { applyChart, renderChart, type KindChart } from '../addons/kind-charts.js';
import { startKindAutoscaler } from '../addons/kind-autoscaler.js';
import { installGateway } from '../addons/kind-gateway.js';
import { findPrometheusService, installPrometheus } from '../addons/kind-prometheus.js';
import { installPrometheusAdapter } from '../addons/kind-prometheus-adapter.js';
import { waitFor } from '../util/wait.js';
import { kubernetesRelease, type KubernetesRelease } from '../versions/kubernetes.js';
import { FAKE_GPU_DRIVER_NAME } from './simulated-gpus.js';
import type { RunningAddons } from './kwok-addons.js';
import type { AddonInstallContext, ClusterHandle, InstalledAddons } from './types.js';

/** Addons kaic can install into a kind cluster today. */
export const KIND_INSTALLABLE: readonly AddonId[] = [
  'fake-gpu',
  // Served by the exporter `kaic fakegpu manifests` deploys with the driver.
  'gpu-metrics',
  'prometheus',
  'custom-metrics-adapter',
  ...CHART_ADDONS,
  'gateway',
  'cluster-autoscaler',
];

/** The chart each chart-installed addon comes from, and what the suites are told of it. */
const CHART_FACTS: Record<KindChart, { env: Record<string, string>; presentWhen: string }> = {
  kueue: { env: { KAIC_GANG_SCHEDULER: 'kueue' }, presentWhen: 'workloads.kueue.x-k8s.io' },
  jobset: { env: { KAIC_AI_OPERATOR: 'jobset' }, presentWhen: 'jobsets.jobset.x-k8s.io' },
};

export interface KindAddonContext {
  kubeConfig: k8s.KubeConfig;
  /** The same kubeconfig as a file, for what runs as a process here (the autoscaler). */
  kubeconfigPath: string;
  /** Files and logs of what runs here (under the run's directory). */
  dir: string;
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

/** An addon kaic installs under its install label: how to tell it is there, how to install it. */
interface LabelledAddon {
  /** What shows the cluster already has it, or null. */
  present: () => Promise<string | null>;
  /** What the suites are told when it was already there. */
  presentEnv?: Record<string, string>;
  install: () => Promise<{ env: Record<string, string>; stop: () => Promise<void> }>;
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
  // What kaic installs under its install label, wave by wave (the members of a wave in parallel),
  // as the plan orders them. Each is left alone when the cluster already has it (a reused kind
  // cluster keeps its own).
  const env: Record<string, string> = {};
  const ext = ctx.kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
  const installOptions = {
    log: ctx.log,
    ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}),
  };
  const crdPresent = (name: string) =>
    ext
      .readCustomResourceDefinition({ name })
      .then(() => `CRD ${name}`)
      .catch(() => null);
  const labelled = (id: AddonId): LabelledAddon | null => {
    const chart = addonSpec(id).chart;
    if (chart) {
      const facts = CHART_FACTS[chart];
      return {
        present: () => crdPresent(facts.presentWhen),
        presentEnv: facts.env,
        install: async () => {
          const docs = await renderChart(chart, ctx.serverVersion, ctx.log);
          ctx.onChart?.(chart);
          ctx.log(`addon ${id}: applying ${docs.length} objects (chart ${chart})`);
          const { stop } = await applyChart(ctx.kubeConfig, chart, docs, installOptions);
          return { stop, env: facts.env };
        },
      };
    }
    if (id === 'gateway') {
      return {
        present: () => crdPresent('gateways.gateway.networking.k8s.io'),
        install: () => installGateway(ctx.kubeConfig, installOptions),
      };
    }
    if (id === 'prometheus') {
      return {
        present: async () => {
          const svc = await findPrometheusService(ctx.kubeConfig);
          return svc ? `Service ${svc.namespace}/${svc.name}` : null;
        },
        install: () => installPrometheus(ctx.kubeConfig, installOptions),
      };
    }
    if (id === 'custom-metrics-adapter') {
      return {
        present: () =>
          generic
            .read({
              apiVersion: 'apiregistration.k8s.io/v1',
              kind: 'APIService',
              metadata: { name: 'v1beta2.custom.metrics.k8s.io' },
            })
            .then(() => 'custom.metrics.k8s.io served')
            .catch(() => null),
        install: async () => {
          // The Prometheus of the wave before (kaic's, or the cluster's own).
          const svc = await findPrometheusService(ctx.kubeConfig);
          if (!svc) {
            throw new Error(
              'addon custom-metrics-adapter: no Prometheus Service (app.kubernetes.io/name=prometheus) to read',
            );
          }
          ctx.log(`addon custom-metrics-adapter: reading Prometheus ${svc.url}`);
          const { stop } = await installPrometheusAdapter(ctx.kubeConfig, svc.url, installOptions);
          return { stop, env: {} };
        },
      };
    }
    if (id === 'cluster-autoscaler') {
      return {
        present: () => crdPresent('nodepools.karpenter.sh'),
        install: async () => {
          const autoscaler = await startKindAutoscaler({
            kubeconfigPath: ctx.kubeconfigPath,
            dir: join(ctx.dir, 'autoscaler'),
            gpuResource: gpuProfile(ctx.gpuProfile).extendedResourceName ?? 'nvidia.com/gpu',
            log: ctx.log,
          });
          return { stop: autoscaler.stop, env: {} };
        },
      };
    }
    return null;
  };
  const installAddon = async (id: AddonId, addon: LabelledAddon) => {
    const present = await addon.present();
    if (present) {
      ctx.log(`addon ${id}: already present (${present}); left as it is`);
      Object.assign(env, addon.presentEnv ?? {});
      return;
    }
    const t0 = Date.now();
    const installed = await addon.install();
    chartStops.push(installed.stop);
    Object.assign(env, installed.env);
    ctx.log(`addon ${id}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  for (const wave of plan.waves) {
    await Promise.all(
      wave.flatMap((id) => {
        if (id === 'gpu-metrics') {
          ctx.log("addon gpu-metrics: kaic's exporter comes with the fake-GPU driver's manifests");
          return [];
        }
        const addon = labelled(id);
        return addon ? [installAddon(id, addon)] : [];
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

/**
 * The run's addons on a cluster whose pods run (kind, or an existing cluster): what kaic can
 * install there, each removed again at the end. `sayLeftOut` names what kaic cannot install there
 * (on an existing cluster the run's config allows only what it can).
 */
export async function installInClusterAddons(
  handle: ClusterHandle,
  dir: string,
  ctx: AddonInstallContext,
  options: { where: string; sayLeftOut: boolean; onChart?: (chart: KindChart) => void },
): Promise<InstalledAddons> {
  if (!ctx.requested.length) return { env: {}, accelerator: null };
  const resolved = resolveAddonPlan(ctx.requested, { realNode: true });
  reportAddonPlan(resolved, options.sayLeftOut ? notInstalledOnKind(resolved) : [], ctx.log);
  const plan = {
    ...resolved,
    waves: resolved.waves
      .map((w) => w.filter((id) => KIND_INSTALLABLE.includes(id)))
      .filter((w) => w.length),
  };
  const ids = plan.waves.flat();
  ctx.log(`addons on ${options.where}: ${ids.join(', ') || 'none'}`);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(handle.kubeconfigPath);
  const running = await ctx.phase(`addons (${ids.length} on ${options.where})`, () =>
    startKindAddons(
      plan,
      {
        kubeConfig,
        kubeconfigPath: handle.kubeconfigPath,
        dir,
        release: kubernetesRelease(handle.minor),
        serverVersion: handle.serverVersion,
        gpuProfile: ctx.gpuProfile,
        gpusPerNode: ctx.gpusPerNode,
        log: ctx.log,
        ...(options.onChart ? { onChart: options.onChart } : {}),
      },
      (stop) => ctx.undo.push('addons', () => ctx.phase('addons down', stop)),
    ),
  );
  return { env: running.env, accelerator: ids.includes('fake-gpu') ? ctx.gpuProfile : null };
}
