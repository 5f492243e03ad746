/**
 * ai-operator: JobSet, an operator with a validating webhook and children to reconcile, for
 * robust_controller. Beside kwok its manager runs here with its webhooks; elsewhere from its chart.
 */
import { join } from 'node:path';

import { buildRecipe, copyFromModule } from '../../binaries/build.js';
import { chartCopy, chartInstall } from '../charts.js';
import { defineAddon } from '../types.js';
import { JobSetController } from './beside-cluster.js';
import { JOBSET, JOBSET_IMAGE, JOBSET_RECIPE } from './pin.js';

const ENV = { KAIC_AI_OPERATOR: 'jobset' };

export const aiOperator = defineAddon({
  spec: {
    id: 'ai-operator',
    component: 'JobSet',
    version: JOBSET.version,
    needs: [],
    enables: ['robust_controller'],
    chart: 'jobset',
  },
  async prepare(log) {
    await buildRecipe(JOBSET_RECIPE, log);
    await copyFromModule(chartCopy('jobset'), log);
  },
  async besideCluster(ctx) {
    const jobset = new JobSetController({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      dir: join(ctx.dir, 'jobset'),
      log: ctx.log,
    });
    await jobset.start();
    return { summary: 'webhooks served from this machine', env: ENV, stop: () => jobset.stop() };
  },
  images: () => [JOBSET_IMAGE],
  inCluster: (ctx) => chartInstall(ctx, 'ai-operator', 'jobset', 'jobsets.jobset.x-k8s.io', ENV),
});
