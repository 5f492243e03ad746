/**
 * Kueue run as a process beside a cluster whose API server runs on this machine (the kwok test
 * cluster): its CRDs from its module, its manager built from its module, its webhooks served over
 * TLS from 127.0.0.1 with a certificate the cluster CA signs, registered by URL. Only the batch/v1
 * Job integration is enabled, so nothing but Jobs with a queue label and Kueue's own objects pass
 * through its webhooks.
 *
 * Kueue reads its metrics certificate from a fixed /etc path when it does not manage certificates
 * itself; the process runs in a private mount namespace where /etc is an overlay holding that
 * file, so the host's /etc is never written.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { kueueDir } from '../../cache.js';
import {
  applyCrdDirectory,
  deleteCrdsByLabel,
  deleteWebhookConfigurations,
} from '../../k8s/crds.js';
import { freePort } from '../../util/net.js';
import { issueCertificate } from '../../util/pki.js';
import {
  answersOk,
  inOwnMountNamespace,
  spawnLogged,
  stopProcess,
  waitProcessReady,
} from '../process.js';
import { KUEUE, KUEUE_RECIPE } from './pin.js';

export class KueueError extends Error {
  override name = 'KueueError';
}

/** Label on every object kaic creates for Kueue, so stop() finds them. */
export const KUEUE_OWNER_LABEL = 'kaic.dev/kueue';
const WEBHOOK_PREFIX = 'kaic-kueue';
const KUEUE_NAMESPACE = 'kueue-system';

export interface KueueOptions {
  kubeconfigPath: string;
  /** The cluster CA (PEM certificate and key): it signs the webhook server's certificate. */
  caCert: string;
  caKey: string;
  /** Working directory: config, certificates, log. */
  dir: string;
  log: ProgressLog;
  /**
   * Kueue integrations to enable (default `batch/job`). An empty list plants a Kueue that
   * ignores Jobs: they run unqueued, so their pods bind whatever the quota says.
   */
  frameworks?: string[];
  /** Build the manager when the cache lacks it (about four minutes on a cold Go cache). */
  buildMissing?: boolean;
  /** Seconds to wait for readiness. Default 120. */
  startTimeoutSeconds?: number;
}

/**
 * Which of Kueue's webhook paths to register: its own kinds and those of the enabled integrations.
 * A path names group (dots as dashes), version and kind: batch/job → /mutate-batch-v1-job, the
 * core group is empty (pod → /mutate--v1-pod).
 */
export function webhookPathFilter(frameworks: readonly string[]): (path: string) => boolean {
  const patterns = [
    /^\/(mutate|validate)-kueue-x-k8s-io-v[0-9a-z]+-[a-z]+$/,
    ...frameworks.map((framework) => {
      const [group, kind] = framework.includes('/') ? framework.split('/') : ['', framework];
      const g = (group ?? '').replace(/\./g, '-');
      return new RegExp(`^/(mutate|validate)-${g}-v[0-9a-z]+-${kind}$`);
    }),
  ];
  return (path) => patterns.some((re) => re.test(path));
}

export class KueueController {
  private process: ResultPromise | null = null;
  private readonly kc = new k8s.KubeConfig();
  private readonly binDir = kueueDir(KUEUE.version);

