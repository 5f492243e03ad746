/**
 * gang_scheduling against Kueue: Kueue's manager (built from its Go module) runs as a process
 * against the test cluster, its webhooks served from this machine. Healthy, the suite drives Kueue
 * and finds the requirement Implemented; with Kueue's Job integration switched off (Kueue present
 * but ignoring Jobs), the short gang's pods bind and the requirement falls.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import {
  KUEUE_OWNER_LABEL,
  KueueController,
} from '../../src/addons/gang-scheduler/beside-cluster.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { runSuitesOnTestCluster } from './suite-runs.js';

function runGangSuite(env: Record<string, string> = {}): Promise<TestResult[]> {
  return runSuitesOnTestCluster(['gang_scheduling'], {
    env: { KAIC_GANG_SCHEDULER: 'kueue', ...env },
    evidence: true,
  });
}

describe('[suites] gang_scheduling on Kueue (run as a process against the test cluster)', function () {
  this.timeout(15 * 60_000);
  let dir = '';
  let kueue: KueueController | null = null;

  async function startKueue(frameworks?: string[]): Promise<void> {
    const { handle } = testCluster();
    kueue = new KueueController({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      dir: join(dir, frameworks ? 'kueue-planted' : 'kueue'),
      log: (line) => process.stdout.write(`      ${line}\n`),
      ...(frameworks ? { frameworks } : {}),
    });
    await kueue.start();
  }

  before(async function () {
    onDefaultMinorOnly(
      this,
      "Kueue's admission of a gang (batch/v1 Jobs) does not change with the minor",
    );
    dir = await mkdtemp(join(tmpdir(), 'kaic-kueue-test-'));
  });

  afterEach(async function () {
    await kueue?.stop();
    kueue = null;
  });

  after(async function () {
    if (!dir) return;
    // Kueue's CRDs (and every Kueue object with them) and its namespace go with the test.
    const { handle } = testCluster();
    await new KueueController({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      dir,
      log: () => undefined,
    }).uninstall();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports a Kueue that exits at start with its log tail, and leaves no process or webhook behind', async function () {
    const started = Date.now();
    let message = '';
    await startKueue(['no.such.group/thing']).catch((error: Error) => (message = error.message));
    expect(message).to.match(/kueue exited with \d+; its log ends:/);
    expect(message).to.include('no.such.group/thing');
    expect(Date.now() - started, 'fails at once, not at the readiness timeout').to.be.below(60_000);
    const admission = testCluster().kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api);
    const selector = { labelSelector: `${KUEUE_OWNER_LABEL}=true` };
    expect((await admission.listMutatingWebhookConfiguration(selector)).items).to.deep.equal([]);
    expect((await admission.listValidatingWebhookConfiguration(selector)).items).to.deep.equal([]);
  });

  it('healthy: Kueue holds the whole gang while its queue has room for one pod less, then runs it whole', async function () {
    await startKueue();
    const gang = await runGangSuite();
    expect(gang.map((t) => t.status)).to.deep.equal(['passed', 'passed']);
    expect(gang[0]?.evidence.map((e) => e.summary).join('\n')).to.include('Kueue');
    expect(decideVerdict(gang, null).verdict).to.equal('Implemented');
  });

  it("healthy, through Kueue's v1beta1 API (the only one up to Kueue 0.14; 0.17 serves both)", async function () {
    await startKueue();
    const gang = await runGangSuite({ KAIC_KUEUE_API_VERSION: 'v1beta1' });
    expect(gang.map((t) => t.status)).to.deep.equal(['passed', 'passed']);
    expect(gang[0]?.evidence.map((e) => e.summary).join('\n')).to.include(
      'Kueue (kueue.x-k8s.io/v1beta1',
    );
    expect(decideVerdict(gang, null).verdict).to.equal('Implemented');
  });

  it('planted fault — Kueue installed with its Job integration off: the short gang binds, gang_scheduling falls', async function () {
    await startKueue([]);
    const gang = await runGangSuite();
    expect(gang.map((t) => t.status)).to.deep.equal(['passed', 'failed']);
    expect(gang[1]?.failure?.message).to.include('pods of the incomplete gang bound');
    expect(decideVerdict(gang, null).verdict).to.equal('Partially Implemented');
  });
});
