/**
 * run:ai's fake GPU operator as kaic pins it (`--fake-gpu-driver fake-gpu-operator`): a
 * device-plugin platform kaic did not write. Its own programs, built from its source tree (no
 * module proxy serves the repository), run as processes for kwok's real node, configured as its
 * chart configures them: the status updater turns the cluster topology into one ConfigMap per
 * node of the pool, the device plugin advertises `nvidia.com/gpu` from it to the real kubelet, the
 * status exporter serves DCGM-style metrics behind the chart's `nvidia-dcgm-exporter` Service.
 * What a container holding a GPU gets is the operator's: an environment variable and its fake
 * `nvidia-smi` mounted from the host, no device node.
 *
 * Two of its paths are fixed in its code: the device plugin's socket directory
 * (/var/lib/kubelet/device-plugins, fixed in kubelet too) and the host path its Allocate mounts
 * nvidia-smi from, which is created on this machine for the run and removed at stop.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createServer } from 'node:net';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';
import { stringify } from 'yaml';

import { cacheDir, fakeGpuOperatorDir } from '../../cache.js';
import { buildSourceTree, type SourceTreeRecipe } from '../../binaries/source-tree.js';
import type { ProgressLog } from '../../binaries/build.js';
import { gpuProfile } from '../../fakegpu/profiles.js';
import { waitFor } from '../../util/wait.js';
import { INSTALL_LABEL } from '../charts.js';
import { inOwnMountNamespace, spawnLogged, stopProcess } from '../process.js';
import type { BesideClusterContext, RunningKubeletPlugin, StartedAddon } from '../types.js';

export const FAKE_GPU_OPERATOR = {
  module: 'github.com/run-ai/fake-gpu-operator',
  version: 'v0.2.0',
  /** The project's tagged source archive: the default of FAKE_GPU_OPERATOR_SOURCE_SETTING. */
  defaultSource: 'https://github.com/run-ai/fake-gpu-operator/archive/refs/tags/v0.2.0.tar.gz',
  /** Its chart's release namespace as its fake nvidia-smi expects it (topology-server.gpu-operator). */
  namespace: 'gpu-operator',
  topologyConfigMap: 'topology',
  /** Nodes of a pool carry this label, valued with the pool's name (its chart's default). */
  nodePoolLabel: 'run.ai/simulated-gpu-node-pool',
  nodePool: 'default',
  resourceReservationNamespace: 'runai-reservation',
  /** Fixed in its status exporter. */
  metricsPort: 9400,
  /** Fixed in its device plugin: the host path Allocate mounts as the container's nvidia-smi. */
  nvidiaSmiHostPath: '/var/lib/runai/bin/nvidia-smi',
  /** Fixed in its device plugin (and in kubelet): where it serves and finds kubelet's socket. */
  devicePluginDir: '/var/lib/kubelet/device-plugins',
  /** Its documented pod annotation for a simulated load (percent, or a min-max range). */
  loadAnnotation: 'run.ai/simulated-gpu-utilization',
} as const;

/** Where the operator's source comes from: a directory, a .tar.gz, or an http(s) URL of one. */
export const FAKE_GPU_OPERATOR_SOURCE_SETTING = 'KAIC_FAKE_GPU_OPERATOR_SOURCE';

const PROGRAMS = ['device-plugin', 'status-updater', 'status-exporter', 'nvidia-smi'] as const;

/** The shell line that turns this machine read-only inside a process's own mount namespace. */
const READ_ONLY_ROOT = 'mount -o remount,bind,ro /';
/** What ps shows for the shell that sets a program's mount namespace up. */
const NAMESPACE_NAME = 'kaic-fake-gpu-operator';

export const FAKE_GPU_OPERATOR_RECIPE: SourceTreeRecipe = {
  component: 'fake-gpu-operator',
  module: FAKE_GPU_OPERATOR.module,
  version: FAKE_GPU_OPERATOR.version,
  outDir: (root) => fakeGpuOperatorDir(FAKE_GPU_OPERATOR.version, root),
  packages: PROGRAMS.map((p) => `./cmd/${p}`),
  binaries: PROGRAMS,
  // Its programs take no flags and read the cluster at start: nothing to ask them offline.
  verify: [],
};

export async function buildFakeGpuOperator(log: ProgressLog): Promise<string> {
  const source = process.env[FAKE_GPU_OPERATOR_SOURCE_SETTING] || FAKE_GPU_OPERATOR.defaultSource;
  const setting = process.env[FAKE_GPU_OPERATOR_SOURCE_SETTING]
    ? FAKE_GPU_OPERATOR_SOURCE_SETTING
    : `${FAKE_GPU_OPERATOR_SOURCE_SETTING} (unset: the project's archive)`;
  await buildSourceTree(FAKE_GPU_OPERATOR_RECIPE, source, setting, log, cacheDir());
  return FAKE_GPU_OPERATOR_RECIPE.outDir(cacheDir());
}

