/**
 * The phases of a run before and after the suites, each a function of the run's context: it reads
 * what earlier phases found, adds what it finds, and registers the undo of what it creates.
 */
import { join } from 'node:path';

import { nodeRolesLine } from '../k8s/kwok-nodes.js';
import { createProvider } from '../providers/index.js';
import { fallbackDirectory } from '../util/safe-write.js';
import { collectComponentLogs, logTail } from './component-logs.js';
import { need, type RunContext } from './context.js';
import { versionFor } from './plan.js';

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

/** addons: what the run asked for, installed the provider's way; their undo registered by it. */
export async function addonsPhase(ctx: RunContext): Promise<void> {
  const { config } = ctx.plan;
  ctx.addons = await need(ctx.provider, 'provider').installAddons({
    requested: config.addons,
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
