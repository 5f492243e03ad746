/**
 * disaggregated_inference (SHOULD from 1.36, KAR-0041): prefill and decode of one request run in
 * separate pods. The roles are found by llm-d's labels (llm-d.ai/role=prefill|decode), or the
 * selectors in KAIC_PD_SELECTOR (`<prefill>;<decode>`); NVIDIA Dynamo's API is recognised.
 *
 * - Supporting: both roles have Ready pods, and no pod is in both. Labels alone prove nothing.
 * - Defining: one completion sent through the deployment's endpoint (KAIC_PD_URL, as pods reach
 *   it) from a client pod, with a fresh `x-request-id`, is answered, and that id shows up in the
 *   logs of a prefill pod and of a different decode pod. An id seen in one role only, or nowhere,
 *   proves nothing either way (a stack may not log request ids): Unknown, naming where it was
 *   seen. No endpoint given: Unknown, naming the setting. A request that is not answered fails.
 */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { getJson } from '../src/k8s/raw.js';
import {
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  suiteCluster,
  waitRunning,
  workloadImage,
  IDLE_COMMAND,
} from './lib/cluster.js';
import { decideTrace, firstModel } from './lib/disaggregated.js';
import { recordEvidence, requirementTag, skipBecause, supporting } from './lib/index.js';
import { nodesRunningContainers } from './lib/monitoring.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one client pod. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 8 };

function selectors(): { prefill: string; decode: string; how: string } {
  const configured = suiteSettings().pdSelector;
  if (configured) {
    const [prefill, decode] = configured.split(';');
    if (!prefill || !decode) {
      throw new Error(
        `KAIC_PD_SELECTOR="${configured}"; give <prefill label selector>;<decode label selector>`,
      );
    }
    return { prefill, decode, how: 'configured (KAIC_PD_SELECTOR)' };
  }
  return { prefill: 'llm-d.ai/role=prefill', decode: 'llm-d.ai/role=decode', how: "llm-d's roles" };
}

