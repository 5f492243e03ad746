/**
 * What the service-metrics and autoscaling suites share: the cluster's Prometheus (configured or
 * found by its Service labels, queried through port-forward), a stub inference server
 * that exposes Prometheus metrics with a per-run label, and making the monitoring system collect
 * it (a PodMonitor that satisfies the Prometheus Operator's selectors, and the scrape annotations
 * annotation-based configurations follow).
 *
 * Configuration:
 *   KAIC_PROMETHEUS               http(s)://host:port (queried from the runner), or
 *                                 <namespace>/<service>:<port> (a ready pod, port-forwarded)
 *   KAIC_METRICS_TIMEOUT_SECONDS  how long to wait for a value to arrive (default 180)
 */
import * as k8s from '@kubernetes/client-node';

import { KWOK_NODE_ANNOTATION } from '../../src/k8s/kwok-nodes.js';
import { getFromPod, servicePods, type ServicePod } from '../../src/k8s/port-forward.js';
import { getJson, mergePatchJson, postJson } from '../../src/k8s/raw.js';
import { isWorkerNode, restrictedPodSpec, suiteCluster, workloadImage } from './cluster.js';
import { suiteSettings } from './settings.js';

/** Services of the Prometheus deployments kaic knows (community charts, the Operator, kaic's). */
const PROMETHEUS_SELECTORS = [
  'app.kubernetes.io/name=prometheus',
  'operated-prometheus=true',
  'app=prometheus',
];

