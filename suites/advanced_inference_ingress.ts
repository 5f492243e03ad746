/**
 * advanced_inference_ingress (SHOULD from 1.36, KAR-0011): the Gateway API Inference Extension — an
 * HTTPRoute may send to an InferencePool, whose endpoint picker chooses the model server. Detected
 * from the InferencePool API (inference.networking.k8s.io/v1). Two defining checks, following the
 * extension's own conformance semantics:
 *  - FailOpen (its EppUnAvailableFailOpen test): a pool of three backends whose picker Service
 *    exists but has no ready endpoint, configured FailOpen, must still receive every request
 *    through the Gateway; the route Accepted with ResolvedRefs first. (A picker Service that does
 *    not exist is another test of the extension, InferencePoolInvalidEPPService, which expects
 *    ResolvedRefs=False and 5xx: the suite never names one.)
 *  - The picker is followed: requests go to the member the extension's endpoint picker chooses.
 *    kaic does not deploy the picker yet, so this check cannot run and says so: an implementation
 *    that ignores the picker passes FailOpen, so FailOpen alone never makes it Implemented.
 * Not served → Unknown with the reason.
 * Configuration: as ai_inference (KAIC_GATEWAY_CLASS, _LISTENER_PORT, _ADDRESS, _TIMEOUT_SECONDS).
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { createNamespace, deleteNamespace, suiteCluster } from './lib/cluster.js';
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
} from './lib/gateway.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { nodesRunningContainers } from './lib/monitoring.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): backends without accelerators. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 5 };

const POOL_GROUP = 'inference.networking.k8s.io';
const POOL_VERSION = 'v1';
const MEMBERS = ['pool-a', 'pool-b', 'pool-c'];
const REQUESTS = 50;
const GATEWAY = 'kaic-pool';
/** The endpoint picker's Service and its ext-proc port (the extension's default, 9002). */
const PICKER = 'kaic-endpoint-picker';
const PICKER_PORT = 9002;

/** Skips the test (Unknown, with the reason) where the InferencePool API is not served. */
async function requirePoolApi(test: Mocha.Context): Promise<void> {
  const missing = await unservedResources(`${POOL_GROUP}/${POOL_VERSION}`, ['inferencepools']);
  if (missing.length) {
    skipBecause(
      test,
      `the InferencePool API (${POOL_GROUP}/${POOL_VERSION}) is not served: install the Gateway API Inference Extension and an implementation of it, or declare N/A`,
    );
  }
}

describe(`${requirementTag('advanced_inference_ingress', 'SHOULD')} Advanced inference ingress`, function () {
  this.timeout(900_000);
  let ns = '';

  after(async function () {
    // Until gone, not only released: its routes share the listener port with the next
    // test's Gateway, and a Terminating namespace's routes still route.
    if (ns) await deleteNamespace(ns);
  });

  it('routes through an InferencePool whose endpoint picker is unavailable and FailOpen: every request reaches a pool member', async function () {
    await requirePoolApi(this);
    const missing = await unservedResources(`${GATEWAY_GROUP}/${GATEWAY_VERSION}`, [
      'gateways',
      'httproutes',
    ]);
    if (missing.length) {
      skipBecause(
        this,
        `InferencePool is served but the Gateway API is not (${missing.join(', ')})`,
      );
    }
    const gatewayClass = await chooseGatewayClass();
    const [node] = await nodesRunningContainers();
    if (!node) throw new Error('ENVIRONMENT ERROR: no Ready node runs containers');
    ns = await createNamespace('kaic-inference-pool');
    for (const name of MEMBERS)
      await createBackend(ns, name, node, { 'conformance.kaic.dev/pool': 'kaic' });
    // The picker's Service exists, with no pod behind it: unavailable, not an invalid reference.
    await suiteCluster().core.createNamespacedService({
      namespace: ns,
      body: {
        metadata: { name: PICKER, namespace: ns },
        spec: {
          selector: { 'conformance.kaic.dev/endpoint-picker': 'none-running' },
          ports: [{ name: 'grpc-ext-proc', port: PICKER_PORT, appProtocol: 'http2' }],
        },
      },
    });
    await suiteCluster()
      .kc.makeApiClient(k8s.CustomObjectsApi)
      .createNamespacedCustomObject({
        group: POOL_GROUP,
        version: POOL_VERSION,
        namespace: ns,
        plural: 'inferencepools',
        body: {
          apiVersion: `${POOL_GROUP}/${POOL_VERSION}`,
          kind: 'InferencePool',
          metadata: { name: 'kaic-pool', namespace: ns },
          spec: {
            selector: { matchLabels: { 'conformance.kaic.dev/pool': 'kaic' } },
            targetPorts: [{ number: 8080 }],
            endpointPickerRef: {
              name: PICKER,
              port: { number: PICKER_PORT },
              failureMode: 'FailOpen',
            },
          },
        },
      });
    const port = listenerPort();
    await createGatewayObject(ns, 'gateways', {
      kind: 'Gateway',
      metadata: { name: GATEWAY, namespace: ns },
      spec: {
        gatewayClassName: gatewayClass.name,
        listeners: [{ name: 'http', protocol: 'HTTP', port }],
      },
    });
    await createGatewayObject(ns, 'httproutes', {
      kind: 'HTTPRoute',
      metadata: { name: 'pool', namespace: ns },
      spec: {
        parentRefs: [{ name: GATEWAY }],
        rules: [
          {
            matches: [{ path: { type: 'PathPrefix', value: '/pool' } }],
            backendRefs: [{ group: POOL_GROUP, kind: 'InferencePool', name: 'kaic-pool' }],
          },
        ],
      },
    });
    recordEvidence(
      this,
      'created',
      `namespace ${ns}: InferencePool kaic-pool (${MEMBERS.join(', ')}; picker Service ${PICKER} without endpoints, FailOpen), Gateway ${GATEWAY} of ${gatewayClass.name}, HTTPRoute pool`,
    );
    const gateway = await waitGatewayProgrammed(ns, GATEWAY);
    await waitRouteAccepted(ns, 'pool', GATEWAY);
    const { target } = gatewayTarget(gateway, port);
    const url = `http://${target}/pool/`;
    const { log, seconds } = await runClient(
      ns,
      'client',
      node,
      [warmUp([url]), requestLoop('pool', REQUESTS, url)].join('\n'),
    );
    const counts = tally(log, MEMBERS).pool ?? {};
    recordEvidence(
      this,
      'observed',
      `${REQUESTS} requests in ${seconds.toFixed(1)} s → ${shareText(counts)}`,
    );
    expect(
      MEMBERS.reduce((sum, m) => sum + (counts[m] ?? 0), 0),
      `requests answered by pool members: ${shareText(counts)}`,
    ).to.equal(REQUESTS);
  });

  it("routes each request to the pool member the extension's endpoint picker chooses", async function () {
    await requirePoolApi(this);
    skipBecause(
      this,
      "kaic does not deploy the extension's endpoint picker yet, so it cannot show that routing follows the picker's choice (an implementation that ignores the picker passes the FailOpen check)",
    );
  });
});
