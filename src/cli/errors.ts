/** The command line's end of the errors in src/errors.ts: one line on stderr and the exit code. */
import { exitCodeOf, isInputError } from '../errors.js';
import { printable } from '../requirements/checklist.js';

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
    if (isInputError(error))
      process.stderr.write(`(${name} help lists the commands and their flags)\n`);
    process.exitCode = exitCodeOf(error);
  }
}
