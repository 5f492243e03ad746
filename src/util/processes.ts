/** Small process helpers shared by providers that run components as local processes. */
import { readFileSync } from 'node:fs';
import { open, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';

/** True for a running process; false for none and for a zombie (exited, not yet reaped). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombieSync(pid);
}

function isZombieSync(pid: number): boolean {
  try {
    return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/**
 * Runs `fn` while holding an exclusive lock file, across processes. A lock whose holder died is
 * taken over. `onWait` is told once who holds it.
 */
export async function withLockFile<T>(
  path: string,
  fn: () => Promise<T>,
  options: { timeoutMs?: number; onWait?: (holderPid: number) => void } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  let told = false;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (!holder || !isProcessAlive(holder)) {
        // Empty (being written) gets one grace period; a dead holder's lock is stale.
        if (!holder) await sleep(100);
        const again = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (!again || !isProcessAlive(again)) await rm(path, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for lock ${path} held by pid ${holder}`, {
          cause: error,
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

/** The command line of a live process, or null (Linux /proc; elsewhere null). */
export async function processCommandLine(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ').trim();
  } catch {
    return null;
  }
}

/**
 * Whether a process names a path under `dir`: in its command line, or as the value of one of its
 * environment variables (a plugin started with KUBECONFIG=<cluster dir>/kubeconfig.yaml and no
 * arguments names it only there).
 */
export async function processNamesPathUnder(pid: number, dir: string): Promise<boolean> {
  const read = (file: string) =>
    readFile(`/proc/${pid}/${file}`, 'utf8').then(
      (text) => text.split('\0').filter(Boolean),
      () => null,
    );
  const args = await read('cmdline');
  if (args === null) return false;
  // `dir` itself or a path below it, anywhere in an argument (--data-dir=<dir>/etcd): not a
  // sibling that merely starts with the same characters (<dir>-other).
  const names = (text: string) =>
    text === dir || text.endsWith(`=${dir}`) || text.includes(`${dir}/`);
  if (args.some(names)) return true;
  const environ = (await read('environ')) ?? [];
  return environ.some((entry) => {
    const value = entry.slice(entry.indexOf('=') + 1);
    return value === dir || value.startsWith(`${dir}/`);
  });
}

/** Sends SIGTERM, waits up to graceMs, then SIGKILL. Resolves when the process is gone. */
export async function terminateProcess(pid: number, graceMs = 5000): Promise<void> {
  if (!isProcessAlive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid) || (await isZombie(pid))) return;
    await sleep(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function isZombie(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return /\) Z /.test(stat);
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Rejects with a message naming the port when something already listens on it. */
export async function assertPortFree(port: number, host: string, what: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new Error(
            `port ${port} on ${host} for ${what} is already in use; stop what listens there ` +
              `(ss -ltnp 'sport = :${port}' names it) or choose another port`,
          ),
        );
      } else {
        reject(new Error(`cannot bind ${host}:${port} for ${what}: ${error.message}`));
      }
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}

/**
 * Runs `cleanup` once when the process is told to stop (SIGINT, SIGTERM, SIGHUP), then exits with
 * the conventional 128+signal code. A second signal during the clean-up exits at once (a user
 * pressing Ctrl-C again wants out), saying that the clean-up did not finish. Returns a function
 * that removes the handlers.
 */
export function onTerminationSignal(
  cleanup: (signal: NodeJS.Signals) => Promise<void>,
): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const codes: Record<string, number> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };
  let running = false;
  const handler = (signal: NodeJS.Signals) => {
    if (running) {
      process.stderr.write(
        `\nkaic: ${signal} again: exiting now; the clean-up did not finish (clusters and processes may be left)\n`,
      );
      process.exit(codes[signal] ?? 1);
    }
    running = true;
    process.stderr.write(`\nkaic: ${signal} received, cleaning up… (again to force exit)\n`);
    cleanup(signal)
      .catch((error: unknown) => {
        process.stderr.write(`kaic: cleanup after ${signal} failed: ${String(error)}\n`);
      })
      .finally(() => process.exit(codes[signal] ?? 1));
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}

/**
 * Ends the process once stdout and stderr have taken what was written: for entry points whose
 * work is done. A request that user code left hanging (to a server that stopped answering, after
 * its test timed out) would otherwise keep the process alive with nothing left to do.
 */
export function exitWhenFlushed(): void {
  const code = Number(process.exitCode ?? 0);
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
