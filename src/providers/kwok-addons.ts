/**
 * The addon plan carried out on a kwok cluster: every component runs as a process on this
 * machine (each addon's folder under src/addons/ says what), its webhooks served from here and
 * its Services published through stand-in pods on the real node. Waves start in order, the
 * members of a wave in parallel; stop() stops what started, in reverse.
 */

import * as k8s from '@kubernetes/client-node';

import { execa } from 'execa';

import {
  addonOf,
  addonSpec,
  reportAddonPlan,
  resolveAddonPlan,
  type AddonId,
  type AddonPlan,
} from '../addons/plan.js';
import type {
  AddonChoices,
  BesideClusterContext,
  KubeletPluginNode,
  RunningKubeletPlugin,
  SharedFacts,
  StartedAddon,
} from '../addons/types.js';
import { terminateProcess } from '../util/processes.js';
import { publishHostService } from '../k8s/host-service.js';
import type { KwokClusterHandle } from './kwok.js';
import { kubernetesRelease, type KubernetesRelease } from '../versions/kubernetes.js';
import { startSimulatedGpus } from './simulated-gpus.js';
import type { AddonInstallContext, InstalledAddons, OnCreated } from './types.js';

export interface KwokAddonContext {
  handle: KwokClusterHandle;
  kubeConfig: k8s.KubeConfig;
  release: KubernetesRelease;
  /** Working directory for the addons' files and logs. */
  dir: string;
  gpuProfile: string;
  gpusPerNode: number;
  choices: AddonChoices;
  log: (line: string) => void;
  /** Told of what an addon creates outside the run's directory (the post step's records). */
  onCreated?: OnCreated | undefined;
}

/** Where kubelet serves device-plugin registration (fixed in its device manager). */
const KUBELET_DEVICE_PLUGINS_DIR = '/var/lib/kubelet/device-plugins';

/** The real node as kubelet plugins see it: its name and its kubelet's directories. */
function realNodePluginView(handle: KwokClusterHandle): KubeletPluginNode {
  const real = handle.realNode;
  if (!real) throw new Error('a kubelet plugin needs the real node, and this cluster has none');
  return {
    name: real.name,
    registryDir: real.pluginsRegistryDir,
    pluginsDir: real.pluginsDir,
    // Fixed in kubelet's device manager, whatever its root directory.
    devicePluginsDir: KUBELET_DEVICE_PLUGINS_DIR,
    cdiDir: real.cdiDir,
    kubeconfigPath: handle.kubeconfigPath,
  };
}

/** A kubelet plugin binary as a process of this machine, for the real node's kubelet. */
async function startRealNodeKubeletPlugin(
  handle: KwokClusterHandle,
  command: (node: KubeletPluginNode) => {
    file: string;
    args: string[];
    env: Record<string, string>;
  },
): Promise<RunningKubeletPlugin> {
  const node = realNodePluginView(handle);
  const { file, args, env } = command(node);
  let output = '';
  const child = execa(file, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    extendEnv: false,
    reject: false,
    all: true,
  });
  child.all?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-64_000);
  });
  let exited = false;
  void child.then(() => (exited = true));
  // A plugin that cannot start exits at once; say so with its words instead of a timeout later.
  await new Promise((resolve) => setTimeout(resolve, 300));
  if (exited) throw new Error(`${file} exited at start:\n${output.slice(-4000)}`);
  return {
    node: node.name,
    output: () => output,
    stop: async () => {
      if (!exited && child.pid) await terminateProcess(child.pid);
      await child;
    },
  };
}

