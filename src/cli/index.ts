/**
 * The `kaic` command line. `kaic run` is the main job: with no kubeconfig it brings up the
 * embedded default cluster (kwok, simulated nodes) and runs the conformance suites against it.
 */
import { main } from './commands.js';
import { runCommandLine } from './errors.js';
import { exitWhenFlushed } from '../util/processes.js';

await runCommandLine(() => main(process.argv.slice(2)));
// Done: nothing a suite left hanging keeps the command from ending.
exitWhenFlushed();
