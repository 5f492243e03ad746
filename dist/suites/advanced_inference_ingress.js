import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
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
  warmUp
} from "../chunks/chunk-XEUHAUSR.js";
import {
  nodesRunningContainers
} from "../chunks/chunk-GHGEUTGR.js";
import {
  createNamespace,
  deleteNamespace,
  expect,
  suiteCluster
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import {
  ObjectCustomObjectsApi
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/advanced_inference_ingress.ts
var budget = { devices: 0, typicalSeconds: 5 };
var POOL_GROUP = "inference.networking.k8s.io";
var POOL_VERSION = "v1";
var MEMBERS = ["pool-a", "pool-b", "pool-c"];
var REQUESTS = 50;
var GATEWAY = "kaic-pool";
describe(`${requirementTag("advanced_inference_ingress", "SHOULD")} Advanced inference ingress`, function() {
  this.timeout(9e5);
  let ns = "";
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  it("routes through an InferencePool (endpoint picker FailOpen and absent: every request reaches a pool member)", async function() {
    const missingPool = await unservedResources(`${POOL_GROUP}/${POOL_VERSION}`, [
      "inferencepools"
    ]);
    if (missingPool.length) {
      skipBecause(
        this,
        `the InferencePool API (${POOL_GROUP}/${POOL_VERSION}) is not served: install the Gateway API Inference Extension and an implementation of it, or declare N/A`
      );
    }
    const missing = await unservedResources(`${GATEWAY_GROUP}/${GATEWAY_VERSION}`, [
      "gateways",
      "httproutes"
    ]);
    if (missing.length) {
      skipBecause(
        this,
        `InferencePool is served but the Gateway API is not (${missing.join(", ")})`
      );
    }
    const gatewayClass = await chooseGatewayClass();
    const [node] = await nodesRunningContainers();
    if (!node) throw new Error("ENVIRONMENT ERROR: no Ready node runs containers");
    ns = await createNamespace("kaic-inference-pool");
    for (const name of MEMBERS)
      await createBackend(ns, name, node, { "conformance.kaic.dev/pool": "kaic" });
    await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).createNamespacedCustomObject({
      group: POOL_GROUP,
      version: POOL_VERSION,
      namespace: ns,
      plural: "inferencepools",
      body: {
        apiVersion: `${POOL_GROUP}/${POOL_VERSION}`,
        kind: "InferencePool",
        metadata: { name: "kaic-pool", namespace: ns },
        spec: {
          selector: { matchLabels: { "conformance.kaic.dev/pool": "kaic" } },
          targetPorts: [{ number: 8080 }],
          endpointPickerRef: {
            name: "kaic-absent-endpoint-picker",
            port: { number: 9002 },
            failureMode: "FailOpen"
          }
        }
      }
    });
    const port = listenerPort();
    await createGatewayObject(ns, "gateways", {
      kind: "Gateway",
      metadata: { name: GATEWAY, namespace: ns },
      spec: {
        gatewayClassName: gatewayClass.name,
        listeners: [{ name: "http", protocol: "HTTP", port }]
      }
    });
    await createGatewayObject(ns, "httproutes", {
      kind: "HTTPRoute",
      metadata: { name: "pool", namespace: ns },
      spec: {
        parentRefs: [{ name: GATEWAY }],
        rules: [
          {
            matches: [{ path: { type: "PathPrefix", value: "/pool" } }],
            backendRefs: [{ group: POOL_GROUP, kind: "InferencePool", name: "kaic-pool" }]
          }
        ]
      }
    });
    recordEvidence(
      this,
      "created",
      `namespace ${ns}: InferencePool kaic-pool (${MEMBERS.join(", ")}; picker absent, FailOpen), Gateway ${GATEWAY} of ${gatewayClass.name}, HTTPRoute pool`
    );
    const gateway = await waitGatewayProgrammed(ns, GATEWAY);
    await waitRouteAccepted(ns, "pool", GATEWAY);
    const { target } = gatewayTarget(gateway, port);
    const url = `http://${target}/pool/`;
    const { log, seconds } = await runClient(
      ns,
      "client",
      node,
      [warmUp([url]), requestLoop("pool", REQUESTS, url)].join("\n")
    );
    const counts = tally(log, MEMBERS).pool ?? {};
    recordEvidence(
      this,
      "observed",
      `${REQUESTS} requests in ${seconds.toFixed(1)} s \u2192 ${shareText(counts)}`
    );
    expect(
      MEMBERS.reduce((sum, m) => sum + (counts[m] ?? 0), 0),
      `requests answered by pool members: ${shareText(counts)}`
    ).to.equal(REQUESTS);
  });
});
export {
  budget
};
