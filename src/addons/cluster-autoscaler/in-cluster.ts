/**
 * The autoscaler on kind: Karpenter with its kwok provider, plus a kwok controller that runs only
 * the Node objects Karpenter launches (kwok's annotation `kwok.x-k8s.io/node=fake`; the kind
 * nodes are never touched), both as processes on this machine talking to the kind cluster's API
 * server. Neither project publishes an image of that pairing, and on kwok kaic already runs the
 * same two the same way. The launched nodes carry no containers — as on kwok, what
 * cluster_autoscaling checks is that a pending GPU pod makes the cluster grow by a node of the
 * GPU pool and that an idle one goes again.
 *
 * Stop deletes the NodePool while Karpenter runs (its nodes go with it), stops both processes and
 * deletes the CRDs it applied, so a reused cluster is left as it was.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import type { ResultPromise } from 'execa';

import { buildRecipe, copyFromModule, type ProgressLog } from '../../binaries/build.js';
import { MODULE_COPIES, RECIPES } from '../../binaries/recipes.js';
import { kwokBinDir } from '../../cache.js';
import { KWOK_NODE_ANNOTATION } from '../../k8s/kwok-nodes.js';
import { freePort } from '../../util/net.js';
import { KWOK_VERSION } from '../../versions/kubernetes.js';
import { KarpenterKwok } from './beside-cluster.js';
import { answersOk, spawnLogged, stopProcess, waitProcessReady } from '../process.js';

/** The annotation Karpenter's kwok provider puts on the nodes it launches. */
export const KWOK_NODE_SELECTOR = `${KWOK_NODE_ANNOTATION}=fake`;

export interface KindAutoscalerOptions {
  kubeconfigPath: string;
  /** Its files and logs (under the run's directory, so a post step finds the processes). */
  dir: string;
  /** Extended resource the GPU instance types offer (default nvidia.com/gpu). */
  gpuResource?: string;
  log: ProgressLog;
}

export interface KindAutoscaler {
  karpenter: KarpenterKwok;
  stop(): Promise<void>;
}

export async function startKindAutoscaler(options: KindAutoscalerOptions): Promise<KindAutoscaler> {
  const { dir, log } = options;
  await mkdir(dir, { recursive: true });
  await buildRecipe(RECIPES.kwok, log);
  const stageDir = await copyFromModule(MODULE_COPIES.kwokStages, log);
  const stages = MODULE_COPIES.kwokStages.files.map((file) => join(stageDir, file));
  // The kubeconfig copied into the directory: kwok's command line then names the run.
  const kubeconfig = join(dir, 'kubeconfig');
  await copyFile(options.kubeconfigPath, kubeconfig);
  const port = await freePort('127.0.0.1');
  const logFile = join(dir, 'kwok.log');
  log(`kwok ${KWOK_VERSION}: starting for the nodes Karpenter launches (${KWOK_NODE_SELECTOR})`);
  const kwok: ResultPromise = spawnLogged(
    join(kwokBinDir(KWOK_VERSION), 'kwok'),
    [
      `--kubeconfig=${kubeconfig}`,
      ...stages.map((file) => `--config=${file}`),
      '--manage-all-nodes=false',
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_SELECTOR}`,
      `--server-address=127.0.0.1:${port}`,
      '--node-ip=127.0.0.1',
      '--node-lease-duration-seconds=40',
    ],
    { logFile },
  );
  const karpenter = new KarpenterKwok({
    kubeconfigPath: kubeconfig,
    dir: join(dir, 'karpenter'),
    log,
    ...(options.gpuResource ? { gpuResource: options.gpuResource } : {}),
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfig);
  const stop = async () => {
    await karpenter.stop();
    await stopProcess(kwok);
    // One DELETE each, not awaited: their objects went with the NodePool.
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    for (const name of karpenter.crds) {
      await ext.deleteCustomResourceDefinition({ name }).catch(() => undefined);
    }
  };
  try {
    await waitProcessReady(
      kwok,
      'kwok',
      `127.0.0.1:${port}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${port}/healthz`),
      60_000,
    );
    await karpenter.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { karpenter, stop };
}
