/**
 * `kaic up` / `kaic down`: the first phases of a run (cluster, addons) left running for a person
 * debugging a failure, who reruns one requirement against it with `kaic run --provider existing`.
 * What up created is recorded in the cache as it is created (the post step's records), so that
 * `kaic down` removes it also after the up process died.
 */
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { cacheDir } from '../cache.js';
import { UsageError } from '../errors.js';
import type { CreatedResource } from '../providers/types.js';
import { isProcessAlive, onTerminationSignal } from '../util/processes.js';
import { makeDirectories } from '../util/safe-write.js';
import { waitFor } from '../util/wait.js';
import { need, startRun } from './context.js';
import { parseRecords, removeLeftovers } from './leftovers.js';
import { addonsPhase, clusterPhase, requirementsPhase } from './phases.js';
import type { RunPlan } from './plan.js';
import type { ProgressStream } from './progress.js';

export interface UpState {
  pid: number;
  runId: string;
  kubeconfig: string;
  /** The addons' settings, which `kaic run --provider existing` needs in its environment. */
  env: Record<string, string>;
  records: CreatedResource[];
}

/** Where the cluster that is up is described: $KAIC_UP_STATE, or in the cache (one at a time per cache). */
export function upStatePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KAIC_UP_STATE || join(cacheDir(env), 'up', 'state.json');
}

async function readState(path: string): Promise<UpState | null> {
  if (!existsSync(path)) return null;
  const state = JSON.parse(await readFile(path, 'utf8')) as UpState;
  state.records = parseRecords(JSON.stringify(state.records ?? []), () => undefined);
  return state;
}

/**
 * Brings the cluster and the addons up, says how to use them, and keeps them until SIGINT or
 * SIGTERM (`kaic down` sends it); then removes everything, as a run's teardown does.
 */
export async function upCluster(
  plan: RunPlan,
  out: ProgressStream = process.stdout,
): Promise<number> {
  const path = upStatePath();
  const before = await readState(path).catch(() => null);
  if (before && isProcessAlive(before.pid)) {
    throw new UsageError(
      `a cluster is up already (kaic up, pid ${before.pid}, kubeconfig ${before.kubeconfig}); run kaic down first`,
    );
  }
  if (before) {
    throw new UsageError(
      `the kaic up that made ${path} is gone and left its cluster; run kaic down to remove it first`,
    );
  }
  await makeDirectories(dirname(path));
  const state: UpState = { pid: process.pid, runId: '', kubeconfig: '', env: {}, records: [] };
  // Every record is saved the moment it is made: a crash of this process leaves kaic down a list.
  let saving = Promise.resolve();
  const save = () => (saving = saving.then(() => writeFile(path, JSON.stringify(state, null, 2))));
  const ctx = await startRun(plan, out, (resource) => {
    state.records.push(resource);
    void save();
  });
  state.runId = ctx.runId;
  let tornDown: Promise<void> | null = null;
  const tearDown = () =>
    (tornDown ??= (async () => {
      await ctx.undo.unwind();
      await saving.catch(() => undefined);
      await rm(path, { force: true });
      out.write(ctx.progress.table());
    })());
  // The signal (kaic down sends SIGTERM) ends the process once everything is down.
  const removeSignalHandlers = onTerminationSignal(async () => {
    ctx.log('taking the cluster down');
    await tearDown();
  });
  try {
    await clusterPhase(ctx);
    // The requirements of its minor decide the default addons (what the selection needs).
    await requirementsPhase(ctx);
    await addonsPhase(ctx);
    state.kubeconfig = need(ctx.cluster, 'cluster').kubeconfigPath;
    state.env = ctx.addons?.env ?? {};
    await save();
    const env = Object.entries(state.env)
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    ctx.log(`up: KUBECONFIG=${state.kubeconfig}`);
    ctx.log(
      `rerun a requirement: ${env}kaic run --provider existing --kubeconfig ${state.kubeconfig} --requirements <id>`,
    );
    ctx.log('take it down: kaic down (or stop this process)');
  } catch (error) {
    removeSignalHandlers();
    await tearDown();
    throw error;
  }
  // Until a signal: the timer keeps the process alive when nothing else does (no addons).
  return new Promise<number>(() => setInterval(() => undefined, 1 << 30));
}

/**
 * Takes down what kaic up made: asks the up process to stop and waits for it, or, when it is gone,
 * removes what it recorded.
 */
export async function downCluster(
  log: (line: string) => void,
  timeoutMs = 120_000,
): Promise<number> {
  const path = upStatePath();
  const state = await readState(path).catch((error: Error) => {
    throw new UsageError(`${path} is unreadable (${error.message}); remove it by hand`);
  });
  if (!state) {
    log(`no cluster is up (no ${path})`);
    return 0;
  }
  if (isProcessAlive(state.pid)) {
    log(`stopping kaic up (pid ${state.pid})`);
    process.kill(state.pid, 'SIGTERM');
    await waitFor(
      `kaic up (pid ${state.pid}) to take its cluster down`,
      async () => !isProcessAlive(state.pid),
      timeoutMs,
      250,
    );
    log('down');
    return 0;
  }
  log(`kaic up (pid ${state.pid}) is gone; removing what it recorded`);
  const removed = await removeLeftovers(state.records, log);
  await rm(path, { force: true });
  log(removed.length ? `removed: ${removed.join(', ')}` : 'nothing was left');
  return 0;
}
