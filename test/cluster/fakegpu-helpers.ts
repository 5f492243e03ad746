/** The fake-GPU driver on the test cluster: the bundled kubelet plugin as a process on the real node. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa, type ResultPromise } from 'execa';

import { resolveMigLayout } from '../../src/fakegpu/mig.js';
import { gpuProfile, type GpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import type { RealNodeInfo } from '../../src/providers/real-node/real-node.js';
import { testCluster } from './hooks.js';
import { waitUntil } from './k8s-helpers.js';

export interface PluginProcess {
  output: () => string;
  stop: () => Promise<void>;
}

/** Where a plugin process keeps its sockets and files. */
export interface PluginDirs {
  registry: string;
  plugin: string;
  cdi: string;
  state: string;
}

/** The bundled plugin as its own process, the way the DaemonSet runs it. */
export function spawnPlugin(
  node: string,
  dirs: PluginDirs,
  kubeconfigPath: string,
): { process: ResultPromise; output: () => string } {
  let output = '';
  const child = execa(
    process.execPath,
    [
      'dist/fakegpu.js',
      'plugin',
      '--node-name',
      node,
      '--registry-dir',
      dirs.registry,
      '--plugin-dir',
      dirs.plugin,
      '--cdi-dir',
      dirs.cdi,
      '--state-dir',
      dirs.state,
      '--kubeconfig',
      kubeconfigPath,
    ],
    { reject: false, all: true },
  );
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { process: child, output: () => output };
}

/**
 * Starts the bundled plugin for the real node (its kubelet's plugin directories and containerd's
 * CDI directory) and waits until the real kubelet has registered it.
 */
export async function startRealNodePlugin(
  realNode: RealNodeInfo,
  kubeconfigPath: string,
  driver = 'gpu.nvidia.com',
): Promise<PluginProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaic-real-gpu-'));
  const { process: child, output } = spawnPlugin(
    realNode.name,
    {
      registry: realNode.pluginsRegistryDir,
      plugin: join(realNode.pluginsDir, driver),
      cdi: realNode.cdiDir,
      state: stateDir,
    },
    kubeconfigPath,
  );
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitUntil('the kubelet to register the plugin', async () =>
      output().includes(`registered with the kubelet as ${driver}`),
    );
  } catch (error) {
    const text = output();
    await stop();
    throw new Error(`${(error as Error).message}; plugin output:\n${text}`, { cause: error });
  }
  return { output, stop };
}

/** Simulated GPUs on every node of the test cluster, as the suite tests run them. */
export interface SimulatedGpus {
  profile: GpuProfile;
  /** The running publisher; a fault test may stop it and put another in its place. */
  publisher: SlicePublisher;
  stop(): Promise<void>;
}

/**
 * H100s (`gpusPerNode` on every node), MIG as the minor offers it (partitionable or static), and
 * the kubelet plugin on the real node when there is one.
 */
export async function startSimulatedH100s(gpusPerNode: number): Promise<SimulatedGpus> {
  const { kubeConfig, release, realNode, handle } = testCluster();
  const profile = gpuProfile('nvidia-h100-80gb');
  const publisher = new SlicePublisher(kubeConfig, {
    profile,
    gpusPerNode,
    nodeSelector: 'kubernetes.io/os=linux',
    api: release.draApiVersion,
    mig: resolveMigLayout({ request: 'auto' }, profile, gpusPerNode, release.mig),
  });
  await publisher.start();
  const plugin = realNode ? await startRealNodePlugin(realNode, handle.kubeconfigPath) : null;
  const gpus: SimulatedGpus = {
    profile,
    publisher,
    async stop() {
      await plugin?.stop();
      this.publisher.stop();
      await this.publisher.removeAll();
    },
  };
  return gpus;
}
