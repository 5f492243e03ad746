/**
 * What the Gateway API suites share: the GatewayClass choice, backends that answer with their own
 * name, a Gateway and routes awaited to their status, and a client pod whose log counts which
 * backend answered each request (traffic, not status, decides).
 */
import * as k8s from '@kubernetes/client-node';

import { getJson } from '../../src/k8s/raw.js';
import { createPod, suiteCluster, waitFor, WaitAborted, workloadImage } from './cluster.js';
import { suiteSettings } from './settings.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_VERSION = 'v1';
export const BACKEND_PORT = 8080;
/** Paths every backend answers (with its name), one per route of the suites. */
const BACKEND_PATHS = ['weights', 'headers', 'pool'];

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface GatewayObject {
  status?: { conditions?: Condition[]; addresses?: Array<{ type?: string; value: string }> };
}

interface RouteObject {
  status?: {
    parents?: Array<{ parentRef: { name: string }; conditions?: Condition[] }>;
  };
}

export function gatewayTimeoutMs(): number {
  return suiteSettings().gatewayTimeoutMs;
}

export function listenerPort(): number {
  return suiteSettings().gatewayListenerPort;
}

export function conditionsText(conditions: Condition[] | undefined): string {
  return (
    (conditions ?? [])
      .map((c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}`)
      .join(', ') || 'no conditions'
  );
}

export function isTrue(conditions: Condition[] | undefined, type: string): boolean {
  return Boolean(conditions?.some((c) => c.type === type && c.status === 'True'));
}

function customObjects(): k8s.CustomObjectsApi {
  return suiteCluster().kc.makeApiClient(k8s.CustomObjectsApi);
}

/** Which of `plurals` an API group version does not serve (all of them when it is absent). */
export async function unservedResources(
  groupVersion: string,
  plurals: string[],
): Promise<string[]> {
  const served = (await getJson(suiteCluster().kc, `/apis/${groupVersion}`).catch(() => null)) as {
    resources?: Array<{ name: string }>;
  } | null;
  const names = new Set((served?.resources ?? []).map((r) => r.name));
  return plurals.filter((p) => !names.has(p));
}

/** The GatewayClass to test: configured, or the Accepted one (first by name when several). */
export async function chooseGatewayClass(): Promise<{
  name: string;
  controller: string;
  how: string;
}> {
  const list = (await customObjects().listClusterCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    plural: 'gatewayclasses',
  })) as {
    items: Array<{
      metadata: { name: string };
      spec: { controllerName: string };
      status?: { conditions?: Condition[] };
    }>;
  };
  const configured = suiteSettings().gatewayClass;
  if (configured) {
    const found = list.items.find((c) => c.metadata.name === configured);
    if (!found) {
      throw new Error(
        `KAIC_GATEWAY_CLASS="${configured}" names no GatewayClass; present: ${list.items.map((c) => c.metadata.name).join(', ') || 'none'}`,
      );
    }
    if (!isTrue(found.status?.conditions, 'Accepted')) {
      throw new Error(
        `GatewayClass ${configured} is not Accepted by its controller ${found.spec.controllerName}: ${conditionsText(found.status?.conditions)}`,
      );
    }
    return { name: configured, controller: found.spec.controllerName, how: 'configured' };
  }
  const accepted = list.items
    .filter((c) => isTrue(c.status?.conditions, 'Accepted'))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const first = accepted[0];
  if (!first) {
    throw new Error(
      list.items.length
        ? `no GatewayClass is Accepted: ${list.items.map((c) => `${c.metadata.name} (${conditionsText(c.status?.conditions)})`).join('; ')}`
        : 'no GatewayClass exists: install a Gateway API implementation',
    );
  }
  return {
    name: first.metadata.name,
    controller: first.spec.controllerName,
    how:
      accepted.length > 1
        ? `first of ${accepted.length} Accepted (${accepted.map((c) => c.metadata.name).join(', ')}); set KAIC_GATEWAY_CLASS to choose`
        : 'the only Accepted one',
  };
}

/**
 * A backend pod (busybox httpd) answering its own name under every suite path and at `/` (cloud
 * load balancers health-check `/`: a 404 there takes the backend out of service), labelled
 * `conformance.kaic.dev/backend=<name>` and with `labels`; a Service of the same name in front.
 */
export async function createBackend(
  ns: string,
  name: string,
  node: string,
  labels: Record<string, string> = {},
): Promise<void> {
  const dirs = ['/www', ...BACKEND_PATHS.map((p) => `/www/${p}`)].join(' ');
  await createPod({
    metadata: { name, namespace: ns, labels: { ...labels, 'conformance.kaic.dev/backend': name } },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      terminationGracePeriodSeconds: 0,
      // Pod Security `restricted`: the pages go to emptyDir, written as nobody.
      volumes: [{ name: 'www', emptyDir: {} }],
      containers: [
        {
          name: 'server',
          image: workloadImage(),
          imagePullPolicy: 'IfNotPresent',
          volumeMounts: [{ name: 'www', mountPath: '/www' }],
          command: [
            'sh',
            '-c',
            `mkdir -p ${dirs} && for d in ${dirs}; do printf ${name} > $d/index.html; done && exec httpd -f -p ${BACKEND_PORT} -h /www`,
          ],
          ports: [{ name: 'http', containerPort: BACKEND_PORT }],
          readinessProbe: { httpGet: { path: '/', port: BACKEND_PORT }, periodSeconds: 1 },
        },
      ],
    },
  });
  await suiteCluster().core.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name },
      spec: {
        selector: { 'conformance.kaic.dev/backend': name },
        ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }],
      },
    },
  });
}

export async function createGatewayObject(
  ns: string,
  plural: 'gateways' | 'httproutes',
  body: Record<string, unknown>,
): Promise<void> {
  await customObjects().createNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    namespace: ns,
    plural,
    body: { apiVersion: `${GATEWAY_GROUP}/${GATEWAY_VERSION}`, ...body },
  });
}

async function readGatewayObject<T>(ns: string, plural: string, name: string): Promise<T> {
  return (await customObjects().getNamespacedCustomObject({
    group: GATEWAY_GROUP,
    version: GATEWAY_VERSION,
    namespace: ns,
    plural,
    name,
  })) as T;
}

/** Waits for Accepted and Programmed; a timeout shows the Gateway's status. */
export async function waitGatewayProgrammed(ns: string, name: string): Promise<GatewayObject> {
  return waitFor(
    `Gateway ${name} to be Accepted and Programmed`,
    async () => {
      const gw = await readGatewayObject<GatewayObject>(ns, 'gateways', name);
      const c = gw.status?.conditions;
      return isTrue(c, 'Accepted') && isTrue(c, 'Programmed') ? gw : undefined;
    },
    gatewayTimeoutMs(),
  ).catch(async (error: Error) => {
    const gw = await readGatewayObject<GatewayObject>(ns, 'gateways', name).catch(() => null);
    throw new Error(`${error.message}; status: ${JSON.stringify(gw?.status ?? null)}`);
  });
}

/** Route condition reasons that do not change while the route and the implementation stay. */
const PERMANENT_REASONS = ['InvalidKind', 'UnsupportedValue', 'NotAllowedByListeners'];

/** Waits until the Gateway reports the route Accepted with ResolvedRefs; a timeout shows why not. */
export async function waitRouteAccepted(ns: string, route: string, gateway: string): Promise<void> {
  const parentOf = async () =>
    (await readGatewayObject<RouteObject>(ns, 'httproutes', route)).status?.parents?.find(
      (p) => p.parentRef.name === gateway,
    );
  await waitFor(
    `HTTPRoute ${route} to be Accepted with ResolvedRefs by Gateway ${gateway}`,
    async () => {
      const parent = await parentOf();
      // A kind the implementation does not support is its final word, not a passing state.
      const refused = parent?.conditions?.find(
        (c) => c.status === 'False' && PERMANENT_REASONS.includes(c.reason ?? ''),
      );
      if (refused) {
        throw new WaitAborted(
          `Gateway ${gateway} refuses HTTPRoute ${route}: ${refused.type}=False (${refused.reason}) ${refused.message ?? ''}`,
        );
      }
      return parent &&
        isTrue(parent.conditions, 'Accepted') &&
        isTrue(parent.conditions, 'ResolvedRefs')
        ? true
        : undefined;
    },
    gatewayTimeoutMs(),
  ).catch(async (error: Error) => {
    const parent = await parentOf().catch(() => undefined);
    throw new Error(`${error.message}; parent status: ${conditionsText(parent?.conditions)}`);
  });
}

/** Where the client sends: KAIC_GATEWAY_ADDRESS, else the Gateway's first address and the port. */
export function gatewayTarget(
  gateway: GatewayObject,
  port: number,
): { target: string; how: string } {
  const configured = suiteSettings().gatewayAddress;
  if (configured) return { target: configured, how: 'KAIC_GATEWAY_ADDRESS' };
  const address = gateway.status?.addresses?.[0]?.value;
  if (!address) {
    throw new Error(
      'the Gateway is Programmed but has no status address; set KAIC_GATEWAY_ADDRESS to where pods reach it',
    );
  }
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return { target: `${host}:${port}`, how: `the Gateway's address ${address}` };
}

/**
 * A wget loop for the client script: `count` requests to `url`, one line each,
 * `<phase> <answer or ERR>`. The deadline is busybox's `timeout`, not wget's `-T`, which crashes
 * some static busybox builds (Debian's).
 */
export function requestLoop(phase: string, count: number, url: string, header = ''): string {
  const h = header ? `--header '${header}'` : '';
  return `i=0; while [ $i -lt ${count} ]; do echo "${phase} $(timeout 10 wget -q -O - ${h} ${url} 2>/dev/null || echo ERR)"; i=$((i+1)); done`;
}

/**
 * Warm-up for the client script: waits (up to 120 s) until every URL answers five times in a row,
 * as routes can reach the data plane a little after their status says so; prints `warmup <ok> <s>`.
 */
export function warmUp(urls: string[]): string {
  const probe = urls.map((u) => `timeout 3 wget -q -O - ${u} >/dev/null 2>&1`).join(' && ');
  return [
    'ok=0; t=0',
    'while [ $ok -lt 5 ] && [ $t -lt 120 ]; do',
    `  if ${probe}; then ok=$((ok+1)); else ok=0; sleep 1; t=$((t+1)); fi`,
    'done',
    'echo "warmup $ok $t"',
  ].join('\n');
}

/** Runs the client script in a pod on `node`; returns its log and how long it ran. */
export async function runClient(
  ns: string,
  name: string,
  node: string,
  script: string,
): Promise<{ log: string; seconds: number }> {
  const { core } = suiteCluster();
  await createPod({
    metadata: { name, namespace: ns },
    spec: {
      nodeSelector: { 'kubernetes.io/hostname': node },
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'client',
          image: workloadImage(),
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', script],
        },
      ],
    },
  });
  const started = Date.now();
  await waitFor(
    `the client pod ${name} to send its requests`,
    async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name });
      if (p.status?.phase === 'Failed') throw new WaitAborted(`the client pod ${name} failed`);
      return p.status?.phase === 'Succeeded' ? true : undefined;
    },
    gatewayTimeoutMs() + 120_000,
  );
  const log = await core.readNamespacedPodLog({ namespace: ns, name });
  return { log, seconds: (Date.now() - started) / 1000 };
}

/** phase → answer → count; an answer not in `backends` counts as ERR. */
export type Tally = Record<string, Record<string, number>>;

export function tally(log: string, backends: readonly string[]): Tally {
  const counts: Tally = {};
  for (const line of log.split('\n')) {
    const [phase, answer] = line.trim().split(/\s+/, 2);
    if (!phase || phase === 'warmup' || !answer) continue;
    const key = backends.includes(answer) ? answer : 'ERR';
    counts[phase] ??= {};
    counts[phase][key] = (counts[phase][key] ?? 0) + 1;
  }
  return counts;
}

export function shareText(counts: Record<string, number> | undefined): string {
  const total = Object.values(counts ?? {}).reduce((a, b) => a + b, 0);
  return (
    Object.entries(counts ?? {})
      .sort()
      .map(([k, v]) => `${k} ${v} (${((100 * v) / (total || 1)).toFixed(1)} %)`)
      .join(', ') || 'no answers'
  );
}
