/**
 * The phases of a run before and after the suites, each a function of the run's context: it reads
 * what earlier phases found, adds what it finds, and registers the undo of what it creates.
 */
import { join } from 'node:path';

import { addonChoices } from '../config/run-config.js';
import { addonsFor, type AddonId } from '../addons/plan.js';
import { nodeRolesLine } from '../k8s/kwok-nodes.js';
import { createProvider } from '../providers/index.js';
import type { Provider } from '../providers/types.js';
import { selectRequirements } from '../runner/run-suites.js';
import { fallbackDirectory } from '../util/safe-write.js';
import { collectComponentLogs, logTail } from './component-logs.js';
import { need, type RunContext } from './context.js';
import { versionFor, type VersionPlan } from './plan.js';

/** cluster: the provider made from the config, its cluster up (and its down registered first). */
export async function clusterPhase(ctx: RunContext): Promise<void> {
  const provider = await createProvider(ctx.plan.config, {
    runId: ctx.runId,
    workDir: ctx.workDir,
    log: ctx.log,
    ...(ctx.onCreated ? { onCreated: ctx.onCreated } : {}),
  });
  ctx.provider = provider;
  ctx.undo.push('cluster down', () => ctx.progress.phase('cluster down', () => provider.down()));
  startPreparingAddons(ctx, provider);
  const cluster = await ctx.progress.phase(provider.upTitle, () => provider.up());
  ctx.cluster = cluster;
  ctx.log(`cluster ${cluster.name}: kube-apiserver ${cluster.serverVersion}`);
  const { realContainerNodes, simulatedNodesTainted } = cluster.capabilities;
  ctx.log(`nodes: ${nodeRolesLine(cluster.nodes, realContainerNodes, simulatedNodesTainted)}`);
}

/** requirements: those of the cluster's minor (planned already when the minor was known). */
export async function requirementsPhase(ctx: RunContext): Promise<void> {
  const { minor } = need(ctx.cluster, 'cluster');
  const planned = ctx.plan.version;
  const version = planned && planned.minor === minor ? planned : await versionFor(ctx.plan, minor);
  for (const note of version.notes) ctx.log(note);
  ctx.version = version;
}

/**
 * The addons to install: those --addons named; by default, of all the provider offers, those a
 * selected requirement needs (so a run of one requirement builds and starts only its own), each
 * with the requirements it is for.
 */
export function addonRequest(
  plan: RunContext['plan'],
  version: VersionPlan,
): { ids: AddonId[]; forWhat: Map<AddonId, string[]>; narrowed: boolean } {
  const { config, selection } = plan;
  if (config.addonsGiven || config.addons.length === 0) {
    return { ids: config.addons, forWhat: new Map(), narrowed: false };
  }
  const selected = selectRequirements(version.requirements, selection)
    .map((r) => r.id)
    .filter((id) => !version.justifications.has(id));
  const wanted = addonsFor(selected).filter((a) => config.addons.includes(a.id));
  return {
    ids: wanted.map((a) => a.id),
    forWhat: new Map(wanted.map((a) => [a.id, a.for])),
    narrowed: wanted.length < config.addons.length,
  };
}

/**
 * Tells the provider the addons before its cluster starts: kwok builds their binaries beside the
 * start (the addons phase waits for it), kind preloads their local images into its nodes. Known
 * only when the minor (so the requirements) is known before the cluster.
 */
function startPreparingAddons(ctx: RunContext, provider: Provider): void {
  const version = ctx.plan.version;
  if (!provider.prepareAddons || !version) return;
  const request = addonRequest(ctx.plan, version);
  if (!request.ids.length) return;
  ctx.addonsPrepared = provider.prepareAddons(request.ids, request.forWhat, ctx.log).then(
    () => null,
    (error: Error) => error,
  );
}

/** addons: what the run asked for, installed the provider's way; their undo registered by it. */
export async function addonsPhase(ctx: RunContext): Promise<void> {
  const { config } = ctx.plan;
  const request = addonRequest(ctx.plan, need(ctx.version, 'requirements'));
  if (request.narrowed) {
    ctx.log(
      `addons for the selected requirements: ${request.ids.map((id) => `${id} (${request.forWhat.get(id)?.join(', ')})`).join(', ') || 'none'}; ` +
        `--addons names others to install anyway`,
    );
  }
  const prepared = await ctx.addonsPrepared;
  if (prepared) throw prepared;
  ctx.addons = await need(ctx.provider, 'provider').installAddons({
    requested: request.ids,
    choices: addonChoices(config),
    gpuProfile: config.gpuProfile,
    gpusPerNode: config.gpusPerNode,
    log: ctx.log,
    phase: (title, step) => ctx.progress.phase(title, step),
    undo: ctx.undo,
  });
}

/**
 * Copies the components' logs beside the reports, before the teardown removes them: when the
 * run failed, or --verbose asked (which also prints their ends).
 */
export async function keepComponentLogs(ctx: RunContext): Promise<void> {
  const { verbose } = ctx.plan.config;
  const sources = ctx.provider?.logSources() ?? [];
  if (!(ctx.failed || verbose) || !sources.length) return;
  // Beside the reports; where those could not go, under the system temp dir.
  let dest = join(ctx.reportDir, 'logs');
  let copied = await collectComponentLogs(sources, dest).catch(() => null);
  if (!copied) {
    dest = join(await fallbackDirectory('kaic-logs-'), 'logs');
    copied = await collectComponentLogs(sources, dest).catch(() => [] as string[]);
  }
  if (verbose) {
    for (const file of copied) ctx.out.write(await logTail(file, 20, file.slice(dest.length + 1)));
  }
  if (copied.length) ctx.log(`component logs (${copied.length} files) in ${dest}`);
}
