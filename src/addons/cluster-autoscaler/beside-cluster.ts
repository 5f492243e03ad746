/**
 * Karpenter with its kwok cloud provider run as a process beside a kwok cluster: the test
 * cluster's node autoscaler. It launches Node objects that the cluster's kwok controller runs
 * (they carry kwok's annotation), from instance types kaic writes (GPU counts as the extended
 * resource), for one NodePool whose nodes carry the node-group label kaic declares.
 *
 * Stop deletes the NodePool first, while Karpenter still runs, so the nodes it launched go with it.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';

import { buildRecipe, type ProgressLog } from '../../binaries/build.js';
import { karpenterDir } from '../../cache.js';
import { applyCrdDirectory } from '../../k8s/crds.js';
import { SIMULATED_NODE_TAINT } from '../../k8s/kwok-nodes.js';
import { applyJson } from '../../k8s/raw.js';
import { freePort } from '../../util/net.js';
import { waitFor } from '../../util/wait.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';
import { KARPENTER, KARPENTER_RECIPE } from './pin.js';

export class KarpenterError extends Error {
  override name = 'KarpenterError';
}

export const NODE_POOL = 'kaic-gpu';
/** The node-group label every node of the pool carries (what a user would configure). */
export const NODE_GROUP_LABEL = 'kaic.dev/node-group';

export interface KarpenterOptions {
  kubeconfigPath: string;
  dir: string;
  log: ProgressLog;
  /** Extended resource the GPU instance types offer (default nvidia.com/gpu). */
  gpuResource?: string;
  /** GPUs per launched node (default 1, as the working group's pool shape). */
  gpusPerNode?: number;
  /** Most GPUs the pool may hold (default 4). */
  gpuLimit?: number;
  buildMissing?: boolean;
  startTimeoutSeconds?: number;
}

