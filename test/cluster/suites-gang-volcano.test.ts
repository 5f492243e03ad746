/**
 * gang_scheduling against Volcano: its scheduler and queue/PodGroup controllers (built from its Go
 * module) run as processes against the test cluster. Healthy, the suite finds Volcano by its API,
 * drives a PodGroup and finds the requirement Implemented; with Volcano's scheduler stopped (its
 * controllers running, its API served), no pod asking for it binds and the requirement falls.
 * The expected verdicts were written first, in docs/platforms.md §3.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { VolcanoController } from '../../src/addons/gang-scheduler/volcano.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { runSuitesOnTestCluster } from './suite-runs.js';

function runGangSuite(env: Record<string, string> = {}): Promise<TestResult[]> {
  return runSuitesOnTestCluster(['gang_scheduling'], { env, evidence: true });
}

describe('[suites] gang_scheduling on Volcano (run as processes against the test cluster)', function () {
  this.timeout(15 * 60_000);
  let dir = '';
  let volcano: VolcanoController | null = null;

  before(async function () {
    onDefaultMinorOnly(this, "Volcano's gang scheduling does not change with the minor");
    dir = await mkdtemp(join(tmpdir(), 'kaic-volcano-test-'));
    const { handle } = testCluster();
    volcano = new VolcanoController({
      kubeconfigPath: handle.kubeconfigPath,
      dir,
      log: (line) => process.stdout.write(`      ${line}\n`),
    });
    await volcano.start();
  });

  after(async function () {
    // Volcano's CRDs (and every Volcano object with them) go with the test.
    await volcano?.uninstall();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('healthy: auto finds Volcano; no pod of a PodGroup with room for one less binds, then all once room frees', async function () {
    const gang = await runGangSuite();
    expect(gang.map((t) => t.status)).to.deep.equal(['passed', 'passed']);
    const evidence = gang.flatMap((t) => t.evidence.map((e) => e.summary)).join('\n');
    expect(evidence).to.include('Volcano (scheduling.volcano.sh/v1beta1 PodGroup');
    // Volcano said it held the gang back: the suite did not sit out its whole window.
    expect(evidence).to.match(/held back: PodGroup short Unschedulable/);
    expect(decideVerdict(gang, null).verdict).to.equal('Implemented');
  });

  it("planted fault — Volcano's scheduler stopped: no gang runs, gang_scheduling Not Implemented", async function () {
    await volcano?.stop();
    const gang = await runGangSuite({
      KAIC_GANG_SCHEDULER: 'volcano',
      KAIC_GANG_TIMEOUT_SECONDS: '8',
      KAIC_GANG_WINDOW_SECONDS: '5',
    });
    expect(gang.map((t) => t.status)).to.deep.equal(['failed', 'failed']);
    expect(gang[0]?.failure?.message).to.include('bound and Running');
    expect(decideVerdict(gang, null).verdict).to.equal('Not Implemented');
  });
});
