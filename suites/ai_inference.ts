/**
 * ai_inference (MUST): the Gateway API with an implementation that splits traffic by weight and
 * routes by header (OpenAI-style headers included). Status conditions alone never pass; the
 * suite counts real responses:
 *  - three backends answer with their own name (model-v1, model-v2, model-v3);
 *  - a Gateway of the chosen GatewayClass must be Accepted and Programmed, each HTTPRoute
 *    Accepted with ResolvedRefs;
 *  - weights 70/30/0: a client pod sends ≥ 500 requests through the Gateway; each share must lie
 *    within the tolerance of its weight and the weight-0 backend must get none;
 *  - headers: requests carrying `x-model: model-v2` all reach model-v2, those carrying
 *    `OpenAI-Project: <run>` all reach model-v3, those with neither (or another x-model value)
 *    all reach model-v1.
 *
 * Configuration:
 *   KAIC_GATEWAY_CLASS              GatewayClass to use (default: the Accepted one, by name)
 *   KAIC_GATEWAY_LISTENER_PORT      the Gateway listener's port (default 80)
 *   KAIC_GATEWAY_ADDRESS            host[:port] the client pod sends to, when the Gateway's own
 *                                   address is not reachable from pods (default: its first
 *                                   status address and the listener port)
 *   KAIC_GATEWAY_REQUESTS           requests for the weight check (default and minimum 500)
 *   KAIC_GATEWAY_WEIGHT_TOLERANCE   allowed distance of a share from its weight, in percentage
 *                                   points (default 10; the Gateway API's own conformance test
 *                                   uses 5 with up to 10 attempts)
 *   KAIC_GATEWAY_TIMEOUT_SECONDS    each status wait and the client's run (default 180)
 */
import { randomBytes } from 'node:crypto';

import { expect } from 'chai';
import type { Context } from 'mocha';

import { createNamespace, deleteNamespace } from './lib/cluster.js';
import {
  GATEWAY_GROUP,
  GATEWAY_VERSION,
  chooseGatewayClass,
  createBackend,
  createGatewayObject,
  gatewayTarget,
  listenerPort,
  requestLoop,
  runClient,
  shareText,
  tally,
  unservedResources,
  waitGatewayProgrammed,
  waitRouteAccepted,
  warmUp,
  type Tally,
} from './lib/gateway.js';
import { recordEvidence, requirementTag } from './lib/index.js';
import { nodesRunningContainers } from './lib/monitoring.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): backends without accelerators. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 8 };

const BACKENDS = ['model-v1', 'model-v2', 'model-v3'] as const;
type Backend = (typeof BACKENDS)[number];
const WEIGHTS: Record<Backend, number> = { 'model-v1': 70, 'model-v2': 30, 'model-v3': 0 };
const GATEWAY = 'kaic-inference';
const HEADER_REQUESTS = 100;

function requestCount(): number {
  return suiteSettings().gatewayRequests;
}

function tolerancePoints(): number {
  return suiteSettings().gatewayWeightTolerance;
}

/** The HTTPRoutes: weights on /weights; x-model, OpenAI-Project and the default on /headers. */
function routes(runId: string): Array<{ name: string; rules: unknown[] }> {
  const headerRule = (name: string, value: string, backend: Backend) => ({
    matches: [
      {
        path: { type: 'PathPrefix', value: '/headers' },
        headers: [{ type: 'Exact', name, value }],
      },
    ],
    backendRefs: [{ name: backend, port: 80 }],
  });
  return [
    {
      name: 'weights',
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/weights' } }],
          backendRefs: BACKENDS.map((b) => ({ name: b, port: 80, weight: WEIGHTS[b] })),
        },
      ],
    },
    {
      name: 'headers',
      rules: [
        headerRule('x-model', 'model-v2', 'model-v2'),
        headerRule('OpenAI-Project', runId, 'model-v3'),
        {
          matches: [{ path: { type: 'PathPrefix', value: '/headers' } }],
          backendRefs: [{ name: 'model-v1', port: 80 }],
        },
      ],
    },
  ];
}

