/**
 * gateway: the Gateway API CRDs and Traefik as their controller, for ai_inference and
 * advanced_inference_ingress.
 */
import { join } from 'node:path';

import { buildRecipe, copyFromModule } from '../../binaries/build.js';
import { installOptions } from '../charts.js';
import { defineAddon } from '../types.js';
import { TraefikGateway } from './beside-cluster.js';
import { installGateway } from './in-cluster.js';
import { GATEWAY_API_CRDS, TRAEFIK, TRAEFIK_IMAGE, TRAEFIK_RECIPE } from './pin.js';

export const gateway = defineAddon({
  spec: {
    id: 'gateway',
    component: 'Gateway API CRDs + Traefik',
    version: TRAEFIK.version,
    needs: [],
    enables: ['ai_inference', 'advanced_inference_ingress'],
  },
  async prepare(log) {
    await buildRecipe(TRAEFIK_RECIPE, log);
    await copyFromModule(GATEWAY_API_CRDS, log);
  },
  async besideCluster(ctx) {
    const traefik = new TraefikGateway({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join(ctx.dir, 'traefik'),
      log: ctx.log,
    });
    await traefik.start();
    return {
      summary: `GatewayClass ${traefik.gatewayClassName}, listener port ${traefik.port}`,
      env: {
        KAIC_GATEWAY_CLASS: traefik.gatewayClassName,
        KAIC_GATEWAY_LISTENER_PORT: String(traefik.port),
      },
      stop: () => traefik.stop(),
    };
  },
  images: () => [TRAEFIK_IMAGE],
  inCluster: (ctx) => ({
    present: () => ctx.crdPresent('gateways.gateway.networking.k8s.io'),
    install: async () =>
      installGateway(ctx.kubeConfig, {
        ...installOptions(ctx),
        image: await ctx.image(TRAEFIK_IMAGE),
      }),
  }),
});
