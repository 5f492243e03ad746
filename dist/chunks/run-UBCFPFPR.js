import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  addonsPhase,
  clusterPhase,
  need,
  planRun,
  runPipeline,
  startRun
} from "./chunk-WWFC7U5Y.js";
import "./chunk-KGIY4UVT.js";
import {
  collectRunInputs
} from "./chunk-KBTWLMWK.js";
import "./chunk-W6DAHXTN.js";
import {
  makeDirectories
} from "./chunk-GXEHZ5ZH.js";
import "./chunk-OYMJ6T6V.js";
import "./chunk-ON4VCPHQ.js";
import "./chunk-2XS3DH4U.js";
import "./chunk-MHHI76D7.js";
import {
  parseRecords,
  removeLeftovers
} from "./chunk-YV7YLT5M.js";
import "./chunk-A5R5FKML.js";
import {
  cacheDir
} from "./chunk-DM634JXI.js";
import "./chunk-ETTCBZFC.js";
import "./chunk-ATS4VT7U.js";
import "./chunk-3YTTDGIJ.js";
import {
  isProcessAlive,
  onTerminationSignal
} from "./chunk-M32DOC7A.js";
import "./chunk-OEEHFPHV.js";
import "./chunk-YGNZEI5B.js";
import "./chunk-4DKCGVH3.js";
import "./chunk-FCORZ63V.js";
import "./chunk-ARFH6SL4.js";
import "./chunk-62PC7QP5.js";
import {
  waitFor
} from "./chunk-DW5F3YJO.js";
import "./chunk-J4JJAD2Y.js";
import "./chunk-ETKQSHAL.js";
import "./chunk-NKKDUV5A.js";
import {
  RunIncomplete,
  UsageError,
  isInputError
} from "./chunk-WWHORE4U.js";

// src/pipeline/up.ts
import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
function upStatePath(env = process.env) {
  return env.KAIC_UP_STATE || join(cacheDir(env), "up", "state.json");
}
async function readState(path) {
  if (!existsSync(path)) return null;
  const state = JSON.parse(await readFile(path, "utf8"));
  state.records = parseRecords(JSON.stringify(state.records ?? []), () => void 0);
  return state;
}
async function upCluster(plan, out = process.stdout) {
  const path = upStatePath();
  const before = await readState(path).catch(() => null);
  if (before && isProcessAlive(before.pid)) {
    throw new UsageError(
      `a cluster is up already (kaic up, pid ${before.pid}, kubeconfig ${before.kubeconfig}); run kaic down first`
    );
  }
  if (before) {
    throw new UsageError(
      `the kaic up that made ${path} is gone and left its cluster; run kaic down to remove it first`
    );
  }
  await makeDirectories(dirname(path));
  const state = { pid: process.pid, runId: "", kubeconfig: "", env: {}, records: [] };
  let saving = Promise.resolve();
  const save = () => saving = saving.then(() => writeFile(path, JSON.stringify(state, null, 2)));
  const ctx = await startRun(plan, out, (resource) => {
    state.records.push(resource);
    void save();
  });
  state.runId = ctx.runId;
  let tornDown = null;
  const tearDown = () => tornDown ??= (async () => {
    await ctx.undo.unwind();
    await saving.catch(() => void 0);
    await rm(path, { force: true });
    out.write(ctx.progress.table());
  })();
  const removeSignalHandlers = onTerminationSignal(async () => {
    ctx.log("taking the cluster down");
    await tearDown();
  });
  try {
    await clusterPhase(ctx);
    await addonsPhase(ctx);
    state.kubeconfig = need(ctx.cluster, "cluster").kubeconfigPath;
    state.env = ctx.addons?.env ?? {};
    await save();
    const env = Object.entries(state.env).map(([k, v]) => `${k}=${v} `).join("");
    ctx.log(`up: KUBECONFIG=${state.kubeconfig}`);
    ctx.log(
      `rerun a requirement: ${env}kaic run --provider existing --kubeconfig ${state.kubeconfig} --requirements <id>`
    );
    ctx.log("take it down: kaic down (or stop this process)");
  } catch (error) {
    removeSignalHandlers();
    await tearDown();
    throw error;
  }
  return new Promise(() => setInterval(() => void 0, 1 << 30));
}
async function downCluster(log, timeoutMs = 12e4) {
  const path = upStatePath();
  const state = await readState(path).catch((error) => {
    throw new UsageError(`${path} is unreadable (${error.message}); remove it by hand`);
  });
  if (!state) {
    log(`no cluster is up (no ${path})`);
    return 0;
  }
  if (isProcessAlive(state.pid)) {
    log(`stopping kaic up (pid ${state.pid})`);
    process.kill(state.pid, "SIGTERM");
    await waitFor(
      `kaic up (pid ${state.pid}) to take its cluster down`,
      async () => !isProcessAlive(state.pid),
      timeoutMs,
      250
    );
    log("down");
    return 0;
  }
  log(`kaic up (pid ${state.pid}) is gone; removing what it recorded`);
  const removed = await removeLeftovers(state.records, log);
  await rm(path, { force: true });
  log(removed.length ? `removed: ${removed.join(", ")}` : "nothing was left");
  return 0;
}

// src/cli/run.ts
async function runCommand(args) {
  const plan = await planRun(collectRunInputs({ args, env: process.env }));
  try {
    return (await runPipeline(plan, process.stdout)).exitCode;
  } catch (error) {
    if (isInputError(error)) throw error;
    throw new RunIncomplete(error.message, { cause: error });
  }
}
async function upCommand(args) {
  return upCluster(await planRun(collectRunInputs({ args, env: process.env })));
}
async function downCommand(args) {
  if (args.length) throw new UsageError(`kaic down takes no arguments (given: ${args.join(" ")})`);
  return downCluster((line) => process.stdout.write(`kaic down: ${line}
`));
}
export {
  downCommand,
  runCommand,
  upCommand
};