  constructor(private readonly options: KueueOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  private get frameworks(): string[] {
    return this.options.frameworks ?? ['batch/job'];
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join(this.binDir, 'kueue');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new KueueError(`${binary} is missing; build it with npm run k8s:build -- --kueue`);
      }
      await buildRecipe(KUEUE_RECIPE, log);
    }
    await mkdir(join(dir, 'certs'), { recursive: true });
    const serving = await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: '/CN=kaic-kueue-webhook',
      dir: join(dir, 'certs'),
      name: 'tls',
      usage: 'server',
      ipAddresses: ['127.0.0.1'],
    });
    // /etc overlay for the private mount namespace: etc/kueue/metrics/certs/tls.{crt,key}.
    const metricsCerts = join(dir, 'etc-upper', 'kueue', 'metrics', 'certs');
    await mkdir(metricsCerts, { recursive: true });
    await mkdir(join(dir, 'etc-work'), { recursive: true });
    await writeFile(join(metricsCerts, 'tls.crt'), await readFile(serving.cert));
    await writeFile(join(metricsCerts, 'tls.key'), await readFile(serving.key), { mode: 0o600 });

    await this.applyCrds();
    await this.ensureNamespace();

    const [webhookPort, healthPort, metricsPort] = [
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
    ];
    const config = {
      apiVersion: 'config.kueue.x-k8s.io/v1beta2',
      kind: 'Configuration',
      namespace: KUEUE_NAMESPACE,
      health: { healthProbeBindAddress: `127.0.0.1:${healthPort}` },
      metrics: { bindAddress: `127.0.0.1:${metricsPort}` },
      webhook: { port: webhookPort, host: '127.0.0.1', certDir: join(dir, 'certs') },
      leaderElection: { leaderElect: false },
      internalCertManagement: { enable: false },
      manageJobsWithoutQueueName: false,
      integrations: { frameworks: this.frameworks },
    };
    await writeFile(join(dir, 'config.yaml'), stringify(config));

    const logFile = join(dir, 'kueue.log');
    log(`kueue ${KUEUE.version}: starting (webhooks on 127.0.0.1:${webhookPort})`);
    // Its own /etc (an overlay) in a mount namespace of its own.
    const command = inOwnMountNamespace(
      'kaic-kueue',
      'mount -t overlay kaic-kueue-etc -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc',
      [join(dir, 'etc-upper'), join(dir, 'etc-work')],
      [
        binary,
        `--config=${join(dir, 'config.yaml')}`,
        // The on-demand visibility API would need its own APIService and port; not used here.
        '--feature-gates=VisibilityOnDemand=false',
      ],
    );
    this.process = spawnLogged(command.file, command.args, {
      env: { KUBECONFIG: this.options.kubeconfigPath },
      logFile,
    });
    try {
      await this.waitReady(logFile, healthPort, webhookPort);
    } catch (error) {
      // Nothing half-started stays behind: no process, no webhook pointing at it.
      await this.stop();
      throw error;
    }
    log(
      `kueue ${KUEUE.version}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
        `(integrations: ${this.frameworks.join(', ') || 'none'})`,
    );
  }

  private async waitReady(logFile: string, healthPort: number, webhookPort: number): Promise<void> {
    await waitProcessReady(
      this.process as ResultPromise,
      'kueue',
      `127.0.0.1:${healthPort}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
      (this.options.startTimeoutSeconds ?? 120) * 1000,
    );
    await this.registerWebhooks(webhookPort, await readFile(this.options.caCert));
  }

  /** Unregisters the webhooks first (they would block Jobs once nothing answers), then stops. */
  async stop(): Promise<void> {
    await this.unregisterWebhooks();
    await stopProcess(this.process);
    this.process = null;
  }

  private async applyCrds(): Promise<void> {
    await applyCrdDirectory(this.kc, join(this.binDir, 'crds'), {
      accept: (file) => file.startsWith('kueue.x-k8s.io_'),
      labels: { [KUEUE_OWNER_LABEL]: 'true' },
      what: 'Kueue',
    });
  }

  private async ensureNamespace(): Promise<void> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    try {
      await core.createNamespace({
        body: { metadata: { name: KUEUE_NAMESPACE, labels: { [KUEUE_OWNER_LABEL]: 'true' } } },
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 409) throw error;
    }
  }

  /**
   * Kueue's webhook configurations from its module, narrowed to Kueue's own kinds and the enabled
   * integrations (a webhook for a disabled one would answer 404 and, failing closed, block those
   * objects cluster-wide), pointed at 127.0.0.1 by URL.
   */
  private async registerWebhooks(port: number, caBundle: Buffer): Promise<void> {
    const text = await readFile(join(this.binDir, 'webhook.yaml'), 'utf8');
    const api = k8s.KubernetesObjectApi.makeApiClient(this.kc);
    const served = webhookPathFilter(this.frameworks);
    for (const doc of parseAllDocuments(text)) {
      const config = doc.toJS() as {
        kind: string;
        apiVersion: string;
        metadata: { name: string; labels?: Record<string, string> };
        webhooks: Array<{
          clientConfig: Record<string, unknown> & { service?: { path?: string } };
        }>;
      } | null;
      if (!config?.webhooks) continue;
      config.metadata = {
        name: `${WEBHOOK_PREFIX}-${config.metadata.name}`,
        labels: { [KUEUE_OWNER_LABEL]: 'true' },
      };
      config.webhooks = config.webhooks
        .filter((w) => served(w.clientConfig.service?.path ?? ''))
        .map((w) => ({
          ...w,
          clientConfig: {
            url: `https://127.0.0.1:${port}${w.clientConfig.service?.path ?? ''}`,
            caBundle: caBundle.toString('base64'),
          },
        }));
      if (config.webhooks.length) await api.create(config as k8s.KubernetesObject);
    }
  }

  private async unregisterWebhooks(): Promise<void> {
    await deleteWebhookConfigurations(this.kc, `${KUEUE_OWNER_LABEL}=true`);
  }

  /** Removes Kueue's CRDs (and with them every Kueue object) and its namespace. */
  async uninstall(): Promise<void> {
    await this.stop();
    // Gone before returning, so nothing after this still finds the API served.
    await deleteCrdsByLabel(this.kc, `${KUEUE_OWNER_LABEL}=true`, 'Kueue');
    await this.kc
      .makeApiClient(k8s.CoreV1Api)
      .deleteNamespace({ name: KUEUE_NAMESPACE })
      .catch(() => undefined);
    await rm(join(this.options.dir, 'etc-work'), { recursive: true, force: true });
  }
}
