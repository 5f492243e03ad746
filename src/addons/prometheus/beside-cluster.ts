/**
 * Prometheus run as a process beside a cluster whose pods this machine can reach (the kwok test
 * cluster with its real node): built from its module, discovering pods through the Kubernetes API
 * and scraping those that ask for it with the long-standing annotations
 * (`prometheus.io/scrape: "true"`, `prometheus.io/port`, `prometheus.io/path`), each sample labelled
 * with its namespace and pod, as the common Kubernetes scrape configurations do.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { prometheusDir } from '../../cache.js';
import { freePort } from '../../util/net.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { PROMETHEUS, PROMETHEUS_RECIPE } from './pin.js';

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

export interface PrometheusOptions {
  kubeconfigPath: string;
  /** Working directory: config, TSDB, log. Removed data on stop. */
  dir: string;
  log: ProgressLog;
  /** Default 5 s (tests and CI want fresh samples; a production default is 30–60 s). */
  scrapeIntervalSeconds?: number;
  /** Discover pods only in these namespaces (default: every namespace). */
  namespaces?: string[];
  buildMissing?: boolean;
  startTimeoutSeconds?: number;
}

/**
 * The scrape configuration: annotated pods, found through the API server (with this kubeconfig,
 * or in-cluster with the pod's service account when none is given).
 */
export function prometheusConfig(options: {
  kubeconfigPath?: string;
  scrapeIntervalSeconds: number;
  namespaces?: string[];
}): Record<string, unknown> {
  const annotation = (name: string) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return {
    global: {
      scrape_interval: `${options.scrapeIntervalSeconds}s`,
      evaluation_interval: `${options.scrapeIntervalSeconds}s`,
    },
    scrape_configs: [
      {
        job_name: 'kubernetes-pods',
        kubernetes_sd_configs: [
          {
            role: 'pod',
            ...(options.kubeconfigPath ? { kubeconfig_file: options.kubeconfigPath } : {}),
            ...(options.namespaces ? { namespaces: { names: options.namespaces } } : {}),
          },
        ],
        relabel_configs: [
          { source_labels: [annotation('scrape')], action: 'keep', regex: 'true' },
          {
            source_labels: ['__meta_kubernetes_pod_phase'],
            action: 'drop',
            regex: 'Pending|Succeeded|Failed|Unknown',
          },
          {
            source_labels: [annotation('path')],
            action: 'replace',
            target_label: '__metrics_path__',
            regex: '(.+)',
          },
          {
            source_labels: ['__meta_kubernetes_pod_ip', annotation('port')],
            action: 'replace',
            regex: '(.+);(\\d+)',
            replacement: '$1:$2',
            target_label: '__address__',
          },
          { source_labels: ['__meta_kubernetes_namespace'], target_label: 'namespace' },
          { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'pod' },
        ],
      },
    ],
  };
}

export class PrometheusServer {
  private process: ResultPromise | null = null;
  private listenPort = 0;

  constructor(private readonly options: PrometheusOptions) {}

  /** Where this machine reaches it. */
  get url(): string {
    return `http://127.0.0.1:${this.listenPort}`;
  }

  get port(): number {
    return this.listenPort;
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join(prometheusDir(PROMETHEUS.version), 'prometheus');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new PrometheusError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`,
        );
      }
      await buildRecipe(PROMETHEUS_RECIPE, log);
    }
    await mkdir(join(dir, 'data'), { recursive: true });
    const configFile = join(dir, 'prometheus.yml');
    await writeFile(
      configFile,
      stringify(
        prometheusConfig({
          kubeconfigPath: this.options.kubeconfigPath,
          scrapeIntervalSeconds: this.options.scrapeIntervalSeconds ?? 5,
          ...(this.options.namespaces ? { namespaces: this.options.namespaces } : {}),
        }),
      ),
    );
    // Every interface: the cluster reaches it through a stand-in pod on the host's network.
    this.listenPort = await freePort('0.0.0.0');
    const logFile = join(dir, 'prometheus.log');
    log(
      `prometheus ${PROMETHEUS.release}: starting on :${this.listenPort}` +
        (this.options.namespaces ? ` (namespaces ${this.options.namespaces.join(', ')})` : ''),
    );
    this.process = spawnLogged(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=0.0.0.0:${this.listenPort}`,
        '--storage.tsdb.retention.time=2h',
      ],
      { logFile },
    );
    try {
      await waitProcessReady(
        this.process,
        'prometheus',
        `:${this.listenPort}`,
        logFile,
        () => answersOk(`${this.url}/-/ready`),
        (this.options.startTimeoutSeconds ?? 60) * 1000,
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`prometheus ${PROMETHEUS.release}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  async stop(): Promise<void> {
    await stopProcess(this.process);
    this.process = null;
    await rm(join(this.options.dir, 'data'), { recursive: true, force: true });
  }
}
