/**
 * `kaic run`: the conformance pipeline (src/pipeline/run.ts) on the command line's flags and the
 * KAIC_<NAME> environment; the exit code says whether every MUST requirement was met.
 */
import { collectRunInputs, runUsage } from '../config/run-config.js';
import { planRun } from '../pipeline/plan.js';
import { runPipeline } from '../pipeline/run.js';
import { isInputError, RunIncomplete } from '../errors.js';

export const RUN_USAGE = runUsage();

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
