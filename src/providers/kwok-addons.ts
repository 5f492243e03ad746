/**
 * The addon plan carried out on a kwok cluster: every component runs as a process on this
 * machine (built from its pinned Go module, or kaic's own code), its webhooks served from here and
 * its Services published through stand-in pods on the real node. Waves start in order, the
 * members of a wave in parallel; stop() stops what started, in reverse.
 */
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { JobSetController } from '../addons/jobset.js';
import { KarpenterKwok } from '../addons/karpenter.js';
import { KueueController } from '../addons/kueue.js';
import {
  addonSpec,
  reportAddonPlan,
  resolveAddonPlan,
  type AddonId,
  type AddonPlan,
} from '../addons/plan.js';
import { PrometheusAdapter } from '../addons/prometheus-adapter.js';
import { PrometheusServer } from '../addons/prometheus.js';
import { TraefikGateway } from '../addons/traefik.js';
import { DcgmExporter } from '../fakegpu/exporter.js';
import { publishHostService } from '../k8s/host-service.js';
import type { KwokClusterHandle } from './kwok.js';
import { kubernetesRelease, type KubernetesRelease } from '../versions/kubernetes.js';
import { startSimulatedGpus, type SimulatedGpus } from './simulated-gpus.js';
import type { AddonInstallContext, InstalledAddons } from './types.js';

export interface KwokAddonContext {
  handle: KwokClusterHandle;
  kubeConfig: k8s.KubeConfig;
  release: KubernetesRelease;
  /** Working directory for the addons' files and logs. */
  dir: string;
  gpuProfile: string;
  gpusPerNode: number;
  log: (line: string) => void;
}

interface Started {
  /** One line for the log: what runs and where. */
  summary: string;
  /** Settings the suites read (KAIC_<NAME>) to find it. */
  env?: Record<string, string>;
  stop(): Promise<void>;
}

/** What later addons take from earlier ones. */
interface Shared {
  gpus?: SimulatedGpus;
  prometheusUrl?: string;
}

type Starter = (ctx: KwokAddonContext, shared: Shared) => Promise<Started>;

function realNodeOf(ctx: KwokAddonContext, id: AddonId) {
  const node = ctx.handle.realNode;
  if (!node) throw new Error(`addon ${id} needs the real node, and this cluster has none`);
  return node;
}

const STARTERS: Record<AddonId, Starter> = {
  'fake-gpu': async (ctx, shared) => {
    const gpus = await startSimulatedGpus({
      kubeConfig: ctx.kubeConfig,
      kubeconfigPath: ctx.handle.kubeconfigPath,
      release: ctx.release,
      profileName: ctx.gpuProfile,
      gpusPerNode: ctx.gpusPerNode,
      ...(ctx.handle.realNode ? { realNode: ctx.handle.realNode } : {}),
    });
    shared.gpus = gpus;
    return {
      summary:
        `${ctx.gpusPerNode} × ${gpus.profile.name} on every node` +
        (ctx.handle.realNode ? `, kubelet plugin on ${ctx.handle.realNode.name}` : ''),
      stop: () => gpus.stop(),
    };
  },
  'gpu-metrics': async (ctx, shared) => {
    const node = realNodeOf(ctx, 'gpu-metrics');
    const exporter = new DcgmExporter(
      ctx.kubeConfig,
      shared.gpus!.profile,
      ctx.release.draApiVersion,
    );
    const port = await exporter.listen(0);
    // Published as the in-cluster exporter is on kind: a Service the suite finds by its labels.
    const service = await publishHostService(ctx.kubeConfig, {
      namespace: 'kaic-fakegpu',
      name: 'kaic-fakegpu-exporter',
      labels: {
        'app.kubernetes.io/name': 'kaic-fakegpu',
        'app.kubernetes.io/component': 'exporter',
      },
      portName: 'metrics',
      port,
      node: node.name,
    }).catch(async (error: unknown) => {
      await exporter.close();
      throw error;
    });
    return {
      summary: `Service ${service.ref}`,
      async stop() {
        await service.remove();
        await exporter.close();
      },
    };
  },
  prometheus: async (ctx, shared) => {
    const node = realNodeOf(ctx, 'prometheus');
    const prometheus = new PrometheusServer({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      dir: join(ctx.dir, 'prometheus'),
      log: ctx.log,
    });
    await prometheus.start();
    const service = await publishHostService(ctx.kubeConfig, {
      namespace: 'monitoring',
      name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      portName: 'web',
      port: prometheus.port,
      node: node.name,
    }).catch(async (error: unknown) => {
      await prometheus.stop();
      throw error;
    });
    shared.prometheusUrl = prometheus.url;
    return {
      summary: `${prometheus.url}, Service ${service.ref}`,
      async stop() {
        await service.remove();
        await prometheus.stop();
      },
    };
  },
  'custom-metrics-adapter': async (ctx, shared) => {
    const adapter = new PrometheusAdapter({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      caCert: ctx.handle.ca.cert,
      caKey: ctx.handle.ca.key,
      prometheusUrl: shared.prometheusUrl!,
      dir: join(ctx.dir, 'prometheus-adapter'),
      log: ctx.log,
    });
    await adapter.start();
    return { summary: 'custom.metrics.k8s.io registered', stop: () => adapter.stop() };
  },
  'cluster-autoscaler': async (ctx, shared) => {
    const karpenter = new KarpenterKwok({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      dir: join(ctx.dir, 'karpenter'),
      gpuResource: shared.gpus!.profile.extendedResourceName ?? 'nvidia.com/gpu',
      log: ctx.log,
    });
    await karpenter.start();
    return { summary: 'NodePool of GPU nodes', stop: () => karpenter.stop() };
  },
  'gang-scheduler': async (ctx) => {
    const kueue = new KueueController({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      caCert: ctx.handle.ca.cert,
      caKey: ctx.handle.ca.key,
      dir: join(ctx.dir, 'kueue'),
      log: ctx.log,
    });
    await kueue.start();
    return {
      summary: 'webhooks served from this machine',
      env: { KAIC_GANG_SCHEDULER: 'kueue' },
      stop: () => kueue.stop(),
    };
  },
  gateway: async (ctx) => {
    const traefik = new TraefikGateway({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      dir: join(ctx.dir, 'traefik'),
      log: ctx.log,
    });
    await traefik.start();
    return {
      summary: `GatewayClass ${traefik.gatewayClassName}, listener port ${traefik.port}`,
      env: {
        KAIC_GATEWAY_CLASS: traefik.gatewayClassName,
        KAIC_GATEWAY_LISTENER_PORT: String(traefik.port),
      },
      stop: () => traefik.stop(),
    };
  },
  'ai-operator': async (ctx) => {
    const jobset = new JobSetController({
      kubeconfigPath: ctx.handle.kubeconfigPath,
      caCert: ctx.handle.ca.cert,
      caKey: ctx.handle.ca.key,
      dir: join(ctx.dir, 'jobset'),
      log: ctx.log,
    });
    await jobset.start();
    return {
      summary: 'webhooks served from this machine',
      env: { KAIC_AI_OPERATOR: 'jobset' },
      stop: () => jobset.stop(),
    };
  },
};

