/**
 * gang_scheduling (MUST): "The platform must allow for the installation and successful operation
 * of at least one gang scheduling solution that ensures all-or-nothing scheduling for distributed
 * AI workloads."
 *
 * A gang of N pods that fits binds and runs whole; a gang that finds capacity for only N-1 has
 * **zero** pods bound for the whole window, and once capacity is freed all N bind.
 *
 * - Native (the Workload API of the server's minor, from the version table): the scarcity is
 *   physical, CPU the node really lacks (a blocker pod holds one member's share).
 * - Kueue (`kueue.x-k8s.io` v1beta2, or v1beta1 where only that is served: Kueue up to 0.14):
 *   Kueue gangs at admission, against its ClusterQueue quota, so the capacity is the quota: a Job
 *   of N pods behind a queue with room for N-1 stays suspended with no pod bound, and runs whole
 *   once the quota grows. (Below its quota Kueue admits and lets pods bind partially by design,
 *   evicting later with waitForPodsReady; that is not tested as a gang.)
 * - Volcano (`scheduling.volcano.sh/v1beta1`): a PodGroup with minMember N, its pods asking for
 *   Volcano's scheduler; the scarcity is physical as for the native API, and Volcano's decision
 *   is the PodGroup's Unschedulable condition.
 *
 * The solution is KAIC_GANG_SCHEDULER (`auto`, `native`, `kueue`, `volcano`); `auto` takes Kueue
 * when its API is served, else Volcano, else the native API. The KAI scheduler and the
 * scheduler-plugins coscheduling plugin are recognised by their APIs but not driven: Unknown,
 * naming them.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { servedGroupVersions, serverMinor } from '../src/k8s/discovery.js';
import { getJson, postJson } from '../src/k8s/raw.js';
import { kubernetesRelease, type GangApiVersion } from '../src/versions/kubernetes.js';
import {
  testObjectLabels,
  createNamespace,
  deleteNamespace,
  suiteCluster,
  waitFor,
  workloadImage,
  restrictedPodSpec,
  isWorkerNode,
  nodeTolerations,
  IDLE_COMMAND,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import {
  KUEUE_APIS,
  OTHER_SOLUTIONS,
  VOLCANO_API,
  chooseSolution,
  kueueApiToDrive,
  type GangSolution,
} from './lib/gang.js';
import { suiteSettings } from './lib/settings.js';
import { sleep } from '../src/util/processes.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): the native gang fills a node's unrequested CPU to the millicore (and Kueue's pods still need it). */
export const budget: SuiteBudget = { devices: 0, nodeCpu: 'fills', typicalSeconds: 17 };

const GANG_SIZE = 3;
const GANG_LABEL = 'conformance.kaic.dev/gang';
/**
 * The longest the incomplete gang is watched for the solution's decision to hold it back
 * (KAIC_GANG_WINDOW_SECONDS); once it decided, CONFIRM_MS more make sure no member binds late.
 */
const windowMs = () => suiteSettings().gangWindowMs;
const CONFIRM_MS = 3000;
/** Volcano puts a pod in a PodGroup by this annotation (Kubernetes' own key, which it reads). */
const VOLCANO_GROUP_ANNOTATION = 'scheduling.k8s.io/group-name';

/** One gang solution: how to hold back a gang and how to free the capacity it waits for. */
interface GangDriver {
  /** For evidence lines, e.g. `scheduling.k8s.io/v1alpha1 Workload` or `Kueue (kueue.x-k8s.io/v1beta2)`. */
  describe: string;
  /** Per-test set-up in the namespace; `capacity` is how many members fit. */
  prepare(capacity: number): Promise<void>;
  /** Creates the gang `name` of GANG_SIZE pods labelled conformance.kaic.dev/gang=<name>. */
  createGang(name: string): Promise<void>;
  /**
   * What shows the solution decided to hold the gang back (its own status, read now), or null
   * while it has not decided.
   */
  heldBack(gangName: string): Promise<string | null>;
  /** Frees capacity for the whole gang; returns what was done, for the evidence. */
  relieve(): Promise<string>;
  cleanup(): Promise<void>;
}

