/**
 * Volcano run as processes beside a cluster whose API server runs on this machine (the kwok test
 * cluster), as its chart runs them: its CRDs from its module, vc-controller-manager (the queue
 * and PodGroup controllers: a queue is open only once its controller says so) and vc-scheduler
 * with the chart's scheduler configuration. The scheduler creates the `default` queue itself.
 * Its admission webhooks are not run (they validate and default Volcano's objects; the suites
 * create them complete).
 */
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { volcanoDir } from '../../cache.js';
import { applyCrdDirectory, deleteCrdsByLabel } from '../../k8s/crds.js';
import { freePort } from '../../util/net.js';
import { waitFor } from '../../util/wait.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { VOLCANO, VOLCANO_RECIPE } from './pin.js';

/** Label on the CRDs kaic applies for Volcano, so uninstall() finds them. */
export const VOLCANO_OWNER_LABEL = 'kaic.dev/volcano';
/** The scheduler name Volcano's chart gives it; pods ask for it in spec.schedulerName. */
export const VOLCANO_SCHEDULER_NAME = 'volcano';

export interface VolcanoOptions {
  kubeconfigPath: string;
  /** Working directory: configuration and logs. */
  dir: string;
  log: ProgressLog;
  /** Seconds to wait for readiness. Default 120. */
  startTimeoutSeconds?: number;
}

interface QueueObject {
  status?: { state?: string };
}

export class VolcanoController {
  private scheduler: ResultPromise | null = null;
  private controllers: ResultPromise | null = null;
  private readonly kc = new k8s.KubeConfig();
  private readonly binDir = volcanoDir(VOLCANO.version);

  constructor(private readonly options: VolcanoOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    if (!existsSync(join(this.binDir, 'vc-scheduler'))) await buildRecipe(VOLCANO_RECIPE, log);
    await mkdir(dir, { recursive: true });
    await applyCrdDirectory(this.kc, join(this.binDir, 'crds'), {
      labels: { [VOLCANO_OWNER_LABEL]: 'true' },
      what: 'Volcano',
    });
    const conf = join(dir, 'volcano-scheduler.conf');
    await copyFile(join(this.binDir, 'volcano-scheduler.conf'), conf);
    const timeoutMs = (this.options.startTimeoutSeconds ?? 120) * 1000;
    const env = { KUBECONFIG: this.options.kubeconfigPath };
    const common = (health: number, metrics: number) => [
      `--kubeconfig=${this.options.kubeconfigPath}`,
      '--leader-elect=false',
      '--enable-healthz=true',
      `--healthz-address=127.0.0.1:${health}`,
      `--listen-address=127.0.0.1:${metrics}`,
      `--scheduler-name=${VOLCANO_SCHEDULER_NAME}`,
    ];
    try {
      const [cmHealth, cmMetrics, schedHealth, schedMetrics] = [
        await freePort('127.0.0.1'),
        await freePort('127.0.0.1'),
        await freePort('127.0.0.1'),
        await freePort('127.0.0.1'),
      ];
      const cmLog = join(dir, 'vc-controller-manager.log');
      this.controllers = spawnLogged(
        join(this.binDir, 'vc-controller-manager'),
        [...common(cmHealth, cmMetrics), '--controllers=+queue-controller,+pg-controller'],
        { env, logFile: cmLog },
      );
      const schedLog = join(dir, 'vc-scheduler.log');
      this.scheduler = spawnLogged(
        join(this.binDir, 'vc-scheduler'),
        [...common(schedHealth, schedMetrics), `--scheduler-conf=${conf}`, '--cache-dumper=false'],
        { env, logFile: schedLog },
      );
      await waitProcessReady(
        this.controllers,
        'vc-controller-manager',
        `127.0.0.1:${cmHealth}`,
        cmLog,
        () => answersOk(`http://127.0.0.1:${cmHealth}/healthz`),
        timeoutMs,
      );
      await waitProcessReady(
        this.scheduler,
        'vc-scheduler',
        `127.0.0.1:${schedHealth}`,
        schedLog,
        () => answersOk(`http://127.0.0.1:${schedHealth}/healthz`),
        timeoutMs,
      );
      // The scheduler creates the default queue; its controller opens it.
      const custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
      await waitFor(
        "Volcano's default queue Open",
        async () => {
          const queue = (await custom
            .getClusterCustomObject({
              group: 'scheduling.volcano.sh',
              version: 'v1beta1',
              plural: 'queues',
              name: 'default',
            })
            .catch(() => null)) as QueueObject | null;
          return queue?.status?.state === 'Open' || undefined;
        },
        timeoutMs,
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(
      `volcano ${VOLCANO.version}: scheduler and queue/PodGroup controllers ready in ` +
        `${((Date.now() - t0) / 1000).toFixed(1)} s (scheduler name ${VOLCANO_SCHEDULER_NAME})`,
    );
  }

  async stop(): Promise<void> {
    await Promise.all([stopProcess(this.scheduler), stopProcess(this.controllers)]);
    this.scheduler = null;
    this.controllers = null;
  }

  /** Stops both processes and removes Volcano's CRDs (and with them every Volcano object). */
  async uninstall(): Promise<void> {
    await this.stop();
    await deleteCrdsByLabel(this.kc, `${VOLCANO_OWNER_LABEL}=true`, 'Volcano');
  }
}