/** How kwok runs an addon: here, its Services through the real node, the GPUs kwok's way. */
function besideContext(
  ctx: KwokAddonContext,
  id: AddonId,
  shared: SharedFacts,
): BesideClusterContext {
  const { handle } = ctx;
  return {
    kubeConfig: ctx.kubeConfig,
    kubeconfigPath: handle.kubeconfigPath,
    ca: handle.ca,
    release: ctx.release,
    dir: ctx.dir,
    gpuProfile: ctx.gpuProfile,
    gpusPerNode: ctx.gpusPerNode,
    choices: ctx.choices,
    log: ctx.log,
    shared,
    kubeletPluginNode: () => realNodePluginView(handle),
    startKubeletPlugin: (command) => startRealNodeKubeletPlugin(handle, command),
    recordCreatedDirectory: (path) => ctx.onCreated?.({ type: 'directory', path }),
    publishService: (service) => {
      const node = handle.realNode;
      if (!node) throw new Error(`addon ${id} needs the real node, and this cluster has none`);
      return publishHostService(ctx.kubeConfig, { ...service, node: node.name });
    },
    startSimulatedGpus: async () => {
      const gpus = await startSimulatedGpus({
        kubeConfig: ctx.kubeConfig,
        kubeconfigPath: handle.kubeconfigPath,
        release: ctx.release,
        profileName: ctx.gpuProfile,
        gpusPerNode: ctx.gpusPerNode,
        ...(handle.realNode ? { realNode: handle.realNode } : {}),
      });
      return {
        profile: gpus.profile,
        summary:
          `${ctx.gpusPerNode} × ${gpus.profile.name} on every node` +
          (handle.realNode ? `, kubelet plugin on ${handle.realNode.name}` : ''),
        stop: () => gpus.stop(),
      };
    },
  };
}

async function startBeside(
  ctx: KwokAddonContext,
  id: AddonId,
  shared: SharedFacts,
): Promise<StartedAddon> {
  const start = addonOf(id).besideCluster;
  if (!start) throw new Error(`kaic does not run ${addonSpec(id).component} beside a kwok cluster`);
  return start(besideContext(ctx, id, shared));
}

export interface RunningAddons {
  /** Settings for the suites, from every addon. */
  env: Record<string, string>;
  /** What the addons left for each other (the accelerator the fake-GPU addon runs). */
  shared?: SharedFacts;
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
  const shared: SharedFacts = {};
  const started: Array<{ id: AddonId; addon: StartedAddon }> = [];
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
        const what = addonOf(id).installs?.(ctx.choices) ?? addonSpec(id);
        ctx.log(`addon ${id}: starting ${what.component} ${what.version}`);
        const addon = await startBeside(ctx, id, shared).catch((error: Error) => {
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
  return { env, shared, stop };
}

/**
 * The run's addons on a kwok cluster, as processes here. Without a real node, what needs one is
 * left out (said per addon).
 */
export async function installKwokAddons(
  handle: KwokClusterHandle,
  dir: string,
  ctx: AddonInstallContext,
  onCreated?: OnCreated,
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
        choices: ctx.choices,
        log: ctx.log,
        onCreated,
      },
      (stop) => ctx.undo.push('addons', () => ctx.phase('addons down', stop)),
    ),
  );
  return {
    env: running.env,
    accelerator: running.shared?.accelerator ?? (ids.includes('fake-gpu') ? ctx.gpuProfile : null),
  };
}

/**
 * Builds the binaries of the addons the plan will start (what the requested ones need included,
 * what needs a missing real node left out), in dependency order, each line saying which addon and
 * for which requirements. Cached ones say nothing.
 */
export async function prepareKwokAddons(
  requested: readonly AddonId[],
  forWhat: ReadonlyMap<AddonId, readonly string[]>,
  options: { realNode: boolean; choices: AddonChoices; log: (line: string) => void },
): Promise<void> {
  const plan = resolveAddonPlan(requested, { realNode: options.realNode });
  for (const id of plan.waves.flat()) {
    const why = forWhat.get(id)?.join(', ') ?? plan.added.find((a) => a.id === id)?.neededBy;
    await addonOf(id).prepare?.((line) => {
      if (!/: cached \(/.test(line))
        options.log(`addon ${id}${why ? ` (for ${why})` : ''}: ${line}`);
    }, options.choices);
  }
}
