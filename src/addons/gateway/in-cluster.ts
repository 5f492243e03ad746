/**
 * The gateway addon inside a cluster (kind): the Gateway API standard CRDs from their module and
 * Traefik as a Deployment with its kubernetesGateway provider only, its RBAC as Traefik publishes
 * it in its module's docs. Traefik takes a Gateway listener only when its port equals an
 * entryPoint's, so the suites get that port (KAIC_GATEWAY_LISTENER_PORT); Gateways report the
 * Traefik Service's cluster IP, which the suites' client pod calls. Everything carries
 * INSTALL_LABEL=gateway and is removed like a chart (removeChart).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

import { copyFromModule, type ProgressLog } from '../../binaries/build.js';
import { applyCrdDirectory } from '../../k8s/crds.js';
import { applyJson } from '../../k8s/raw.js';
import {
  INSTALL_LABEL,
  installLabelled,
  removeChart,
  singleContainerDeployment,
  type ManifestDoc,
} from '../charts.js';
import { TRAEFIK_CONTROLLER_NAME, TRAEFIK_ENTRYPOINT } from './beside-cluster.js';
import { GATEWAY_API_CRDS, TRAEFIK, TRAEFIK_RBAC } from './pin.js';

export const GATEWAY_NAMESPACE = 'kaic-gateway';
export const GATEWAY_CLASS = 'kaic-traefik';
/** The entryPoint port: every Gateway listener the suites create uses it. */
export const GATEWAY_LISTENER_PORT = 8000;
const PING_PORT = 8082;

const labels = { [INSTALL_LABEL]: 'gateway' };

/** Traefik's objects; `statusIp` is what Gateways report as their address. */
export function traefikObjects(
  rbacYaml: string,
  statusIp: string,
  image: string = TRAEFIK.image,
): ManifestDoc[] {
  const meta = (name: string, namespaced = true) => ({
    name,
    ...(namespaced ? { namespace: GATEWAY_NAMESPACE } : {}),
    labels,
  });
  const roles = parseAllDocuments(rbacYaml)
    .map((d) => d.toJS() as ManifestDoc | null)
    .filter((d): d is ManifestDoc => d?.kind === 'ClusterRole');
  if (roles.length !== 1) {
    throw new Error(`Traefik's RBAC file has ${roles.length} ClusterRoles, expected 1`);
  }
  const config = {
    // No calls home from a test cluster.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'INFO', noColor: true },
    entryPoints: {
      [TRAEFIK_ENTRYPOINT]: { address: `:${GATEWAY_LISTENER_PORT}` },
      traefik: { address: `:${PING_PORT}` },
    },
    ping: { entryPoint: 'traefik' },
    providers: {
      providersThrottleDuration: '500ms',
      kubernetesGateway: { statusAddress: { ip: statusIp } },
    },
  };
  const app = { 'app.kubernetes.io/name': 'kaic-traefik' };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('traefik') },
    { ...roles[0]!, metadata: meta('kaic-traefik-gateway', false) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: meta('kaic-traefik-gateway', false),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'kaic-traefik-gateway',
      },
      subjects: [{ kind: 'ServiceAccount', name: 'traefik', namespace: GATEWAY_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta('traefik'),
      data: { 'traefik.yaml': JSON.stringify(config, null, 2) },
    },
    singleContainerDeployment({
      name: 'traefik',
      namespace: GATEWAY_NAMESPACE,
      app,
      serviceAccount: 'traefik',
      image,
      args: ['--configFile=/config/traefik.yaml'],
      ports: [
        { name: 'web', containerPort: GATEWAY_LISTENER_PORT },
        { name: 'ping', containerPort: PING_PORT },
      ],
      readiness: { path: '/ping', port: PING_PORT },
      configDir: '/config',
    }),
    {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: meta(GATEWAY_CLASS, false),
      spec: { controllerName: TRAEFIK_CONTROLLER_NAME },
    },
  ];
}

/** Installs the Gateway API CRDs and Traefik; returns the suites' settings and a stop. */
export async function installGateway(
  kc: k8s.KubeConfig,
  options: { log: ProgressLog; readyTimeoutMs?: number; image?: string },
): Promise<{ env: Record<string, string>; stop: () => Promise<void> }> {
  const { log } = options;
  const stop = () => removeChart(kc, 'gateway', log);
  try {
    const crdDir = await copyFromModule(GATEWAY_API_CRDS, log);
    await applyCrdDirectory(kc, crdDir, { labels, what: 'Gateway API' });
    await applyJson(kc, `/api/v1/namespaces/${GATEWAY_NAMESPACE}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: GATEWAY_NAMESPACE, labels },
    });
    // The Service first: its cluster IP is the address Gateways report.
    const service = (await applyJson(
      kc,
      `/api/v1/namespaces/${GATEWAY_NAMESPACE}/services/traefik`,
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'traefik', namespace: GATEWAY_NAMESPACE, labels },
        spec: {
          selector: { 'app.kubernetes.io/name': 'kaic-traefik' },
          ports: [{ name: 'web', port: GATEWAY_LISTENER_PORT, targetPort: GATEWAY_LISTENER_PORT }],
        },
      },
    )) as { spec?: { clusterIP?: string } };
    const clusterIp = service.spec?.clusterIP;
    if (!clusterIp) throw new Error('the Traefik Service got no cluster IP');
    const rbacDir = await copyFromModule(TRAEFIK_RBAC, log);
    const [rbacFile] = TRAEFIK_RBAC.files;
    const objects = traefikObjects(
      await readFile(join(rbacDir, rbacFile), 'utf8'),
      clusterIp,
      options.image,
    );
    await installLabelled(kc, 'gateway', GATEWAY_NAMESPACE, objects, options);
  } catch (error) {
    await stop();
    throw new Error(`addon gateway: ${(error as Error).message}`, { cause: error });
  }
  return {
    env: {
      KAIC_GATEWAY_CLASS: GATEWAY_CLASS,
      KAIC_GATEWAY_LISTENER_PORT: String(GATEWAY_LISTENER_PORT),
    },
    stop,
  };
}
