/**
 * Mocha root hooks for the cluster tests: one real control plane (kwok provider) per test run,
 * on the minor named by KAIC_TEST_K8S (default: the version table's test default). It is torn
 * down after the run, also when tests fail, and on Ctrl-C / SIGTERM.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';

import { KwokProvider, type KwokClusterHandle } from '../../src/providers/kwok.js';
import { checkHost } from '../../src/providers/real-node/host.js';
import type { RealNodeInfo } from '../../src/providers/real-node/real-node.js';
import { onTerminationSignal } from '../../src/util/processes.js';
import { createLeakyRuntime, type LeakyRuntime } from '../support/leaky-runtime.js';
import {
  DEFAULT_TEST_MINOR,
  kubernetesRelease,
  parseKubernetesMinor,
  type KubernetesRelease,
} from '../../src/versions/kubernetes.js';

export interface TestCluster {
  handle: KwokClusterHandle;
  release: KubernetesRelease;
  kubeConfig: k8s.KubeConfig;
  /** The real node (kubelet + containerd), when this machine runs one. */
  realNode?: RealNodeInfo;
  /** Why there is no real node, for the skips of the tests that need one. */
  noRealNodeReason?: string;
  /** The real node's OCI runtime: runc, with a device leak a fault test can plant. */
  leakyRuntime?: LeakyRuntime;
}

/**
 * KAIC_TEST_REAL_NODE: `1` requires the real node (CI), `0` leaves it out, unset adds it when
 * this machine can run it (root, runc, CNI plugins, …) and says why not otherwise.
 */
async function realNodeWanted(): Promise<{ wanted: boolean; reason?: string }> {
  const setting = process.env.KAIC_TEST_REAL_NODE;
  if (setting === '0') return { wanted: false, reason: 'KAIC_TEST_REAL_NODE=0 leaves it out' };
  if (setting === '1') return { wanted: true };
  try {
    await checkHost();
    return { wanted: true };
  } catch (error) {
    return { wanted: false, reason: (error as Error).message };
  }
}

/** Skips the calling test or suite unless the cluster has a real node; returns it. */
export function requireRealNode(context: Mocha.Context): RealNodeInfo {
  const { realNode, noRealNodeReason } = testCluster();
  if (!realNode) {
    // Mocha prints no reason for a skip; say it here.
    process.stdout.write(`      skipped: no real node: ${noRealNodeReason}\n`);
    context.skip();
  }
  return realNode;
}

/**
 * Skips the calling test or suite on every minor but the default one. For checks that exercise
 * nothing that differs between minors (API versions, feature gates, the kubelet's plugin API):
 * the other minors run only what a minor can change; says why in the output.
 */
export function onDefaultMinorOnly(context: Mocha.Context, why: string): void {
  const { minor } = testCluster().release;
  if (minor === DEFAULT_TEST_MINOR) return;
  process.stdout.write(`      skipped on ${minor}: ${why}; runs on ${DEFAULT_TEST_MINOR}\n`);
  context.skip();
}

/** Simulated nodes every cluster test can rely on. */
export const TEST_NODES = { namePrefix: 'kwok-node', count: 2 } as const;

let cluster: TestCluster | null = null;
let provider: KwokProvider | null = null;
let removeSignalHandlers: (() => void) | null = null;
let runtimeDir: string | null = null;

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
    const real = await realNodeWanted();
    if (!real.wanted) log(`no real node: ${real.reason}`);
    // runc behind a wrapper a fault test can arm; the real node's own start names any host miss.
    const runc = real.wanted
      ? await checkHost().then(
          (h) => h.runc,
          () => null,
        )
      : null;
    let leakyRuntime: LeakyRuntime | undefined;
    if (runc) {
      runtimeDir = await mkdtemp(join(tmpdir(), 'kaic-test-runtime-'));
      leakyRuntime = await createLeakyRuntime(runtimeDir, runc);
    }
    provider = new KwokProvider({
      minor,
      nodeGroups: [{ ...TEST_NODES }],
      realNode: real.wanted && (leakyRuntime ? { ociRuntime: leakyRuntime.path } : true),
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
    cluster = {
      handle,
      release,
      kubeConfig,
      ...(handle.realNode
        ? { realNode: handle.realNode, ...(leakyRuntime ? { leakyRuntime } : {}) }
        : { noRealNodeReason: real.reason ?? 'not started' }),
    };
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await provider?.down();
    if (runtimeDir) await rm(runtimeDir, { recursive: true, force: true });
    runtimeDir = null;
    removeSignalHandlers?.();
    cluster = null;
  },
};
