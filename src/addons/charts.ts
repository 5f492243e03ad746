/**
 * Addons installed into a cluster whose pods run (kind, an existing one) from the Helm charts
 * their own Go modules carry (JobSet, Kueue, Volcano; versions in KIND_CHARTS), and the labelled install
 * every in-cluster addon uses. `helm template` renders a chart for the cluster's version
 * (nothing of Helm's lives in the cluster); kaic server-side applies the objects — CRDs first,
 * until Established — waits for the controllers' Deployments to be Available, and on stop deletes
 * what it applied, newest first, CRDs last (one DELETE each, so their objects go too).
 */
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';

import {
  buildRecipe,
  copyFromModule,
  type ModuleCopyRecipe,
  type ProgressLog,
} from '../binaries/build.js';
import { resolvePinnedTool } from '../binaries/download.js';
import { RECIPES } from '../binaries/recipes.js';
import { chartDir, helmBinDir } from '../cache.js';
import { splitImage, type AddonImage } from '../images/addon-images.js';
import { applyJson, getJson } from '../k8s/raw.js';
import { waitFor } from '../util/wait.js';
import { HELM } from '../versions/addons.js';
import { JOBSET_CHART, JOBSET_IMAGE } from './ai-operator/pin.js';
import {
  KUEUE_CHART,
  KUEUE_IMAGE,
  VOLCANO_CHART,
  VOLCANO_CONTROLLER_IMAGE,
  VOLCANO_SCHEDULER_IMAGE,
} from './gang-scheduler/pin.js';
import type { InClusterContext, InClusterInstall } from './types.js';

/**
 * The charts kaic installs on kind, each from the module of the version kwok runs as a process,
 * with the release image of that version (the charts default to moving staging tags). Pinned by
 * tag: the digests cannot be read without a registry; the kind node images are pinned by digest.
 */
export const KIND_CHARTS = {
  jobset: JOBSET_CHART,
  kueue: KUEUE_CHART,
  volcano: VOLCANO_CHART,
} as const;

export type KindChart = keyof typeof KIND_CHARTS;

/** The images each chart's controllers run (their release images, or kaic's local builds). */
export const CHART_IMAGES: Record<KindChart, AddonImage[]> = {
  jobset: [JOBSET_IMAGE],
  kueue: [KUEUE_IMAGE],
  volcano: [VOLCANO_SCHEDULER_IMAGE, VOLCANO_CONTROLLER_IMAGE],
};

/** A chart the addon's own module carries (see KIND_CHARTS): <name>/ in its cache directory. */
export function chartCopy(name: keyof typeof KIND_CHARTS): ModuleCopyRecipe {
  const chart = KIND_CHARTS[name];
  return {
    component: `chart-${name}`,
    module: chart.module,
    version: chart.version,
    source: chart.chartDir,
    outDir: (root) => chartDir(name, chart.version, root),
    target: name,
  };
}

/** What kaic installs into a cluster under INSTALL_LABEL: a chart, or its own manifests. */
export type LabelledInstall = string;

/** The values of a chart that names its one image by `<values>.repository` and `.tag`. */
const oneImage =
  (values: string) =>
  ([image]: string[]): string[] => {
    const { repository, tag } = splitImage(image!);
    return [
      `${values}.repository=${repository}`,
      `${values}.tag=${tag}`,
      `${values}.pullPolicy=IfNotPresent`,
    ];
  };

/**
 * Volcano's chart writes each image as `<basic.image_registry>/<name>:<tag>`, one registry for
 * all: the first path element of the references goes there, the rest into each name.
 */
function volcanoImages([scheduler, controller]: string[]): string[] {
  const parts = (image: string) => {
    const { repository, tag } = splitImage(image);
    const slash = repository.indexOf('/');
    return { registry: repository.slice(0, slash), name: repository.slice(slash + 1), tag };
  };
  const [s, c] = [parts(scheduler!), parts(controller!)];
  if (!s.registry || s.registry !== c.registry) {
    throw new ChartError(
      `Volcano's chart takes one image registry for both images; ${scheduler} and ${controller} differ`,
    );
  }
  return [
    `basic.image_registry=${s.registry}`,
    `basic.scheduler_image_name=${s.name}`,
    `basic.scheduler_image_tag_version=${s.tag}`,
    `basic.controller_image_name=${c.name}`,
    `basic.controller_image_tag_version=${c.tag}`,
    'basic.image_pull_policy=IfNotPresent',
  ];
}

/**
 * How each chart is installed: its release name, namespace and values, and the values that name
 * its images (given as repository:tag, in CHART_IMAGES order).
 */
export const CHART_INSTALLS: Record<
  KindChart,
  { release: string; namespace: string; set: string[]; imageValues: (images: string[]) => string[] }
