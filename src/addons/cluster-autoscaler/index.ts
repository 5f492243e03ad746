/**
 * cluster-autoscaler: Karpenter's kwok provider, launching (simulated) GPU nodes for a pod that
 * fits no node, for cluster_autoscaling. On kind it runs here too, with a kwok controller of its
 * own for the nodes it launches.
 */
import { join } from 'node:path';

import { buildRecipe } from '../../binaries/build.js';
import { gpuProfile } from '../../fakegpu/profiles.js';
import { defineAddon } from '../types.js';
import { KarpenterKwok } from './beside-cluster.js';
import { startKindAutoscaler } from './in-cluster.js';
import { KARPENTER, KARPENTER_RECIPE } from './pin.js';

export const clusterAutoscaler = defineAddon({
  spec: {
    id: 'cluster-autoscaler',
    component: "Karpenter's kwok provider",
    version: KARPENTER.version,
    needs: ['fake-gpu'],
    enables: ['cluster_autoscaling'],
  },
  async prepare(log) {
    await buildRecipe(KARPENTER_RECIPE, log);
  },
  async besideCluster(ctx) {
    const karpenter = new KarpenterKwok({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join(ctx.dir, 'karpenter'),
      gpuResource: ctx.shared.gpuProfile?.extendedResourceName ?? 'nvidia.com/gpu',
      log: ctx.log,
    });
    await karpenter.start();
    return { summary: 'NodePool of GPU nodes', stop: () => karpenter.stop() };
  },
  inCluster: (ctx) => ({
    runsHere: true,
    present: () => ctx.crdPresent('nodepools.karpenter.sh'),
    install: async () => {
      const autoscaler = await startKindAutoscaler({
        kubeconfigPath: ctx.kubeconfigPath,
        dir: join(ctx.dir, 'autoscaler'),
        gpuResource: gpuProfile(ctx.gpuProfile).extendedResourceName ?? 'nvidia.com/gpu',
        log: ctx.log,
      });
      return { stop: autoscaler.stop, env: {} };
    },
  }),
});
