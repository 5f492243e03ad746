/**
 * The objects that run the fake-GPU publisher and exporter inside a cluster (kind): a namespace,
 * a service account with just the permissions the two need, the minified bundle (dist/fakegpu.js,
 * gzipped) in a ConfigMap, and two Deployments on a digest-pinned stock Node image that unpack and
 * run it. The pod template carries the bundle's hash, so a new bundle rolls the pods.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { installationPath } from '../util/installation.js';
import { NODE_RUNTIME_IMAGE } from '../versions/images.js';
import { CDI_DIR, KUBELET_PLUGINS_DIR, KUBELET_REGISTRY_DIR, STATE_DIR } from './plugin/paths.js';
import { EXPORTER_SERVICE_LABELS } from './exporter.js';

export const DEFAULT_NAMESPACE = 'kaic-fakegpu';
export const BUNDLE_FILE = 'fakegpu.js';
const BUNDLE_KEY = 'fakegpu.mjs.gz';
const APP_LABEL = 'app.kubernetes.io/name';
const PART_LABEL = 'app.kubernetes.io/component';
const RUN_AS_USER = 1000; // the image's "node" user

/** Any Kubernetes object, as plain JSON. */
export type ManifestObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string } & Record<string, unknown>;
  [field: string]: unknown;
};

export interface ManifestOptions {
  /** `kaic fakegpu publish` flags (profile, GPUs, node selector, MIG), passed through as given. */
  publishArgs: string[];
  /** `--profile` for the exporter and the kubelet plugin. */
  profile: string;
  /** The GPU nodes' label selector: where the kubelet plugin's DaemonSet runs. */
  nodeSelector: string;
  /** The driver name, for the plugin's socket directory. */
  driver: string;
  namespace?: string;
  exporterPort?: number;
  image?: string;
  /** The bundle's bytes; default: dist/fakegpu.js of this installation. */
  bundle?: Buffer;
}

/** Path of dist/fakegpu.js of the installation this code runs from (bundled or from source). */
export function installedBundlePath(): string {
  return installationPath(join('dist', BUNDLE_FILE));
}

/** The bytes of dist/fakegpu.js of this installation. */
export function installedBundle(): Buffer {
  return readFileSync(installedBundlePath());
}

const sh = (subcommand: string) =>
  // $0 is "--", "$@" the container's args.
  `gunzip -c /opt/kaic/${BUNDLE_KEY} > /tmp/fakegpu.mjs && exec node /tmp/fakegpu.mjs ${subcommand} "$@"`;

