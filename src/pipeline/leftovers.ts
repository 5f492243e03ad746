/**
 * Removes what a killed run left behind, from the records it made as it created things
 * (CreatedResource): the action's post step calls this after main, also after a cancel. What main's
 * own teardown already removed is found gone and skipped. A cluster kaic did not create (an
 * attached one, a reused kind cluster) is never in the records, so never touched.
 */
import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';

import { INSTALL_LABEL, removeChart } from '../addons/charts.js';
import { removeRunNamespaces } from '../providers/existing.js';
import { deleteCluster } from '../providers/kwok.js';
import type { CreatedResource } from '../providers/types.js';
import { processCommandLine, processNamesPathUnder, terminateProcess } from '../util/processes.js';
import { UndoLog } from '../util/undo-log.js';

/** Live processes (not this one) whose command line or environment names a path under `dir`. */
async function processesUnder(dir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (await processNamesPathUnder(pid, dir)) pids.push(pid);
  }
  return pids;
}

/** The undo of one record, as the post step runs it; undefined for a directory (removed last). */
function undoOf(
  record: CreatedResource,
  log: (line: string) => void,
  removed: string[],
): (() => Promise<void>) | undefined {
  switch (record.type) {
    case 'kwok-cluster':
      return async () => {
        const dir = join(record.workdir, 'clusters', record.name);
        if (!existsSync(dir)) return;
        log(`deleting kwok cluster ${record.name}`);
        await deleteCluster(record.workdir, record.name, record.kwokctl, log);
        // What kwokctl does not know of: processes kaic started for the cluster (the fake-GPU
        // kubelet plugin of the real node) and that its own teardown would have stopped.
        await stopProcessesUnder(dir, log, removed);
        await rm(dir, { recursive: true, force: true });
        removed.push(`kwok cluster ${record.name}`);
      };
    case 'run-namespaces':
      return async () => {
        if (!existsSync(record.kubeconfigPath)) return;
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        const gone = await removeRunNamespaces(kc, record.runId, log);
        removed.push(...gone.map((n) => `namespace ${n}`));
      };
    case 'chart':
      return async () => {
        if (!existsSync(record.kubeconfigPath)) return;
        const kc = new k8s.KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        // Every install has its own labelled namespace; not every one has CRDs.
        const selector = { labelSelector: `${INSTALL_LABEL}=${record.chart}` };
        const namespaces = await kc.makeApiClient(k8s.CoreV1Api).listNamespace(selector);
        const crds = await kc
          .makeApiClient(k8s.ApiextensionsV1Api)
          .listCustomResourceDefinition(selector);
        if (!namespaces.items.length && !crds.items.length) return;
        log(`removing what kaic applied from the ${record.chart} chart`);
        await removeChart(kc, record.chart, log);
        removed.push(`${record.chart} chart`);
      };
    case 'kind-cluster':
      return async () => {
        const listed = await execa(record.kind, ['get', 'clusters'], { reject: false });
        if (
          !listed.stdout
            .split('\n')
            .map((l) => l.trim())
            .includes(record.name)
        )
          return;
        log(`deleting kind cluster ${record.name}`);
        const deleted = await execa(record.kind, ['delete', 'cluster', '--name', record.name], {
          reject: false,
          all: true,
        });
        if (deleted.exitCode !== 0) throw new Error(`kind delete cluster failed: ${deleted.all}`);
        removed.push(`kind cluster ${record.name}`);
      };
    case 'directory':
      return undefined;
  }
}

async function stopProcessesUnder(dir: string, log: (line: string) => void, removed: string[]) {
  for (const pid of await processesUnder(dir)) {
    log(`stopping process ${pid} (${((await processCommandLine(pid)) ?? '').slice(0, 120)})`);
    await terminateProcess(pid);
    removed.push(`process ${pid}`);
  }
}

/**
 * Removes the recorded leftovers; returns one line per thing removed. Errors are said, not thrown.
 * The records become an undo log, unwound as main's own teardown would: newest first, the run's
 * directories last and the processes under them first (addons talk to the cluster and write there).
 */
export async function removeLeftovers(
  records: readonly CreatedResource[],
  log: (line: string) => void,
): Promise<string[]> {
  const removed: string[] = [];
  const directories = records.filter((r) => r.type === 'directory');
  const undo = new UndoLog(log);
  for (const { path } of directories) {
    undo.push(`could not remove ${path}`, async () => {
      if (!existsSync(path)) return;
      await rm(path, { recursive: true, force: true });
      removed.push(`directory ${path}`);
    });
  }
  // The run's namespaces go before the charts whose controllers finalize what is in them (a
  // killed suite leaves a JobSet behind): registered last, they are undone first.
  const ordered = [
    ...records.filter((r) => r.type !== 'run-namespaces'),
    ...records.filter((r) => r.type === 'run-namespaces'),
  ];
  for (const record of ordered) {
    const step = undoOf(record, log, removed);
    const name = 'name' in record ? ` ${record.name}` : '';
    if (step) undo.push(`could not remove ${record.type}${name}`, step);
  }
  undo.push('could not stop the processes', async () => {
    for (const { path } of directories) await stopProcessesUnder(path, log, removed);
  });
  await undo.unwind();
  return removed;
}

/** Parses the records saved by main; a malformed value is no records (and said). */
export function parseRecords(text: string, log: (line: string) => void): CreatedResource[] {
  if (!text.trim()) return [];
  try {
    const value = JSON.parse(text) as unknown;
    if (!Array.isArray(value)) throw new Error('not a list');
    return value.filter(
      (r): r is CreatedResource =>
        typeof r === 'object' &&
        r !== null &&
        ['directory', 'kwok-cluster', 'kind-cluster', 'run-namespaces', 'chart'].includes(
          (r as { type?: string }).type ?? '',
        ),
    );
  } catch (error) {
    log(`the saved record of what main created is unreadable (${(error as Error).message})`);
    return [];
  }
}
