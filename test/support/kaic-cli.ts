/** Runs the kaic command line as a user would, without throwing on exit codes. */
import { execa } from 'execa';

import { main } from '../../src/cli/commands.js';
import { runCommandLine } from '../../src/cli/errors.js';

/** In a child process, from source: for what needs its own process (signals, exit, env). */
export function runKaic(args: string[], env?: NodeJS.ProcessEnv) {
  return execa(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    reject: false,
    all: true,
    ...(env ? { env } : {}),
  });
}

/**
 * In this process, through the same entry (`main` under `runCommandLine`), capturing stdout,
 * stderr and the exit code: seconds faster than a child process per call.
 */
export async function runKaicInProcess(
  args: string[],
): Promise<{ exitCode: number; stdout: string; stderr: string; all: string }> {
  const saved = { exit: process.exitCode, out: process.stdout.write, err: process.stderr.write };
  let stdout = '';
  let stderr = '';
  let all = '';
  process.stdout.write = ((c: string) => (
    (stdout += c),
    (all += c),
    true
  )) as typeof process.stdout.write;
  process.stderr.write = ((c: string) => (
    (stderr += c),
    (all += c),
    true
  )) as typeof process.stderr.write;
  try {
    await runCommandLine(() => main(args));
    return { exitCode: Number(process.exitCode ?? 0), stdout, stderr, all };
  } finally {
    process.stdout.write = saved.out;
    process.stderr.write = saved.err;
    process.exitCode = saved.exit;
  }
}
