/**
 * Runs the cluster tests once per minor in KAIC_TEST_MINORS (default: the test default and 1.33),
 * each run against its own freshly started control plane (plus the real node where this machine
 * runs one; see test/cluster/hooks.ts). Builds or reuses the binaries first, and fails a minor
 * whose run left a mount, process, cgroup, network namespace or iptables chain behind.
 */
import { execa } from 'execa';

import { ensureBinaries, ensureNodeBinaries } from '../src/build/go-build.js';
import { checkHost, hostTraces } from '../src/providers/real-node/host.js';
import { kubernetesRelease } from '../src/versions/kubernetes.js';
import { testMinors } from '../test/cluster/minors.js';

function log(line: string): void {
  process.stdout.write(`[test-cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const extraArgs = process.argv.slice(2);
const failed: string[] = [];
let stopped: NodeJS.Signals | null = null;
/** Same rule as the test hooks: 1 requires the real node, 0 leaves it out, unset: if it can. */
const realNodeSetting = process.env.KAIC_TEST_REAL_NODE;
const realNode =
  realNodeSetting === '1' ||
  (realNodeSetting !== '0' &&
    (await checkHost().then(
      () => true,
      () => false,
    )));
for (const minor of testMinors()) {
  const t0 = Date.now();
  await ensureBinaries(kubernetesRelease(minor), log);
  if (realNode) await ensureNodeBinaries(kubernetesRelease(minor), log);
  const tracesBefore = new Set(realNode ? await hostTraces() : []);
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
  const left = realNode ? (await hostTraces()).filter((t) => !tracesBefore.has(t)) : [];
  if (left.length) log(`the ${minor} run left on this machine:\n  ${left.join('\n  ')}`);
  const passed = result.exitCode === 0 && left.length === 0;
  log(
    `== Kubernetes ${minor}: ${passed ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)}s`,
  );
  if (!passed) failed.push(minor);
}
// `kaic run` as a user runs it (test/e2e): its own clusters, so after the per-minor runs. It needs
// the real node for the MUST verdicts it expects; KAIC_TEST_E2E=0 leaves it out.
if (process.env.KAIC_TEST_E2E === '0') {
  log('e2e tests of kaic run left out: KAIC_TEST_E2E=0');
} else if (!realNode) {
  log('e2e tests of kaic run left out: this machine runs no real node');
} else {
  const t0 = Date.now();
  log('== e2e tests of kaic run');
  const child = execa('mocha', ['--config', 'test/e2e/.mocharc.json'], {
    stdio: 'inherit',
    preferLocal: true,
    reject: false,
  });
  const forward = (signal: NodeJS.Signals) => {
    child.kill(signal);
    stopped = signal;
  };
  process.on('SIGINT', forward).on('SIGTERM', forward).on('SIGHUP', forward);
  const result = await child;
  process.off('SIGINT', forward).off('SIGTERM', forward).off('SIGHUP', forward);
  if (stopped) process.exit(result.exitCode ?? 1);
  log(
    `== e2e: ${result.exitCode === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)}s`,
  );
  if (result.exitCode !== 0) failed.push('e2e');
}
if (failed.length) {
  log(`cluster tests failed on ${failed.join(', ')}`);
  process.exit(1);
}
