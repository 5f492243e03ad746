/**
 * gang-scheduler: the gang scheduling solution the run chose (`--gang-scheduler`), for
 * gang_scheduling. Kueue admits a gang (a batch/v1 Job) whole or not at all; beside kwok its
 * manager runs here with its webhooks, elsewhere from its chart. Volcano (./volcano.ts) binds a
 * PodGroup's pods whole or not at all; beside kwok its scheduler and controllers run here,
 * elsewhere from its chart (without its admission webhooks, as here).
 */
import { join } from 'node:path';

import { buildRecipe, copyFromModule } from '../../binaries/build.js';
import { chartCopy, chartInstall } from '../charts.js';
import { defineAddon } from '../types.js';
import { KueueController } from './beside-cluster.js';
import {
  KUEUE,
  KUEUE_IMAGE,
  KUEUE_RECIPE,
  VOLCANO,
  VOLCANO_CONTROLLER_IMAGE,
  VOLCANO_RECIPE,
  VOLCANO_SCHEDULER_IMAGE,
} from './pin.js';
import { VolcanoController } from './volcano.js';

export const gangScheduler = defineAddon({
  spec: {
    id: 'gang-scheduler',
    component: 'Kueue or Volcano (--gang-scheduler)',
    version: KUEUE.version,
    needs: [],
    enables: ['gang_scheduling'],
    chart: 'kueue',
  },
  installs: (choices) =>
    choices.gangScheduler === 'volcano'
      ? { component: 'Volcano', version: VOLCANO.version }
      : { component: 'Kueue', version: KUEUE.version },
  async prepare(log, choices) {
    if (choices.gangScheduler === 'volcano') {
      await buildRecipe(VOLCANO_RECIPE, log);
      await copyFromModule(chartCopy('volcano'), log);
      return;
    }
    await buildRecipe(KUEUE_RECIPE, log);
    await copyFromModule(chartCopy('kueue'), log);
  },
  async besideCluster(ctx) {
    if (ctx.choices.gangScheduler === 'volcano') {
      const volcano = new VolcanoController({
        kubeconfigPath: ctx.kubeconfigPath,
        dir: join(ctx.dir, 'volcano'),
        log: ctx.log,
      });
      await volcano.start();
      return {
        summary: 'Volcano scheduler and controllers served from this machine',
        env: { KAIC_GANG_SCHEDULER: 'volcano' },
        stop: () => volcano.stop(),
      };
    }
    const kueue = new KueueController({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      dir: join(ctx.dir, 'kueue'),
      log: ctx.log,
    });
    await kueue.start();
    return {
      summary: 'webhooks served from this machine',
      env: { KAIC_GANG_SCHEDULER: 'kueue' },
      stop: () => kueue.stop(),
    };
  },
  images: (choices) =>
    choices?.gangScheduler === 'volcano'
      ? [VOLCANO_SCHEDULER_IMAGE, VOLCANO_CONTROLLER_IMAGE]
      : choices
        ? [KUEUE_IMAGE]
        : [KUEUE_IMAGE, VOLCANO_SCHEDULER_IMAGE, VOLCANO_CONTROLLER_IMAGE],
  inCluster: (ctx) =>
    ctx.choices.gangScheduler === 'volcano'
      ? chartInstall(ctx, 'gang-scheduler', 'volcano', 'podgroups.scheduling.volcano.sh', {
          KAIC_GANG_SCHEDULER: 'volcano',
        })
      : chartInstall(ctx, 'gang-scheduler', 'kueue', 'workloads.kueue.x-k8s.io', {
          KAIC_GANG_SCHEDULER: 'kueue',
        }),
});