export function fakegpuManifests(options: ManifestOptions): ManifestObject[] {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const port = options.exporterPort ?? 9400;
  const image = options.image ?? NODE_RUNTIME_IMAGE;
  const gz = gzipSync(options.bundle ?? installedBundle(), { level: 9 });
  const bundleHash = createHash('sha256').update(gz).digest('hex').slice(0, 16);
  const labels = (part: string) => ({
    [APP_LABEL]: 'kaic-fakegpu',
    [PART_LABEL]: part,
    'app.kubernetes.io/managed-by': 'kaic',
  });
  const name = (part: string) => `kaic-fakegpu-${part}`;
  const bundleVolumes = [
    { name: 'bundle', configMap: { name: name('bundle') } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
  const bundleMounts = [
    { name: 'bundle', mountPath: '/opt/kaic', readOnly: true },
    { name: 'tmp', mountPath: '/tmp' },
  ];
  const deployment = (part: string, subcommand: string, args: string[], ports: object[]) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: name(part), namespace, labels: labels(part) },
    spec: {
      replicas: 1,
      // Never two publishers at once, even for a moment.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: { [APP_LABEL]: 'kaic-fakegpu', [PART_LABEL]: part } },
      template: {
        metadata: { labels: labels(part), annotations: { 'fakegpu.kaic.dev/bundle': bundleHash } },
        spec: {
          serviceAccountName: 'kaic-fakegpu',
          priorityClassName: 'system-cluster-critical',
          tolerations: [
            {
              key: 'node-role.kubernetes.io/control-plane',
              operator: 'Exists',
              effect: 'NoSchedule',
            },
          ],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: part,
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', sh(subcommand), '--'],
              args,
              ports,
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '384Mi' } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: bundleMounts,
            },
          ],
          volumes: bundleVolumes,
        },
      },
    },
  });
  // The kubelet plugin: one per GPU node, with the node's kubelet and CDI directories. It runs as
  // root (those directories are root's) but with no capabilities and a read-only root.
  const hostDirs = {
    registry: KUBELET_REGISTRY_DIR,
    plugin: `${KUBELET_PLUGINS_DIR}/${options.driver}`,
    cdi: CDI_DIR,
    state: STATE_DIR,
  };
  const pluginDaemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: name('plugin'), namespace, labels: labels('plugin') },
    spec: {
      selector: { matchLabels: { [APP_LABEL]: 'kaic-fakegpu', [PART_LABEL]: 'plugin' } },
      template: {
        metadata: {
          labels: labels('plugin'),
          annotations: { 'fakegpu.kaic.dev/bundle': bundleHash },
        },
        spec: {
          serviceAccountName: 'kaic-fakegpu',
          priorityClassName: 'system-node-critical',
          affinity: { nodeAffinity: nodeAffinity(options.nodeSelector) },
          tolerations: [{ operator: 'Exists' }],
          securityContext: { seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'plugin',
              image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', sh('plugin'), '--'],
              args: [
                '--profile',
                options.profile,
                '--registry-dir',
                hostDirs.registry,
                '--plugin-dir',
                hostDirs.plugin,
                '--cdi-dir',
                hostDirs.cdi,
                '--state-dir',
                hostDirs.state,
              ],
              env: [{ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
              resources: { requests: { cpu: '20m', memory: '64Mi' }, limits: { memory: '256Mi' } },
              securityContext: {
                runAsUser: 0,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
              volumeMounts: [
                ...bundleMounts,
                ...Object.entries(hostDirs).map(([key, path]) => ({ name: key, mountPath: path })),
              ],
            },
          ],
          volumes: [
            ...bundleVolumes,
            ...Object.entries(hostDirs).map(([key, path]) => ({
              name: key,
              hostPath: { path, type: 'DirectoryOrCreate' },
            })),
          ],
        },
      },
    },
  };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: labels('namespace') },
    },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'kaic-fakegpu', namespace, labels: labels('rbac') },
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'kaic-fakegpu', labels: labels('rbac') },
      rules: [
        { apiGroups: [''], resources: ['nodes', 'pods'], verbs: ['get', 'list', 'watch'] },
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceslices', 'deviceclasses'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
        },
        {
          apiGroups: ['resource.k8s.io'],
          resources: ['resourceclaims'],
          verbs: ['get', 'list', 'watch'],
        },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'kaic-fakegpu', labels: labels('rbac') },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kaic-fakegpu' },
      subjects: [{ kind: 'ServiceAccount', name: 'kaic-fakegpu', namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: name('bundle'),
        namespace,
        labels: labels('bundle'),
        annotations: { 'fakegpu.kaic.dev/bundle': bundleHash },
      },
      binaryData: { [BUNDLE_KEY]: gz.toString('base64') },
    },
    deployment('publisher', 'publish', options.publishArgs, []),
    pluginDaemonSet,
    deployment(
      'exporter',
      'exporter',
      ['--profile', options.profile, '--port', String(port)],
      [{ name: 'metrics', containerPort: port }],
    ),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: name('exporter'),
        namespace,
        // Also as the GPU Operator labels DCGM exporter's Service, whose names it serves.
        labels: { ...labels('exporter'), app: EXPORTER_SERVICE_LABELS.app as string },
        annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port) },
      },
      spec: {
        selector: { [APP_LABEL]: 'kaic-fakegpu', [PART_LABEL]: 'exporter' },
        ports: [{ name: 'metrics', port, targetPort: 'metrics' }],
      },
    },
  ];
}

export class SelectorError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SelectorError';
  }
}

/**
 * A label selector string ("gpu=true,zone in (a,b),!spot") as required node affinity, so the
 * plugin runs exactly where the publisher publishes.
 */
export function nodeAffinity(selector: string): object {
  const terms =
    selector
      .match(/[^,(]+(\([^)]*\))?/g)
      ?.map((t) => t.trim())
      .filter(Boolean) ?? [];
  if (!terms.length) throw new SelectorError(`node selector "${selector}" selects nothing`);
  const key = '([A-Za-z0-9][-A-Za-z0-9_./]*)';
  const matchExpressions = terms.map((term) => {
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^${key}\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`).exec(term))) {
      return { key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] };
    }
    if ((m = new RegExp(`^${key}\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(term))) {
      const values = (m[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean);
      return { key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values };
    }
    if ((m = new RegExp(`^!\\s*${key}$`).exec(term)))
      return { key: m[1], operator: 'DoesNotExist' };
    if ((m = new RegExp(`^${key}$`).exec(term))) return { key: m[1], operator: 'Exists' };
    throw new SelectorError(`node selector "${selector}": cannot read "${term}"`);
  });
  return {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] },
  };
}
