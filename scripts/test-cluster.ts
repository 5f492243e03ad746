/**
 * Runs the cluster tests once per minor in KAIC_TEST_MINORS (default: the test default and 1.33),
 * each run against its own freshly started control plane. Builds or reuses the binaries first.
 */
import { execa } from 'execa';

import { ensureBinaries } from '../src/build/go-build.js';
import { kubernetesRelease } from '../src/versions/kubernetes.js';
import { testMinors } from '../test/cluster/minors.js';

function log(line: string): void {
  process.stdout.write(`[test-cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const extraArgs = process.argv.slice(2);
const failed: string[] = [];
let stopped: NodeJS.Signals | null = null;
for (const minor of testMinors()) {
  const t0 = Date.now();
  await ensureBinaries(kubernetesRelease(minor), log);
  log(`== cluster tests on Kubernetes ${minor}`);
  const child = execa('mocha', ['--config', 'test/cluster/.mocharc.json', ...extraArgs], {
    stdio: 'inherit',
    preferLocal: true,
    reject: false,
    env: { KAIC_TEST_K8S: minor },
  });
  // Pass a stop request on to Mocha, whose root hooks tear the cluster down, and end with it.
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
    stopped = signal;
  };
  process.on('SIGINT', forward).on('SIGTERM', forward).on('SIGHUP', forward);
  const result = await child;
  process.off('SIGINT', forward).off('SIGTERM', forward).off('SIGHUP', forward);
  if (stopped) {
    log(`stopped by ${stopped}`);
    process.exit(result.exitCode ?? 1);
  }
  log(
    `== Kubernetes ${minor}: ${result.exitCode === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)}s`,
  );
  if (result.exitCode !== 0) failed.push(minor);
}
if (failed.length) {
  log(`cluster tests failed on ${failed.join(', ')}`);
  process.exit(1);
}
