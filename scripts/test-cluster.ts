/**
 * Runs the cluster tests once per minor in KAIC_TEST_MINORS (default: the test default and 1.33),
 * each run against its own freshly started control plane (plus the real node where this machine
 * runs one; see test/cluster/hooks.ts). Builds or reuses the binaries first, and fails a minor
 * whose run left a mount, process, cgroup, network namespace or iptables chain behind.
 */
import { execa } from 'execa';

import { ensureBinaries, ensureNodeBinaries } from '../src/binaries/kubernetes.js';
import { checkHost, hostTraces } from '../src/providers/real-node/host.js';
import { kubernetesRelease } from '../src/versions/kubernetes.js';
import { testMinors } from '../test/cluster/minors.js';

function log(line: string): void {
  process.stdout.write(`[test-cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const extraArgs = process.argv.slice(2);
const failed: string[] = [];

/**
 * Runs Mocha with these arguments. A stop request is passed on to it (its root hooks tear the
 * cluster down) and this script ends with it.
 */
async function runMocha(args: string[], env: NodeJS.ProcessEnv = {}) {
  const child = execa('mocha', args, { stdio: 'inherit', preferLocal: true, reject: false, env });
  let stopped: NodeJS.Signals | null = null;
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
  return result;
}
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
  const result = await runMocha(['--config', 'test/cluster/.mocharc.json', ...extraArgs], {
    KAIC_TEST_K8S: minor,
  });
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
  const result = await runMocha(['--config', 'test/e2e/.mocharc.json']);
  log(
    `== e2e: ${result.exitCode === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)}s`,
  );
  if (result.exitCode !== 0) failed.push('e2e');
}
if (failed.length) {
  log(`cluster tests failed on ${failed.join(', ')}`);
  process.exit(1);
}
