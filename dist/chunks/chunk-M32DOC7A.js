import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/util/processes.ts
import { readFileSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
function isProcessAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if (error.code !== "EPERM") return false;
  }
  return !isZombieSync(pid);
}
function isZombieSync(pid) {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}
async function withLockFile(path, fn, options = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 6e4);
  let told = false;
  for (; ; ) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(`${process.pid}
`);
      await handle.close();
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
      const holder = Number((await readFile(path, "utf8").catch(() => "")).trim());
      if (!holder || !isProcessAlive(holder)) {
        if (!holder) await sleep(100);
        const again = Number((await readFile(path, "utf8").catch(() => "")).trim());
        if (!again || !isProcessAlive(again)) await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${path} held by pid ${holder}`, {
          cause: error
        });
      }
      if (!told) options.onWait?.(holder);
      told = true;
      await sleep(250);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(path, { force: true });
  }
}
async function processCommandLine(pid) {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, "utf8")).split("\0").join(" ").trim();
  } catch {
    return null;
  }
}
async function terminateProcess(pid, graceMs = 5e3) {
  if (!isProcessAlive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid) || await isZombie(pid)) return;
    await sleep(100);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
  }
}
async function isZombie(pid) {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return /\) Z /.test(stat);
  } catch {
    return false;
  }
}
function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
async function assertPortFree(port, host, what) {
  await new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new Error(
            `port ${port} on ${host} for ${what} is already in use; stop what listens there (ss -ltnp 'sport = :${port}' names it) or choose another port`
          )
        );
      } else {
        reject(new Error(`cannot bind ${host}:${port} for ${what}: ${error.message}`));
      }
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
function onTerminationSignal(cleanup) {
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  const codes = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  let running = false;
  const handler = (signal) => {
    if (running) {
      process.stderr.write(
        `
kaic: ${signal} again: exiting now; the clean-up did not finish (clusters and processes may be left)
`
      );
      process.exit(codes[signal] ?? 1);
    }
    running = true;
    process.stderr.write(`
kaic: ${signal} received, cleaning up\u2026 (again to force exit)
`);
    cleanup(signal).catch((error) => {
      process.stderr.write(`kaic: cleanup after ${signal} failed: ${String(error)}
`);
    }).finally(() => process.exit(codes[signal] ?? 1));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
function exitWhenFlushed() {
  const code = Number(process.exitCode ?? 0);
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write("", done);
  process.stderr.write("", done);
}

export {
  isProcessAlive,
  withLockFile,
  processCommandLine,
  terminateProcess,
  sleep,
  assertPortFree,
  onTerminationSignal,
  exitWhenFlushed
};