function ready(pod: k8s.V1Pod): boolean {
  return Boolean(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

function ref(pod: k8s.V1Pod): string {
  return `${pod.metadata?.namespace}/${pod.metadata?.name}`;
}

/** Single-quoted for sh. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

interface Roles {
  prefill: k8s.V1Pod[];
  decode: k8s.V1Pod[];
  selectors: ReturnType<typeof selectors>;
}

async function findRoles(): Promise<Roles> {
  const { core } = suiteCluster();
  const found = selectors();
  const [prefill, decode] = await Promise.all(
    [found.prefill, found.decode].map(
      async (labelSelector) => (await core.listPodForAllNamespaces({ labelSelector })).items,
    ),
  );
  return { prefill: prefill ?? [], decode: decode ?? [], selectors: found };
}

async function dynamoServed(): Promise<boolean> {
  return getJson(suiteCluster().kc, '/apis/nvidia.com/v1alpha1').then(
    (r) =>
      ((r as { resources?: Array<{ name: string }> }).resources ?? []).some(
        (x) => x.name === 'dynamographdeployments',
      ),
    () => false,
  );
}

/** Whether any container of the pod logged `needle` in the last `sinceSeconds`. */
async function podLogged(pod: k8s.V1Pod, needle: string, sinceSeconds: number): Promise<boolean> {
  const { core } = suiteCluster();
  for (const container of pod.spec?.containers ?? []) {
    const log = await core
      .readNamespacedPodLog({
        namespace: pod.metadata?.namespace as string,
        name: pod.metadata?.name as string,
        container: container.name,
        sinceSeconds,
      })
      .catch(() => '');
    if (log.includes(needle)) return true;
  }
  return false;
}

describe(`${requirementTag('disaggregated_inference', 'SHOULD')} Disaggregated inference`, function () {
  this.timeout(300_000);
  let roles: Roles;
  let ns = '';

  before(async function () {
    roles = await findRoles();
  });

  after(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
  });

  async function requireRoles(test: Mocha.Context): Promise<void> {
    if (roles.prefill.length || roles.decode.length) return;
    const { prefill, decode } = roles.selectors;
    skipBecause(
      test,
      (await dynamoServed())
        ? 'the Dynamo API (dynamographdeployments.nvidia.com) is served but no pod carries the prefill/decode selectors: set KAIC_PD_SELECTOR'
        : `no disaggregated serving found (no pod matches ${prefill} or ${decode}; no Dynamo API): deploy one (e.g. llm-d with P/D) or declare N/A`,
    );
  }

  supporting(
    it('has prefill and decode Ready in separate pods', async function () {
      await requireRoles(this);
      const list = (pods: k8s.V1Pod[]) =>
        pods.map((p) => `${ref(p)}${ready(p) ? '' : ' (not Ready)'}`).join(', ') || 'none';
      const { prefill, decode, how } = roles.selectors;
      recordEvidence(
        this,
        'observed',
        `selectors (${how}): prefill ${prefill} → ${list(roles.prefill)}`,
      );
      recordEvidence(this, 'observed', `decode ${decode} → ${list(roles.decode)}`);
      const readyPrefill = roles.prefill.filter(ready);
      const readyDecode = roles.decode.filter(ready);
      expect(readyPrefill.length, 'Ready prefill pods').to.be.greaterThan(0);
      expect(readyDecode.length, 'Ready decode pods').to.be.greaterThan(0);
      const both = readyPrefill.filter((p) =>
        readyDecode.some((d) => d.metadata?.uid === p.metadata?.uid),
      );
      expect(both.map(ref), 'pods in both roles').to.have.length(0);
    }),
  );

  it("runs one request's prefill and decode in different pods (its request id in both roles' logs)", async function () {
    await requireRoles(this);
    const url = suiteSettings().pdUrl;
    if (!url) {
      skipBecause(
        this,
        "prefill and decode pods found, but no endpoint to send a request through: set KAIC_PD_URL to the deployment's OpenAI-compatible URL as pods reach it",
      );
    }
    const readyPrefill = roles.prefill.filter(ready);
    const readyDecode = roles.decode.filter(ready);
    if (!readyPrefill.length || !readyDecode.length) {
      skipBecause(
        this,
        `no Ready ${readyPrefill.length ? 'decode' : 'prefill'} pod to trace a request through`,
      );
    }
    const nodes = await nodesRunningContainers();
    if (!nodes.length) skipBecause(this, 'no node runs containers for the client pod');
    ns = await createNamespace('kaic-pd');
    await createPod({
      metadata: { name: 'client', namespace: ns },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': nodes[0]! },
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'main',
            image: workloadImage(),
            imagePullPolicy: 'IfNotPresent',
            command: [...IDLE_COMMAND],
          },
        ],
      },
    });
    await waitRunning(ns, 'client');
    // busybox wget crashes with -T; its deadline is timeout(1) (as in suites/lib/gateway.ts).
    const wget = (args: string) =>
      exec(ns, 'client', 'main', `timeout 60 wget -q -O- ${args} 2>&1`);
    let model = suiteSettings().pdModel ?? null;
    if (!model) {
      const models = await wget(quoted(`${url}/v1/models`));
      model = firstModel(models.stdout);
      if (!model) {
        skipBecause(
          this,
          `${url}/v1/models named no model (${models.stdout.slice(0, 200) || `exit ${models.exitCode}`}): set KAIC_PD_MODEL`,
        );
      }
    }
    const requestId = `kaic-pd-${randomBytes(6).toString('hex')}`;
    const body = JSON.stringify({ model, prompt: 'Kubernetes is', max_tokens: 8 });
    const started = Date.now();
    const answer = await wget(
      [
        `--header ${quoted(`x-request-id: ${requestId}`)}`,
        `--header 'Content-Type: application/json'`,
        `--post-data ${quoted(body)}`,
        quoted(`${url}/v1/completions`),
      ].join(' '),
    );
    recordEvidence(
      this,
      'observed',
      `POST ${url}/v1/completions (model ${model}, x-request-id ${requestId}) from pod ${ns}/client: exit ${answer.exitCode}, ${answer.stdout.slice(0, 200)}`,
    );
    expect(answer.exitCode, `the completion through ${url} answered`).to.equal(0);
    expect(answer.stdout, 'the answer carries choices').to.include('choices');
    const since = Math.ceil((Date.now() - started) / 1000) + 60;
    const hits = {
      prefill: [] as string[],
      decode: [] as string[],
    };
    for (const [role, pods] of [
      ['prefill', readyPrefill],
      ['decode', readyDecode],
    ] as const) {
      for (const pod of pods) {
        if (await podLogged(pod, requestId, since)) hits[role].push(ref(pod));
      }
    }
    const decision = decideTrace(requestId, hits);
    if (decision.outcome === 'unproven') skipBecause(this, decision.reason);
    recordEvidence(
      this,
      'observed',
      `request ${requestId} logged by prefill pod ${decision.prefillPod} and decode pod ${decision.decodePod}`,
    );
  });
});
