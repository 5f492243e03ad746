/**
 * The addon plan in a cluster whose pods run (kind, or an existing cluster): each addon's
 * in-cluster install (its folder under src/addons/ says what: the fake-GPU driver's manifests,
 * Kueue's and JobSet's charts, Prometheus, prometheus-adapter, the Gateway API with Traefik, the
 * autoscaler as processes here), wave by wave, under kaic's install label, each left alone when
 * the cluster already has it and removed again at the end.
 */
import * as k8s from '@kubernetes/client-node';

import {
  addonOf,
  addonSpec,
  ADDON_IDS,
  reportAddonPlan,
  resolveAddonPlan,
  type AddonId,
  type AddonPlan,
} from '../addons/plan.js';
import type { KindChart } from '../addons/charts.js';
import type { AddonImage } from '../images/addon-images.js';
import type { AddonChoices, InClusterContext, InClusterInstall } from '../addons/types.js';
import { SUITE_SETTINGS } from '../runner/suite-settings.js';
import { mirroredImage } from '../versions/images.js';
import { kubernetesRelease } from '../versions/kubernetes.js';
import type { RunningAddons } from './kwok-addons.js';
import type { AddonInstallContext, ClusterHandle, InstalledAddons } from './types.js';

/** Addons kaic can install into a cluster whose pods run today. */
export const KIND_INSTALLABLE: readonly AddonId[] = ADDON_IDS.filter((id) => addonOf(id).inCluster);

/**
 * What the in-cluster installer is given; each addon also gets crdPresent from it, and image()
 * when the caller has none (the pinned upstream images).
 */
export type KindAddonContext = Omit<InClusterContext, 'crdPresent' | 'image'> &
  Partial<Pick<InClusterContext, 'image'>>;

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
  /** The cluster is deleted after the run: only what runs on this machine is stopped. */
  disposable = false,
): Promise<RunningAddons> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const stopOne of stops.reverse()) await stopOne();
    stops.length = 0;
  };
  register(stop);
  const env: Record<string, string> = {};
  const ext = ctx.kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
  const inClusterContext: InClusterContext = {
    ...ctx,
    image:
      ctx.image ??
      ((image) =>
        Promise.resolve(
          mirroredImage(
            image.upstream,
            SUITE_SETTINGS.imageMirror.parse(process.env.KAIC_IMAGE_MIRROR),
          ),
        )),
    crdPresent: (name) =>
      ext
        .readCustomResourceDefinition({ name })
        .then(() => `CRD ${name}`)
        .catch(() => null),
  };
  const installAddon = async (id: AddonId, addon: InClusterInstall) => {
    const present = await addon.present();
    if (present) {
      ctx.log(`addon ${id}: already present (${present}); left as it is`);
      Object.assign(env, addon.presentEnv ?? {});
      return;
    }
    const t0 = Date.now();
    const installed = await addon.install();
    if (!disposable || addon.runsHere) stops.push(installed.stop);
    Object.assign(env, installed.env);
    ctx.log(`addon ${id}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  };
  // Wave by wave as the plan orders them, the members of a wave in parallel.
  for (const wave of plan.waves) {
    await Promise.all(
      wave.flatMap((id) => {
        const install = addonOf(id).inCluster?.(inClusterContext);
        if (!install) return [];
        if ('comesWith' in install) {
          ctx.log(`addon ${id}: ${install.comesWith}`);
          return [];
        }
        return [installAddon(id, install)];
      }),
    );
  }
  return { env, stop };
}

/** The plan of `requested` on a cluster whose pods run: what kaic installs there, in waves. */
function inClusterPlan(requested: readonly AddonId[]) {
  const resolved = resolveAddonPlan(requested, { realNode: true });
  const plan = {
    ...resolved,
    waves: resolved.waves
      .map((w) => w.filter((id) => KIND_INSTALLABLE.includes(id)))
      .filter((w) => w.length),
  };
  return { resolved, plan, ids: plan.waves.flat() };
}

/** The images the in-cluster installs of `requested` (and what they need) run. */
export function inClusterAddonImages(
  requested: readonly AddonId[],
  choices: AddonChoices,
): AddonImage[] {
  return inClusterPlan(requested).ids.flatMap((id) => addonOf(id).images?.(choices) ?? []);
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
  options: {
    where: string;
    sayLeftOut: boolean;
    onChart?: (chart: KindChart) => void;
    /** Where addon images come from; default the pinned upstream images. */
    image?: InClusterContext['image'];
    /** Makes the images of all the installs ready at once, before the first (kind: one load). */
    preload?: (images: AddonImage[]) => Promise<void>;
  },
): Promise<InstalledAddons> {
  if (!ctx.requested.length) return { env: {}, accelerator: null };
  const { resolved, plan, ids } = inClusterPlan(ctx.requested);
  reportAddonPlan(resolved, options.sayLeftOut ? notInstalledOnKind(resolved) : [], ctx.log);
  ctx.log(`addons on ${options.where}: ${ids.join(', ') || 'none'}`);
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromFile(handle.kubeconfigPath);
  const running = await ctx.phase(`addons (${ids.length} on ${options.where})`, async () => {
    await options.preload?.(inClusterAddonImages(ctx.requested, ctx.choices));
    return startKindAddons(
      plan,
      {
        kubeConfig,
        kubeconfigPath: handle.kubeconfigPath,
        dir,
        release: kubernetesRelease(handle.minor),
        serverVersion: handle.serverVersion,
        gpuProfile: ctx.gpuProfile,
        gpusPerNode: ctx.gpusPerNode,
        choices: ctx.choices,
        log: ctx.log,
        ...(options.onChart ? { onChart: options.onChart } : {}),
        ...(options.image ? { image: options.image } : {}),
      },
      (stop) => ctx.undo.push('addons', () => ctx.phase('addons down', stop)),
      // A cluster kaic made and deletes takes the addons' objects with it.
      handle.capabilities.disposable && handle.provider === 'kind',
    );
  });
  return { env: running.env, accelerator: ids.includes('fake-gpu') ? ctx.gpuProfile : null };
}