describe(`${requirementTag('ai_inference', 'MUST')} Gateway API inference routing`, function () {
  this.timeout(900_000);
  const runId = `kaic-${randomBytes(4).toString('hex')}`;
  let ns = '';
  let measured: Promise<Tally> | null = null;

  after(async function () {
    // Until gone, not only released: its routes share the listener port with the next
    // test's Gateway, and a Terminating namespace's routes still route.
    if (ns) await deleteNamespace(ns);
  });

  /** Sets everything up and sends the traffic once; both tests read the same measurement. */
  async function measure(ctx: Context): Promise<Tally> {
    const missing = await unservedResources(`${GATEWAY_GROUP}/${GATEWAY_VERSION}`, [
      'gatewayclasses',
      'gateways',
      'httproutes',
    ]);
    if (missing.length) {
      throw new Error(
        `the Gateway API ${GATEWAY_GROUP}/${GATEWAY_VERSION} does not serve ${missing.join(', ')}: install its CRDs and an implementation`,
      );
    }
    const gatewayClass = await chooseGatewayClass();
    recordEvidence(
      ctx,
      'observed',
      `GatewayClass ${gatewayClass.name} (controller ${gatewayClass.controller}; ${gatewayClass.how})`,
    );
    const [node] = await nodesRunningContainers();
    if (!node) throw new Error('ENVIRONMENT ERROR: no Ready node runs containers');
    ns = await createNamespace('kaic-ai-inference');
    for (const name of BACKENDS) await createBackend(ns, name, node);
    const port = listenerPort();
    await createGatewayObject(ns, 'gateways', {
      kind: 'Gateway',
      metadata: { name: GATEWAY, namespace: ns },
      spec: {
        gatewayClassName: gatewayClass.name,
        listeners: [{ name: 'http', protocol: 'HTTP', port }],
      },
    });
    const all = routes(runId);
    for (const route of all) {
      await createGatewayObject(ns, 'httproutes', {
        kind: 'HTTPRoute',
        metadata: { name: route.name, namespace: ns },
        spec: { parentRefs: [{ name: GATEWAY }], rules: route.rules },
      });
    }
    recordEvidence(
      ctx,
      'created',
      `namespace ${ns}: backends ${BACKENDS.join(', ')} on ${node}; Gateway ${GATEWAY} (HTTP :${port}); HTTPRoutes weights (70/30/0) and headers`,
    );
    const gateway = await waitGatewayProgrammed(ns, GATEWAY);
    for (const route of all) await waitRouteAccepted(ns, route.name, GATEWAY);
    const { target, how } = gatewayTarget(gateway, port);
    recordEvidence(
      ctx,
      'observed',
      `Gateway Accepted and Programmed; both HTTPRoutes Accepted with ResolvedRefs; the client sends to ${target} (${how})`,
    );
    const base = `http://${target}`;
    const script = [
      warmUp([`${base}/weights/`, `${base}/headers/`]),
      requestLoop('weights', requestCount(), `${base}/weights/`),
      requestLoop('x-model', HEADER_REQUESTS, `${base}/headers/`, 'x-model: model-v2'),
      requestLoop('x-model-other', HEADER_REQUESTS, `${base}/headers/`, 'x-model: model-v9'),
      requestLoop(
        'openai-project',
        HEADER_REQUESTS,
        `${base}/headers/`,
        `OpenAI-Project: ${runId}`,
      ),
      requestLoop('no-header', HEADER_REQUESTS, `${base}/headers/`),
    ].join('\n');
    const { log, seconds } = await runClient(ns, 'client', node, script);
    const warmup = /warmup (\d+) (\d+)/.exec(log);
    const counts = tally(log, BACKENDS);
    const sent = Object.values(counts).reduce(
      (sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0),
      0,
    );
    recordEvidence(
      ctx,
      'observed',
      `client sent ${sent} requests in ${seconds.toFixed(1)} s (warm-up ${warmup?.[2] ?? '?'} s)`,
      counts,
    );
    return counts;
  }

  function measurement(ctx: Context): Promise<Tally> {
    measured ??= measure(ctx);
    return measured;
  }

  it('splits traffic by HTTPRoute weights 70/30/0, measured over ≥ 500 requests', async function () {
    const counts = await measurement(this);
    const weights = counts.weights ?? {};
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    const tolerance = tolerancePoints();
    recordEvidence(
      this,
      'observed',
      `weights 70/30/0 → ${shareText(weights)} of ${total} (tolerance ±${tolerance} points)`,
    );
    expect(
      weights.ERR ?? 0,
      `requests that got no backend's answer: ${shareText(weights)}`,
    ).to.equal(0);
    expect(total, 'requests answered').to.be.at.least(requestCount());
    expect(
      weights['model-v3'] ?? 0,
      `requests that reached model-v3 at weight 0: ${shareText(weights)}`,
    ).to.equal(0);
    for (const backend of BACKENDS) {
      const share = (100 * (weights[backend] ?? 0)) / total;
      expect(
        Math.abs(share - WEIGHTS[backend]),
        `${backend} got ${share.toFixed(1)} % at weight ${WEIGHTS[backend]}: ${shareText(weights)}`,
      ).to.be.at.most(tolerance);
    }
  });

  it('routes by header: x-model and OpenAI-Project requests all reach their backend, others none', async function () {
    const counts = await measurement(this);
    const expected: Array<[string, Backend, string]> = [
      ['x-model', 'model-v2', 'x-model: model-v2'],
      ['openai-project', 'model-v3', `OpenAI-Project: ${runId}`],
      ['x-model-other', 'model-v1', 'x-model: model-v9 (no match)'],
      ['no-header', 'model-v1', 'no header'],
    ];
    for (const [phase, , what] of expected) {
      recordEvidence(this, 'observed', `${what} → ${shareText(counts[phase])}`);
    }
    for (const [phase, backend, what] of expected) {
      const got = counts[phase] ?? {};
      expect(
        got[backend] ?? 0,
        `${what}: expected all ${HEADER_REQUESTS} at ${backend}, got ${shareText(got)}`,
      ).to.equal(HEADER_REQUESTS);
    }
  });
});
