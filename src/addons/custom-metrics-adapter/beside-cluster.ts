/**
 * prometheus-adapter run as a process beside a cluster whose API server runs on this machine:
 * it answers custom.metrics.k8s.io (v1beta1 and v1beta2; the HPA controller asks v1beta2) and
 * external.metrics.k8s.io (v1beta1) from Prometheus queries, registered with the API server's
 * aggregator (either API alone when asked: a platform serving only external metrics, as KEDA's
 * does).
 *
 * The aggregator reaches an APIService through its Service: an ExternalName Service naming
 * `localhost` sends it to the adapter on 127.0.0.1 without kube-proxy (the APIService's port is
 * the one dialled). The adapter serves a certificate the cluster CA signs for the name the
 * aggregator checks, `<service>.<namespace>.svc`. It authenticates the aggregator's client
 * certificate against the same CA; the API server has already authorized the caller.
 *
 * Teardown unregisters the APIServices before the process stops: a registered but unanswering
 * API group blocks namespace deletion cluster-wide.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { prometheusAdapterDir } from '../../cache.js';
import { applyJson } from '../../k8s/raw.js';
import { freePort } from '../../util/net.js';
import { issueCertificate } from '../../util/pki.js';
import { waitFor } from '../../util/wait.js';
import { spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { PROMETHEUS_ADAPTER, PROMETHEUS_ADAPTER_RECIPE } from './pin.js';

export class PrometheusAdapterError extends Error {
  override name = 'PrometheusAdapterError';
}

const NAMESPACE = 'kaic-metrics';
const SERVICE = 'kaic-prometheus-adapter';
/** The metrics APIs it can answer, as APIServices. */
export const METRICS_API_SERVICES = [
  { api: 'custom', group: 'custom.metrics.k8s.io', version: 'v1beta1', priority: 100 },
  { api: 'custom', group: 'custom.metrics.k8s.io', version: 'v1beta2', priority: 200 },
  { api: 'external', group: 'external.metrics.k8s.io', version: 'v1beta1', priority: 100 },
] as const;
export type MetricsApi = (typeof METRICS_API_SERVICES)[number]['api'];
/** Label on the objects kaic creates for the adapter. */
export const ADAPTER_OWNER_LABEL = 'kaic.dev/prometheus-adapter';

export interface PrometheusAdapterOptions {
  kubeconfigPath: string;
  caCert: string;
  caKey: string;
  /** The Prometheus it queries, e.g. http://127.0.0.1:9090. */
  prometheusUrl: string;
  /** The metrics APIs it registers (default both). */
  apis?: readonly MetricsApi[];
  dir: string;
  log: ProgressLog;
  /** How often the adapter lists series (default 5 s; its own default is 10 minutes). */
  relistIntervalSeconds?: number;
  buildMissing?: boolean;
  startTimeoutSeconds?: number;
}

/**
 * One rule for every series that names its namespace and pod: exposed unchanged as a Pods metric
 * of the same name (the adapter's default rules would turn counters into rates and treat
 * container_* as cAdvisor's); and the same series as an external metric of the namespace, the sum
 * over its pods (each pod's series counted once however often it was collected).
 */
export const ADAPTER_RULES = {
  rules: [
    {
      seriesQuery: '{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' }, pod: { resource: 'pod' } } },
      name: { matches: '^(.*)$', as: '${1}' },
      metricsQuery: 'max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)',
    },
  ],
  externalRules: [
    {
      seriesQuery: '{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: 'namespace' } } },
      name: { matches: '^(.*)$', as: '${1}' },
      metricsQuery:
        'sum by (<<.GroupBy>>) (max by (namespace, pod) (<<.Series>>{<<.LabelMatchers>>}))',
    },
  ],
};

/** The APIServices of the chosen metrics APIs. */
function apiServicesOf(apis: readonly MetricsApi[]) {
  return METRICS_API_SERVICES.filter((s) => apis.includes(s.api));
}

/** /healthz over TLS, verified as the aggregator will (the cluster CA, the Service's name). */
function healthy(port: number, ca: Buffer): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/healthz',
        ca,
        servername: `${SERVICE}.${NAMESPACE}.svc`,
        timeout: 5_000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

export class PrometheusAdapter {
  private process: ResultPromise | null = null;
  private readonly kc = new k8s.KubeConfig();

