/**
 * `kaic run`: the conformance pipeline (src/pipeline/run.ts) on the command line's flags and the
 * KAIC_<NAME> environment; the exit code says whether every MUST requirement was met.
 */
import { collectRunInputs, runUsage } from '../config/run-config.js';
import { planRun, runPipeline } from '../pipeline/run.js';

export const RUN_USAGE = runUsage();

export async function runCommand(args: string[]): Promise<number> {
  const plan = await planRun(collectRunInputs({ args, env: process.env }));
  return (await runPipeline(plan, process.stdout)).exitCode;
}
