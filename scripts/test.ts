/**
 * `npm test`: the type-check and the unit tier first (seconds; a failure stops here), then the
 * action tier beside the cluster tiers. The action tier starts no cluster and touches nothing on
 * the host the cluster tiers check for leftovers, so it need not wait for them (it mostly waits on
 * the stand-in GitHub's retry back-offs); its output is kept and printed as one block when it ends,
 * so the two tiers' lines do not interleave.
 */
import { execa, type ResultPromise } from 'execa';

function log(line: string): void {
  process.stdout.write(`[test ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

const running = new Set<ResultPromise>();
let stoppedBy: NodeJS.Signals | null = null;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    stoppedBy = signal;
    for (const child of running) child.kill(signal);
  });
}

/** Runs `npm run <script>`; its output goes to this terminal, or is returned when `keep`. */
async function npmRun(script: string, keep = false) {
  const t0 = Date.now();
  const child = execa('npm', ['run', script], {
    stdio: keep ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    all: keep,
    reject: false,
  });
  running.add(child);
  const result = await child;
  running.delete(child);
  return {
    script,
    passed: result.exitCode === 0,
    seconds: Math.round((Date.now() - t0) / 1000),
    output: keep ? String(result.all ?? '') : '',
  };
}

for (const script of ['typecheck', 'test:unit']) {
  const done = await npmRun(script);
  if (stoppedBy) process.exit(130);
  if (!done.passed) {
    log(`${script} failed after ${done.seconds}s; the action and cluster tiers were not run`);
    process.exit(1);
  }
}

log('test:action runs beside test:cluster; its output follows when it ends');
const action = npmRun('test:action', true).then((done) => {
  process.stdout.write(
    `\n[test] ---- test:action output ----\n${done.output}\n[test] ---- end of test:action ----\n`,
  );
  log(`test:action ${done.passed ? 'passed' : 'FAILED'} in ${done.seconds}s`);
  return done;
});
const cluster = npmRun('test:cluster');
const results = await Promise.all([action, cluster]);
if (stoppedBy) process.exit(130);
const failed = results.filter((r) => !r.passed).map((r) => r.script);
log(
  failed.length
    ? `failed: ${failed.join(', ')}`
    : `passed: ${results.map((r) => `${r.script} ${r.seconds}s`).join(', ')}`,
);
process.exit(failed.length ? 1 : 0);
