/**
 * JobSet run as a process beside a cluster whose API server runs on this machine (the kwok test
 * cluster): its CRD from its module, its controller manager built from its module, its webhooks
 * served over TLS from 127.0.0.1 with a certificate the cluster CA signs, registered by URL under
 * the names an upstream install gives them (a conformance suite finds the operator by them).
 *
 * Every path JobSet reads a certificate from is configurable (webhook and metrics cert dirs), so
 * unlike Kueue it needs no private mount namespace; internal certificate management, leader
 * election and with them any namespace of its own are off.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { jobsetDir } from '../../cache.js';
import {
  applyCrdDirectory,
  deleteCrdsByLabel,
  deleteWebhookConfigurations,
} from '../../k8s/crds.js';
import { postJson } from '../../k8s/raw.js';
import { freePort } from '../../util/net.js';
import { issueCertificate } from '../../util/pki.js';
import { waitFor } from '../../util/wait.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { JOBSET, JOBSET_RECIPE } from './pin.js';

export class JobSetError extends Error {
  override name = 'JobSetError';
}

/** Label on every object kaic creates for JobSet, so stop() and uninstall() find them. */
export const JOBSET_OWNER_LABEL = 'kaic.dev/jobset';
/** The JobSet CRD. */
export const JOBSET_CRD = 'jobsets.jobset.x-k8s.io';
/** Upstream's names (its kustomize namePrefix `jobset-` on the module's manifests). */
export const JOBSET_VALIDATING_WEBHOOK = 'jobset-validating-webhook-configuration';
export const JOBSET_MUTATING_WEBHOOK = 'jobset-mutating-webhook-configuration';
const UPSTREAM_NAME_PREFIX = 'jobset-';

export interface JobSetOptions {
  kubeconfigPath: string;
  /** The cluster CA (PEM certificate and key): it signs the webhook server's certificate. */
  caCert: string;
  caKey: string;
  /** Working directory: config, certificates, log. */
  dir: string;
  log: ProgressLog;
  /** Build the manager when the cache lacks it (about a minute and a half on a cold Go cache). */
  buildMissing?: boolean;
  /** Seconds to wait for readiness (process, then webhooks answering). Default 120. */
  startTimeoutSeconds?: number;
}

interface WebhookEntry {
  name: string;
  clientConfig: Record<string, unknown> & { service?: { path?: string } };
  [key: string]: unknown;
}

interface WebhookConfig {
  kind: string;
  apiVersion: string;
  metadata: { name: string; labels?: Record<string, string> };
  webhooks: WebhookEntry[];
}

/**
 * A JobSet the CRD's schema accepts and JobSet's validating webhook denies: its success policy
 * targets a replicatedJob it does not have. `start()` waits until a dry run of it is denied.
 */
export function invalidJobSet(name = 'kaic-jobset-webhook-probe'): Record<string, unknown> {
  return {
    apiVersion: 'jobset.x-k8s.io/v1alpha2',
    kind: 'JobSet',
    metadata: { name },
    spec: {
      successPolicy: { operator: 'All', targetReplicatedJobs: ['no-such-replicated-job'] },
      replicatedJobs: [
        {
          name: 'workers',
          replicas: 1,
          template: {
            spec: {
              template: {
                spec: {
                  restartPolicy: 'Never',
                  containers: [{ name: 'main', image: 'busybox:1.36', command: ['true'] }],
                },
              },
            },
          },
        },
      ],
    },
  };
}

export class JobSetController {
  private process: ResultPromise | null = null;
  private readonly kc = new k8s.KubeConfig();
  private readonly binDir = jobsetDir(JOBSET.version);

