/** Exit codes: 2 for a bad command line or input file, 1 for a failed check. */
export class UsageError extends Error {
  readonly exitCode = 2;
}
export class CheckFailed extends Error {
  readonly exitCode = 1;
}
