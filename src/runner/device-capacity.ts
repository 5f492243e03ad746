/**
 * How many accelerator devices the suites may hold together: the fewest physical devices on one
 * node that runs containers (every suite may pick the same node), or on any accelerator node where
 * none runs containers.
 */
import * as k8s from '@kubernetes/client-node';

import { physicalDevicesPerNode } from '../accelerators/capacity.js';
import { detectAccelerator } from '../accelerators/profiles.js';
import { loadKubeConfig } from '../k8s/kubeconfig.js';
import { KWOK_NODE_ANNOTATION } from '../k8s/kwok-nodes.js';
import { acceleratorWantedFrom, suiteSettingsFrom } from './suite-settings.js';

/** The capacity (see above) of the cluster and accelerator the suites' settings in `env` name. */
export async function suiteDeviceCapacity(env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const settings = suiteSettingsFrom(env);
  const kc = loadKubeConfig(settings.kubeconfig);
  const setup = await detectAccelerator(kc, acceleratorWantedFrom(settings));
  const perNode = await physicalDevicesPerNode(kc, setup);
  const simulated = new Set(
    (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items
      .filter((n) => n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] === 'fake')
      .map((n) => n.metadata?.name as string),
  );
  const withContainers = [...perNode].filter(([node]) => !simulated.has(node));
  const counted = withContainers.length ? withContainers : [...perNode];
  return counted.length ? Math.min(...counted.map(([, count]) => count)) : 0;
}
