/** Runs the kaic command line from source, as a user would run it, without throwing on exit codes. */
import { execa } from 'execa';

export function runKaic(args: string[], env?: NodeJS.ProcessEnv) {
  return execa(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    reject: false,
    all: true,
    ...(env ? { env } : {}),
  });
}
