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

const running = new Set<ReturnType<typeof execa>>();
let stopped: NodeJS.Signals | null = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stopped = signal;
    for (const child of running) child.kill(signal);
  });
}

/**
 * Runs Mocha with these arguments, its output to this terminal, or kept and returned when `keep`
 * (a run beside another). A stop request is passed on to every run (their root hooks tear their
 * clusters down); this script ends once they have.
 */
async function runMocha(args: string[], env: NodeJS.ProcessEnv = {}, keep = false) {
  const child = execa('mocha', args, {
    stdio: keep ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    all: keep,
    preferLocal: true,
    reject: false,
    env,
  });
  running.add(child);
  const result = await child;
  running.delete(child);
  return { exitCode: result.exitCode, output: keep ? String(result.all ?? '') : '' };
}

/** Ends this script after a stop request, once no run is left: never as a pass. */
function exitIfStopped(): void {
  if (stopped && running.size === 0) {
    log(`stopped by ${stopped}`);
    process.exit(130);
  }
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
// kind's e2e tests run beside everything else: their clusters live in a private Docker daemon and
// share nothing with the real node (host.ts counts a kind node's kubelet as contained), so they
// need not wait for it. Their output is kept and printed as one block when they end.
const e2eWanted = process.env.KAIC_TEST_E2E !== '0' && realNode;
const KIND_E2E = 'test/e2e/kind-local.test.ts';
/** Started once the first minor's binaries are there (it builds its node image from them). */
const startKindE2e = () =>
  (async () => {
    const t0 = Date.now();
    log(`== e2e tests of kind (${KIND_E2E}) start beside the cluster tests`);
    const result = await runMocha(
      ['--require', 'test/register-tsx.js', '--timeout', '1800000', '--slow', '60000', KIND_E2E],
      {},
      true,
    );
    const seconds = Math.round((Date.now() - t0) / 1000);
    process.stdout.write(
      `\n[test-cluster] ---- ${KIND_E2E} output ----\n${result.output}\n[test-cluster] ---- end of ${KIND_E2E} ----\n`,
    );
    log(`== e2e of kind: ${result.exitCode === 0 ? 'passed' : 'FAILED'} in ${seconds}s`);
    if (result.exitCode !== 0) failed.push('e2e (kind)');
    return result.exitCode;
  })();
let kindE2e: Promise<number | undefined> | null = null;
for (const minor of testMinors()) {
  const t0 = Date.now();
  await ensureBinaries(kubernetesRelease(minor), log);
  if (realNode) await ensureNodeBinaries(kubernetesRelease(minor), log);
  if (e2eWanted && !kindE2e) kindE2e = startKindE2e();
  const tracesBefore = new Set(realNode ? await hostTraces() : []);
  log(`== cluster tests on Kubernetes ${minor}`);
  const result = await runMocha(['--config', 'test/cluster/.mocharc.json', ...extraArgs], {
    KAIC_TEST_K8S: minor,
  });
  if (stopped) break;
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
} else if (!stopped) {
  const t0 = Date.now();
  log('== e2e tests of kaic run');
  const result = await runMocha(['--config', 'test/e2e/.mocharc.json', '--ignore', KIND_E2E]);
  log(
    `== e2e: ${result.exitCode === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - t0) / 1000)}s`,
  );
  if (result.exitCode !== 0) failed.push('e2e');
}
await kindE2e;
exitIfStopped();
if (failed.length) {
  log(`cluster tests failed on ${failed.join(', ')}`);
  process.exit(1);
}