  constructor(private readonly options: PrometheusAdapterOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join(prometheusAdapterDir(PROMETHEUS_ADAPTER.version), 'prometheus-adapter');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new PrometheusAdapterError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`,
        );
      }
      await buildRecipe(PROMETHEUS_ADAPTER_RECIPE, log);
    }
    await mkdir(join(dir, 'certs'), { recursive: true });
    const serving = await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: `/CN=${SERVICE}`,
      dir: join(dir, 'certs'),
      name: 'serving',
      usage: 'server',
      dnsNames: [`${SERVICE}.${NAMESPACE}.svc`],
    });
    const rules = join(dir, 'rules.yaml');
    await writeFile(rules, stringify(ADAPTER_RULES));
    const port = await freePort('127.0.0.1');
    const ca = await readFile(this.options.caCert);
    const logFile = join(dir, 'prometheus-adapter.log');
    log(
      `prometheus-adapter ${PROMETHEUS_ADAPTER.version}: starting on 127.0.0.1:${port} ` +
        `(Prometheus ${this.options.prometheusUrl})`,
    );
    this.process = spawnLogged(
      binary,
      [
        `--prometheus-url=${this.options.prometheusUrl}`,
        `--config=${rules}`,
        `--metrics-relist-interval=${this.options.relistIntervalSeconds ?? 5}s`,
        '--bind-address=127.0.0.1',
        `--secure-port=${port}`,
        `--tls-cert-file=${serving.cert}`,
        `--tls-private-key-file=${serving.key}`,
        `--lister-kubeconfig=${this.options.kubeconfigPath}`,
        `--authentication-kubeconfig=${this.options.kubeconfigPath}`,
        `--authorization-kubeconfig=${this.options.kubeconfigPath}`,
        // The aggregator's client certificate is signed by the cluster CA.
        '--authentication-skip-lookup',
        `--client-ca-file=${this.options.caCert}`,
      ],
      { cwd: dir, logFile },
    );
    try {
      await waitProcessReady(
        this.process,
        'prometheus-adapter',
        `127.0.0.1:${port}`,
        logFile,
        () => healthy(port, ca),
        (this.options.startTimeoutSeconds ?? 60) * 1000,
      );
      await this.register(port, ca);
    } catch (error) {
      await this.stop();
      throw error;
    }
    const groups = [...new Set(apiServicesOf(this.apis).map((s) => s.group))];
    log(
      `prometheus-adapter ${PROMETHEUS_ADAPTER.version}: ${groups.join(' and ')} available in ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }

  private async register(port: number, caBundle: Buffer): Promise<void> {
    const labels = { [ADAPTER_OWNER_LABEL]: 'true' };
    // An adapter stopped just before leaves its namespace terminating: the Service put in it now
    // would be deleted with it moments later, and the APIService would stop answering.
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    await waitFor(
      `namespace ${NAMESPACE} of a stopped adapter to be gone`,
      async () => {
        const ns = await core.readNamespace({ name: NAMESPACE }).catch(() => null);
        return !ns?.metadata?.deletionTimestamp;
      },
      120_000,
      500,
    );
    await applyJson(this.kc, `/api/v1/namespaces/${NAMESPACE}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NAMESPACE, labels },
    });
    await applyJson(this.kc, `/api/v1/namespaces/${NAMESPACE}/services/${SERVICE}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SERVICE, namespace: NAMESPACE, labels },
      spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ name: 'https', port }] },
    });
    const services = apiServicesOf(this.apis);
    for (const { group, version, priority } of services) {
      const name = `${version}.${group}`;
      await applyJson(this.kc, `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name, labels },
        spec: {
          group,
          version,
          service: { namespace: NAMESPACE, name: SERVICE, port },
          caBundle: caBundle.toString('base64'),
          groupPriorityMinimum: 100,
          versionPriority: priority,
        },
      });
    }
    const registration = this.kc.makeApiClient(k8s.ApiregistrationV1Api);
    await waitFor(
      `APIServices ${services.map((s) => `${s.version}.${s.group}`).join(', ')} Available`,
      async () => {
        for (const { group, version } of services) {
          const svc = await registration.readAPIService({ name: `${version}.${group}` });
          const available = svc.status?.conditions?.find((c) => c.type === 'Available');
          if (available?.status !== 'True') {
            throw new Error(
              `${version}.${group}: ${available?.reason ?? ''} ${available?.message ?? ''}`,
            );
          }
        }
        return true;
      },
      60_000,
      500,
    );
  }

  private get apis(): readonly MetricsApi[] {
    return this.options.apis ?? ['custom', 'external'];
  }

  /** Unregisters first (an unanswering API group blocks namespace deletion), then stops. */
  async stop(): Promise<void> {
    const registration = this.kc.makeApiClient(k8s.ApiregistrationV1Api);
    for (const { group, version } of METRICS_API_SERVICES) {
      await registration.deleteAPIService({ name: `${version}.${group}` }).catch(() => undefined);
    }
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    await core.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
    await stopProcess(this.process);
    this.process = null;
  }
}
