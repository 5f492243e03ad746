/**
 * The one place that knows the providers apart: makes the run's Provider from its config. Each
 * provider class runs the cluster's life; what the run also needs of it (its logs, how addons are
 * installed there, which accelerator its suites test) is put together here.
 */
import { dirname, join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { detectAccelerator } from '../accelerators/profiles.js';
import { addonChoices, type RunConfig } from '../config/run-config.js';
import { UsageError } from '../errors.js';
import { ExistingProvider } from './existing.js';
import { inClusterAddonImages, installInClusterAddons } from './kind-addons.js';
import { KindProvider } from './kind.js';
import { installKwokAddons, prepareKwokAddons } from './kwok-addons.js';
import { KwokProvider, type KwokClusterHandle } from './kwok.js';
import { checkHost } from './real-node/host.js';
import { assertRealNodeFree } from './real-node/real-node.js';
import type { KubernetesMinor } from '../versions/kubernetes.js';
import type { AddonInstallContext, ClusterHandle, OnCreated, Provider } from './types.js';

export interface ProviderContext {
  runId: string;
  /** The run's working directory (removed at its end): the addons' files and logs go below it. */
  workDir: string;
  log: (line: string) => void;
  onCreated?: OnCreated;
}

/** What the run's first line says of the cluster, e.g. `provider kwok, Kubernetes 1.35, 4 simulated nodes`. */
export function describeProvider(config: RunConfig): string {
  if (config.provider === 'existing') return 'provider existing';
  const nodes = config.provider === 'kind' ? 'GPU workers' : 'simulated nodes';
  return `provider ${config.provider}, Kubernetes ${config.kubernetesVersion}, ${config.nodes} ${nodes}`;
}

/** The minor of the cluster the run will have, when known before it is up (kaic creates it). */
export function plannedMinor(config: RunConfig): KubernetesMinor | null {
  return config.provider === 'existing' ? null : config.kubernetesVersion;
}

/** Whether the kwok cluster gets the real node: asked for, refused, or when this machine can. */
async function wantRealNode(config: RunConfig, log: (line: string) => void): Promise<boolean> {
  if (config.realNode === 'no') return false;
  // A real node held by another run refuses this one before anything is created.
  if (config.realNode === 'yes') {
    await assertRealNodeFree();
    return true;
  }
  try {
    await checkHost();
  } catch (error) {
    if (config.nodes === 0) {
      throw new UsageError(
        `--nodes 0 asks for the real node alone, and this machine cannot run it: ${(error as Error).message}`,
      );
    }
    log(`no real node (${(error as Error).message}); tests that need running pods report Unknown`);
    return false;
  }
  await assertRealNodeFree();
  return true;
}

/** The handle of a cluster that is up; installing addons before up() is a programming error. */
function upHandle<H extends ClusterHandle>(handle: H | null): H {
  if (!handle) throw new Error('the cluster is not up');
  return handle;
}

export async function createProvider(config: RunConfig, ctx: ProviderContext): Promise<Provider> {
  const addonsDir = join(ctx.workDir, 'addons');
  const onCreated = ctx.onCreated ? { onCreated: ctx.onCreated } : {};
  if (config.provider === 'kwok') {
    const realNode = await wantRealNode(config, ctx.log);
    const cluster = new KwokProvider({
      minor: config.kubernetesVersion,
      nodeGroups: [{ namePrefix: 'kaic-worker', count: config.nodes }],
      realNode,
      log: ctx.log,
      ...onCreated,
    });
    let handle: KwokClusterHandle | null = null;
    return {
      name: 'kwok',
      upTitle: `cluster up (kwok, Kubernetes ${config.kubernetesVersion})`,
      up: async () => (handle = await cluster.up()),
      down: () => cluster.down(),
      logSources: () =>
        handle
          ? [
              { name: 'cluster', dir: dirname(handle.kubeconfigPath) },
              { name: 'addons', dir: addonsDir },
            ]
          : [],
      installAddons: (addons) =>
        installKwokAddons(upHandle(handle), addonsDir, addons, ctx.onCreated),
      prepareAddons: (requested, forWhat, log) =>
        prepareKwokAddons(requested, forWhat, {
          realNode,
          choices: addonChoices(config),
          log,
        }),
    };
  }
  if (config.provider === 'kind') {
    const cluster = new KindProvider({
      minor: config.kubernetesVersion,
      workers: config.nodes,
      ...(config.clusterName ? { name: config.clusterName } : {}),
      reuse: config.reuseCluster,
      images: config.images,
      logsDir: config.output,
      log: ctx.log,
      ...onCreated,
    });
    let handle: ClusterHandle | null = null;
    return {
      name: 'kind',
      upTitle: `cluster up (kind, Kubernetes ${config.kubernetesVersion})`,
      up: async () => (handle = await cluster.up()),
      down: () => cluster.down(),
      logSources: () => [],
      // Nothing to build beside the start: the addon images, named here, go into the node image.
      prepareAddons: (requested) => {
        cluster.planAddonImages(inClusterAddonImages(requested, addonChoices(config)));
        return Promise.resolve();
      },
      installAddons: (addons) =>
        installInClusterAddons(upHandle(handle), addonsDir, addons, {
          where: 'kind',
          sayLeftOut: true,
          image: (image) => cluster.addonImage(image),
          preload: (images) => cluster.preloadAddonImages(images),
        }),
    };
  }
  const cluster = new ExistingProvider({
    ...(config.kubeconfig ? { kubeconfig: config.kubeconfig } : {}),
    ...(config.context ? { context: config.context } : {}),
    runId: ctx.runId,
    log: ctx.log,
    ...onCreated,
  });
  let handle: ClusterHandle | null = null;
  return {
    name: 'existing',
    upTitle: 'cluster (existing)',
    up: async () => (handle = await cluster.up()),
    down: () => cluster.down(),
    logSources: () => [],
    installAddons: async (addons) => {
      const up = upHandle(handle);
      const installed = await installInClusterAddons(up, addonsDir, addons, {
        where: 'the existing cluster',
        sayLeftOut: false,
        // What kaic applies to a cluster it did not create is recorded for the post step.
        ...(ctx.onCreated
          ? {
              onChart: (chart) =>
                ctx.onCreated!({ type: 'chart', kubeconfigPath: up.kubeconfigPath, chart }),
            }
          : {}),
      });
      return { ...installed, accelerator: await acceleratorsFound(up, addons) };
    },
  };
}

/** A self-hosted GPU runner's cluster: which accelerators the suites will test, said in the log. */
async function acceleratorsFound(
  handle: ClusterHandle,
  ctx: AddonInstallContext,
): Promise<string | null> {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(handle.kubeconfigPath);
  try {
    const found = await detectAccelerator(kubeConfig);
    const accelerator = `${found.profile.kind} (${found.mode === 'dra' ? `DRA ${found.profile.draDriver}` : `device plugin ${found.profile.extendedResource}`})`;
    ctx.log(`accelerators: ${accelerator} on ${found.nodes.length} nodes (${found.reason})`);
    return accelerator;
  } catch (error) {
    ctx.log(
      `accelerators: none found (${(error as Error).message}); suites that need one report it`,
    );
    return null;
  }
}
