/**
 * `kaic run`: the conformance pipeline (src/pipeline/run.ts) on the command line's flags and the
 * KAIC_<NAME> environment; the exit code says whether every MUST requirement was met.
 */
import { collectRunInputs } from '../config/run-config.js';
import { planRun } from '../pipeline/plan.js';
import { runPipeline } from '../pipeline/run.js';
import { downCluster, upCluster } from '../pipeline/up.js';
import { isInputError, RunIncomplete, UsageError } from '../errors.js';

export async function runCommand(args: string[]): Promise<number> {
  const plan = await planRun(collectRunInputs({ args, env: process.env }));
  try {
    return (await runPipeline(plan, process.stdout)).exitCode;
  } catch (error) {
    // Input found wanting only once used (a cluster that does not answer, a build without Go)
    // stays 2; anything else stopped a run that had started, after its clean-up: 3.
    if (isInputError(error)) throw error;
    throw new RunIncomplete((error as Error).message, { cause: error });
  }
}

/** `kaic up`: the run's cluster and addons, left running until `kaic down` (or a signal). */
export async function upCommand(args: string[]): Promise<number> {
  return upCluster(await planRun(collectRunInputs({ args, env: process.env })));
}

/** `kaic down`: removes what `kaic up` made, also after the up process died. */
export async function downCommand(args: string[]): Promise<number> {
  if (args.length) throw new UsageError(`kaic down takes no arguments (given: ${args.join(' ')})`);
  return downCluster((line) => process.stdout.write(`kaic down: ${line}\n`));
}