/** Labels the operator's programs put on a node of the pool (removed at stop). */
const OPERATOR_NODE_LABELS = [
  'nvidia.com/gpu.deploy.dcgm-exporter',
  'nvidia.com/gpu.deploy.device-plugin',
  'nvidia.com/gpu.deploy.dra-plugin-gpu',
  'nvidia.com/gpu.deploy.compute-domain-dra-plugin',
  'nvidia.com/gpu.memory',
  'nvidia.com/gpu.product',
  'nvidia.com/mig.strategy',
  'nvidia.com/gpu.count',
  'nvidia.com/gpu.present',
  'run.ai/fake.gpu',
];

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * Starts the operator for the provider's node whose pods run and waits until that node offers its
 * GPUs and the exporter answers; stop() removes every process, object, label and file it left.
 */
export async function startFakeGpuOperator(ctx: BesideClusterContext): Promise<StartedAddon> {
  const bin = await buildFakeGpuOperator(ctx.log);
  if (!(await portFree(FAKE_GPU_OPERATOR.metricsPort))) {
    throw new Error(
      `the fake GPU operator's status exporter serves on port ${FAKE_GPU_OPERATOR.metricsPort} (fixed in its code), which something on this machine already uses`,
    );
  }
  const smiDir = dirname(FAKE_GPU_OPERATOR.nvidiaSmiHostPath);
  const smiRoot = dirname(smiDir); // /var/lib/runai
  if (existsSync(smiRoot)) {
    throw new Error(
      `${smiRoot} exists: the fake GPU operator's device plugin mounts ${FAKE_GPU_OPERATOR.nvidiaSmiHostPath} into containers, and kaic will not overwrite what another run:ai installation left there`,
    );
  }
  const node = ctx.kubeletPluginNode();
  const core = ctx.kubeConfig.makeApiClient(k8s.CoreV1Api);
  const { namespace, topologyConfigMap } = FAKE_GPU_OPERATOR;
  const gpu = gpuProfile(ctx.gpuProfile);
  const processes: Array<{ name: string; child: ResultPromise }> = [];
  let plugin: RunningKubeletPlugin | null = null;
  let nodeName: string | null = null;
  const logs = join(ctx.dir, 'fake-gpu-operator');
  await mkdir(logs, { recursive: true });

  const stop = async () => {
    await plugin?.stop();
    plugin = null;
    for (const { child } of processes.reverse()) await stopProcess(child);
    processes.length = 0;
    await rm(smiRoot, { recursive: true, force: true });
    if (nodeName) {
      const labels = Object.fromEntries(
        [FAKE_GPU_OPERATOR.nodePoolLabel, ...OPERATOR_NODE_LABELS].map((l) => [l, null]),
      );
      await core
        .patchNode(
          { name: nodeName, body: { metadata: { labels } } },
          k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
        )
        .catch(() => undefined);
    }
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  };

  /** One of its programs as a process, with its log; `readOnly`: this machine read-only to it. */
  const spawn = (
    name: (typeof PROGRAMS)[number],
    env: Record<string, string>,
    options: { readOnly?: boolean } = {},
  ) => {
    const logFile = join(logs, `${name}.log`);
    const command = options.readOnly
      ? inOwnMountNamespace(NAMESPACE_NAME, READ_ONLY_ROOT, [], [join(bin, name)])
      : { file: join(bin, name), args: [] };
    processes.push({ name, child: spawnLogged(command.file, command.args, { logFile, env }) });
    return logFile;
  };

  try {
    await core.createNamespace({
      body: { metadata: { name: namespace, labels: { [INSTALL_LABEL]: 'fake-gpu-operator' } } },
    });
    // The chart's topology ConfigMap in its older, flat form: one pool of the run's GPUs.
    await core.createNamespacedConfigMap({
      namespace,
      body: {
        metadata: { name: topologyConfigMap, namespace },
        data: {
          'topology.yml': stringify({
            nodePools: {
              [FAKE_GPU_OPERATOR.nodePool]: {
                gpuProduct: gpu.productName,
                gpuCount: ctx.gpusPerNode,
                gpuMemory: Math.round(gpu.memoryBytes / 2 ** 20),
              },
            },
            nodePoolLabelKey: FAKE_GPU_OPERATOR.nodePoolLabel,
            migStrategy: 'none',
          }),
        },
      },
    });
    const base = {
      PATH: process.env.PATH ?? '',
      KUBECONFIG: ctx.kubeconfigPath,
      TOPOLOGY_CM_NAME: topologyConfigMap,
      TOPOLOGY_CM_NAMESPACE: namespace,
    };
    // The pool label makes the status updater write the node's topology, which the device plugin
    // and the exporter read at start.
    nodeName = node.name;
    await core.patchNode(
      {
        name: node.name,
        body: {
          metadata: {
            labels: { [FAKE_GPU_OPERATOR.nodePoolLabel]: FAKE_GPU_OPERATOR.nodePool },
          },
        },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const updaterLog = spawn('status-updater', {
      ...base,
      FAKE_GPU_OPERATOR_NAMESPACE: namespace,
      RESOURCE_RESERVATION_NAMESPACE: FAKE_GPU_OPERATOR.resourceReservationNamespace,
    });
    await waitFor(
      `the fake GPU operator's status updater to write the topology of ${node.name} (log: ${updaterLog})`,
      async () =>
        core
          .readNamespacedConfigMap({ namespace, name: `${topologyConfigMap}-${node.name}` })
          .then(() => true)
          .catch(() => undefined),
      60_000,
      500,
    );
    // Its nvidia-smi, where the device plugin's Allocate mounts it from; recorded first, so a
    // killed run's post step removes it too.
    ctx.recordCreatedDirectory(smiRoot);
    await mkdir(smiDir, { recursive: true });
    await copyFile(join(bin, 'nvidia-smi'), FAKE_GPU_OPERATOR.nvidiaSmiHostPath);
    await chmod(FAKE_GPU_OPERATOR.nvidiaSmiHostPath, 0o755);
    plugin = await ctx.startKubeletPlugin((pluginNode) => {
      // Its socket directory is fixed, as kubelet's is (the same one); everything else of this
      // machine is read-only to it, in a mount namespace of its own (it would copy a
      // /bin/nvidia-smi it found to /runai).
      const sockets = pluginNode.devicePluginsDir;
      if (sockets !== FAKE_GPU_OPERATOR.devicePluginDir) {
        throw new Error(
          `the fake GPU operator's device plugin serves in ${FAKE_GPU_OPERATOR.devicePluginDir} (fixed in its code), and this node's kubelet registers device plugins in ${sockets}`,
        );
      }
      // The socket directory bound onto itself stays writable when the root turns read-only.
      const command = inOwnMountNamespace(
        NAMESPACE_NAME,
        `mount --bind "$1" "$1" && ${READ_ONLY_ROOT}`,
        [sockets],
        [join(bin, 'device-plugin')],
      );
      return {
        ...command,
        env: { ...base, NODE_NAME: pluginNode.name },
      };
    });
    // Its exporter writes files under /runai for run:ai's container toolkit; a read-only root in
    // its own mount namespace keeps them off this machine (it logs the failure and goes on).
    spawn(
      'status-exporter',
      { ...base, NODE_NAME: node.name, TOPOLOGY_MAX_EXPORT_INTERVAL: '10s' },
      { readOnly: true },
    );
    await waitFor(
      `the fake GPU operator's device plugin to give ${node.name} ${ctx.gpusPerNode} nvidia.com/gpu and its exporter to answer (logs: ${logs})`,
      async () => {
        const read = await core.readNode({ name: node.name });
        const gpus = Number(read.status?.allocatable?.['nvidia.com/gpu'] ?? 0);
        if (gpus !== ctx.gpusPerNode) return undefined;
        const res = await fetch(`http://127.0.0.1:${FAKE_GPU_OPERATOR.metricsPort}/metrics`).catch(
          () => null,
        );
        return res?.ok ? true : undefined;
      },
      120_000,
      1000,
    );
  } catch (error) {
    const output = plugin?.output() ?? '';
    await stop();
    throw new Error(
      `${(error as Error).message}${output ? `; device plugin output:\n${output.slice(-3000)}` : ''}`,
      { cause: error },
    );
  }
  // The chart's Service in front of the exporter, on the real node's address.
  const service = await ctx
    .publishService({
      namespace,
      name: 'nvidia-dcgm-exporter',
      labels: { app: 'nvidia-dcgm-exporter' },
      portName: 'gpu-metrics',
      port: FAKE_GPU_OPERATOR.metricsPort,
    })
    .catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  ctx.shared.accelerator = `nvidia.com/gpu (fake-gpu-operator ${FAKE_GPU_OPERATOR.version}, device plugin)`;
  return {
    summary:
      `${ctx.gpusPerNode} × nvidia.com/gpu (${gpu.productName}) on ${node.name} ` +
      `(fake GPU operator ${FAKE_GPU_OPERATOR.version}: device plugin, status updater, status exporter; Service ${service.ref})`,
    env: { KAIC_ACCELERATOR_LOAD_ANNOTATIONS: `${FAKE_GPU_OPERATOR.loadAnnotation}=90` },
    async stop() {
      await service.remove();
      await stop();
    },
  };
}
