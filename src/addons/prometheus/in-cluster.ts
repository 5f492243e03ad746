/**
 * The prometheus addon inside a cluster (kind): Prometheus as a Deployment (release image of the
 * pinned version) with the same scrape configuration as on kwok — pods annotated
 * `prometheus.io/scrape`, found in-cluster with its service account, every 5 s — and a Service
 * labelled `app.kubernetes.io/name=prometheus`, which the metrics suites find and query through the
 * API server. kaic's fake-GPU exporter carries the annotations, so accelerator metrics reach it.
 * Everything carries INSTALL_LABEL=prometheus and is removed like a chart (removeChart).
 */
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';

import type { ProgressLog } from '../../binaries/build.js';
import {
  INSTALL_LABEL,
  installLabelled,
  singleContainerDeployment,
  type ManifestDoc,
} from '../charts.js';
import { prometheusConfig } from './beside-cluster.js';
import { PROMETHEUS } from './pin.js';

export const PROMETHEUS_NAMESPACE = 'kaic-monitoring';
const PORT = 9090;
const labels = { [INSTALL_LABEL]: 'prometheus' };

export function prometheusObjects(image: string = PROMETHEUS.image): ManifestDoc[] {
  const meta = (name: string, namespaced = true, extra: Record<string, string> = {}) => ({
    name,
    ...(namespaced ? { namespace: PROMETHEUS_NAMESPACE } : {}),
    labels: { ...labels, ...extra },
  });
  const app = { 'app.kubernetes.io/name': 'prometheus' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('prometheus') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('kaic-prometheus', false),
      rules: [
        {
          apiGroups: [''],
          resources: ['pods', 'services', 'endpoints', 'nodes'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta('kaic-prometheus', false),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'kaic-prometheus',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'prometheus', namespace: PROMETHEUS_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('prometheus'),
      data: { 'prometheus.yml': stringify(prometheusConfig({ scrapeIntervalSeconds: 5 })) },
    },
    singleContainerDeployment({
      name: 'prometheus',
      namespace: PROMETHEUS_NAMESPACE,
      app,
      serviceAccount: 'prometheus',
      image,
      args: [
        '--config.file=/etc/prometheus/prometheus.yml',
        '--storage.tsdb.path=/prometheus',
        `--web.listen-address=:${PORT}`,
      ],
      ports: [{ name: 'web', containerPort: PORT }],
      readiness: { path: '/-/ready', port: PORT },
      configDir: '/etc/prometheus',
      scratchDir: '/prometheus',
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('prometheus', true, app),
      spec: { selector: app, ports: [{ name: 'web', port: PORT, targetPort: PORT }] },
    },
  ];
}

/**
 * The cluster's Prometheus Service by the label the metrics suites look for first (kaic's, or one
 * the cluster has), with the URL pods reach its web port at; null when there is none.
 */
export async function findPrometheusService(
  kc: k8s.KubeConfig,
): Promise<{ namespace: string; name: string; url: string } | null> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const services = (
    await core.listServiceForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=prometheus' })
  ).items;
  for (const svc of services) {
    const port = svc.spec?.ports?.find((p) => /web|http/.test(p.name ?? '') || p.port === PORT);
    if (!port) continue;
    const { namespace, name } = svc.metadata as { namespace: string; name: string };
    return { namespace, name, url: `http://${name}.${namespace}.svc:${port.port}/` };
  }
  return null;
}

/** Installs Prometheus into the cluster; returns a stop that removes it. */
export async function installPrometheus(
  kc: k8s.KubeConfig,
  options: { log: ProgressLog; readyTimeoutMs?: number; image?: string },
): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const { stop } = await installLabelled(
    kc,
    'prometheus',
    PROMETHEUS_NAMESPACE,
    prometheusObjects(options.image),
    options,
  );
  return { env: { KAIC_PROMETHEUS: `${PROMETHEUS_NAMESPACE}/prometheus:${PORT}` }, stop };
}
