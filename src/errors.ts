/**
 * Errors that carry their exit code's meaning, below every command line: the engine, providers
 * and config throw them; the CLI and the action only map them (src/cli/errors.ts).
 *   2  InputError: bad flags, unreadable or malformed input, binaries this machine cannot
 *      build, a cluster that does not answer: refused before anything was created.
 *   1  CheckFailed: a check the user asked for failed.
 *   3  RunIncomplete: the run could not finish as asked.
 */

/** Input found wanting (exit 2). Each kind of input has its own subclass, named for it. */
export class InputError extends Error {
  readonly exitCode: number = 2;
  // Spelled out: the bundles are minified, class names are not kept.
  override name = 'InputError';
}

/** A flag, environment setting or action input that is not accepted. */
export class UsageError extends InputError {
  override name = 'UsageError';
}

export class CheckFailed extends Error {
  readonly exitCode = 1;
  override name = 'CheckFailed';
}

/** A run that could not finish (a phase failed): 3, apart from 1 for requirements not met. */
export class RunIncomplete extends Error {
  readonly exitCode = 3;
  override name = 'RunIncomplete';
}

/** Exit 2: input errors, and Node's own parse errors of a command line. */
export function isInputError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    error instanceof InputError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'))
  );
}

/** The exit code an error stands for. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof CheckFailed) return 1;
  if (isInputError(error)) return 2;
  if (error instanceof RunIncomplete) return 3;
  return 1;
}
