/**
 * The custom-metrics-adapter addon inside a cluster (kind): prometheus-adapter (release image of
 * the pinned version) with the same rules as on kwok (ADAPTER_RULES: every series naming its
 * namespace and pod, as a Pods metric of the same name and an external metric of its namespace),
 * reading the cluster's Prometheus, serving custom.metrics.k8s.io and external.metrics.k8s.io
 * behind three APIServices. It serves a self-signed certificate it makes at
 * start, so the APIServices skip TLS verification (a test cluster; no CA is mounted for it).
 * The HPA controller's service account may read the API. Everything carries
 * INSTALL_LABEL=custom-metrics-adapter and is removed like a chart (APIServices first).
 */
import * as k8s from '@kubernetes/client-node';
import { stringify } from 'yaml';

import type { ProgressLog } from '../../binaries/build.js';
import { waitFor } from '../../util/wait.js';
import {
  INSTALL_LABEL,
  installLabelled,
  singleContainerDeployment,
  type ManifestDoc,
} from '../charts.js';
import { ADAPTER_RULES, METRICS_API_SERVICES } from './beside-cluster.js';
import { PROMETHEUS_ADAPTER } from './pin.js';

export const ADAPTER_NAMESPACE = 'kaic-custom-metrics';
const PORT = 6443;
const labels = { [INSTALL_LABEL]: 'custom-metrics-adapter' };

export function adapterObjects(
  prometheusUrl: string,
  image: string = PROMETHEUS_ADAPTER.image,
): ManifestDoc[] {
  const meta = (name: string, namespace: string | null = ADAPTER_NAMESPACE) => ({
    name,
    ...(namespace ? { namespace } : {}),
    labels,
  });
  const sa = [{ kind: 'ServiceAccount', name: 'prometheus-adapter', namespace: ADAPTER_NAMESPACE }];
  const binding = (
    kind: 'ClusterRoleBinding' | 'RoleBinding',
    name: string,
    role: string,
    ns: string | null,
    subjects = sa,
  ) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: meta(name, ns),
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: kind === 'RoleBinding' ? 'Role' : 'ClusterRole',
      name: role,
    },
    subjects,
  });
  const app = { 'app.kubernetes.io/name': 'kaic-prometheus-adapter' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('prometheus-adapter') },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('kaic-prometheus-adapter', null),
      rules: [
        {
          apiGroups: [''],
          resources: ['namespaces', 'pods', 'services', 'nodes'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    binding('ClusterRoleBinding', 'kaic-prometheus-adapter', 'kaic-prometheus-adapter', null),
    // An aggregated API server checks who calls it with the API server's help.
    binding(
      'ClusterRoleBinding',
      'kaic-prometheus-adapter:auth-delegator',
      'system:auth-delegator',
      null,
    ),
    binding(
      'RoleBinding',
      'kaic-prometheus-adapter:auth-reader',
      'extension-apiserver-authentication-reader',
      'kube-system',
    ),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: meta('kaic-custom-metrics-reader', null),
      rules: [
        {
          apiGroups: ['custom.metrics.k8s.io', 'external.metrics.k8s.io'],
          resources: ['*'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    binding(
      'ClusterRoleBinding',
      'kaic-custom-metrics-reader:hpa',
      'kaic-custom-metrics-reader',
      null,
      [{ kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' }],
    ),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('prometheus-adapter'),
      data: { 'rules.yaml': stringify(ADAPTER_RULES) },
    },
    singleContainerDeployment({
      name: 'prometheus-adapter',
      namespace: ADAPTER_NAMESPACE,
      app,
      serviceAccount: 'prometheus-adapter',
      image,
      args: [
        `--prometheus-url=${prometheusUrl}`,
        '--config=/etc/adapter/rules.yaml',
        '--metrics-relist-interval=5s',
        `--secure-port=${PORT}`,
        '--cert-dir=/tmp/cert',
      ],
      ports: [{ name: 'https', containerPort: PORT }],
      readiness: { path: '/readyz', port: PORT, scheme: 'HTTPS' },
      configDir: '/etc/adapter',
      scratchDir: '/tmp/cert',
    }),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta('prometheus-adapter'),
      spec: { selector: app, ports: [{ name: 'https', port: 443, targetPort: PORT }] },
    },
    ...METRICS_API_SERVICES.map(({ group, version, priority }) => ({
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: meta(`${version}.${group}`, null),
      spec: {
        group,
        version,
        service: { namespace: ADAPTER_NAMESPACE, name: 'prometheus-adapter', port: 443 },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: priority,
      },
    })),
  ];
}

/** Installs prometheus-adapter reading `prometheusUrl`; returns a stop that removes it. */
export async function installPrometheusAdapter(
  kc: k8s.KubeConfig,
  prometheusUrl: string,
  options: {
    log: ProgressLog;
    readyTimeoutMs?: number;
    /** Wait until the aggregator reaches it (default true; needs the image to run). */
    awaitApiService?: boolean;
    image?: string;
  },
): Promise<{ stop: () => Promise<void> }> {
  const { stop } = await installLabelled(
    kc,
    'custom-metrics-adapter',
    ADAPTER_NAMESPACE,
    adapterObjects(prometheusUrl, options.image),
    options,
  );
  if (options.awaitApiService ?? true) {
    const generic = k8s.KubernetesObjectApi.makeApiClient(kc);
    await waitFor(
      'custom-metrics-adapter: its APIServices Available',
      async () => {
        for (const { group, version } of METRICS_API_SERVICES) {
          const api = (await generic.read({
            apiVersion: 'apiregistration.k8s.io/v1',
            kind: 'APIService',
            metadata: { name: `${version}.${group}` },
          })) as unknown as { status?: { conditions?: Array<{ type: string; status: string }> } };
          if (!api.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True'))
            return false;
        }
        return true;
      },
      options.readyTimeoutMs ?? 300_000,
      2000,
    ).catch(async (error: Error) => {
      await stop();
      throw new Error(`addon custom-metrics-adapter: ${error.message}`, { cause: error });
    });
  }
  return { stop };
}
