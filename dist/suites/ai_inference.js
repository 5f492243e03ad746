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
  suiteSettings
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/ai_inference.ts
import { randomBytes } from "node:crypto";
var budget = { devices: 0, typicalSeconds: 8 };
var BACKENDS = ["model-v1", "model-v2", "model-v3"];
var WEIGHTS = { "model-v1": 70, "model-v2": 30, "model-v3": 0 };
var GATEWAY = "kaic-inference";
var HEADER_REQUESTS = 100;
function requestCount() {
  return suiteSettings().gatewayRequests;
}
function tolerancePoints() {
  return suiteSettings().gatewayWeightTolerance;
}
function routes(runId) {
  const headerRule = (name, value, backend) => ({
    matches: [
      {
        path: { type: "PathPrefix", value: "/headers" },
        headers: [{ type: "Exact", name, value }]
      }
    ],
    backendRefs: [{ name: backend, port: 80 }]
  });
  return [
    {
      name: "weights",
      rules: [
        {
          matches: [{ path: { type: "PathPrefix", value: "/weights" } }],
          backendRefs: BACKENDS.map((b) => ({ name: b, port: 80, weight: WEIGHTS[b] }))
        }
      ]
    },
    {
      name: "headers",
      rules: [
        headerRule("x-model", "model-v2", "model-v2"),
        headerRule("OpenAI-Project", runId, "model-v3"),
        {
          matches: [{ path: { type: "PathPrefix", value: "/headers" } }],
          backendRefs: [{ name: "model-v1", port: 80 }]
        }
      ]
    }
  ];
}
describe(`${requirementTag("ai_inference", "MUST")} Gateway API inference routing`, function() {
  this.timeout(9e5);
  const runId = `kaic-${randomBytes(4).toString("hex")}`;
  let ns = "";
  let measured = null;
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  async function measure(ctx) {
    const missing = await unservedResources(`${GATEWAY_GROUP}/${GATEWAY_VERSION}`, [
      "gatewayclasses",
      "gateways",
      "httproutes"
    ]);
    if (missing.length) {
      throw new Error(
        `the Gateway API ${GATEWAY_GROUP}/${GATEWAY_VERSION} does not serve ${missing.join(", ")}: install its CRDs and an implementation`
      );
    }
    const gatewayClass = await chooseGatewayClass();
    recordEvidence(
      ctx,
      "observed",
      `GatewayClass ${gatewayClass.name} (controller ${gatewayClass.controller}; ${gatewayClass.how})`
    );
    const [node] = await nodesRunningContainers();
    if (!node) throw new Error("ENVIRONMENT ERROR: no Ready node runs containers");
    ns = await createNamespace("kaic-ai-inference");
    for (const name of BACKENDS) await createBackend(ns, name, node);
    const port = listenerPort();
    await createGatewayObject(ns, "gateways", {
      kind: "Gateway",
      metadata: { name: GATEWAY, namespace: ns },
      spec: {
        gatewayClassName: gatewayClass.name,
        listeners: [{ name: "http", protocol: "HTTP", port }]
      }
    });
    const all = routes(runId);
    for (const route of all) {
      await createGatewayObject(ns, "httproutes", {
        kind: "HTTPRoute",
        metadata: { name: route.name, namespace: ns },
        spec: { parentRefs: [{ name: GATEWAY }], rules: route.rules }
      });
    }
    recordEvidence(
      ctx,
      "created",
      `namespace ${ns}: backends ${BACKENDS.join(", ")} on ${node}; Gateway ${GATEWAY} (HTTP :${port}); HTTPRoutes weights (70/30/0) and headers`
    );
    const gateway = await waitGatewayProgrammed(ns, GATEWAY);
    for (const route of all) await waitRouteAccepted(ns, route.name, GATEWAY);
    const { target, how } = gatewayTarget(gateway, port);
    recordEvidence(
      ctx,
      "observed",
      `Gateway Accepted and Programmed; both HTTPRoutes Accepted with ResolvedRefs; the client sends to ${target} (${how})`
    );
    const base = `http://${target}`;
    const script = [
      warmUp([`${base}/weights/`, `${base}/headers/`]),
      requestLoop("weights", requestCount(), `${base}/weights/`),
      requestLoop("x-model", HEADER_REQUESTS, `${base}/headers/`, "x-model: model-v2"),
      requestLoop("x-model-other", HEADER_REQUESTS, `${base}/headers/`, "x-model: model-v9"),
      requestLoop(
        "openai-project",
        HEADER_REQUESTS,
        `${base}/headers/`,
        `OpenAI-Project: ${runId}`
      ),
      requestLoop("no-header", HEADER_REQUESTS, `${base}/headers/`)
    ].join("\n");
    const { log, seconds } = await runClient(ns, "client", node, script);
    const warmup = /warmup (\d+) (\d+)/.exec(log);
    const counts = tally(log, BACKENDS);
    const sent = Object.values(counts).reduce(
      (sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0),
      0
    );
    recordEvidence(
      ctx,
      "observed",
      `client sent ${sent} requests in ${seconds.toFixed(1)} s (warm-up ${warmup?.[2] ?? "?"} s)`,
      counts
    );
    return counts;
  }
  function measurement(ctx) {
    measured ??= measure(ctx);
    return measured;
  }
  it("splits traffic by HTTPRoute weights 70/30/0, measured over \u2265 500 requests", async function() {
    const counts = await measurement(this);
    const weights = counts.weights ?? {};
    const total = Object.values(weights).reduce((a, b) => a + b, 0);
    const tolerance = tolerancePoints();
    recordEvidence(
      this,
      "observed",
      `weights 70/30/0 \u2192 ${shareText(weights)} of ${total} (tolerance \xB1${tolerance} points)`
    );
    expect(
      weights.ERR ?? 0,
      `requests that got no backend's answer: ${shareText(weights)}`
    ).to.equal(0);
    expect(total, "requests answered").to.be.at.least(requestCount());
    expect(
      weights["model-v3"] ?? 0,
      `requests that reached model-v3 at weight 0: ${shareText(weights)}`
    ).to.equal(0);
    for (const backend of BACKENDS) {
      const share = 100 * (weights[backend] ?? 0) / total;
      expect(
        Math.abs(share - WEIGHTS[backend]),
        `${backend} got ${share.toFixed(1)} % at weight ${WEIGHTS[backend]}: ${shareText(weights)}`
      ).to.be.at.most(tolerance);
    }
  });
  it("routes by header: x-model and OpenAI-Project requests all reach their backend, others none", async function() {
    const counts = await measurement(this);
    const expected = [
      ["x-model", "model-v2", "x-model: model-v2"],
      ["openai-project", "model-v3", `OpenAI-Project: ${runId}`],
      ["x-model-other", "model-v1", "x-model: model-v9 (no match)"],
      ["no-header", "model-v1", "no header"]
    ];
    for (const [phase, , what] of expected) {
      recordEvidence(this, "observed", `${what} \u2192 ${shareText(counts[phase])}`);
    }
    for (const [phase, backend, what] of expected) {
      const got = counts[phase] ?? {};
      expect(
        got[backend] ?? 0,
        `${what}: expected all ${HEADER_REQUESTS} at ${backend}, got ${shareText(got)}`
      ).to.equal(HEADER_REQUESTS);
    }
  });
});
export {
  budget
};
