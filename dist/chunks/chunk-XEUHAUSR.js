import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  createPod,
  suiteCluster,
  suiteSettings,
  workloadImage
} from "./chunk-JBT426HI.js";
import {
  getJson
} from "./chunk-ARFH6SL4.js";
import {
  WaitAborted,
  waitFor
} from "./chunk-DW5F3YJO.js";
import {
  ObjectCustomObjectsApi
} from "./chunk-ETKQSHAL.js";

// suites/lib/gateway.ts
var GATEWAY_GROUP = "gateway.networking.k8s.io";
var GATEWAY_VERSION = "v1";
var BACKEND_PORT = 8080;
var BACKEND_PATHS = ["weights", "headers", "pool"];
function gatewayTimeoutMs() {
  return suiteSettings().gatewayTimeoutMs;
}
function listenerPort() {
  return suiteSettings().gatewayListenerPort;
}
function conditionsText(conditions) {
  return (conditions ?? []).map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ""}`).join(", ") || "no conditions";
}
function isTrue(conditions, type) {
  return Boolean(conditions?.some((c) => c.type === type && c.status === "True"));
}
function customObjects() {
  return suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi);
}
async function unservedResources(groupVersion, plurals) {
  const served = await getJson(suiteCluster().kc, `/apis/${groupVersion}`).catch(() => null);
  const names = new Set((served?.resources ?? []).map((r) => r.name));
  return plurals.filter((p) => !names.has(p));
}
async function chooseGatewayClass() {
  const list = await customObjects().listClusterCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    plural: "gatewayclasses"
  });
  const configured = suiteSettings().gatewayClass;
  if (configured) {
    const found = list.items.find((c) => c.metadata.name === configured);
    if (!found) {
      throw new Error(
        `KAIC_GATEWAY_CLASS="${configured}" names no GatewayClass; present: ${list.items.map((c) => c.metadata.name).join(", ") || "none"}`
      );
    }
    if (!isTrue(found.status?.conditions, "Accepted")) {
      throw new Error(
        `GatewayClass ${configured} is not Accepted by its controller ${found.spec.controllerName}: ${conditionsText(found.status?.conditions)}`
      );
    }
    return { name: configured, controller: found.spec.controllerName, how: "configured" };
  }
  const accepted = list.items.filter((c) => isTrue(c.status?.conditions, "Accepted")).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const first = accepted[0];
  if (!first) {
    throw new Error(
      list.items.length ? `no GatewayClass is Accepted: ${list.items.map((c) => `${c.metadata.name} (${conditionsText(c.status?.conditions)})`).join("; ")}` : "no GatewayClass exists: install a Gateway API implementation"
    );
  }
  return {
    name: first.metadata.name,
    controller: first.spec.controllerName,
    how: accepted.length > 1 ? `first of ${accepted.length} Accepted (${accepted.map((c) => c.metadata.name).join(", ")}); set KAIC_GATEWAY_CLASS to choose` : "the only Accepted one"
  };
}
async function createBackend(ns, name, node, labels = {}) {
  const dirs = BACKEND_PATHS.map((p) => `/www/${p}`).join(" ");
  await createPod({
    metadata: { name, namespace: ns, labels: { ...labels, "conformance.kaic.dev/backend": name } },
    spec: {
      nodeSelector: { "kubernetes.io/hostname": node },
      tolerations: [{ operator: "Exists" }],
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "server",
          image: workloadImage(),
          imagePullPolicy: "IfNotPresent",
          command: [
            "sh",
            "-c",
            `mkdir -p ${dirs} && for d in ${dirs}; do printf ${name} > $d/index.html; done && exec httpd -f -p ${BACKEND_PORT} -h /www`
          ],
          ports: [{ name: "http", containerPort: BACKEND_PORT }],
          readinessProbe: { httpGet: { path: "/weights/", port: BACKEND_PORT }, periodSeconds: 1 }
        }
      ]
    }
  });
  await suiteCluster().core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name },
      spec: {
        selector: { "conformance.kaic.dev/backend": name },
        ports: [{ name: "http", port: 80, targetPort: BACKEND_PORT }]
      }
    }
  });
}
async function createGatewayObject(ns, plural, body) {
  await customObjects().createNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    namespace: ns,
    plural,
    body: { apiVersion: `${GATEWAY_GROUP}/${GATEWAY_VERSION}`, ...body }
  });
}
async function readGatewayObject(ns, plural, name) {
  return await customObjects().getNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    namespace: ns,
    plural,
    name
  });
}
async function waitGatewayProgrammed(ns, name) {
  return waitFor(
    `Gateway ${name} to be Accepted and Programmed`,
    async () => {
      const gw = await readGatewayObject(ns, "gateways", name);
      const c = gw.status?.conditions;
      return isTrue(c, "Accepted") && isTrue(c, "Programmed") ? gw : void 0;
    },
    gatewayTimeoutMs()
  ).catch(async (error) => {
    const gw = await readGatewayObject(ns, "gateways", name).catch(() => null);
    throw new Error(`${error.message}; status: ${JSON.stringify(gw?.status ?? null)}`);
  });
}
var PERMANENT_REASONS = ["InvalidKind", "UnsupportedValue", "NotAllowedByListeners"];
async function waitRouteAccepted(ns, route, gateway) {
  const parentOf = async () => (await readGatewayObject(ns, "httproutes", route)).status?.parents?.find(
    (p) => p.parentRef.name === gateway
  );
  await waitFor(
    `HTTPRoute ${route} to be Accepted with ResolvedRefs by Gateway ${gateway}`,
    async () => {
      const parent = await parentOf();
      const refused = parent?.conditions?.find(
        (c) => c.status === "False" && PERMANENT_REASONS.includes(c.reason ?? "")
      );
      if (refused) {
        throw new WaitAborted(
          `Gateway ${gateway} refuses HTTPRoute ${route}: ${refused.type}=False (${refused.reason}) ${refused.message ?? ""}`
        );
      }
      return parent && isTrue(parent.conditions, "Accepted") && isTrue(parent.conditions, "ResolvedRefs") ? true : void 0;
    },
    gatewayTimeoutMs()
  ).catch(async (error) => {
    const parent = await parentOf().catch(() => void 0);
    throw new Error(`${error.message}; parent status: ${conditionsText(parent?.conditions)}`);
  });
}
function gatewayTarget(gateway, port) {
  const configured = suiteSettings().gatewayAddress;
  if (configured) return { target: configured, how: "KAIC_GATEWAY_ADDRESS" };
  const address = gateway.status?.addresses?.[0]?.value;
  if (!address) {
    throw new Error(
      "the Gateway is Programmed but has no status address; set KAIC_GATEWAY_ADDRESS to where pods reach it"
    );
  }
  const host = address.includes(":") && !address.startsWith("[") ? `[${address}]` : address;
  return { target: `${host}:${port}`, how: `the Gateway's address ${address}` };
}
function requestLoop(phase, count, url, header = "") {
  const h = header ? `--header '${header}'` : "";
  return `i=0; while [ $i -lt ${count} ]; do echo "${phase} $(timeout 10 wget -q -O - ${h} ${url} 2>/dev/null || echo ERR)"; i=$((i+1)); done`;
}
function warmUp(urls) {
  const probe = urls.map((u) => `timeout 3 wget -q -O - ${u} >/dev/null 2>&1`).join(" && ");
  return [
    "ok=0; t=0",
    "while [ $ok -lt 5 ] && [ $t -lt 120 ]; do",
    `  if ${probe}; then ok=$((ok+1)); else ok=0; sleep 1; t=$((t+1)); fi`,
    "done",
    'echo "warmup $ok $t"'
  ].join("\n");
}
async function runClient(ns, name, node, script) {
  const { core } = suiteCluster();
  await createPod({
    metadata: { name, namespace: ns },
    spec: {
      nodeSelector: { "kubernetes.io/hostname": node },
      tolerations: [{ operator: "Exists" }],
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "client",
          image: workloadImage(),
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", script]
        }
      ]
    }
  });
  const started = Date.now();
  await waitFor(
    `the client pod ${name} to send its requests`,
    async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name });
      if (p.status?.phase === "Failed") throw new WaitAborted(`the client pod ${name} failed`);
      return p.status?.phase === "Succeeded" ? true : void 0;
    },
    gatewayTimeoutMs() + 12e4
  );
  const log = await core.readNamespacedPodLog({ namespace: ns, name });
  return { log, seconds: (Date.now() - started) / 1e3 };
}
function tally(log, backends) {
  const counts = {};
  for (const line of log.split("\n")) {
    const [phase, answer] = line.trim().split(/\s+/, 2);
    if (!phase || phase === "warmup" || !answer) continue;
    const key = backends.includes(answer) ? answer : "ERR";
    counts[phase] ??= {};
    counts[phase][key] = (counts[phase][key] ?? 0) + 1;
  }
  return counts;
}
function shareText(counts) {
  const total = Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
  return Object.entries(counts ?? {}).sort().map(([k, v]) => `${k} ${v} (${(100 * v / (total || 1)).toFixed(1)} %)`).join(", ") || "no answers";
}

export {
  GATEWAY_GROUP,
  GATEWAY_VERSION,
  listenerPort,
  unservedResources,
  chooseGatewayClass,
  createBackend,
  createGatewayObject,
  waitGatewayProgrammed,
  waitRouteAccepted,
  gatewayTarget,
  requestLoop,
  warmUp,
  runClient,
  tally,
  shareText
};