export interface RunningAddons {
  /** Settings for the suites, from every addon. */
  env: Record<string, string>;
  /** Stops every addon that started, in reverse order; safe to call more than once. */
  stop(): Promise<void>;
}

export class AddonStartError extends Error {
  constructor(
    readonly addon: AddonId,
    cause: Error,
  ) {
    super(`addon ${addon} (${addonSpec(addon).component}) did not start: ${cause.message}`, {
      cause,
    });
    this.name = 'AddonStartError';
  }
}

/**
 * Starts the plan's waves. When one fails, what already started is stopped before the error is
 * thrown; `register` receives the stop function before the first start, so a cancel in between
 * stops what is running.
 */
export async function startKwokAddons(
  plan: AddonPlan,
  ctx: KwokAddonContext,
  register: (stop: () => Promise<void>) => void = () => undefined,
): Promise<RunningAddons> {
  const shared: Shared = {};
  const started: Array<{ id: AddonId; addon: Started }> = [];
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      for (const { id, addon } of started.reverse()) {
        await addon
          .stop()
          .catch((error: Error) => ctx.log(`addon ${id}: stop failed: ${error.message}`));
      }
    })());
  register(stop);
  const env: Record<string, string> = {};
  for (const wave of plan.waves) {
    const results = await Promise.allSettled(
      wave.map(async (id) => {
        const t0 = Date.now();
        ctx.log(`addon ${id}: starting ${addonSpec(id).component} ${addonSpec(id).version}`);
        const addon = await STARTERS[id](ctx, shared).catch((error: Error) => {
          throw new AddonStartError(id, error);
        });
        // Recorded as soon as it runs, so a failing neighbour in the wave still stops it.
        started.push({ id, addon });
        Object.assign(env, addon.env);
        ctx.log(
          `addon ${id}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s (${addon.summary})`,
        );
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      await stop();
      throw failed.reason;
    }
  }
  return { env, stop };
}

/**
 * The run's addons on a kwok cluster, as processes here. Without a real node, what needs one is
 * left out (said per addon).
 */
export async function installKwokAddons(
  handle: KwokClusterHandle,
  dir: string,
  ctx: AddonInstallContext,
): Promise<InstalledAddons> {
  if (!ctx.requested.length) return { env: {}, accelerator: null };
  const plan = resolveAddonPlan(ctx.requested, { realNode: !!handle.realNode });
  reportAddonPlan(plan, [], ctx.log);
  const ids = plan.waves.flat();
  ctx.log(`addons in waves: ${plan.waves.map((w) => w.join(' + ')).join(', then ')}`);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(handle.kubeconfigPath);
  const running = await ctx.phase(`addons (${ids.length} in ${plan.waves.length} waves)`, () =>
    startKwokAddons(
      plan,
      {
        handle,
        kubeConfig,
        release: kubernetesRelease(handle.minor),
        dir,
        gpuProfile: ctx.gpuProfile,
        gpusPerNode: ctx.gpusPerNode,
        log: ctx.log,
      },
      (stop) => ctx.undo.push('addons', () => ctx.phase('addons down', stop)),
    ),
  );
  return { env: running.env, accelerator: ids.includes('fake-gpu') ? ctx.gpuProfile : null };
}