/** How long a metric value may take to arrive (KAIC_METRICS_TIMEOUT_SECONDS, default 180). */
export function metricsTimeoutMs(): number {
  return suiteSettings().metricsTimeoutMs;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface Prometheus {
  describe: string;
  /** An instant query; the vector's samples. */
  query(promql: string): Promise<PromSample[]>;
}

function parseVector(body: unknown, promql: string): PromSample[] {
  const answer = body as {
    status?: string;
    error?: string;
    data?: {
      resultType?: string;
      result?: Array<{ metric: Record<string, string>; value: [number, string] }>;
    };
  };
  if (answer.status !== 'success') {
    throw new Error(`query ${promql}: ${answer.status ?? 'no status'} ${answer.error ?? ''}`);
  }
  if (answer.data?.resultType === 'scalar') {
    const value = (answer.data as unknown as { result: [number, string] }).result;
    return [{ metric: {}, value: Number(value[1]) }];
  }
  return (answer.data?.result ?? []).map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
}

function viaUrl(base: string): Prometheus {
  return {
    describe: base,
    async query(promql) {
      const url = `${base.replace(/\/$/, '')}/api/v1/query?query=${encodeURIComponent(promql)}`;
      const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
      return parseVector(await res.json(), promql);
    },
  };
}

/** A Prometheus behind a Service, queried on one of its ready pods through port-forward. */
function viaService(namespace: string, name: string, port: string): Prometheus {
  const { kc } = suiteCluster();
  let target: ServicePod | undefined;
  return {
    describe: `service ${namespace}/${name}:${port}`,
    async query(promql) {
      target ??= (await servicePods(kc, namespace, name, port))[0];
      if (!target) throw new Error(`service ${namespace}/${name} has no ready pod`);
      const text = await getFromPod(
        kc,
        target,
        `/api/v1/query?query=${encodeURIComponent(promql)}`,
      );
      return parseVector(JSON.parse(text), promql);
    },
  };
}

/** The cluster's Prometheus, checked with `vector(1)`; an error says what was looked for. */
export async function findPrometheus(): Promise<{ prometheus: Prometheus; how: string }> {
  const configured = suiteSettings().prometheus;
  let found: { prometheus: Prometheus; how: string } | null = null;
  if (configured && /^https?:\/\//.test(configured)) {
    found = { prometheus: viaUrl(configured), how: `configured (KAIC_PROMETHEUS=${configured})` };
  } else if (configured) {
    const match = /^([a-z0-9-]+)\/([a-z0-9-]+):([a-z0-9-]+)$/.exec(configured);
    if (!match) {
      throw new Error(
        `KAIC_PROMETHEUS="${configured}": give http(s)://host:port or <namespace>/<service>:<port>`,
      );
    }
    found = {
      prometheus: viaService(match[1]!, match[2]!, match[3]!),
      how: `configured (KAIC_PROMETHEUS=${configured})`,
    };
  } else {
    const { core } = suiteCluster();
    for (const selector of PROMETHEUS_SELECTORS) {
      const services = (await core.listServiceForAllNamespaces({ labelSelector: selector })).items;
      const svc = services.find((s) =>
        (s.spec?.ports ?? []).some((p) => /web|http/.test(p.name ?? '') || p.port === 9090),
      );
      if (!svc) continue;
      const port = (svc.spec?.ports ?? []).find(
        (p) => /web|http/.test(p.name ?? '') || p.port === 9090,
      ) as k8s.V1ServicePort;
      found = {
        prometheus: viaService(
          svc.metadata?.namespace as string,
          svc.metadata?.name as string,
          String(port.port),
        ),
        how: `found by Service label ${selector}`,
      };
      break;
    }
  }
  if (!found) {
    throw new Error(
      `no Prometheus found: no Service labelled ${PROMETHEUS_SELECTORS.join(' or ')}; ` +
        'name the query endpoint with KAIC_PROMETHEUS=<namespace>/<service>:<port> or an http(s) URL',
    );
  }
  const one = await found.prometheus.query('vector(1)');
  if (one[0]?.value !== 1) {
    throw new Error(`${found.prometheus.describe} answered vector(1) with ${JSON.stringify(one)}`);
  }
  return found;
}

/** Ready nodes whose pods run real containers (kwok's simulated ones do not). */
export async function nodesRunningContainers(): Promise<string[]> {
  const nodes = (await suiteCluster().core.listNode()).items;
  return nodes
    .filter((n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] !== 'fake' && isWorkerNode(n))
    .map((n) => n.metadata?.name as string)
    .sort();
}

export const INFERENCE_PORT = 8080;
export const REQUESTS_METRIC = 'kaic_inference_requests_total';
export const DURATION_METRIC = 'kaic_inference_request_duration_seconds';
export const QUEUE_METRIC = 'kaic_inference_queue_depth';

/** The metrics API an HPA scales the suite's workload on. */
export type HpaMetricsPath =
  { api: 'custom'; version: string } | { api: 'external'; metric: string };

/**
 * custom.metrics.k8s.io where served (its newest version) unless external is asked for; else
 * external.metrics.k8s.io where served unless custom is asked for, on `externalMetric`; else null.
 */
export function chooseHpaMetricsPath(
  asked: 'auto' | 'custom' | 'external',
  served: { customVersions: readonly string[]; external: boolean },
  externalMetric: string,
): HpaMetricsPath | null {
  const custom = ['v1beta2', 'v1beta1'].find((v) => served.customVersions.includes(v));
  if (asked !== 'external' && custom) return { api: 'custom', version: custom };
  if (asked !== 'custom' && served.external) return { api: 'external', metric: externalMetric };
  return null;
}

/**
 * A stub inference server in the workload image (busybox httpd + CGI): `/cgi-bin/infer` answers
 * and counts, `/cgi-bin/queue?<n>` sets the queue depth, `/cgi-bin/metrics` exposes the counter,
 * a latency histogram and the queue gauge, every sample labelled conformance_run="<runId>".
 */
export function inferenceServerScript(runId: string): string {
  const cgi = (name: string, body: string) =>
    `cat > /www/cgi-bin/${name} <<'KAIC_EOF'\n#!/bin/sh\n${body}\nKAIC_EOF`;
  return [
    'set -e',
    'mkdir -p /www/cgi-bin /state',
    'echo 0 > /state/requests',
    'echo 0 > /state/queue',
    `echo '${runId}' > /state/run`,
    cgi(
      'infer',
      'n=$(cat /state/requests); echo $((n+1)) > /state/requests\n' +
        `printf 'Content-Type: application/json\\r\\n\\r\\n{"model":"kaic-stub","choices":[{"text":"ok"}]}\\n'`,
    ),
    cgi(
      'queue',
      'v="$QUERY_STRING"\n' +
        "case \"$v\" in ''|*[!0-9]*) printf 'Status: 400 Bad Request\\r\\n\\r\\nqueue depth must be a whole number\\n'; exit 0;; esac\n" +
        'echo "$v" > /state/queue\n' +
        'printf \'Content-Type: text/plain\\r\\n\\r\\nqueue=%s\\n\' "$v"',
    ),
    cgi(
      'metrics',
      'n=$(cat /state/requests); q=$(cat /state/queue); r=$(cat /state/run)\n' +
        "printf 'Content-Type: text/plain; version=0.0.4\\r\\n\\r\\n'\n" +
        `printf '# TYPE ${REQUESTS_METRIC} counter\\n${REQUESTS_METRIC}{conformance_run="%s"} %s\\n' "$r" "$n"\n` +
        `printf '# TYPE ${DURATION_METRIC} histogram\\n'\n` +
        `printf '${DURATION_METRIC}_bucket{conformance_run="%s",le="0.1"} %s\\n' "$r" "$n"\n` +
        `printf '${DURATION_METRIC}_bucket{conformance_run="%s",le="+Inf"} %s\\n' "$r" "$n"\n` +
        `printf '${DURATION_METRIC}_sum{conformance_run="%s"} %se-3\\n' "$r" "$n"\n` +
        `printf '${DURATION_METRIC}_count{conformance_run="%s"} %s\\n' "$r" "$n"\n` +
        `printf '# TYPE ${QUEUE_METRIC} gauge\\n${QUEUE_METRIC}{conformance_run="%s"} %s\\n' "$r" "$q"`,
    ),
    'chmod +x /www/cgi-bin/*',
    // In the background, so that the shell (PID 1) ends at SIGTERM: see IDLE_COMMAND.
    "trap 'exit 0' TERM",
    `httpd -f -p ${INFERENCE_PORT} -h /www & wait`,
  ].join('\n');
}

/**
 * The pod template of the stub server: the run label, a readiness probe, and the scrape
 * annotations unless a PodMonitor collects it (one scrape path: two would double its series).
 */
export function inferencePodTemplate(options: {
  runId: string;
  labels: Record<string, string>;
  /** Where it may run: one node, or any of several (node affinity). */
  node?: string;
  nodes?: readonly string[];
  /** The chosen nodes' taints, tolerated (tolerationsFor); createPod adds them for a pod. */
  tolerations?: k8s.V1Toleration[];
  /** False where a PodMonitor collects the pods (ensurePodMonitor). */
  scrapeAnnotations?: boolean;
}): k8s.V1PodTemplateSpec {
  const nodes = options.nodes ?? (options.node ? [options.node] : []);
  return {
    metadata: {
      labels: { ...options.labels, 'conformance.kaic.dev/run': options.runId },
      ...(options.scrapeAnnotations === false
        ? {}
        : {
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': String(INFERENCE_PORT),
              'prometheus.io/path': '/cgi-bin/metrics',
            },
          }),
    },
    spec: restrictedPodSpec({
      // On nodes the suite chose because they run containers.
      ...(nodes.length === 1 ? { nodeSelector: { 'kubernetes.io/hostname': nodes[0]! } } : {}),
      ...(nodes.length > 1
        ? {
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    {
                      matchExpressions: [
                        { key: 'kubernetes.io/hostname', operator: 'In', values: [...nodes] },
                      ],
                    },
                  ],
                },
              },
            },
          }
        : {}),
      ...(options.tolerations ? { tolerations: options.tolerations } : {}),
      terminationGracePeriodSeconds: 1,
      // Pod Security `restricted`: its pages and counters go to emptyDir, written as nobody.
      volumes: [
        { name: 'www', emptyDir: {} },
        { name: 'state', emptyDir: {} },
      ],
      containers: [
        {
          name: 'server',
          image: workloadImage(),
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', inferenceServerScript(options.runId)],
          ports: [{ name: 'http', containerPort: INFERENCE_PORT }],
          volumeMounts: [
            { name: 'www', mountPath: '/www' },
            { name: 'state', mountPath: '/state' },
          ],
          readinessProbe: {
            httpGet: { path: '/cgi-bin/metrics', port: INFERENCE_PORT },
            periodSeconds: 2,
          },
        },
      ],
    }),
  };
}