> = {
  jobset: {
    release: 'jobset',
    namespace: 'jobset-system',
    set: [],
    imageValues: oneImage(JOBSET_CHART.image.values),
  },
  kueue: {
    release: 'kueue',
    namespace: 'kueue-system',
    // One controller replica: the suites need one, and a kind cluster has little room.
    set: ['controllerManager.replicas=1'],
    imageValues: oneImage(KUEUE_CHART.image.values),
  },
  volcano: {
    release: 'volcano',
    namespace: 'volcano-system',
    // Its admission webhooks validate and default Volcano's own objects, which the suites create
    // complete, and need a certificate job; left out, as beside kwok (./gang-scheduler/volcano.ts).
    set: ['custom.admission_enable=false'],
    imageValues: volcanoImages,
  },
};

/** The label kaic puts on everything it applies for an addon (chart or manifests), to find it again. */
export const INSTALL_LABEL = 'addons.kaic.dev/install';

export interface ManifestDoc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [key: string]: unknown;
}

export class ChartError extends Error {
  override name = 'ChartError';
}

/**
 * The pinned helm: kaic's cache, else PATH when its version matches, else the release archive
 * downloaded and checked against its pinned sha256, else a build from its Go module.
 */
export async function resolveHelm(
  log: ProgressLog,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return resolvePinnedTool({
    tool: 'helm',
    version: HELM.version,
    dir: helmBinDir(HELM.version),
    versionArgs: ['version', '--template', '{{.Version}}'],
    isVersion: (said) => said === HELM.version,
    build: () => buildRecipe(RECIPES.helm, log),
    log,
    env,
  });
}

/** Renders a chart into objects for a cluster of `kubeVersion` (e.g. v1.35.0). */
export async function renderChart(
  chart: KindChart,
  kubeVersion: string,
  log: ProgressLog,
  /** Its controllers' images (repository:tag, CHART_IMAGES order); default the release images. */
  images: string[] = CHART_IMAGES[chart].map((image) => image.upstream),
): Promise<ManifestDoc[]> {
  const helm = await resolveHelm(log);
  const chartPath = await copyFromModule(chartCopy(chart), log);
  const install = CHART_INSTALLS[chart];
  const result = await execa(
    helm,
    [
      'template',
      install.release,
      chartPath,
      '--namespace',
      install.namespace,
      '--include-crds',
      '--kube-version',
      kubeVersion,
      ...[...install.set, ...install.imageValues(images)].flatMap((s) => ['--set', s]),
    ],
    { reject: false, all: true, env: { ...process.env, HELM_CACHE_HOME: '/nonexistent' } },
  );
  if (result.exitCode !== 0) {
    throw new ChartError(
      `helm template ${chart} failed: ${String(result.all).trim().split('\n').slice(-4).join('\n')}`,
    );
  }
  const docs: ManifestDoc[] = [];
  for (const doc of parseAllDocuments(result.stdout)) {
    if (doc.errors.length)
      throw new ChartError(`helm template ${chart}: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as ManifestDoc | null;
    if (!object?.kind || !object.metadata?.name) continue;
    docs.push(object);
  }
  return docs;
}

const isCrd = (o: ManifestDoc) => o.kind === 'CustomResourceDefinition';
const ORDER = ['Namespace', 'CustomResourceDefinition'];

/** How long an in-cluster install may take to be ready, and where it says what it does. */
export function installOptions(ctx: InClusterContext): {
  log: ProgressLog;
  readyTimeoutMs?: number;
} {
  return { log: ctx.log, ...(ctx.readyTimeoutMs ? { readyTimeoutMs: ctx.readyTimeoutMs } : {}) };
}

/**
 * An addon installed from its chart: there already when the cluster serves `presentWhen` (a CRD
 * name); `env` is what the suites are told either way.
 */
export function chartInstall(
  ctx: InClusterContext,
  id: string,
  chart: KindChart,
  presentWhen: string,
  env: Record<string, string>,
): InClusterInstall {
  return {
    present: () => ctx.crdPresent(presentWhen),
    presentEnv: env,
    install: async () => {
      const images: string[] = [];
      for (const image of CHART_IMAGES[chart]) images.push(await ctx.image(image));
      const docs = await renderChart(chart, ctx.serverVersion, ctx.log, images);
      ctx.onChart?.(chart);
      ctx.log(`addon ${id}: applying ${docs.length} objects (chart ${chart})`);
      const { stop } = await applyChart(ctx.kubeConfig, chart, docs, installOptions(ctx));
      return { stop, env };
    },
  };
}

/** Applies a rendered chart; returns a stop that removes what was applied. */
export function applyChart(
  kc: k8s.KubeConfig,
  chart: KindChart,
  docs: ManifestDoc[],
  options: { log: ProgressLog; readyTimeoutMs?: number },
): Promise<{ stop: () => Promise<void> }> {
  return installLabelled(kc, chart, CHART_INSTALLS[chart].namespace, docs, options);
}

/**
 * Server-side applies an addon's objects under INSTALL_LABEL=<name>: its namespace first (objects
 * without one go there), CRDs next (each until Established), webhook configurations last (their
 * server must exist before they take effect); then waits until its Deployments are Available. On
 * failure what was applied is removed. Returns a stop that removes it all (removeChart).
 */
export async function installLabelled(
  kc: k8s.KubeConfig,
  name: LabelledInstall,
  namespace: string,
  objects: ManifestDoc[],
  options: { log: ProgressLog; readyTimeoutMs?: number },
): Promise<{ stop: () => Promise<void> }> {
  const generic = k8s.KubernetesObjectApi.makeApiClient(kc);
  const stop = () => removeChart(kc, name, options.log);
  const label = (o: ManifestDoc): ManifestDoc => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...o.metadata.labels, [INSTALL_LABEL]: name } },
  });
  const sorted = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as ManifestDoc,
    ...[...objects].sort(
      (a, b) =>
        (ORDER.indexOf(a.kind) + 1 || 99) - (ORDER.indexOf(b.kind) + 1 || 99) ||
        Number(a.kind.endsWith('WebhookConfiguration')) -
          Number(b.kind.endsWith('WebhookConfiguration')),
    ),
  ].map(label);
  try {
    for (const object of sorted) {
      if (isCrd(object)) {
        await applyJson(
          kc,
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${object.metadata.name}`,
          object,
        );
        await waitEstablished(kc, object.metadata.name);
      } else {
        await generic.patch(
          withNamespace(object, namespace) as k8s.KubernetesObject,
          undefined,
          undefined,
          'kaic',
          true,
          k8s.PatchStrategy.ServerSideApply,
        );
      }
    }
  } catch (error) {
    await stop();
    throw new ChartError(`addon ${name}: applying its objects failed: ${(error as Error).message}`);
  }
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const deployments = sorted
    .filter((o) => o.kind === 'Deployment')
    .map((o) => ({ name: o.metadata.name, namespace: o.metadata.namespace ?? namespace }));
  await waitFor(
    `${name}: Deployments ${deployments.map((d) => d.name).join(', ')} Available`,
    async () => {
      for (const at of deployments) {
        const d = await apps.readNamespacedDeployment(at);
        if (!d.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True')) {
          return false;
        }
      }
      return true;
    },
    options.readyTimeoutMs ?? 300_000,
    2000,
  ).catch(async (error: Error) => {
    await stop();
    throw new ChartError(`addon ${name}: ${error.message}`);
  });
  return { stop };
}

