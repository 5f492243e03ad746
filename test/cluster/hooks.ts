/**
 * Mocha root hooks for the cluster tests: one real control plane (kwok provider) per test run,
 * on the minor named by KAIC_TEST_K8S (default: the version table's test default). It is torn
 * down after the run, also when tests fail, and on Ctrl-C / SIGTERM.
 */
import * as k8s from '@kubernetes/client-node';

import { KwokProvider } from '../../src/providers/kwok.js';
import type { ClusterHandle } from '../../src/providers/types.js';
import { onTerminationSignal } from '../../src/util/processes.js';
import {
  DEFAULT_TEST_MINOR,
  kubernetesRelease,
  parseKubernetesMinor,
  type KubernetesRelease,
} from '../../src/versions/kubernetes.js';

export interface TestCluster {
  handle: ClusterHandle;
  release: KubernetesRelease;
  kubeConfig: k8s.KubeConfig;
}

/** Simulated nodes every cluster test can rely on. */
export const TEST_NODES = { namePrefix: 'kwok-node', count: 2 } as const;

let cluster: TestCluster | null = null;
let provider: KwokProvider | null = null;
let removeSignalHandlers: (() => void) | null = null;

export function testCluster(): TestCluster {
  if (!cluster) throw new Error('the test cluster is not up (root hook did not run or failed)');
  return cluster;
}

function log(line: string): void {
  process.stdout.write(`  [cluster] ${line}\n`);
}

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(30 * 60_000); // a cold cache builds the binaries first
    const minor = parseKubernetesMinor(
      process.env.KAIC_TEST_K8S ?? DEFAULT_TEST_MINOR,
      'KAIC_TEST_K8S',
    );
    const release = kubernetesRelease(minor);
    provider = new KwokProvider({
      minor,
      nodeGroups: [{ ...TEST_NODES }],
      log,
    });
    const own = provider;
    removeSignalHandlers = onTerminationSignal(() => own.down());
    const handle = await provider.up();
    const kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(handle.kubeconfigPath);
    // Ask the server itself, so the line shows what really answered.
    const version = await kubeConfig.makeApiClient(k8s.VersionApi).getCode();
    log(
      `real kube-apiserver reports ${version.gitVersion} (platform ${version.platform}, ` +
        `built ${version.buildDate}); table release ${release.version}`,
    );
    cluster = { handle, release, kubeConfig };
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await provider?.down();
    removeSignalHandlers?.();
    cluster = null;
  },
};
