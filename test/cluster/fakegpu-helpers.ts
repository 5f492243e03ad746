/** The fake-GPU driver on the test cluster: the bundled kubelet plugin as a process on the real node. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { execa } from 'execa';

import type { RealNodeInfo } from '../../src/providers/real-node/real-node.js';
import { waitUntil } from './k8s-helpers.js';

export interface PluginProcess {
  output: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts dist/fakegpu.js plugin for the real node (its kubelet's plugin directories and
 * containerd's CDI directory) and waits until the real kubelet has registered it.
 */
export async function startRealNodePlugin(
  realNode: RealNodeInfo,
  kubeconfigPath: string,
  driver = 'gpu.nvidia.com',
): Promise<PluginProcess> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kaic-real-gpu-'));
  let output = '';
  const child = execa(
    process.execPath,
    [
      'dist/fakegpu.js',
      'plugin',
      '--node-name',
      realNode.name,
      '--registry-dir',
      realNode.pluginsRegistryDir,
      '--plugin-dir',
      join(realNode.pluginsDir, driver),
      '--cdi-dir',
      realNode.cdiDir,
      '--state-dir',
      stateDir,
      '--kubeconfig',
      kubeconfigPath,
    ],
    { reject: false, all: true },
  );
  child.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async () => {
    child.kill('SIGTERM');
    await child;
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitUntil(`the kubelet to register the plugin (output so far: ${output})`, async () =>
      output.includes(`registered with the kubelet as ${driver}`),
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return { output: () => output, stop };
}
