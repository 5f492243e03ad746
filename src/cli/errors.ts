/** Exit codes: 2 for a bad command line or input file, 1 for a failed check, 3 for a run that could not finish. */
import { PublisherError } from '../fakegpu/mig.js';
import { ProfileError } from '../fakegpu/profiles.js';
import { ChecklistError, printable } from '../requirements/checklist.js';
import { JustificationError } from '../results/justifications.js';
import { ResultsFileError } from '../results/load.js';
import { OutputPathError } from '../util/safe-write.js';

export class UsageError extends Error {
  readonly exitCode = 2;
}
export class CheckFailed extends Error {
  readonly exitCode = 1;
}
/** A run that could not finish (a phase failed): 3, apart from 1 for requirements not met. */
export class RunIncomplete extends Error {
  readonly exitCode = 3;
}

/**
 * Bad flags, unreadable or malformed input files, binaries this machine cannot build (no Go, no
 * module proxy), a cluster that does not answer: exit 2.
 */
export function isInputError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    error instanceof UsageError ||
    // By name: importing the build module would pull it into the in-cluster fake-GPU bundle.
    (error as Error).name === 'BuildError' ||
    error instanceof ChecklistError ||
    error instanceof ResultsFileError ||
    error instanceof JustificationError ||
    error instanceof ProfileError ||
    error instanceof PublisherError ||
    error instanceof OutputPathError ||
    (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
  );
}

/** Runs a command and sets the exit code; errors are printed as one line, never a stack. */
export async function runCommandLine(command: () => Promise<number>, name = 'kaic'): Promise<void> {
  try {
    process.exitCode = await command();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // One line per message line, never raw control characters or undecodable bytes.
    process.stderr.write(
      `${name}: ${message
        .split('\n')
        .map((l) => printable(l, 4000))
        .join('\n')}\n`,
    );
    const inputError = isInputError(error);
    if (inputError) process.stderr.write(`(${name} help lists the commands and their flags)\n`);
    process.exitCode =
      error instanceof CheckFailed ? 1 : inputError ? 2 : error instanceof RunIncomplete ? 3 : 1;
  }
}
