/**
 * The Kubernetes project's example DRA driver as kaic pins it, a simulated-GPU driver kaic did not
 * write (`--fake-gpu-driver dra-example-driver`): its kubelet plugin, built from its module. It
 * publishes its devices itself (ResourceSlices of the node it runs on) and puts a device into a
 * container as CDI environment variables, so it needs a node whose pods run.
 */
import { join } from 'node:path';

import { nodesWithCompletePools } from '../../accelerators/profiles.js';
import { buildRecipe, type GoModuleRecipe } from '../../binaries/build.js';
import { cacheDir, draExampleDriverDir } from '../../cache.js';
import { INSTALL_LABEL } from '../charts.js';
import { DraObjects } from '../../k8s/dra-objects.js';
import { waitFor } from '../../util/wait.js';
import type { BesideClusterContext, RunningKubeletPlugin, StartedAddon } from '../types.js';

export const DRA_EXAMPLE_DRIVER = {
  module: 'sigs.k8s.io/dra-example-driver',
  version: 'v0.4.0',
  /** Driver and DeviceClass name of its `gpu` device profile (its chart's default). */
  driverName: 'gpu.example.com',
  deviceProfile: 'gpu',
} as const;

export const DRA_EXAMPLE_DRIVER_RECIPE: GoModuleRecipe = {
  component: 'dra-example-driver',
  module: DRA_EXAMPLE_DRIVER.module,
  version: DRA_EXAMPLE_DRIVER.version,
  outDir: (root) => draExampleDriverDir(DRA_EXAMPLE_DRIVER.version, root),
  binaries: ['dra-example-kubeletplugin'],
  packages: [`${DRA_EXAMPLE_DRIVER.module}/cmd/dra-example-kubeletplugin`],
  verify: [{ helpMentions: { binary: 'dra-example-kubeletplugin', flag: '--cdi-root' } }],
};

/**
 * Starts the example driver for the provider's node whose pods run: its DeviceClass (as its chart
 * writes it), then its kubelet plugin, and waits until the plugin has published a complete pool
 * of devices for that node. stop() removes the plugin, the class and the slices it left.
 */
export async function startExampleDriver(ctx: BesideClusterContext): Promise<StartedAddon> {
  if (ctx.release.draApiVersion !== 'resource.k8s.io/v1') {
    throw new Error(
      `the example DRA driver ${DRA_EXAMPLE_DRIVER.version} speaks resource.k8s.io/v1, which Kubernetes ${ctx.release.minor} does not serve by default; use 1.34 or newer`,
    );
  }
  await buildRecipe(DRA_EXAMPLE_DRIVER_RECIPE, ctx.log);
  const binary = join(DRA_EXAMPLE_DRIVER_RECIPE.outDir(cacheDir()), 'dra-example-kubeletplugin');
  const objects = new DraObjects(ctx.kubeConfig, ctx.release.draApiVersion);
  const driver = DRA_EXAMPLE_DRIVER.driverName;
  const removeSlices = async () => {
    for (const slice of await objects.list('ResourceSlice', undefined, `spec.driver=${driver}`)) {
      await objects.delete('ResourceSlice', slice.metadata?.name as string).catch(() => undefined);
    }
  };
  await objects.create({
    apiVersion: ctx.release.draApiVersion,
    kind: 'DeviceClass',
    metadata: { name: driver, labels: { [INSTALL_LABEL]: 'dra-example-driver' } },
    spec: { selectors: [{ cel: { expression: `device.driver == '${driver}'` } }] },
  });
  let plugin: RunningKubeletPlugin | null = null;
  const stop = async () => {
    await plugin?.stop();
    plugin = null;
    await objects.delete('DeviceClass', driver).catch(() => undefined);
    await removeSlices();
  };
  try {
    plugin = await ctx.startKubeletPlugin((node) => ({
      file: binary,
      args: [],
      env: {
        NODE_NAME: node.name,
        KUBECONFIG: node.kubeconfigPath,
        DEVICE_PROFILE: DRA_EXAMPLE_DRIVER.deviceProfile,
        DRIVER_NAME: driver,
        NUM_DEVICES: String(ctx.gpusPerNode),
        GPU_PARTITIONS: String(ctx.choices.gpuPartitions),
        CDI_ROOT: node.cdiDir,
        KUBELET_REGISTRAR_DIRECTORY_PATH: node.registryDir,
        KUBELET_PLUGINS_DIRECTORY_PATH: node.pluginsDir,
      },
    }));
    const node = plugin.node;
    await waitFor(
      `the example DRA driver to publish its devices for ${node}`,
      async () => {
        const slices = await objects.list('ResourceSlice', undefined, `spec.driver=${driver}`);
        return nodesWithCompletePools(slices as never, driver).includes(node);
      },
      120_000,
      500,
    );
  } catch (error) {
    const output = plugin?.output() ?? '';
    await stop();
    throw new Error(
      `${(error as Error).message}${output ? `; plugin output:\n${output.slice(-4000)}` : ''}`,
      { cause: error },
    );
  }
  ctx.shared.accelerator = `${driver} (dra-example-driver ${DRA_EXAMPLE_DRIVER.version})`;
  return {
    summary:
      `${ctx.gpusPerNode} × ${driver} devices` +
      (ctx.choices.gpuPartitions ? ` of ${ctx.choices.gpuPartitions} partitions each` : '') +
      ` on ${plugin.node} (example driver ${DRA_EXAMPLE_DRIVER.version}, kubelet plugin)`,
    stop,
  };
}
