/**
 * prometheus: a Prometheus that discovers the suites' pods through the API server, for the
 * metrics suites and the HPA's custom metrics (through prometheus-adapter).
 */
import { installOptions } from '../charts.js';
import { defineAddon } from '../types.js';
import { PrometheusServer } from './beside-cluster.js';
import { findPrometheusService, installPrometheus } from './in-cluster.js';
import { join } from 'node:path';
import { PROMETHEUS, PROMETHEUS_IMAGE, PROMETHEUS_RECIPE } from './pin.js';
import { buildRecipe } from '../../binaries/build.js';

export const prometheus = defineAddon({
  spec: {
    id: 'prometheus',
    component: 'Prometheus',
    version: PROMETHEUS.version,
    needs: [],
    enables: ['accelerator_metrics', 'ai_service_metrics', 'pod_autoscaling'],
    realNode: 'published as a cluster Service through a pod on the real node',
  },
  async prepare(log) {
    await buildRecipe(PROMETHEUS_RECIPE, log);
  },
  async besideCluster(ctx) {
    const server = new PrometheusServer({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join(ctx.dir, 'prometheus'),
      log: ctx.log,
    });
    await server.start();
    const service = await ctx
      .publishService({
        namespace: 'monitoring',
        name: 'prometheus',
        labels: { 'app.kubernetes.io/name': 'prometheus' },
        portName: 'web',
        port: server.port,
      })
      .catch(async (error: unknown) => {
        await server.stop();
        throw error;
      });
    ctx.shared.prometheusUrl = server.url;
    return {
      summary: `${server.url}, Service ${service.ref}`,
      async stop() {
        await service.remove();
        await server.stop();
      },
    };
  },
  images: () => [PROMETHEUS_IMAGE],
  inCluster: (ctx) => ({
    present: async () => {
      const svc = await findPrometheusService(ctx.kubeConfig);
      return svc ? `Service ${svc.namespace}/${svc.name}` : null;
    },
    install: async () =>
      installPrometheus(ctx.kubeConfig, {
        ...installOptions(ctx),
        image: await ctx.image(PROMETHEUS_IMAGE),
      }),
  }),
});
