import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  suiteCluster,
  suiteSettings,
  workloadImage
} from "./chunk-JBT426HI.js";
import {
  getJson,
  getText,
  mergePatchJson,
  postJson
} from "./chunk-ARFH6SL4.js";
import {
  KWOK_NODE_ANNOTATION
} from "./chunk-DW5F3YJO.js";

// suites/lib/monitoring.ts
var PROMETHEUS_SELECTORS = [
  "app.kubernetes.io/name=prometheus",
  "operated-prometheus=true",
  "app=prometheus"
];
function metricsTimeoutMs() {
  return suiteSettings().metricsTimeoutMs;
}
function parseVector(body, promql) {
  const answer = body;
  if (answer.status !== "success") {
    throw new Error(`query ${promql}: ${answer.status ?? "no status"} ${answer.error ?? ""}`);
  }
  if (answer.data?.resultType === "scalar") {
    const value = answer.data.result;
    return [{ metric: {}, value: Number(value[1]) }];
  }
  return (answer.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}
function viaUrl(base) {
  return {
    describe: base,
    async query(promql) {
      const url = `${base.replace(/\/$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(3e4) });
      return parseVector(await res.json(), promql);
    }
  };
}
function viaService(namespace, name, port) {
  const { kc } = suiteCluster();
  const base = `/api/v1/namespaces/${namespace}/services/${name}:${port}/proxy`;
  return {
    describe: `service ${namespace}/${name}:${port}`,
    async query(promql) {
      const text = await getText(kc, `${base}/api/v1/query?query=${encodeURIComponent(promql)}`);
      return parseVector(JSON.parse(text), promql);
    }
  };
}
async function findPrometheus() {
  const configured = suiteSettings().prometheus;
  let found = null;
  if (configured && /^https?:\/\//.test(configured)) {
    found = { prometheus: viaUrl(configured), how: `configured (KAIC_PROMETHEUS=${configured})` };
  } else if (configured) {
    const match = /^([a-z0-9-]+)\/([a-z0-9-]+):([a-z0-9-]+)$/.exec(configured);
    if (!match) {
      throw new Error(
        `KAIC_PROMETHEUS="${configured}": give http(s)://host:port or <namespace>/<service>:<port>`
      );
    }
    found = {
      prometheus: viaService(match[1], match[2], match[3]),
      how: `configured (KAIC_PROMETHEUS=${configured})`
    };
  } else {
    const { core } = suiteCluster();
    for (const selector of PROMETHEUS_SELECTORS) {
      const services = (await core.listServiceForAllNamespaces({ labelSelector: selector })).items;
      const svc = services.find(
        (s) => (s.spec?.ports ?? []).some((p) => /web|http/.test(p.name ?? "") || p.port === 9090)
      );
      if (!svc) continue;
      const port = (svc.spec?.ports ?? []).find(
        (p) => /web|http/.test(p.name ?? "") || p.port === 9090
      );
      found = {
        prometheus: viaService(
          svc.metadata?.namespace,
          svc.metadata?.name,
          String(port.port)
        ),
        how: `found by Service label ${selector}`
      };
      break;
    }
  }
  if (!found) {
    throw new Error(
      `no Prometheus found: no Service labelled ${PROMETHEUS_SELECTORS.join(" or ")}; name the query endpoint with KAIC_PROMETHEUS=<namespace>/<service>:<port> or an http(s) URL`
    );
  }
  const one = await found.prometheus.query("vector(1)");
  if (one[0]?.value !== 1) {
    throw new Error(`${found.prometheus.describe} answered vector(1) with ${JSON.stringify(one)}`);
  }
  return found;
}
async function nodesRunningContainers() {
  const nodes = (await suiteCluster().core.listNode()).items;
  return nodes.filter(
    (n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] !== "fake" && !n.spec?.unschedulable && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")
  ).map((n) => n.metadata?.name).sort();
}
var INFERENCE_PORT = 8080;
var REQUESTS_METRIC = "kaic_inference_requests_total";
var DURATION_METRIC = "kaic_inference_request_duration_seconds";
var QUEUE_METRIC = "kaic_inference_queue_depth";
function inferenceServerScript(runId) {
  const cgi = (name, body) => `cat > /www/cgi-bin/${name} <<'KAIC_EOF'
#!/bin/sh
${body}
KAIC_EOF`;
  return [
    "set -e",
    "mkdir -p /www/cgi-bin /state",
    "echo 0 > /state/requests",
    "echo 0 > /state/queue",
    `echo '${runId}' > /state/run`,
    cgi(
      "infer",
      `n=$(cat /state/requests); echo $((n+1)) > /state/requests
printf 'Content-Type: application/json\\r\\n\\r\\n{"model":"kaic-stub","choices":[{"text":"ok"}]}\\n'`
    ),
    cgi(
      "queue",
      `v="$QUERY_STRING"
case "$v" in ''|*[!0-9]*) printf 'Status: 400 Bad Request\\r\\n\\r\\nqueue depth must be a whole number\\n'; exit 0;; esac
echo "$v" > /state/queue
printf 'Content-Type: text/plain\\r\\n\\r\\nqueue=%s\\n' "$v"`
    ),
    cgi(
      "metrics",
      `n=$(cat /state/requests); q=$(cat /state/queue); r=$(cat /state/run)
printf 'Content-Type: text/plain; version=0.0.4\\r\\n\\r\\n'
printf '# TYPE ${REQUESTS_METRIC} counter\\n${REQUESTS_METRIC}{conformance_run="%s"} %s\\n' "$r" "$n"
printf '# TYPE ${DURATION_METRIC} histogram\\n'
printf '${DURATION_METRIC}_bucket{conformance_run="%s",le="0.1"} %s\\n' "$r" "$n"
printf '${DURATION_METRIC}_bucket{conformance_run="%s",le="+Inf"} %s\\n' "$r" "$n"
printf '${DURATION_METRIC}_sum{conformance_run="%s"} %se-3\\n' "$r" "$n"
printf '${DURATION_METRIC}_count{conformance_run="%s"} %s\\n' "$r" "$n"
printf '# TYPE ${QUEUE_METRIC} gauge\\n${QUEUE_METRIC}{conformance_run="%s"} %s\\n' "$r" "$q"`
    ),
    "chmod +x /www/cgi-bin/*",
    `exec httpd -f -p ${INFERENCE_PORT} -h /www`
  ].join("\n");
}
function inferencePodTemplate(options) {
  return {
    metadata: {
      labels: { ...options.labels, "conformance.kaic.dev/run": options.runId },
      annotations: {
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(INFERENCE_PORT),
        "prometheus.io/path": "/cgi-bin/metrics"
      }
    },
    spec: {
      // Pinned to a node the suite chose because it runs containers, whatever its taints.
      ...options.node ? {
        nodeSelector: { "kubernetes.io/hostname": options.node },
        tolerations: [{ operator: "Exists" }]
      } : {},
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "server",
          image: workloadImage(),
          imagePullPolicy: "IfNotPresent",
          command: ["sh", "-c", inferenceServerScript(options.runId)],
          ports: [{ name: "http", containerPort: INFERENCE_PORT }],
          readinessProbe: {
            httpGet: { path: "/cgi-bin/metrics", port: INFERENCE_PORT },
            periodSeconds: 2
          }
        }
      ]
    }
  };
}
function callPod(namespace, pod, path) {
  return getText(
    suiteCluster().kc,
    `/api/v1/namespaces/${namespace}/pods/${pod}:${INFERENCE_PORT}/proxy${path}`
  );
}
async function ensurePodMonitor(namespace, runId) {
  const { kc } = suiteCluster();
  const served = await getJson(kc, "/apis/monitoring.coreos.com/v1").catch(() => null);
  if (!served) return null;
  const list = await getJson(kc, "/apis/monitoring.coreos.com/v1/prometheuses");
  const labels = {};
  const namespaceLabels = {};
  for (const p of list.items ?? []) {
    Object.assign(labels, p.spec?.podMonitorSelector?.matchLabels ?? {});
    Object.assign(namespaceLabels, p.spec?.podMonitorNamespaceSelector?.matchLabels ?? {});
  }
  if (Object.keys(namespaceLabels).length > 0) {
    await mergePatchJson(kc, `/api/v1/namespaces/${namespace}`, {
      metadata: { labels: namespaceLabels }
    });
  }
  await postJson(kc, `/apis/monitoring.coreos.com/v1/namespaces/${namespace}/podmonitors`, {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: "kaic-inference", namespace, labels },
    spec: {
      selector: { matchLabels: { "conformance.kaic.dev/run": runId } },
      podMetricsEndpoints: [{ port: "http", path: "/cgi-bin/metrics", interval: "5s" }]
    }
  });
  return `PodMonitor kaic-inference for ${list.items?.length ?? 0} Prometheus object(s)` + (Object.keys(labels).length ? ` labelled ${JSON.stringify(labels)}` : "") + (Object.keys(namespaceLabels).length ? `, namespace labelled ${JSON.stringify(namespaceLabels)}` : "");
}

export {
  metricsTimeoutMs,
  findPrometheus,
  nodesRunningContainers,
  REQUESTS_METRIC,
  DURATION_METRIC,
  QUEUE_METRIC,
  inferencePodTemplate,
  callPod,
  ensurePodMonitor
};
