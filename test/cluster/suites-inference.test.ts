/**
 * The Gateway API and AI operator suites against the test cluster: Traefik (built from its module)
 * as the Gateway API implementation, proxying from this machine to backend pods on the real node;
 * JobSet (built from its module) as the AI operator, its webhooks served from this machine and
 * registered by URL. Healthy, ai_inference and robust_controller are Implemented and the 1.36
 * SHOULDs Unknown with their reasons; then each planted fault flips exactly its requirement.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import {
  JobSetController,
  JOBSET_VALIDATING_WEBHOOK,
} from '../../src/addons/ai-operator/beside-cluster.js';
import { TraefikGateway } from '../../src/addons/gateway/beside-cluster.js';
import { moduleDir } from '../../src/binaries/build.js';
import { applyCrdDirectory } from '../../src/k8s/crds.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { GATEWAY_API_INFERENCE_EXTENSION } from '../../src/versions/addons.js';
import { onDefaultMinorOnly, requireRealNode, testCluster } from './hooks.js';
import { pdStubPod } from './pd-stub.js';
import { RouteTamperWebhook, type RouteTamper } from './route-tamper.js';
import { inCatalog, runSuitesOnTestCluster, testsOf } from './suite-runs.js';

const SHOULDS = [
  'advanced_inference_ingress',
  'high_performance_networking',
  'disaggregated_inference',
];

function verdictOf(tests: TestResult[], id: string): string {
  return decideVerdict(testsOf(tests, id), null).verdict;
}

function failuresOf(tests: TestResult[], id: string): string[] {
  return testsOf(tests, id)
    .filter((t) => t.status === 'failed')
    .map((t) => t.title);
}

describe('[suites] Gateway API and AI operator suites on the test cluster', function () {
  this.timeout(15 * 60_000);
  let traefik: TraefikGateway | null = null;
  let jobset: JobSetController | null = null;
  let dir = '';
  const log = (line: string) => process.stdout.write(`      ${line}\n`);

  before(async function () {
    onDefaultMinorOnly(
      this,
      'the Gateway API, Traefik and the JobSet operator do not change with the minor',
    );
    // Backends and clients are pods that run: they need the real node.
    requireRealNode(this);
    const { handle } = testCluster();
    dir = await mkdtemp(join(tmpdir(), 'kaic-test-inference-'));
    traefik = new TraefikGateway({
      kubeconfigPath: handle.kubeconfigPath,
      dir: join(dir, 'traefik'),
      log,
    });
    await traefik.start();
    jobset = new JobSetController({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      dir: join(dir, 'jobset'),
      log,
    });
    await jobset.start();
  });

  after(async function () {
    await jobset?.uninstall();
    await traefik?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** The suites' settings for Traefik: its GatewayClass and the port its listener must use. */
  function gatewayEnv(): Record<string, string> {
    return {
      KAIC_GATEWAY_CLASS: traefik!.gatewayClassName,
      KAIC_GATEWAY_LISTENER_PORT: String(traefik!.port),
    };
  }

  it('healthy: ai_inference and robust_controller Implemented; the 1.36 SHOULDs Unknown with their reasons', async function () {
    const started = Date.now();
    const ids = ['ai_inference', 'robust_controller', ...SHOULDS.filter((id) => inCatalog(id))];
    const tests = await runSuitesOnTestCluster(ids, { evidence: true, env: gatewayEnv() });
    const perSuite = ids.map(
      (id) =>
        `${id} ${(testsOf(tests, id).reduce((ms, t) => ms + t.durationMs, 0) / 1000).toFixed(1)} s`,
    );
    process.stdout.write(
      `      (suites took ${((Date.now() - started) / 1000).toFixed(1)} s: ${perSuite.join(', ')})\n`,
    );
    expect(testsOf(tests, 'ai_inference')).to.have.length(2);
    expect(verdictOf(tests, 'ai_inference')).to.equal('Implemented');
    expect(testsOf(tests, 'robust_controller')).to.have.length(4);
    expect(verdictOf(tests, 'robust_controller')).to.equal('Implemented');
    for (const id of SHOULDS.filter((s) => inCatalog(s))) {
      expect(verdictOf(tests, id), id).to.equal('Unknown');
      for (const t of testsOf(tests, id))
        expect(t.skipReason, `${id}: ${t.title}`).to.be.a('string');
    }
  });

  async function withTamperedRoutes(how: RouteTamper): Promise<TestResult[]> {
    const { kubeConfig, handle } = testCluster();
    const tamper = new RouteTamperWebhook(kubeConfig, handle.ca, dir);
    await tamper.start(how);
    try {
      return await runSuitesOnTestCluster(['ai_inference', 'robust_controller'], {
        evidence: true,
        env: gatewayEnv(),
      });
    } finally {
      await tamper.stop();
    }
  }

  it('fault: route weights ignored (every backend weight 1) → ai_inference fails its weight check; robust_controller stays Implemented', async function () {
    const tests = await withTamperedRoutes('ignore-weights');
    expect(failuresOf(tests, 'ai_inference')).to.deep.equal([
      'splits traffic by HTTPRoute weights 70/30/0, measured over ≥ 500 requests',
    ]);
    expect(verdictOf(tests, 'ai_inference')).to.equal('Partially Implemented');
    expect(verdictOf(tests, 'robust_controller')).to.equal('Implemented');
  });

  it('fault: header matches ignored → ai_inference fails its header check; robust_controller stays Implemented', async function () {
    const tests = await withTamperedRoutes('ignore-headers');
    expect(failuresOf(tests, 'ai_inference')).to.deep.equal([
      'routes by header: x-model and OpenAI-Project requests all reach their backend, others none',
    ]);
    expect(verdictOf(tests, 'ai_inference')).to.equal('Partially Implemented');
    expect(verdictOf(tests, 'robust_controller')).to.equal('Implemented');
  });

  it("fault: the operator's validating webhook removed → robust_controller fails (invalid object accepted); ai_inference stays Implemented", async function () {
    const { kubeConfig } = testCluster();
    const admission = kubeConfig.makeApiClient(k8s.AdmissionregistrationV1Api);
    const saved = await admission.readValidatingWebhookConfiguration({
      name: JOBSET_VALIDATING_WEBHOOK,
    });
    await admission.deleteValidatingWebhookConfiguration({ name: JOBSET_VALIDATING_WEBHOOK });
    try {
      const tests = await runSuitesOnTestCluster(['ai_inference', 'robust_controller'], {
        evidence: true,
        env: gatewayEnv(),
      });
      const failed = failuresOf(tests, 'robust_controller');
      expect(failed).to.include(
        'denies an invalid object by its validating webhook (a schema or RBAC rejection does not count)',
      );
      const denial = testsOf(tests, 'robust_controller').find((t) => t.title.startsWith('denies'));
      expect(denial?.failure?.message).to.match(/was accepted: no webhook denied it/);
      expect(verdictOf(tests, 'robust_controller')).to.be.oneOf([
        'Partially Implemented',
        'Not Implemented',
      ]);
      expect(verdictOf(tests, 'ai_inference')).to.equal('Implemented');
    } finally {
      const { metadata, webhooks } = saved;
      await admission.createValidatingWebhookConfiguration({
        body: { metadata: { name: metadata?.name, labels: metadata?.labels }, webhooks },
      });
    }
  });

  it('with the InferencePool API served but not implemented by Traefik (1.36 catalog): advanced_inference_ingress measured and Not Implemented, not Unknown', async function () {
    const { kubeConfig } = testCluster();
    const ext = GATEWAY_API_INFERENCE_EXTENSION;
    const crds = await applyCrdDirectory(
      kubeConfig,
      join(await moduleDir(ext.module, ext.version), ext.crdDir),
      {
        accept: (file) => file.includes('inferencepools'),
        what: 'Gateway API Inference Extension',
      },
    );
    try {
      const tests = await runSuitesOnTestCluster(['advanced_inference_ingress'], {
        evidence: true,
        conformance: '1.36',
        env: { ...gatewayEnv(), KAIC_GATEWAY_TIMEOUT_SECONDS: '60' },
      });
      const [test, picker] = testsOf(tests, 'advanced_inference_ingress');
      expect(test?.status).to.equal('failed');
      // The picker check cannot run here, and says why; the failed FailOpen check decides.
      expect(picker?.skipReason).to.include("does not deploy the extension's endpoint picker");
      // Traefik leaves a route to an InferencePool unresolved; the suite says so.
      expect(test?.failure?.message).to.match(/HTTPRoute pool.*ResolvedRefs=False \(InvalidKind\)/);
      expect(verdictOf(tests, 'advanced_inference_ingress')).to.equal('Not Implemented');
    } finally {
      const api = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
      for (const name of crds)
        await api.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    }
  });

  it('disaggregated_inference (1.36 catalog): labels alone Unknown; one request traced through a prefill and a decode pod Implemented; a decode that serves alone Unknown', async function () {
    const { kubeConfig } = testCluster();
    const realNode = requireRealNode(this);
    const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    const ns = 'kaic-test-pd';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const run = (env: Record<string, string> = {}) =>
      runSuitesOnTestCluster(['disaggregated_inference'], {
        evidence: true,
        conformance: '1.36',
        env,
      });
    const ready = async (name: string) =>
      waitFor(`pod ${name} Ready`, async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name });
        return p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')
          ? p
          : undefined;
      });
    const start = async (name: string, role: string, prefillUrl?: string) => {
      await core.createNamespacedPod({
        namespace: ns,
        body: pdStubPod({ name, namespace: ns, role, node: realNode.name, prefillUrl }),
      });
      return ready(name);
    };
    const reasonOf = (tests: TestResult[], title: RegExp) =>
      testsOf(tests, 'disaggregated_inference').find((t) => title.test(t.title))?.skipReason;
    try {
      const decodeOnly = await start('decode-alone', 'decode');
      const labelsOnly = await run();
      expect(verdictOf(labelsOnly, 'disaggregated_inference')).to.equal('Unknown');
      expect(failuresOf(labelsOnly, 'disaggregated_inference')).to.deep.equal([
        'has prefill and decode Ready in separate pods',
      ]);
      const prefill = await start('prefill-0', 'prefill');
      const noUrl = await run();
      expect(verdictOf(noUrl, 'disaggregated_inference'), 'roles without a request').to.equal(
        'Unknown',
      );
      expect(reasonOf(noUrl, /request id/)).to.include('KAIC_PD_URL');
      // A decode that answers alone, never asking prefill: the id only in decode's log.
      const alone = await run({ KAIC_PD_URL: `http://${decodeOnly.status?.podIP}:8080/cgi-bin` });
      expect(verdictOf(alone, 'disaggregated_inference'), 'decode serving alone').to.equal(
        'Unknown',
      );
      expect(reasonOf(alone, /request id/)).to.match(
        /prefill: no pod; decode: kaic-test-pd\/decode-alone/,
      );
      await core.deleteNamespacedPod({
        namespace: ns,
        name: 'decode-alone',
        gracePeriodSeconds: 0,
      });
      const decode = await start(
        'decode-0',
        'decode',
        `http://${prefill.status?.podIP}:8080/cgi-bin`,
      );
      const traced = await run({ KAIC_PD_URL: `http://${decode.status?.podIP}:8080/cgi-bin` });
      expect(verdictOf(traced, 'disaggregated_inference')).to.equal('Implemented');
      expect(
        testsOf(traced, 'disaggregated_inference')
          .flatMap((t) => t.evidence.map((e) => e.summary))
          .join('\n'),
      ).to.match(
        /logged by prefill pod kaic-test-pd\/prefill-0 and decode pod kaic-test-pd\/decode-0/,
      );
    } finally {
      await core.deleteNamespace({ name: ns }).catch(() => undefined);
      await waitFor(
        `namespace ${ns} deleted`,
        async () => ((await core.readNamespace({ name: ns }).catch(() => null)) ? undefined : true),
        120_000,
      );
    }
  });
});
