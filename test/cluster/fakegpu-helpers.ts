/** The fake-GPU driver on the test cluster, as `kaic run` starts it (src/providers/simulated-gpus.ts). */
import { startSimulatedGpus, type SimulatedGpus } from '../../src/providers/simulated-gpus.js';
import { testCluster } from './hooks.js';

export {
  spawnPlugin,
  startRealNodePlugin,
  type PluginDirs,
  type PluginProcess,
  type SimulatedGpus,
} from '../../src/providers/simulated-gpus.js';

/** H100s (`gpusPerNode` on every node) and the kubelet plugin on the real node when there is one. */
export async function startSimulatedH100s(gpusPerNode: number): Promise<SimulatedGpus> {
  const { kubeConfig, release, realNode, handle } = testCluster();
  return startSimulatedGpus({
    kubeConfig,
    kubeconfigPath: handle.kubeconfigPath,
    release,
    profileName: 'nvidia-h100-80gb',
    gpusPerNode,
    ...(realNode ? { realNode } : {}),
  });
}