interface NativeGang {
  apiVersion: GangApiVersion;
  podField: string;
}

/** The native Workload API of this server's minor, when the server serves it. */
async function nativeGang(kc: k8s.KubeConfig): Promise<NativeGang | null> {
  const minor = await serverMinor(kc);
  const gang = minor ? kubernetesRelease(minor).gang : null;
  if (!gang) return null;
  const served = await servedGroupVersions(kc, 'scheduling.k8s.io');
  return served.includes(gang.apiVersion) ? gang : null;
}

function cpuMillis(quantity: string | undefined): number {
  if (!quantity) return 0;
  if (quantity.endsWith('m')) return Number(quantity.slice(0, -1));
  return Math.round(Number(quantity) * 1000);
}

/** The schedulable node with the most unrequested CPU, and how much (millicores). */
async function roomiestNode(core: k8s.CoreV1Api): Promise<{ node: string; freeMillis: number }> {
  const nodes = (await core.listNode()).items.filter(isWorkerNode);
  const pods = (await core.listPodForAllNamespaces()).items.filter(
    (p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
  );
  let best = { node: '', freeMillis: -1 };
  for (const node of nodes) {
    const name = node.metadata?.name as string;
    const requested = pods
      .filter((p) => p.spec?.nodeName === name)
      .flatMap((p) => p.spec?.containers ?? [])
      .reduce((sum, c) => sum + cpuMillis(c.resources?.requests?.cpu), 0);
    const free = cpuMillis(node.status?.allocatable?.cpu) - requested;
    if (free > best.freeMillis) best = { node: name, freeMillis: free };
  }
  if (!best.node) throw new Error('ENVIRONMENT ERROR: no Ready schedulable node');
  return best;
}

/** The Kueue API version to drive, when the server serves one (its CRDs installed). */
async function kueueServed(kc: k8s.KubeConfig): Promise<string | null> {
  return kueueApiToDrive(
    await servedGroupVersions(kc, 'kueue.x-k8s.io'),
    suiteSettings().kueueApiVersion,
  );
}

describe(`${requirementTag('gang_scheduling', 'MUST')} Gang scheduling`, function () {
  this.timeout(300_000);
  let solution: GangSolution;
  let native: NativeGang | null = null;
  let kueueApi: string | null = null;
  let driver: GangDriver;
  let ns = '';
  let node = '';
  let tolerations: k8s.V1Toleration[] = [];
  /** CPU per pod: a gang of GANG_SIZE fits the node; with one more such pod it does not. */
  let perPodMillis = 0;

  before(async function () {
    const { kc } = suiteCluster();
    const setting = suiteSettings().gangScheduler;
    native = await nativeGang(kc);
    kueueApi = setting === 'auto' || setting === 'kueue' ? await kueueServed(kc) : null;
    const volcano =
      (setting === 'auto' || setting === 'volcano') &&
      (await servedGroupVersions(kc, 'scheduling.volcano.sh')).includes(VOLCANO_API);
    const chosen = chooseSolution(setting, {
      kueue: Boolean(kueueApi),
      volcano,
      native: Boolean(native),
    });
    if (!chosen && setting !== 'auto') {
      const missing = {
        kueue: `no ${KUEUE_APIS.join(' or ')} (Kueue's CRDs are not installed)`,
        volcano: `no ${VOLCANO_API} (Volcano's CRDs are not installed)`,
        native: 'no native Workload API for its minor',
      }[setting];
      throw new Error(`KAIC_GANG_SCHEDULER=${setting}, but the server serves ${missing}`);
    }
    if (!chosen) {
      const groups = (await kc.makeApiClient(k8s.ApisApi).getAPIVersions()).groups.map(
        (g) => g.name,
      );
      const others = groups.filter((g) => OTHER_SOLUTIONS[g]).map((g) => OTHER_SOLUTIONS[g]);
      if (others.length) {
        skipBecause(
          this,
          `${others.join(', ')} found; kaic drives Kueue, Volcano and the native Workload API (Kubernetes 1.35+) so far`,
        );
      }
      throw new Error(
        'no gang scheduling solution found: no Kueue or Volcano API, no native Workload API for the server minor, and no KAI scheduler or coscheduling API',
      );
    }
    solution = chosen;
    const room = await roomiestNode(suiteCluster().core);
    node = room.node;
    tolerations = await nodeTolerations(node);
    perPodMillis = Math.floor(room.freeMillis / GANG_SIZE);
    if (perPodMillis < 10) {
      throw new Error(`ENVIRONMENT ERROR: node ${node} has only ${room.freeMillis}m CPU free`);
    }
  });

  beforeEach(async function () {
    ns = await createNamespace('kaic-gang');
    driver =
      solution === 'kueue'
        ? kueueDriver(kueueApi as string)
        : solution === 'volcano'
          ? volcanoDriver()
          : nativeDriver(native as NativeGang);
  });

  afterEach(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
    await driver?.cleanup();
    ns = '';
  });

  function podSpec(): k8s.V1PodSpec {
    return restrictedPodSpec({
      nodeSelector: { 'kubernetes.io/hostname': node },
      tolerations,
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: workloadImage(),
          imagePullPolicy: 'IfNotPresent',
          command: [...IDLE_COMMAND],
          resources: { requests: { cpu: `${perPodMillis}m` } },
        },
      ],
    });
  }

  /** Native: a Workload (v1alpha1) or PodGroup, pods naming it; a blocker pod makes scarcity. */
  function nativeDriver(gang: NativeGang): GangDriver {
    const kind = gang.podField === 'workloadRef' ? 'Workload' : 'PodGroup';
    return {
      describe: `${gang.apiVersion} ${kind}`,
      prepare: blockUnlessRoomFor,
      async createGang(name) {
        const [group, version] = gang.apiVersion.split('/') as [string, string];
        const body =
          kind === 'Workload'
            ? {
                apiVersion: gang.apiVersion,
                kind,
                metadata: { name, namespace: ns },
                spec: {
                  podGroups: [{ name: 'workers', policy: { gang: { minCount: GANG_SIZE } } }],
                },
              }
            : {
                apiVersion: gang.apiVersion,
                kind,
                metadata: { name, namespace: ns },
                spec: { schedulingPolicy: { gang: { minCount: GANG_SIZE } } },
              };
        const { kc } = suiteCluster();
        await kc.makeApiClient(k8s.CustomObjectsApi).createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: kind === 'Workload' ? 'workloads' : 'podgroups',
          body,
        });
        const membership =
          kind === 'Workload'
            ? { workloadRef: { name, podGroup: 'workers' } }
            : { schedulingGroup: { podGroupName: name } };
        for (let i = 0; i < GANG_SIZE; i++) {
          const pod = `${name}-${i}`;
          // Raw JSON: client-node's Pod model lacks the field and would drop it.
          await postJson(kc, `/api/v1/namespaces/${ns}/pods`, {
            metadata: { name: pod, namespace: ns, labels: { [GANG_LABEL]: name } },
            spec: { ...podSpec(), ...membership },
          });
          // A server without the gang field drops it silently; then this would not be a gang.
          const stored = (await getJson(kc, `/api/v1/namespaces/${ns}/pods/${pod}`)) as {
            spec?: Record<string, unknown>;
          };
          expect(
            stored.spec?.[gang.podField],
            `pod ${pod} keeps spec.${gang.podField}`,
          ).to.not.equal(undefined);
        }
      },
      async heldBack(gangName) {
        // The scheduler found the gang cannot fit whole: a member marked unschedulable.
        for (const pod of await members(gangName)) {
          const c = pod.status?.conditions?.find(
            (c) => c.type === 'PodScheduled' && c.status === 'False',
          );
          if (c) {
            return `pod ${pod.metadata?.name} PodScheduled=False (${c.reason}${c.message ? `: ${c.message}` : ''})`;
          }
        }
        return null;
      },
      relieve: deleteBlocker,
      async cleanup() {},
    };
  }

  /**
   * Physical scarcity: with room for fewer than the gang, a blocker pod takes one member's share
   * of the node, leaving room for GANG_SIZE - 1.
   */
  async function blockUnlessRoomFor(capacity: number): Promise<void> {
    if (capacity >= GANG_SIZE) return;
    await suiteCluster().core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: 'blocker', namespace: ns }, spec: podSpec() },
    });
    await waitFor(
      'the blocker bound and Running',
      async () => {
        const p = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: 'blocker' });
        return p.status?.phase === 'Running';
      },
      suiteSettings().gangTimeoutMs,
    );
  }

  async function deleteBlocker(): Promise<string> {
    await suiteCluster().core.deleteNamespacedPod({
      namespace: ns,
      name: 'blocker',
      gracePeriodSeconds: 0,
    });
    return 'blocker deleted';
  }

  /**
   * Volcano: a PodGroup (minMember GANG_SIZE, in the queue KAIC_VOLCANO_QUEUE) and its pods asking
   * for Volcano's scheduler (KAIC_VOLCANO_SCHEDULER_NAME); a blocker pod makes scarcity.
   */
  function volcanoDriver(): GangDriver {
    const [group, version] = VOLCANO_API.split('/') as [string, string];
    const custom = suiteCluster().kc.makeApiClient(k8s.CustomObjectsApi);
    const { volcanoQueue, volcanoSchedulerName } = suiteSettings();
    return {
      describe: `Volcano (${VOLCANO_API} PodGroup, queue ${volcanoQueue}, scheduler ${volcanoSchedulerName})`,
      prepare: blockUnlessRoomFor,
      async createGang(name) {
        await custom.createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: 'podgroups',
          body: {
            apiVersion: VOLCANO_API,
            kind: 'PodGroup',
            metadata: { name, namespace: ns },
            spec: { minMember: GANG_SIZE, queue: volcanoQueue },
          },
        });
        for (let i = 0; i < GANG_SIZE; i++) {
          await suiteCluster().core.createNamespacedPod({
            namespace: ns,
            body: {
              metadata: {
                name: `${name}-${i}`,
                namespace: ns,
                labels: { [GANG_LABEL]: name },
                annotations: { [VOLCANO_GROUP_ANNOTATION]: name },
              },
              spec: { ...podSpec(), schedulerName: volcanoSchedulerName },
            },
          });
        }
      },
      async heldBack(gangName) {
        // Volcano's gang plugin marks the PodGroup it could not place whole.
        const group_ = (await custom
          .getNamespacedCustomObject({
            group,
            version,
            namespace: ns,
            plural: 'podgroups',
            name: gangName,
          })
          .catch(() => null)) as {
          status?: {
            phase?: string;
            conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
          };
        } | null;
        const c = group_?.status?.conditions?.find(
          (c) => c.type === 'Unschedulable' && c.status === 'True',
        );
        return c
          ? `PodGroup ${gangName} Unschedulable (${c.reason ?? ''}${c.message ? `: ${c.message}` : ''})`
          : null;
      },
      relieve: deleteBlocker,
      async cleanup() {},
    };
  }

  /**
   * Kueue: a ResourceFlavor and ClusterQueue of this test (cluster-scoped, labelled, removed
   * after), a LocalQueue in the namespace, and the gang as a batch/v1 Job of GANG_SIZE pods.
   */
  function kueueDriver(api: string): GangDriver {
    const name = ns;
    const custom = suiteCluster().kc.makeApiClient(k8s.CustomObjectsApi);
    const [group, version] = api.split('/') as [string, string];
    const labels = testObjectLabels();
    const quota = (members: number) => ({
      resourceGroups: [
        {
          coveredResources: ['cpu'],
          flavors: [
            { name, resources: [{ name: 'cpu', nominalQuota: `${members * perPodMillis}m` }] },
          ],
        },
      ],
    });
    return {
      describe: `Kueue (${api}, batch/v1 Job)`,
      async prepare(capacity) {
        await custom.createClusterCustomObject({
          group,
          version,
          plural: 'resourceflavors',
          body: { apiVersion: api, kind: 'ResourceFlavor', metadata: { name, labels } },
        });
        await custom.createClusterCustomObject({
          group,
          version,
          plural: 'clusterqueues',
          body: {
            apiVersion: api,
            kind: 'ClusterQueue',
            metadata: { name, labels },
            spec: { namespaceSelector: {}, ...quota(capacity) },
          },
        });
        await custom.createNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: 'localqueues',
          body: {
            apiVersion: api,
            kind: 'LocalQueue',
            metadata: { name: 'gang', namespace: ns },
            spec: { clusterQueue: name },
          },
        });
        await waitFor(`ClusterQueue ${name} Active`, async () => {
          const cq = (await custom.getClusterCustomObject({
            group,
            version,
            plural: 'clusterqueues',
            name,
          })) as { status?: { conditions?: Array<{ type: string; status: string }> } };
          return cq.status?.conditions?.some((c) => c.type === 'Active' && c.status === 'True');
        });
      },
      async createGang(gangName) {
        await suiteCluster()
          .kc.makeApiClient(k8s.BatchV1Api)
          .createNamespacedJob({
            namespace: ns,
            body: {
              metadata: {
                name: gangName,
                namespace: ns,
                labels: { 'kueue.x-k8s.io/queue-name': 'gang' },
              },
              spec: {
                parallelism: GANG_SIZE,
                completions: GANG_SIZE,
                backoffLimit: 0,
                template: {
                  metadata: { labels: { [GANG_LABEL]: gangName } },
                  spec: { ...podSpec(), restartPolicy: 'Never' },
                },
              },
            },
          });
      },
      async heldBack() {
        // Kueue tried to admit the gang's Workload and could not reserve quota for all of it.
        const list = (await custom.listNamespacedCustomObject({
          group,
          version,
          namespace: ns,
          plural: 'workloads',
        })) as {
          items: Array<{
            metadata: { name: string };
            status?: {
              conditions?: Array<{
                type: string;
                status: string;
                reason?: string;
                message?: string;
              }>;
            };
          }>;
        };
        for (const workload of list.items) {
          const c = workload.status?.conditions?.find(
            (c) => c.type === 'QuotaReserved' && c.status === 'False',
          );
          if (c) {
            return `Workload ${workload.metadata.name} QuotaReserved=False (${c.reason}${c.message ? `: ${c.message}` : ''})`;
          }
        }
        return null;
      },
      async relieve() {
        await custom.patchClusterCustomObject(
          {
            group,
            version,
            plural: 'clusterqueues',
            name,
            body: { spec: quota(GANG_SIZE) },
          },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        );
        return `ClusterQueue quota raised to ${GANG_SIZE} pods' CPU`;
      },
      async cleanup() {
        // Kueue drops its in-use finalizers once the namespace's Workloads are gone: they go
        // with their Jobs (garbage collection), deleted now rather than with the namespace.
        await suiteCluster()
          .kc.makeApiClient(k8s.BatchV1Api)
          .deleteCollectionNamespacedJob({ namespace: name, propagationPolicy: 'Background' })
          .catch(() => undefined);
        for (const plural of ['clusterqueues', 'resourceflavors']) {
          await custom
            .deleteClusterCustomObject({ group, version, plural, name })
            .catch(() => undefined);
          await waitFor(
            `${plural} ${name} deleted`,
            async () =>
              !(await custom
                .getClusterCustomObject({ group, version, plural, name })
                .catch(() => null)),
            60_000,
          );
        }
      },
    };
  }

  async function members(gangName: string): Promise<k8s.V1Pod[]> {
    return (
      await suiteCluster().core.listNamespacedPod({
        namespace: ns,
        labelSelector: `${GANG_LABEL}=${gangName}`,
      })
    ).items;
  }

  /** Every member bound and started: Running, or already Succeeded (a Job's pod may finish). */
  async function allRunning(gangName: string): Promise<k8s.V1Pod[]> {
    return waitFor(
      `all ${GANG_SIZE} pods of gang ${gangName} bound and Running (or Succeeded)`,
      async () => {
        const pods = await members(gangName);
        return pods.length === GANG_SIZE &&
          pods.every(
            (p) => p.spec?.nodeName && ['Running', 'Succeeded'].includes(p.status?.phase ?? ''),
          )
          ? pods
          : undefined;
      },
      suiteSettings().gangTimeoutMs,
    );
  }

  it('binds and runs every pod of a gang that fits', async function () {
    await driver.prepare(GANG_SIZE);
    await driver.createGang('fits');
    const pods = await allRunning('fits');
    recordEvidence(
      this,
      'observed',
      `${driver.describe} gang of ${GANG_SIZE} (${perPodMillis}m CPU each) on ${node}: ` +
        pods.map((p) => `${p.metadata?.name} ${p.status?.phase}`).join(', '),
    );
  });

  /**
   * Every binding of a member of `gangName` seen while `during` runs: a watch sees each change,
   * so a pod bound and removed between two looks still counts.
   */
  async function bindingsDuring(
    gangName: string,
    during: () => Promise<void>,
  ): Promise<{ bound: Map<string, string>; created: Set<string> }> {
    const bound = new Map<string, string>();
    const created = new Set<string>();
    const watch = new k8s.Watch(suiteCluster().kc);
    let failed: unknown = null;
    const abort = await watch.watch(
      `/api/v1/namespaces/${ns}/pods`,
      { labelSelector: `${GANG_LABEL}=${gangName}` },
      (_type: string, pod: k8s.V1Pod) => {
        const name = pod.metadata?.name ?? '?';
        created.add(name);
        if (pod.spec?.nodeName) bound.set(name, pod.spec.nodeName);
      },
      (error: unknown) => {
        if (error && !(error instanceof Error && error.name === 'AbortError')) failed = error;
      },
    );
    try {
      await during();
    } finally {
      abort.abort();
    }
    if (failed) throw new Error(`watching the gang's pods failed: ${String(failed)}`);
    // And what is there now, in case the watch started after a change.
    for (const pod of await members(gangName)) {
      created.add(pod.metadata?.name ?? '?');
      if (pod.spec?.nodeName) bound.set(pod.metadata?.name ?? '?', pod.spec.nodeName);
    }
    return { bound, created };
  }

  it('binds no pod of a gang that finds room for one pod less, then all once room is freed', async function () {
    await driver.prepare(GANG_SIZE - 1);
    const started = Date.now();
    let decision: string | null = null;
    const { bound, created } = await bindingsDuring('short', async () => {
      await driver.createGang('short');
      // Until the solution says it holds the gang back (then a short look for a late binding),
      // or, when it never says so, the whole window.
      const deadline = Date.now() + windowMs();
      while (!decision && Date.now() < deadline) {
        decision = await driver.heldBack('short');
        if (!decision) await sleep(250);
      }
      const rest = deadline - Date.now();
      if (rest > 0) await sleep(decision ? Math.min(CONFIRM_MS, rest) : rest);
    });
    const watched = ((Date.now() - started) / 1000).toFixed(1);
    expect(
      [...bound].map(([pod, on]) => `${pod} on ${on}`),
      `pods of the incomplete gang bound within ${watched} s`,
    ).to.deep.equal([]);
    recordEvidence(
      this,
      'observed',
      `${driver.describe} gang short (room for ${GANG_SIZE - 1}): ` +
        (decision ? `held back: ${decision}; ` : '') +
        `0 of ${GANG_SIZE} pods bound (${created.size} created) over ${watched} s, every pod change watched`,
    );
    const action = await driver.relieve();
    const relieved = Date.now();
    await allRunning('short');
    recordEvidence(
      this,
      'observed',
      `${action}: all ${GANG_SIZE} pods bound and started ${((Date.now() - relieved) / 1000).toFixed(1)} s later`,
    );
  });
});
