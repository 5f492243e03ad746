/**
 * Simulated GPUs on a kwok cluster: ResourceSlices for every Linux node from the publisher, and
 * on the real node kaic's kubelet plugin as its own process (the bundled dist/fakegpu.js, the way
 * the DaemonSet runs it in kind), registered with the real kubelet, so claims there get CDI devices.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type * as k8s from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';

import { FAKE_GPU_DRIVER_NAME } from '../fakegpu/driver.js';
import { installedBundlePath } from '../fakegpu/manifests.js';
import { resolveMigLayout } from '../fakegpu/mig.js';
import { gpuProfile, type GpuProfile } from '../fakegpu/profiles.js';
import { SlicePublisher } from '../fakegpu/publisher.js';
import type { RealNodeInfo } from './real-node/real-node.js';
import { waitFor } from '../util/wait.js';
import type { KubernetesRelease } from '../versions/kubernetes.js';

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

/** The bundled plugin as its own process. */
export function spawnPlugin(
  node: string,
  dirs: PluginDirs,
  kubeconfigPath: string,
): { process: ResultPromise; output: () => string } {
  let output = '';
  const child = execa(
    process.execPath,
    [
      installedBundlePath(),
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
  driver = FAKE_GPU_DRIVER_NAME,
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
    await waitFor('the kubelet to register the plugin', async () =>
      output().includes(`registered with the kubelet as ${driver}`),
    );
  } catch (error) {
    const text = output();
    await stop();
    throw new Error(`${(error as Error).message}; plugin output:\n${text}`, { cause: error });
  }
  return { output, stop };
}

export interface SimulatedGpus {
  profile: GpuProfile;
  /** The running publisher; a fault test may stop it and put another in its place. */
  publisher: SlicePublisher;
  stop(): Promise<void>;
}

export interface SimulatedGpuOptions {
  kubeConfig: k8s.KubeConfig;
  kubeconfigPath: string;
  release: KubernetesRelease;
  profileName: string;
  gpusPerNode: number;
  realNode?: RealNodeInfo;
}

/**
 * GPUs of the profile on every Linux node, MIG as the minor offers it (partitionable or static),
 * and the kubelet plugin on the real node when there is one.
 */
export async function startSimulatedGpus(options: SimulatedGpuOptions): Promise<SimulatedGpus> {
  const profile = gpuProfile(options.profileName);
  const publisher = new SlicePublisher(options.kubeConfig, {
    profile,
    gpusPerNode: options.gpusPerNode,
    nodeSelector: 'kubernetes.io/os=linux',
    api: options.release.draApiVersion,
    mig: resolveMigLayout({ request: 'auto' }, profile, options.gpusPerNode, options.release.mig),
  });
  await publisher.start();
  let plugin: PluginProcess | null = null;
  try {
    if (options.realNode)
      plugin = await startRealNodePlugin(options.realNode, options.kubeconfigPath);
  } catch (error) {
    publisher.stop();
    await publisher.removeAll();
    throw error;
  }
  const gpus: SimulatedGpus = {
    profile,
    publisher,
    async stop() {
      await plugin?.stop();
      gpus.publisher.stop();
      await gpus.publisher.removeAll();
    },
  };
  return gpus;
}