/** Where a CRD's objects are listed (all namespaces), at its storage version. */
function instancesPath(crd: k8s.V1CustomResourceDefinition): string {
  const spec = crd.spec;
  const version = spec.versions.find((v) => v.storage) ?? spec.versions[0];
  return `/apis/${spec.group}/${version?.name}/${spec.names.plural}`;
}

const byLabel = (chart: LabelledInstall) => ({ labelSelector: `${INSTALL_LABEL}=${chart}` });

/**
 * Removes everything kaic applied from a chart, found by its label (so the action's post step can
 * do it too, knowing only the chart's name). Webhooks and aggregated APIs first: with their server
 * gone they would hold up deleting the rest (a namespace's deletion waits on every API being
 * discoverable). Then the CRDs, and with them their objects, while the controller that may have to
 * finalize them still runs; then RBAC and the chart's namespace, which takes the rest with it.
 */
export async function removeChart(
  kc: k8s.KubeConfig,
  chart: LabelledInstall,
  log: ProgressLog,
): Promise<void> {
  const selector = byLabel(chart);
  const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const generic = k8s.KubernetesObjectApi.makeApiClient(kc);
  const ignore = () => undefined;
  for (const w of (await admission.listValidatingWebhookConfiguration(selector).catch(ignore))
    ?.items ?? []) {
    await admission.deleteValidatingWebhookConfiguration({ name: w.metadata!.name! }).catch(ignore);
  }
  for (const w of (await admission.listMutatingWebhookConfiguration(selector).catch(ignore))
    ?.items ?? []) {
    await admission.deleteMutatingWebhookConfiguration({ name: w.metadata!.name! }).catch(ignore);
  }
  const apiServices = await generic
    .list(
      'apiregistration.k8s.io/v1',
      'APIService',
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      selector.labelSelector,
    )
    .catch(ignore);
  for (const a of apiServices?.items ?? []) {
    // Items of a list carry no apiVersion/kind of their own.
    await generic
      .delete({
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: a.metadata!.name! },
      })
      .catch(ignore);
  }
  // A CRD deleted while the API server is still setting up its storage can stay Terminating for
  // minutes ("could not list instances: storage is (re)initializing", retried with a growing
  // back-off): delete each only once its objects can be listed.
  for (const crd of (await ext.listCustomResourceDefinition(selector).catch(ignore))?.items ?? []) {
    await waitFor(
      `${chart}: CRD ${crd.metadata!.name} serving`,
      () => getJson(kc, `${instancesPath(crd)}?limit=1`),
      30_000,
      250,
    ).catch(ignore);
    await ext.deleteCustomResourceDefinition({ name: crd.metadata!.name! }).catch(ignore);
  }
  for (const b of (await rbac.listClusterRoleBinding(selector).catch(ignore))?.items ?? []) {
    await rbac.deleteClusterRoleBinding({ name: b.metadata!.name! }).catch(ignore);
  }
  for (const r of (await rbac.listClusterRole(selector).catch(ignore))?.items ?? []) {
    await rbac.deleteClusterRole({ name: r.metadata!.name! }).catch(ignore);
  }
  // Outside the chart's namespace (e.g. a RoleBinding in kube-system).
  for (const b of (await rbac.listRoleBindingForAllNamespaces(selector).catch(ignore))?.items ??
    []) {
    await rbac
      .deleteNamespacedRoleBinding({ name: b.metadata!.name!, namespace: b.metadata!.namespace! })
      .catch(ignore);
  }
  for (const r of (await rbac.listRoleForAllNamespaces(selector).catch(ignore))?.items ?? []) {
    await rbac
      .deleteNamespacedRole({ name: r.metadata!.name!, namespace: r.metadata!.namespace! })
      .catch(ignore);
  }
  for (const n of (await core.listNamespace(selector).catch(ignore))?.items ?? []) {
    await core.deleteNamespace({ name: n.metadata!.name! }).catch(ignore);
  }
  await waitFor(
    `${chart}: its CRDs and namespace removed`,
    async () =>
      (await ext.listCustomResourceDefinition(selector)).items.length === 0 &&
      (await core.listNamespace(selector)).items.length === 0,
    180_000,
    1000,
  ).catch((error: Error) => log(`addon ${chart}: ${error.message}`));
}

