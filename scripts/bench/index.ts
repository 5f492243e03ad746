/**
 * Benchmarks; timings live here, never in pass/fail thresholds of ordinary tests.
 *
 *   npm run bench                 cluster start/stop (default)
 *   npm run bench -- cluster …    the same, with --rounds/--nodes
 *   npm run bench -- fakegpu …    fake-GPU publish and allocation at scale
 *   npm run bench -- real-node …  the real node: start, pod start, memory, stop per minor
 *   npm run bench -- run …        kaic run (no flags by default): wall time per phase and requirement
 *   npm run bench -- action …     the action: bundle size, start-up time, GitHub requests per run
 *   npm run bench -- runner …     the GitHub-runner path: every release from a local mirror, no Go
 */
const which = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'cluster';
if (which === 'fakegpu') await import('./fakegpu.js');
else if (which === 'cluster') await import('./cluster.js');
else if (which === 'real-node') await import('./real-node.js');
else if (which === 'run') await import('./run.js');
else if (which === 'action') await import('./action.js');
else if (which === 'runner') await import('./runner.js');
else {
  process.stderr.write(
    `bench: unknown benchmark "${which}"; benchmarks: cluster, fakegpu, real-node, run, action, runner\n`,
  );
  process.exit(2);
}
