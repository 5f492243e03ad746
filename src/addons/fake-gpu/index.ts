/**
 * fake-gpu: simulated GPUs by the driver the run chose. kaic's own (src/fakegpu/): DeviceClasses
 * and ResourceSlices for every selected node, and the kubelet plugin where pods run; beside kwok
 * the provider runs it (the publisher here, the plugin on the real node), in a cluster whose pods
 * run the objects of `kaic fakegpu manifests` on the GPU workers. The Kubernetes example DRA
 * driver (./example-driver.ts): its kubelet plugin on kwok's real node. run:ai's fake GPU operator
 * (./fake-gpu-operator.ts): its device plugin, status updater and exporter for kwok's real node.
 */
import * as k8s from '@kubernetes/client-node';

import { FAKE_GPU_DRIVER_NAME, FAKE_GPU_NODE_LABEL } from '../../fakegpu/driver.js';
import { SIMULATED_LOAD_SETTINGS } from '../../fakegpu/exporter.js';
import { fakegpuManifests, type ManifestObject } from '../../fakegpu/manifests.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PROFILE_LABEL } from '../../fakegpu/slices.js';
import { DraObjects } from '../../k8s/dra-objects.js';
import { waitFor } from '../../util/wait.js';
import { KAIC_VERSION } from '../../version.js';
import { defineAddon } from '../types.js';
import { DRA_EXAMPLE_DRIVER_RECIPE, startExampleDriver } from './example-driver.js';
import { buildFakeGpuOperator, startFakeGpuOperator } from './fake-gpu-operator.js';
import { buildRecipe } from '../../binaries/build.js';
import type { AddonImage } from '../../images/addon-images.js';
import { NODE_RUNTIME_IMAGE } from '../../versions/images.js';

/** kaic's driver runs on stock Node.js (its bundle comes in a ConfigMap). */
const FAKE_GPU_RUNTIME_IMAGE: AddonImage = {
  upstream: NODE_RUNTIME_IMAGE,
  local: { kind: 'node-runtime' },
};

export const fakeGpu = defineAddon({
  spec: {
    id: 'fake-gpu',
    component: "kaic's fake-GPU DRA driver (ResourceSlices; kubelet plugin on the real node)",
    version: KAIC_VERSION,
    needs: [],
    enables: [
      'dra_support',
      'gpu_sharing',
      'virtualized_accelerator',
      'secure_accelerator_access',
      'driver_runtime_management',
      // Their workloads hold accelerators too.
      'accelerator_metrics',
      'pod_autoscaling',
      'cluster_autoscaling',
    ],
  },
  async prepare(log, choices) {
    if (choices.fakeGpuDriver === 'dra-example-driver')
      await buildRecipe(DRA_EXAMPLE_DRIVER_RECIPE, log);
    if (choices.fakeGpuDriver === 'fake-gpu-operator') await buildFakeGpuOperator(log);
  },
  async besideCluster(ctx) {
    if (ctx.choices.fakeGpuDriver === 'dra-example-driver') return startExampleDriver(ctx);
    if (ctx.choices.fakeGpuDriver === 'fake-gpu-operator') return startFakeGpuOperator(ctx);
    if (ctx.choices.fakeGpuDriver !== 'kaic') {
      throw new Error(
        `kaic does not run the ${ctx.choices.fakeGpuDriver} driver beside a kwok cluster yet`,
      );
    }
    const gpus = await ctx.startSimulatedGpus();
    ctx.shared.gpuProfile = gpus.profile;
    return { summary: gpus.summary, env: SIMULATED_LOAD_SETTINGS, stop: () => gpus.stop() };
  },
  images: () => [FAKE_GPU_RUNTIME_IMAGE],
  inCluster: (ctx) => ({
    present: async () => null,
    install: async () => {
      const selector = `${FAKE_GPU_NODE_LABEL}=true`;
      const objects = fakegpuManifests({
        publishArgs: [
          '--profile',
          ctx.gpuProfile,
          '--gpus-per-node',
          String(ctx.gpusPerNode),
          '--node-selector',
          selector,
          '--mig',
          'auto',
        ],
        profile: ctx.gpuProfile,
        nodeSelector: selector,
        driver: FAKE_GPU_DRIVER_NAME,
        image: await ctx.image(FAKE_GPU_RUNTIME_IMAGE),
      });
      const generic = k8s.KubernetesObjectApi.makeApiClient(ctx.kubeConfig);
      const created: ManifestObject[] = [];
      const stop = async () => {
        for (const object of created.reverse()) {
          await generic.delete(object as k8s.KubernetesObject).catch(() => undefined);
        }
        created.length = 0;
      };
      ctx.log(`addon fake-gpu: applying ${objects.length} objects (kaic fakegpu manifests)`);
      try {
        for (const object of objects) {
          await generic.create(object as k8s.KubernetesObject);
          created.push(object);
        }
        const draObjects = new DraObjects(ctx.kubeConfig, ctx.release.draApiVersion);
        await waitFor(
          'the fake-GPU publisher to publish ResourceSlices',
          async () =>
            (
              await draObjects.list(
                'ResourceSlice',
                `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${ctx.gpuProfile}`,
              )
            ).length > 0,
          ctx.readyTimeoutMs ?? 300_000,
          2000,
        );
      } catch (error) {
        await stop();
        throw error;
      }
      return { env: SIMULATED_LOAD_SETTINGS, stop };
    },
  }),
});