/**
 * The one shape kaic's own addon Deployments share: one replica of one container, run as a
 * service account, with a readiness probe, its configuration from a ConfigMap of the same name
 * and, where given, a scratch directory.
 */
export function singleContainerDeployment(spec: {
  name: string;
  namespace: string;
  /** Pod labels; the selector too. */
  app: Record<string, string>;
  serviceAccount: string;
  image: string;
  args: string[];
  ports: Array<{ name: string; containerPort: number }>;
  readiness: { path: string; port: number; scheme?: 'HTTP' | 'HTTPS' };
  /** Where the ConfigMap named like the Deployment is mounted. */
  configDir: string;
  /** An emptyDir mounted here, when given. */
  scratchDir?: string;
}): ManifestDoc {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: spec.name, namespace: spec.namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: spec.app },
      template: {
        metadata: { labels: spec.app },
        spec: {
          serviceAccountName: spec.serviceAccount,
          containers: [
            {
              name: spec.name,
              image: spec.image,
              imagePullPolicy: 'IfNotPresent',
              args: spec.args,
              ports: spec.ports,
              readinessProbe: { httpGet: spec.readiness },
              volumeMounts: [
                { name: 'config', mountPath: spec.configDir },
                ...(spec.scratchDir ? [{ name: 'scratch', mountPath: spec.scratchDir }] : []),
              ],
            },
          ],
          volumes: [
            { name: 'config', configMap: { name: spec.name } },
            ...(spec.scratchDir ? [{ name: 'scratch', emptyDir: {} }] : []),
          ],
        },
      },
    },
  };
}

function withNamespace(object: ManifestDoc, namespace: string): ManifestDoc {
  if (object.metadata.namespace || CLUSTER_SCOPED.has(object.kind)) return object;
  return { ...object, metadata: { ...object.metadata, namespace } };
}

/** Kinds a chart may carry that live outside namespaces. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'APIService',
  'StorageClass',
  'IngressClass',
]);

async function waitEstablished(kc: k8s.KubeConfig, name: string): Promise<void> {
  const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
  await waitFor(
    `CRD ${name} Established`,
    async () =>
      (await ext.readCustomResourceDefinition({ name })).status?.conditions?.some(
        (c) => c.type === 'Established' && c.status === 'True',
      ) ?? false,
    60_000,
    500,
  );
}
