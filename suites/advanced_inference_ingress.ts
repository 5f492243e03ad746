/**
 * advanced_inference_ingress (SHOULD from 1.36): the Gateway API Inference Extension — an
 * HTTPRoute may send to an InferencePool, whose endpoint picker chooses the model server. Detected
 * from the InferencePool API (inference.networking.k8s.io/v1). Where it is served, the suite checks
 * behaviour without an endpoint-picker image: a pool of three backends whose picker is configured
 * FailOpen but does not exist must still receive every request through the Gateway (the
 * extension's own conformance test EppUnAvailableFailOpen); the route must be Accepted with
 * ResolvedRefs first. Not served → Unknown with the reason.
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

describe(`${requirementTag('advanced_inference_ingress', 'SHOULD')} Advanced inference ingress`, function () {
  this.timeout(900_000);
  let ns = '';

  after(async function () {
    // Until gone, not only released: its routes share the listener port with the next
    // test's Gateway, and a Terminating namespace's routes still route.
    if (ns) await deleteNamespace(ns);
  });

  it('routes through an InferencePool (endpoint picker FailOpen and absent: every request reaches a pool member)', async function () {
    const missingPool = await unservedResources(`${POOL_GROUP}/${POOL_VERSION}`, [
      'inferencepools',
    ]);
    if (missingPool.length) {
      skipBecause(
        this,
        `the InferencePool API (${POOL_GROUP}/${POOL_VERSION}) is not served: install the Gateway API Inference Extension and an implementation of it, or declare N/A`,
      );
    }
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
              name: 'kaic-absent-endpoint-picker',
              port: { number: 9002 },
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
      `namespace ${ns}: InferencePool kaic-pool (${MEMBERS.join(', ')}; picker absent, FailOpen), Gateway ${GATEWAY} of ${gatewayClass.name}, HTTPRoute pool`,
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
});
