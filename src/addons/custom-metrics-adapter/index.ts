/**
 * custom-metrics-adapter: prometheus-adapter serving custom.metrics.k8s.io from the Prometheus of
 * the wave before, for the HPA of pod_autoscaling.
 */
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { buildRecipe } from '../../binaries/build.js';
import { findPrometheusService } from '../prometheus/in-cluster.js';
import { installOptions } from '../charts.js';
import { defineAddon } from '../types.js';
import { PrometheusAdapter } from './beside-cluster.js';
import { installPrometheusAdapter } from './in-cluster.js';
import { PROMETHEUS_ADAPTER, PROMETHEUS_ADAPTER_IMAGE, PROMETHEUS_ADAPTER_RECIPE } from './pin.js';

export const customMetricsAdapter = defineAddon({
  spec: {
    id: 'custom-metrics-adapter',
    component: 'prometheus-adapter',
    version: PROMETHEUS_ADAPTER.version,
    needs: ['prometheus'],
    enables: ['pod_autoscaling'],
  },
  async prepare(log) {
    await buildRecipe(PROMETHEUS_ADAPTER_RECIPE, log);
  },
  async besideCluster(ctx) {
    const adapter = new PrometheusAdapter({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      prometheusUrl: ctx.shared.prometheusUrl!,
      dir: join(ctx.dir, 'prometheus-adapter'),
      log: ctx.log,
    });
    await adapter.start();
    return { summary: 'custom.metrics.k8s.io registered', stop: () => adapter.stop() };
  },
  images: () => [PROMETHEUS_ADAPTER_IMAGE],
  inCluster: (ctx) => ({
    present: () =>
      k8s.KubernetesObjectApi.makeApiClient(ctx.kubeConfig)
        .read({
          apiVersion: 'apiregistration.k8s.io/v1',
          kind: 'APIService',
          metadata: { name: 'v1beta2.custom.metrics.k8s.io' },
        })
        .then(() => 'custom.metrics.k8s.io served')
        .catch(() => null),
    install: async () => {
      // The Prometheus of the wave before (kaic's, or the cluster's own).
      const svc = await findPrometheusService(ctx.kubeConfig);
      if (!svc) {
        throw new Error(
          'addon custom-metrics-adapter: no Prometheus Service (app.kubernetes.io/name=prometheus) to read',
        );
      }
      ctx.log(`addon custom-metrics-adapter: reading Prometheus ${svc.url}`);
      const { stop } = await installPrometheusAdapter(ctx.kubeConfig, svc.url, {
        ...installOptions(ctx),
        image: await ctx.image(PROMETHEUS_ADAPTER_IMAGE),
      });
      return { stop, env: {} };
    },
  }),
});