  constructor(private readonly options: JobSetOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join(this.binDir, 'jobset');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new JobSetError(`${binary} is missing; build it with npm run k8s:build -- --addons`);
      }
      await buildRecipe(JOBSET_RECIPE, log);
    }
    const certDir = join(dir, 'certs');
    await mkdir(certDir, { recursive: true });
    // tls.crt and tls.key: the names controller-runtime's webhook and metrics servers look for.
    await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: '/CN=kaic-jobset-webhook',
      dir: certDir,
      name: 'tls',
      usage: 'server',
      ipAddresses: ['127.0.0.1'],
    });

    await this.applyCrds();

    const [webhookPort, healthPort, metricsPort] = [
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
      await freePort('127.0.0.1'),
    ];
    const config = {
      apiVersion: 'config.jobset.x-k8s.io/v1alpha1',
      kind: 'Configuration',
      health: { healthProbeBindAddress: `127.0.0.1:${healthPort}` },
      metrics: { bindAddress: `127.0.0.1:${metricsPort}`, certDir },
      webhook: { port: webhookPort, host: '127.0.0.1', certDir },
      leaderElection: { leaderElect: false },
      // Otherwise it would write a Secret and patch webhook configurations of its own.
      internalCertManagement: { enable: false },
    };
    await writeFile(join(dir, 'config.yaml'), stringify(config));

    const logFile = join(dir, 'jobset.log');
    log(`jobset ${JOBSET.version}: starting (webhooks on 127.0.0.1:${webhookPort})`);
    this.process = spawnLogged(
      binary,
      [`--config=${join(dir, 'config.yaml')}`, '--zap-devel=false', '--zap-log-level=info'],
      { env: { KUBECONFIG: this.options.kubeconfigPath }, logFile },
    );
    try {
      await this.waitReady(logFile, healthPort, webhookPort);
    } catch (error) {
      // Nothing half-started stays behind: no process, no webhook pointing at it.
      await this.stop();
      throw error;
    }
    log(`jobset ${JOBSET.version}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  private async waitReady(logFile: string, healthPort: number, webhookPort: number): Promise<void> {
    const timeoutMs = (this.options.startTimeoutSeconds ?? 120) * 1000;
    const started = Date.now();
    await waitProcessReady(
      this.process as ResultPromise,
      'jobset',
      `127.0.0.1:${healthPort}`,
      logFile,
      // readyz passes once the webhook server listens (JobSet's own check).
      () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
      timeoutMs,
    );
    await this.registerWebhooks(webhookPort, await readFile(this.options.caCert));
    await this.waitWebhookAnswers(Math.max(timeoutMs - (Date.now() - started), 10_000));
  }

  /**
   * Until the API server has picked up the registration, a dry run of an invalid JobSet is
   * accepted; once the validating webhook is called, it is denied.
   */
  private async waitWebhookAnswers(timeoutMs: number): Promise<void> {
    let last = '';
    await waitFor(
      "JobSet's validating webhook denying an invalid JobSet",
      async () => {
        const outcome = await postJson(
          this.kc,
          '/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets?dryRun=All',
          invalidJobSet(),
        ).then(
          () => 'accepted',
          (error: Error) => error.message,
        );
        last = outcome;
        return /admission webhook .* denied the request/.test(outcome) ? true : undefined;
      },
      timeoutMs,
    ).catch((error: Error) => {
      throw new JobSetError(`${error.message}; the last dry run answered: ${last}`);
    });
  }

  /** Unregisters the webhooks first (they would block JobSets once nothing answers), then stops. */
  async stop(): Promise<void> {
    await this.unregisterWebhooks();
    await stopProcess(this.process);
    this.process = null;
  }

  private async applyCrds(): Promise<void> {
    await applyCrdDirectory(this.kc, join(this.binDir, 'crds'), {
      accept: (file) => file.startsWith('jobset.x-k8s.io_'),
      labels: { [JOBSET_OWNER_LABEL]: 'true' },
      what: 'JobSet',
    });
  }

  /**
   * JobSet's webhook configurations from its module, with upstream's kustomize patches applied
   * (they narrow the pod webhooks to pods carrying the jobset-name label; without them every pod
   * creation in the cluster would pass through JobSet), pointed at 127.0.0.1 by URL.
   */
  private async registerWebhooks(port: number, caBundle: Buffer): Promise<void> {
    const patched = await this.upstreamWebhookPatches();
    // Configurations a killed run left behind point at a port nothing serves.
    await this.unregisterWebhooks();
    const text = await readFile(join(this.binDir, 'webhook.yaml'), 'utf8');
    const api = k8s.KubernetesObjectApi.makeApiClient(this.kc);
    for (const doc of parseAllDocuments(text)) {
      const config = doc.toJS() as WebhookConfig | null;
      if (!config?.webhooks) continue;
      config.metadata = {
        name: `${UPSTREAM_NAME_PREFIX}${config.metadata.name}`,
        labels: { [JOBSET_OWNER_LABEL]: 'true' },
      };
      config.webhooks = config.webhooks.map((original) => {
        const w = patched.get(original.name) ?? original;
        return {
          ...w,
          clientConfig: {
            url: `https://127.0.0.1:${port}${w.clientConfig.service?.path ?? ''}`,
            caBundle: caBundle.toString('base64'),
          },
        };
      });
      await api.create(config as k8s.KubernetesObject);
    }
  }

  /** The webhooks upstream's patches replace, by webhook name (JSON-patch `replace` values). */
  private async upstreamWebhookPatches(): Promise<Map<string, WebhookEntry>> {
    const dir = join(this.binDir, 'webhook-patches');
    const byName = new Map<string, WebhookEntry>();
    for (const file of (await readdir(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of parseAllDocuments(await readFile(join(dir, file), 'utf8'))) {
        const ops = doc.toJS() as Array<{ op?: string; value?: WebhookEntry }> | null;
        for (const op of ops ?? []) {
          if (op.op === 'replace' && op.value?.name) byName.set(op.value.name, op.value);
        }
      }
    }
    if (byName.size === 0) throw new JobSetError(`no webhook patches in ${dir}`);
    return byName;
  }

  private async unregisterWebhooks(): Promise<void> {
    await deleteWebhookConfigurations(this.kc, `${JOBSET_OWNER_LABEL}=true`);
  }

  /**
   * Removes every JobSet (their Jobs, pods and Services first), then JobSet's CRD. Deleting the
   * CRD alone would orphan child Jobs: once the JobSet kind is gone, the garbage collector can no
   * longer resolve their owner references and leaves them.
   */
  async uninstall(): Promise<void> {
    await this.deleteAllJobSets();
    await this.stop();
    // Gone before returning, so nothing after this still finds the API served.
    await deleteCrdsByLabel(this.kc, `${JOBSET_OWNER_LABEL}=true`, 'JobSet');
  }

  /** Foreground deletion: a JobSet is gone only once the garbage collector removed its children. */
  private async deleteAllJobSets(): Promise<void> {
    const api = this.kc.makeApiClient(k8s.CustomObjectsApi);
    const kind = { group: 'jobset.x-k8s.io', version: 'v1alpha2', plural: 'jobsets' };
    const list = async () =>
      (
        (await api.listClusterCustomObject(kind).catch(() => ({ items: [] }))) as {
          items: Array<{ metadata: { name: string; namespace: string } }>;
        }
      ).items;
    for (const { metadata } of await list()) {
      await api
        .deleteNamespacedCustomObject({
          ...kind,
          namespace: metadata.namespace,
          name: metadata.name,
          propagationPolicy: 'Foreground',
        })
        .catch(() => undefined);
    }
    await waitFor('every JobSet deleted', async () => (await list()).length === 0, 120_000);
  }
}
