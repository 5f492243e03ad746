/**
 * gang-scheduler: Kueue, admitting a gang (a batch/v1 Job) whole or not at all, for
 * gang_scheduling. Beside kwok its manager runs here with its webhooks; elsewhere from its chart.
 */
import { join } from 'node:path';

import { buildRecipe, copyFromModule } from '../../binaries/build.js';
import { chartCopy, chartInstall } from '../charts.js';
import { defineAddon } from '../types.js';
import { KueueController } from './beside-cluster.js';
import { KUEUE, KUEUE_RECIPE } from './pin.js';

const ENV = { KAIC_GANG_SCHEDULER: 'kueue' };

export const gangScheduler = defineAddon({
  spec: {
    id: 'gang-scheduler',
    component: 'Kueue',
    version: KUEUE.version,
    needs: [],
    enables: ['gang_scheduling'],
    chart: 'kueue',
  },
  async prepare(log) {
    await buildRecipe(KUEUE_RECIPE, log);
    await copyFromModule(chartCopy('kueue'), log);
  },
  async besideCluster(ctx) {
    const kueue = new KueueController({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      dir: join(ctx.dir, 'kueue'),
      log: ctx.log,
    });
    await kueue.start();
    return { summary: 'webhooks served from this machine', env: ENV, stop: () => kueue.stop() };
  },
  inCluster: (ctx) => chartInstall(ctx, 'gang-scheduler', 'kueue', 'workloads.kueue.x-k8s.io', ENV),
});
