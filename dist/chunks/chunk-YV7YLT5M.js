import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  UndoLog,
  deleteCluster,
  removeRunNamespaces
} from "./chunk-A5R5FKML.js";
import {
  INSTALL_LABEL,
  execa,
  removeChart
} from "./chunk-DM634JXI.js";
import {
  processCommandLine,
  terminateProcess
} from "./chunk-M32DOC7A.js";
import {
  KubeConfig,
  ObjectApiextensionsV1Api,
  ObjectCoreV1Api
} from "./chunk-ETKQSHAL.js";

// src/pipeline/leftovers.ts
import { existsSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import { join } from "node:path";
async function processesUnder(dir) {
  const pids = [];
  for (const entry of await readdir("/proc").catch(() => [])) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmdline = await processCommandLine(pid);
    if (cmdline?.includes(dir)) pids.push(pid);
  }
  return pids;
}
function undoOf(record, log, removed) {
  switch (record.type) {
    case "kwok-cluster":
      return async () => {
        const dir = join(record.workdir, "clusters", record.name);
        if (!existsSync(dir)) return;
        log(`deleting kwok cluster ${record.name}`);
        await deleteCluster(record.workdir, record.name, record.kwokctl, log);
        await stopProcessesUnder(dir, log, removed);
        await rm(dir, { recursive: true, force: true });
        removed.push(`kwok cluster ${record.name}`);
      };
    case "run-namespaces":
      return async () => {
        if (!existsSync(record.kubeconfigPath)) return;
        const kc = new KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        const gone = await removeRunNamespaces(kc, record.runId, log);
        removed.push(...gone.map((n) => `namespace ${n}`));
      };
    case "chart":
      return async () => {
        if (!existsSync(record.kubeconfigPath)) return;
        const kc = new KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        const selector = { labelSelector: `${INSTALL_LABEL}=${record.chart}` };
        const namespaces = await kc.makeApiClient(ObjectCoreV1Api).listNamespace(selector);
        const crds = await kc.makeApiClient(ObjectApiextensionsV1Api).listCustomResourceDefinition(selector);
        if (!namespaces.items.length && !crds.items.length) return;
        log(`removing what kaic applied from the ${record.chart} chart`);
        await removeChart(kc, record.chart, log);
        removed.push(`${record.chart} chart`);
      };
    case "kind-cluster":
      return async () => {
        const listed = await execa(record.kind, ["get", "clusters"], { reject: false });
        if (!listed.stdout.split("\n").map((l) => l.trim()).includes(record.name))
          return;
        log(`deleting kind cluster ${record.name}`);
        const deleted = await execa(record.kind, ["delete", "cluster", "--name", record.name], {
          reject: false,
          all: true
        });
        if (deleted.exitCode !== 0) throw new Error(`kind delete cluster failed: ${deleted.all}`);
        removed.push(`kind cluster ${record.name}`);
      };
    case "directory":
      return void 0;
  }
}
async function stopProcessesUnder(dir, log, removed) {
  for (const pid of await processesUnder(dir)) {
    log(`stopping process ${pid} (${(await processCommandLine(pid) ?? "").slice(0, 120)})`);
    await terminateProcess(pid);
    removed.push(`process ${pid}`);
  }
}
async function removeLeftovers(records, log) {
  const removed = [];
  const directories = records.filter((r) => r.type === "directory");
  const undo = new UndoLog(log);
  for (const { path } of directories) {
    undo.push(`could not remove ${path}`, async () => {
      if (!existsSync(path)) return;
      await rm(path, { recursive: true, force: true });
      removed.push(`directory ${path}`);
    });
  }
  for (const record of records) {
    const step = undoOf(record, log, removed);
    const name = "name" in record ? ` ${record.name}` : "";
    if (step) undo.push(`could not remove ${record.type}${name}`, step);
  }
  undo.push("could not stop the processes", async () => {
    for (const { path } of directories) await stopProcessesUnder(path, log, removed);
  });
  await undo.unwind();
  return removed;
}
function parseRecords(text, log) {
  if (!text.trim()) return [];
  try {
    const value = JSON.parse(text);
    if (!Array.isArray(value)) throw new Error("not a list");
    return value.filter(
      (r) => typeof r === "object" && r !== null && ["directory", "kwok-cluster", "kind-cluster", "run-namespaces", "chart"].includes(
        r.type ?? ""
      )
    );
  } catch (error) {
    log(`the saved record of what main created is unreadable (${error.message})`);
    return [];
  }
}

export {
  removeLeftovers,
  parseRecords
};
