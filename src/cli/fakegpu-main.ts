/**
 * Entry point of the in-cluster fake-GPU bundle (dist/fakegpu.js): `publish` and `exporter` as
 * `kaic fakegpu` runs them, without the rest of kaic, small enough to ship in a ConfigMap.
 */
import { fakegpuCommand } from './fakegpu.js';
import { runCommandLine } from './errors.js';

await runCommandLine(() => fakegpuCommand(process.argv.slice(2)), 'kaic-fakegpu');