/** Instance types in the kwok provider's file format: one GPU shape, on demand, one zone. */
export function gpuInstanceTypes(resource: string, gpus: number): unknown[] {
  return [
    {
      name: `gpu-${gpus}x-amd64-linux`,
      architecture: 'amd64',
      operatingSystems: ['linux'],
      offerings: [
        {
          Price: 3,
          Available: true,
          Requirements: [
            { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            { key: 'topology.kubernetes.io/zone', operator: 'In', values: ['test-zone-a'] },
          ],
        },
      ],
      resources: {
        cpu: '8',
        memory: '64Gi',
        'ephemeral-storage': '100Gi',
        pods: '110',
        [resource]: String(gpus),
      },
    },
  ];
}

export class KarpenterKwok {
  private process: ResultPromise | null = null;
  /** The CRDs start() applied (Karpenter's and its kwok provider's). */
  crds: string[] = [];
  private readonly kc = new k8s.KubeConfig();

  constructor(private readonly options: KarpenterOptions) {
    this.kc.loadFromFile(options.kubeconfigPath);
  }

  private get resource(): string {
    return this.options.gpuResource ?? 'nvidia.com/gpu';
  }

  async start(): Promise<void> {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const home = karpenterDir(KARPENTER.version);
    const binary = join(home, 'karpenter-kwok');
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new KarpenterError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`,
        );
      }
      await buildRecipe(KARPENTER_RECIPE, log);
    }
    await mkdir(dir, { recursive: true });
    this.crds = await applyCrdDirectory(this.kc, join(home, 'crds'), { what: 'Karpenter' });
    const instanceTypes = join(dir, 'instance-types.json');
    await writeFile(
      instanceTypes,
      JSON.stringify(gpuInstanceTypes(this.resource, this.options.gpusPerNode ?? 1), null, 2),
    );
    await this.applyNodePool();
    const [metricsPort, healthPort] = [await freePort('0.0.0.0'), await freePort('0.0.0.0')];
    const logFile = join(dir, 'karpenter.log');
    log(`karpenter ${KARPENTER.version} (kwok provider): starting, NodePool ${NODE_POOL}`);
    // Launched through a link in its own directory: the command line then names the run's
    // directory, where the action's post step looks for processes a killed run left.
    const launcher = join(dir, 'karpenter-kwok');
    await rm(launcher, { force: true });
    await symlink(binary, launcher);
    this.process = spawnLogged(launcher, [], {
      env: {
        KUBECONFIG: this.options.kubeconfigPath,
        DISABLE_LEADER_ELECTION: 'true',
        METRICS_PORT: String(metricsPort),
        HEALTH_PROBE_PORT: String(healthPort),
        INSTANCE_TYPES_FILE_PATH: instanceTypes,
        // A node it launches may not be disrupted for max(2 × this, 10 s) after it is nominated
        // for a pod: with the default 10 s, every scale-down waited 20 s before Karpenter would
        // look at the empty node. A test cluster's pods come one by one, so a short batch loses
        // nothing.
        BATCH_MAX_DURATION: '5s',
      },
      logFile,
    });
    try {
      await waitProcessReady(
        this.process,
        'karpenter',
        `:${healthPort}`,
        logFile,
        () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
        (this.options.startTimeoutSeconds ?? 60) * 1000,
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`karpenter ${KARPENTER.version}: ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }

  private async applyNodePool(): Promise<void> {
    await applyJson(this.kc, '/apis/karpenter.kwok.sh/v1alpha1/kwoknodeclasses/default', {
      apiVersion: 'karpenter.kwok.sh/v1alpha1',
      kind: 'KWOKNodeClass',
      metadata: { name: 'default' },
    });
    const gpus = this.options.gpusPerNode ?? 1;
    await applyJson(this.kc, `/apis/karpenter.sh/v1/nodepools/${NODE_POOL}`, {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: NODE_POOL },
      spec: {
        template: {
          metadata: { labels: { [NODE_GROUP_LABEL]: NODE_POOL } },
          spec: {
            nodeClassRef: { group: 'karpenter.kwok.sh', kind: 'KWOKNodeClass', name: 'default' },
            requirements: [
              {
                key: 'node.kubernetes.io/instance-type',
                operator: 'In',
                values: [`gpu-${gpus}x-amd64-linux`],
              },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
            ],
            // Simulated like the provider's nodes: tainted, so only pods that opt in land there.
            taints: [
              { ...SIMULATED_NODE_TAINT },
              { key: this.resource, value: 'present', effect: 'NoSchedule' },
            ],
            expireAfter: 'Never',
          },
        },
        limits: { [this.resource]: String(this.options.gpuLimit ?? 4) },
        disruption: {
          consolidationPolicy: 'WhenEmptyOrUnderutilized',
          consolidateAfter: '0s',
          budgets: [{ nodes: '100%' }],
        },
      },
    });
  }

  /** Nodes the pool launched (by its label). */
  async poolNodes(): Promise<string[]> {
    const core = this.kc.makeApiClient(k8s.CoreV1Api);
    const nodes = await core.listNode({ labelSelector: `${NODE_GROUP_LABEL}=${NODE_POOL}` });
    return nodes.items.map((n) => n.metadata?.name as string);
  }

  /** NodeClaims still there (only this pool's: kaic runs Karpenter only where none was). */
  private async poolClaims(): Promise<number> {
    const custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
    const list = (await custom
      .listClusterCustomObject({
        group: 'karpenter.sh',
        version: 'v1',
        plural: 'nodeclaims',
      })
      .catch(() => ({ items: [] }))) as { items: unknown[] };
    return list.items.length;
  }

  /**
   * Stops the autoscaler but leaves the NodePool declared: the fault of a platform that says it
   * autoscales and does not.
   */
  async stopProcessOnly(): Promise<void> {
    await stopProcess(this.process);
    this.process = null;
  }

  /**
   * Deletes the NodePool and the KWOKNodeClass while Karpenter runs (its nodes go with them), then
   * stops. It waits for the NodeClaims and for those two objects themselves: each can be gone
   * from view while still carrying a Karpenter finalizer, which nothing would lift once Karpenter
   * stops (and their CRDs could then not be deleted).
   */
  async stop(): Promise<void> {
    const custom = this.kc.makeApiClient(k8s.CustomObjectsApi);
    const nodePool = { group: 'karpenter.sh', version: 'v1', plural: 'nodepools', name: NODE_POOL };
    const nodeClass = {
      group: 'karpenter.kwok.sh',
      version: 'v1alpha1',
      plural: 'kwoknodeclasses',
      name: 'default',
    };
    await custom.deleteClusterCustomObject(nodePool).catch(() => undefined);
    if (this.process && this.process.exitCode === null) {
      const exists = (object: typeof nodePool) =>
        custom.getClusterCustomObject(object).then(
          () => true,
          () => false,
        );
      await waitFor(
        `nodes, NodeClaims and NodePool ${NODE_POOL} removed`,
        async () =>
          (await this.poolNodes()).length === 0 &&
          (await this.poolClaims()) === 0 &&
          !(await exists(nodePool)),
        60_000,
        1_000,
      ).catch((error: Error) => this.options.log(`karpenter: ${error.message}`));
      await custom.deleteClusterCustomObject(nodeClass).catch(() => undefined);
      await waitFor(
        'KWOKNodeClass default removed',
        async () => !(await exists(nodeClass)),
        30_000,
        500,
      ).catch((error: Error) => this.options.log(`karpenter: ${error.message}`));
    }
    await this.stopProcessOnly();
  }
}