/** A request to the stub in a pod, through port-forward. */
export function callPod(namespace: string, pod: string, path: string): Promise<string> {
  return getFromPod(suiteCluster().kc, { namespace, pod, port: INFERENCE_PORT }, path);
}

/**
 * With the Prometheus Operator: a PodMonitor for the run's pods that every Prometheus's selectors
 * pick up (their matchLabels copied onto it and onto the namespace). Returns what was done, or
 * null when the Operator's API is not served (annotations then do the work).
 */
export async function ensurePodMonitor(namespace: string, runId: string): Promise<string | null> {
  const { kc } = suiteCluster();
  const served = await getJson(kc, '/apis/monitoring.coreos.com/v1').catch(() => null);
  if (!served) return null;
  const list = (await getJson(kc, '/apis/monitoring.coreos.com/v1/prometheuses')) as {
    items?: Array<{
      metadata?: { namespace?: string; name?: string };
      spec?: {
        podMonitorSelector?: { matchLabels?: Record<string, string> } | null;
        podMonitorNamespaceSelector?: { matchLabels?: Record<string, string> } | null;
      };
    }>;
  };
  const labels: Record<string, string> = {};
  const namespaceLabels: Record<string, string> = {};
  for (const p of list.items ?? []) {
    Object.assign(labels, p.spec?.podMonitorSelector?.matchLabels ?? {});
    Object.assign(namespaceLabels, p.spec?.podMonitorNamespaceSelector?.matchLabels ?? {});
  }
  if (Object.keys(namespaceLabels).length > 0) {
    await mergePatchJson(kc, `/api/v1/namespaces/${namespace}`, {
      metadata: { labels: namespaceLabels },
    });
  }
  await postJson(kc, `/apis/monitoring.coreos.com/v1/namespaces/${namespace}/podmonitors`, {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: 'kaic-inference', namespace, labels },
    spec: {
      selector: { matchLabels: { 'conformance.kaic.dev/run': runId } },
      podMetricsEndpoints: [{ port: 'http', path: '/cgi-bin/metrics', interval: '5s' }],
    },
  });
  return (
    `PodMonitor kaic-inference for ${list.items?.length ?? 0} Prometheus object(s)` +
    (Object.keys(labels).length ? ` labelled ${JSON.stringify(labels)}` : '') +
    (Object.keys(namespaceLabels).length
      ? `, namespace labelled ${JSON.stringify(namespaceLabels)}`
      : '')
  );
}
