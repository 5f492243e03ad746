/**
 * The existing provider: a cluster someone else runs (a self-hosted GPU runner's, a vendor's).
 * kaic reads its version and nodes, hands the suites a kubeconfig of just the chosen context, and
 * at the end removes the namespaces this run's suites created (labelled with the run id) — the
 * suites remove their own as they go; this catches what a failed or cancelled test left. It never
 * creates or deletes anything else.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { UsageError } from '../errors.js';
import { isKubeconfigText } from '../k8s/kubeconfig.js';
import { KWOK_NODE_ANNOTATION } from '../k8s/kwok-nodes.js';
import { RUN_ID_LABEL } from '../k8s/test-labels.js';
import { waitFor } from '../util/wait.js';
import {
  isKubernetesMinor,
  KUBERNETES_MINORS,
  type KubernetesMinor,
} from '../versions/kubernetes.js';
import type { ClusterHandle, OnCreated, ClusterLifecycle } from './types.js';

export interface ExistingProviderOptions {
  /** A kubeconfig file's path or its YAML text; default: KUBECONFIG, ~/.kube/config, in-cluster. */
  kubeconfig?: string;
  context?: string;
  /** The run's id: the value of RUN_ID_LABEL on what its suites create. */
  runId: string;
  log: (line: string) => void;
  /** How long to wait for the API server to answer (default 15 s). */
  connectTimeoutMs?: number;
  /** Told about the kubeconfig copy and the run's namespaces, so a killed run's are removed. */
  onCreated?: OnCreated;
}

/**
 * Deletes the namespaces labelled with this run's id and waits until they are gone; returns their
 * names. Problems are logged, not thrown.
 */
export async function removeRunNamespaces(
  kc: k8s.KubeConfig,
  runId: string,
  log: (line: string) => void,
  answerTimeoutMs = 15_000,
): Promise<string[]> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const selector = `${RUN_ID_LABEL}=${runId}`;
  const later = `remove them later with kubectl delete namespaces -l ${selector}`;
  // Bounded: a server that stopped answering must not hold the run's end.
  const left = await withTimeout(core.listNamespace({ labelSelector: selector }), answerTimeoutMs)
    .then((l) => l.items.map((n) => n.metadata!.name!))
    .catch((error: Error) => {
      log(`existing: cannot list this run's namespaces: ${error.message}; ${later}`);
      return [] as string[];
    });
  if (!left.length) return [];
  log(`existing: removing namespaces this run left: ${left.join(', ')}`);
  await Promise.all(
    left.map((name) =>
      withTimeout(core.deleteNamespace({ name }), answerTimeoutMs).catch(() => undefined),
    ),
  );
  await waitFor(
    `namespaces ${left.join(', ')} to be deleted`,
    async () => (await core.listNamespace({ labelSelector: selector })).items.length === 0,
    180_000,
    1000,
  ).catch((error: Error) => log(`existing: ${error.message}; ${later}`));
  return left;
}

export class ExistingProvider implements ClusterLifecycle {
  readonly name = 'existing' as const;
  private dir: string | null = null;
  private kc: k8s.KubeConfig | null = null;

  constructor(private readonly options: ExistingProviderOptions) {}

  private source(): string {
    const k = this.options.kubeconfig;
    const file = !k
      ? process.env.KUBECONFIG
        ? `KUBECONFIG ${process.env.KUBECONFIG}`
        : 'the default kubeconfig'
      : isKubeconfigText(k)
        ? 'the kubeconfig text given'
        : `--kubeconfig ${k}`;
    return this.options.context ? `${file}, context ${this.options.context}` : file;
  }

  async up(): Promise<ClusterHandle> {
    const kc = new k8s.KubeConfig();
    const k = this.options.kubeconfig;
    try {
      if (!k) kc.loadFromDefault();
      else if (isKubeconfigText(k)) kc.loadFromString(k);
      else kc.loadFromFile(k);
    } catch (error) {
      throw new UsageError(`${this.source()}: not a kubeconfig: ${(error as Error).message}`);
    }
    if (this.options.context) {
      if (!kc.getContextObject(this.options.context)) {
        throw new UsageError(
          `${this.source()}: no context "${this.options.context}"; contexts: ${kc
            .getContexts()
            .map((c) => c.name)
            .join(', ')}`,
        );
      }
      kc.setCurrentContext(this.options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new UsageError(
        `${this.source()}: no cluster to talk to (no current context); pass --kubeconfig and --context`,
      );
    }
    let gitVersion: string;
    let minorText: string;
    try {
      const version = await withTimeout(
        kc.makeApiClient(k8s.VersionApi).getCode(),
        this.options.connectTimeoutMs ?? 15_000,
      );
      gitVersion = version.gitVersion;
      minorText = `${version.major}.${version.minor.replace(/\D+$/, '')}`;
    } catch (error) {
      throw new UsageError(
        `${this.source()}: the API server ${cluster.server} does not answer (${(error as Error).message}); ` +
          'check that the cluster runs and that the kubeconfig names its address, or pass another --kubeconfig/--context',
      );
    }
    if (!isKubernetesMinor(minorText)) {
      throw new UsageError(
        `${this.source()}: the cluster runs Kubernetes ${gitVersion}; kaic knows ${KUBERNETES_MINORS.join(', ')}`,
      );
    }
    this.kc = kc;
    // The suites get a kubeconfig of this context alone, whatever the source was.
    this.dir = await mkdtemp(join(tmpdir(), 'kaic-existing-'));
    const kubeconfigPath = join(this.dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kc.exportConfig(), { mode: 0o600 });
    this.options.onCreated?.({ type: 'directory', path: this.dir });
    this.options.onCreated?.({ type: 'run-namespaces', kubeconfigPath, runId: this.options.runId });
    const nodes = (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items;
    const names = nodes.map((n) => n.metadata!.name!);
    const realContainerNodes = nodes
      .filter((n) => !n.metadata?.annotations?.[KWOK_NODE_ANNOTATION])
      .map((n) => n.metadata!.name!);
    this.options.log(
      `existing cluster ${kc.getCurrentContext()} (${cluster.server}): ${gitVersion}, ${names.length} nodes`,
    );
    return {
      provider: 'existing',
      name: kc.getCurrentContext(),
      kubeconfigPath,
      serverVersion: gitVersion,
      minor: minorText as KubernetesMinor,
      nodes: names,
      capabilities: {
        realContainers: realContainerNodes.length === names.length,
        realContainerNodes,
        disposable: false,
        simulatedNodesTainted: false,
      },
    };
  }

  /** Removes the namespaces this run's suites left, then the kubeconfig copy. */
  async down(): Promise<void> {
    const kc = this.kc;
    this.kc = null;
    if (kc) await removeRunNamespaces(kc, this.options.runId, this.options.log);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
