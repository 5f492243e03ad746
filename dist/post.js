import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  STATE_CREATED,
  STATE_MAIN_RAN
} from "./chunks/chunk-LYE2TJEJ.js";
import {
  INSTALL_LABEL,
  deleteCluster,
  execa,
  getState,
  info,
  processCommandLine,
  removeChart,
  removeRunNamespaces,
  terminateProcess,
  warning
} from "./chunks/chunk-WP5NPBKH.js";
import "./chunks/chunk-ARFH6SL4.js";
import "./chunks/chunk-6JVSTI67.js";
import {
  KubeConfig,
  ObjectApiextensionsV1Api,
  ObjectCoreV1Api
} from "./chunks/chunk-4B6QAMHQ.js";

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
async function removeLeftovers(records, log) {
  const removed = [];
  const directories = records.filter((r) => r.type === "directory");
  for (const { path } of directories) {
    for (const pid of await processesUnder(path)) {
      log(`stopping process ${pid} (${(await processCommandLine(pid) ?? "").slice(0, 120)})`);
      await terminateProcess(pid);
      removed.push(`process ${pid}`);
    }
  }
  for (const record of records) {
    try {
      if (record.type === "kwok-cluster") {
        if (!existsSync(join(record.workdir, "clusters", record.name))) continue;
        const dir = join(record.workdir, "clusters", record.name);
        log(`deleting kwok cluster ${record.name}`);
        await deleteCluster(record.workdir, record.name, record.kwokctl, log);
        for (const pid of await processesUnder(dir)) {
          log(`stopping process ${pid} (${(await processCommandLine(pid) ?? "").slice(0, 120)})`);
          await terminateProcess(pid);
          removed.push(`process ${pid}`);
        }
        await rm(dir, { recursive: true, force: true });
        removed.push(`kwok cluster ${record.name}`);
      } else if (record.type === "run-namespaces") {
        if (!existsSync(record.kubeconfigPath)) continue;
        const kc = new KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        const gone = await removeRunNamespaces(kc, record.runId, log);
        removed.push(...gone.map((n) => `namespace ${n}`));
      } else if (record.type === "chart") {
        if (!existsSync(record.kubeconfigPath)) continue;
        const kc = new KubeConfig();
        kc.loadFromFile(record.kubeconfigPath);
        const selector = { labelSelector: `${INSTALL_LABEL}=${record.chart}` };
        const namespaces = await kc.makeApiClient(ObjectCoreV1Api).listNamespace(selector);
        const crds = await kc.makeApiClient(ObjectApiextensionsV1Api).listCustomResourceDefinition(selector);
        if (!namespaces.items.length && !crds.items.length) continue;
        log(`removing what kaic applied from the ${record.chart} chart`);
        await removeChart(kc, record.chart, log);
        removed.push(`${record.chart} chart`);
      } else if (record.type === "kind-cluster") {
        const listed = await execa(record.kind, ["get", "clusters"], { reject: false });
        if (!listed.stdout.split("\n").map((l) => l.trim()).includes(record.name))
          continue;
        log(`deleting kind cluster ${record.name}`);
        const deleted = await execa(record.kind, ["delete", "cluster", "--name", record.name], {
          reject: false,
          all: true
        });
        if (deleted.exitCode !== 0) throw new Error(`kind delete cluster failed: ${deleted.all}`);
        removed.push(`kind cluster ${record.name}`);
      }
    } catch (error) {
      log(
        `could not remove ${record.type} ${"name" in record ? record.name : ""}: ${error.message}`
      );
    }
  }
  for (const { path } of directories) {
    if (!existsSync(path)) continue;
    await rm(path, { recursive: true, force: true }).catch(
      (error) => log(`could not remove ${path}: ${error.message}`)
    );
    removed.push(`directory ${path}`);
  }
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

// src/post.ts
async function cleanup() {
  try {
    if (getState(STATE_MAIN_RAN) !== "true") {
      info("kaic post: main did not run; nothing to clean up");
      return;
    }
    const records = parseRecords(
      getState(STATE_CREATED),
      (l) => warning(`kaic post: ${l}`)
    );
    if (!records.length) {
      info("kaic post: main created nothing; nothing to clean up");
      return;
    }
    const removed = await removeLeftovers(records, (l) => info(`kaic post: ${l}`));
    info(
      removed.length ? `kaic post: removed what main left: ${removed.join(", ")}` : `kaic post: main had removed everything it created (${records.length} records checked)`
    );
  } catch (error) {
    warning(
      `kaic post: cleanup failed: ${error instanceof Error ? error.message : String(error)}`
    );
  }
}
await cleanup();
export {
  cleanup
};
