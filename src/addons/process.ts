/**
 * The life of an addon process kaic runs beside a cluster: started with its output in a log file,
 * awaited until a readiness probe passes (a process that exits ends the wait at once, with the end
 * of its log), stopped with SIGTERM and, after a grace period, SIGKILL.
 */
import { readFile } from 'node:fs/promises';

import { execa, type ResultPromise } from 'execa';

import { WaitAborted, waitFor } from '../util/wait.js';

export function spawnLogged(
  file: string,
  args: string[],
  options: { logFile: string; env?: Record<string, string>; cwd?: string },
): ResultPromise {
  const child = execa(file, args, {
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    stdio: ['ignore', { file: options.logFile }, { file: options.logFile }],
    reject: false,
    cleanup: true,
  });
  child.catch(() => undefined);
  return child;
}

/**
 * Waits until `ready` says yes; a process that exits first ends the wait with its log's end.
 * `name` names the program (`kueue`), `where` where it should answer (`127.0.0.1:8080`).
 */
export async function waitProcessReady(
  child: ResultPromise,
  name: string,
  where: string,
  logFile: string,
  ready: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    `${name} ready on ${where}`,
    async () => {
      if (child.exitCode !== null) {
        const tail = (await readFile(logFile, 'utf8').catch(() => '')).slice(-2000);
        throw new WaitAborted(`${name} exited with ${child.exitCode}; its log ends:\n${tail}`);
      }
      return (await ready()) ? true : undefined;
    },
    timeoutMs,
  );
}

/** HTTP 2xx from `url` (health endpoints); false while nothing answers. */
export async function answersOk(url: string): Promise<boolean> {
  const res = await fetch(url).catch(() => null);
  return Boolean(res?.ok);
}

export async function stopProcess(child: ResultPromise | null, graceMs = 10_000): Promise<void> {
  if (!child || child.exitCode !== null) return;
  child.kill('SIGTERM');
  const exited = await Promise.race([
    child.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), graceMs)),
  ]);
  if (!exited) child.kill('SIGKILL');
  await child;
}

/**
 * The command line that runs `command` in a mount namespace of its own (private propagation):
 * `setup`, a shell line whose mounts stay in that namespace, runs first with `setupArgs` as its
 * `$1`…, then the command replaces the shell. `name` is the shell's `$0` (what ps shows).
 */
export function inOwnMountNamespace(
  name: string,
  setup: string,
  setupArgs: readonly string[],
  command: readonly string[],
): { file: string; args: string[] } {
  return {
    file: 'unshare',
    args: [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      `${setup} && shift ${setupArgs.length} && exec "$@"`,
      name,
      ...setupArgs,
      ...command,
    ],
  };
}
