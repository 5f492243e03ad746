/**
 * The kwok provider: a real control plane (etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler) started as local processes by `kwokctl --runtime binary`, with nodes simulated
 * by kwok. Binaries come from kaic's cache (built from the Go module proxy); nothing is downloaded.
 *
 * Every cluster gets a unique name and an owner record (creator pid) written before kwokctl runs,
 * so a later start can tell a crashed run's leftovers from a live neighbour's cluster and remove
 * only the former.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';

import type { ProgressLog } from '../binaries/build.js';
import { ensureBinaries } from '../binaries/kubernetes.js';
import { binaryPaths, cacheDir, type BinaryPaths } from '../cache.js';
import {
  isProcessAlive,
  processCommandLine,
  sleep,
  terminateProcess,
  assertPortFree,
  withLockFile,
} from '../util/processes.js';
import {
  DEFAULT_TEST_MINOR,
  KWOK_VERSION,
  featureGatesFlag,
  isKubernetesMinor,
  kubernetesRelease,
  runtimeConfigFlag,
  type KubernetesMinor,
  type KubernetesRelease,
} from '../versions/kubernetes.js';
import { nodeBinaryPaths } from '../cache.js';
import {
  RealNode,
  cleanupRealNode,
  type RealNodeInfo,
  type RealNodeOptions,
} from './real-node/real-node.js';
import { KWOK_NODE_ANNOTATION, SIMULATED_NODE_TAINT } from '../k8s/kwok-nodes.js';
import { checkHost } from './real-node/host.js';
import { BIN_DIR_VARIABLE, binariesFromDir, binariesFromPath } from './kwok-binaries.js';
import type { ClusterHandle, NodeGroupSpec, OnCreated, ClusterLifecycle } from './types.js';

export interface KwokProviderOptions {
  minor: KubernetesMinor;
  nodeGroups: NodeGroupSpec[];
  /** Where kwokctl keeps cluster state; default $KAIC_KWOK_WORKDIR or <tmp>/kaic-kwok. */
  workdir?: string;
  /** Fixed kube-apiserver port; default a free one picked by kwokctl. */
  apiserverPort?: number;
  /** Build missing binaries (minutes on a cold cache) instead of failing. Default true. */
  buildMissing?: boolean;
  /**
   * Feature gates and runtime-config on top of the version table's, e.g. to switch an API off
   * for a planted-fault test.
   */
  overrides?: {
    featureGates?: Record<string, boolean>;
    runtimeConfig?: Record<string, string>;
  };
  /** Use these binaries instead of the cached builds (e.g. a patched kube-apiserver). */
  binaries?: Partial<BinaryPaths>;
  /** Told about the cluster before kwokctl creates anything. */
  onCreated?: OnCreated;
  /** Seconds to wait for the control plane. Default 120. */
  startTimeoutSeconds?: number;
  /**
   * The value of kwok's node annotation on the nodes this cluster's kwok controller runs
   * (default `fake`, which Karpenter's kwok provider also sets). Another value leaves
   * `fake` nodes to a controller of one's own, as on kind (the kind autoscaler test).
   */
  kwokNodeValue?: string;
  /**
   * Taint the simulated nodes with SIMULATED_NODE_TAINT, so only pods that opt in land where no
   * container runs (default true). false when they stand in for nodes that do run pods, as a
   * kind cluster's do (tests of what kaic installs there).
   */
  simulatedNodeTaint?: boolean;
  /**
   * Add one real node (kubelet + containerd) beside the kwok nodes; needs root and a few
   * packages (checked before anything starts). true for the defaults.
   */
  realNode?: boolean | RealNodeOptions;
  log?: ProgressLog;
}

export interface KwokClusterHandle extends ClusterHandle {
  /** The real node, when one was asked for. */
  realNode?: RealNodeInfo;
  /** The cluster CA (PEM files), for certificates of processes run beside the cluster. */
  ca: { cert: string; key: string };
}

interface OwnerRecord {
  pid: number;
  name: string;
  minor: string;
  createdAt: string;
}

export class KwokStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KwokStartError';
  }
}

class PortCollisionError extends Error {}

/** One lock for every kaic kwok start on this machine, whatever the work directory. */
const START_LOCK = join(tmpdir(), 'kaic-kwok-start.lock');

export function defaultKwokWorkdir(env: NodeJS.ProcessEnv = process.env): string {
  return env.KAIC_KWOK_WORKDIR || join(tmpdir(), 'kaic-kwok');
}

const KEPT_FAILED_LOGS = 10;

const DEFAULT_ALLOCATABLE = { cpu: '32', memory: '256Gi', pods: '110' };

export class KwokProvider implements ClusterLifecycle {
  readonly name = 'kwok' as const;
  private readonly release: KubernetesRelease;
  private readonly workdir: string;
  private readonly log: ProgressLog;
  private clusterName: string | null = null;
  private downPromise: Promise<void> | null = null;
  private realNode: RealNode | null = null;

  constructor(private readonly options: KwokProviderOptions) {
    const base = kubernetesRelease(options.minor);
    this.release = {
      ...base,
      featureGates: { ...base.featureGates, ...options.overrides?.featureGates },
      runtimeConfig: { ...base.runtimeConfig, ...options.overrides?.runtimeConfig },
    };
    this.workdir = options.workdir ?? defaultKwokWorkdir();
    this.log = options.log ?? (() => undefined);
    for (const group of options.nodeGroups) {
      if (!Number.isInteger(group.count) || group.count < 0) {
        throw new Error(
          `node group "${group.namePrefix}": count must be a whole number ≥ 0, got ${group.count}`,
        );
      }
    }
  }

  private clusterDir(name: string): string {
    return join(this.workdir, 'clusters', name);
  }

  private ownerPath(name: string): string {
    return join(this.workdir, 'owners', `${name}.json`);
  }

  private kwokEnv(): NodeJS.ProcessEnv {
    return { ...process.env, KWOK_WORKDIR: this.workdir };
  }

  async up(): Promise<KwokClusterHandle> {
    if (this.clusterName) throw new Error(`cluster ${this.clusterName} is already up`);
    const started = Date.now();
    const realNodeOptions = this.options.realNode === true ? {} : this.options.realNode || null;
    // A machine that cannot run the real node fails here, before anything is created.
    if (realNodeOptions) {
      await checkHost(realNodeOptions.nodeIp ? { nodeIp: realNodeOptions.nodeIp } : {});
    }
    const binaries = await this.binaries();
    await removeStaleClusters(this.workdir, binaries.kwokctl, this.log);
    if (this.options.apiserverPort) {
      await assertPortFree(this.options.apiserverPort, '127.0.0.1', 'kube-apiserver');
    }
    let name = await this.claimName(binaries.kwokctl);
    try {
      // kwokctl picks free ports when it starts; two starts at once can pick the same ones, so
      // starts are serialised across processes. Something else grabbing a port in between is
      // survived by one retry under a new name.
      for (let attempt = 1; ; attempt++) {
        try {
          await withLockFile(START_LOCK, () => this.createControlPlane(name, binaries), {
            onWait: (pid) =>
              this.log(`kwok: waiting for another cluster start to finish (pid ${pid})`),
          });
          break;
        } catch (error) {
          if (!(error instanceof PortCollisionError) || attempt >= 2) throw error;
          this.log(`kwok: ${error.message}; retrying under a new name`);
          await deleteCluster(this.workdir, name, binaries.kwokctl, this.log);
          name = await this.claimName(binaries.kwokctl);
        }
      }
      const kubeconfigPath = join(this.clusterDir(name), 'kubeconfig.yaml');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      const serverVersion = (await kc.makeApiClient(k8s.VersionApi).getCode()).gitVersion;
      this.log(
        `kwok: cluster ${name} up: kube-apiserver ${serverVersion} at ${kc.getCurrentCluster()?.server}`,
      );
      const nodes = await this.createNodes(kc);
      this.log(`kwok: ${nodes.length} simulated nodes Ready`);
      let realNode: RealNodeInfo | undefined;
      if (realNodeOptions) {
        this.realNode = new RealNode(
          {
            clusterDir: this.clusterDir(name),
            kubeconfigPath,
            release: this.release,
            log: this.log,
          },
          realNodeOptions,
        );
        realNode = await this.realNode.start();
      }
      this.log(`kwok: cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      return {
        provider: 'kwok',
        name,
        kubeconfigPath,
        serverVersion,
        minor: this.release.minor,
        nodes: realNode ? [...nodes, realNode.name] : nodes,
        ca: {
          cert: join(this.clusterDir(name), 'pki', 'ca.crt'),
          key: join(this.clusterDir(name), 'pki', 'ca.key'),
        },
        capabilities: {
          realContainers: false,
          realContainerNodes: realNode ? [realNode.name] : [],
          disposable: true,
          simulatedNodesTainted: this.options.simulatedNodeTaint !== false,
        },
        ...(realNode ? { realNode } : {}),
      };
    } catch (error) {
      const kept = await this.keepLogs(name);
      await this.down();
      if (kept && error instanceof Error) error.message += `\n(component logs kept in ${kept})`;
      throw error;
    }
  }

  /** Copies a failed cluster's component logs out of its directory before it is deleted. */
  private async keepLogs(name: string): Promise<string | null> {
    const from = join(this.clusterDir(name), 'logs');
    if (!existsSync(from)) return null;
    const keptDir = join(this.workdir, 'failed-logs');
    const to = join(keptDir, name);
    await cp(from, to, { recursive: true }).catch(() => undefined);
    // Keep the newest few failures, not every one ever.
    const kept = await readdir(keptDir, { withFileTypes: true });
    const byAge = await Promise.all(
      kept.map(async (d) => ({
        path: join(keptDir, d.name),
        mtime: (await stat(join(keptDir, d.name))).mtimeMs,
      })),
    );
    for (const old of byAge.sort((a, b) => b.mtime - a.mtime).slice(KEPT_FAILED_LOGS)) {
      await rm(old.path, { recursive: true, force: true });
    }
    return existsSync(to) ? to : null;
  }

  /** A fresh unique name, recorded as ours before kwokctl creates anything under it. */
  private async claimName(kwokctl: string): Promise<string> {
    const name = `kaic-${this.release.minor.replace('.', '')}-${randomBytes(3).toString('hex')}`;
    this.clusterName = name;
    const owner: OwnerRecord = {
      pid: process.pid,
      name,
      minor: this.release.minor,
      createdAt: new Date().toISOString(),
    };
    await mkdir(join(this.workdir, 'owners'), { recursive: true });
    await writeFile(this.ownerPath(name), `${JSON.stringify(owner)}\n`);
    this.options.onCreated?.({ type: 'kwok-cluster', workdir: this.workdir, name, kwokctl });
    return name;
  }

  async down(): Promise<void> {
    if (!this.clusterName) return;
    this.downPromise ??= (async () => {
      const name = this.clusterName as string;
      const started = Date.now();
      await this.realNode?.stop().catch((error: Error) => this.log(`kwok: ${error.message}`));
      const kwokctl =
        this.options.binaries?.kwokctl ?? binaryPaths(this.release, KWOK_VERSION).kwokctl;
      await deleteCluster(this.workdir, name, kwokctl, this.log);
      this.log(`kwok: cluster ${name} deleted in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    })();
    return this.downPromise;
  }

  private async binaries(): Promise<BinaryPaths> {
    const binDir = process.env[BIN_DIR_VARIABLE];
    if (binDir) {
      const fromDir = await binariesFromDir(binDir, this.release);
      this.log(
        `kwok: Kubernetes ${this.release.minor} binaries from ${BIN_DIR_VARIABLE}=${binDir}`,
      );
      return { ...fromDir, ...this.options.binaries };
    }
    const paths = { ...binaryPaths(this.release, KWOK_VERSION), ...this.options.binaries };
    const missing = Object.values(paths).filter((p) => !existsSync(p));
    if (missing.length === 0) return paths;
    const onPath = await binariesFromPath(this.release);
    if ('paths' in onPath) {
      this.log(
        `kwok: Kubernetes ${this.release.minor} binaries from PATH (${dirname(onPath.paths.kubeApiserver)})`,
      );
      return { ...onPath.paths, ...this.options.binaries };
    }
    if (this.options.buildMissing === false) {
      throw new KwokStartError(
        `Kubernetes ${this.release.minor} binaries are not built yet (missing ${missing.map((p) => basename(p)).join(', ')} ` +
          `under ${cacheDir()}; not from PATH: ${onPath.reason}); run: npm run k8s:build -- ${this.release.minor}`,
      );
    }
    this.log(
      `kwok: downloading or building Kubernetes ${this.release.minor} binaries (first run only; cached after)`,
    );
    const built = await ensureBinaries(this.release, (line) => this.log(`  ${line}`), cacheDir());
    return { ...built, ...this.options.binaries };
  }

  private async createControlPlane(name: string, bin: BinaryPaths): Promise<void> {
    const timeout = this.options.startTimeoutSeconds ?? 120;
    const args = [
      'create',
      'cluster',
      '--name',
      name,
      '--runtime',
      'binary',
      // Never touch the user's ~/.kube/config: the handle carries its own kubeconfig.
      '--kubeconfig',
      '',
      '--etcd-binary',
      bin.etcd,
      '--kube-apiserver-binary',
      bin.kubeApiserver,
      '--kube-controller-manager-binary',
      bin.kubeControllerManager,
      '--kube-scheduler-binary',
      bin.kubeScheduler,
      '--kwok-controller-binary',
      bin.kwok,
      '--disable-qps-limits',
      ...extraArgsFlags({
        // kwok simulates only the nodes we create for it (annotated), never a real kubelet's node.
        'kwok-controller': [
          ['manage-all-nodes', 'false'],
          [
            'manage-nodes-with-annotation-selector',
            `${KWOK_NODE_ANNOTATION}=${this.options.kwokNodeValue ?? 'fake'}`,
          ],
        ],
        // The HPA acts every 5 s instead of every 15 s: an interval kaic chooses for its own
        // cluster, so pod_autoscaling decides sooner; the suite assumes no interval (docs/suites.md).
        'kube-controller-manager': [['horizontal-pod-autoscaler-sync-period', '5s']],
        // The API server reaches kubelets (logs, exec) by node address, as a cluster admin.
        'kube-apiserver': [
          ['kubelet-preferred-address-types', 'InternalIP'],
          ['kubelet-client-certificate', join(this.clusterDir(name), 'pki', 'admin.crt')],
          ['kubelet-client-key', join(this.clusterDir(name), 'pki', 'admin.key')],
        ],
      }),
      '--timeout',
      `${timeout}s`,
      '--wait',
      `${timeout}s`,
    ];
    const gates = featureGatesFlag(this.release);
    const runtimeConfig = runtimeConfigFlag(this.release);
    if (gates) args.push('--kube-feature-gates', gates);
    if (runtimeConfig) args.push('--kube-runtime-config', runtimeConfig);
    if (this.options.apiserverPort)
      args.push('--kube-apiserver-port', String(this.options.apiserverPort));
    this.log(
      `kwok: starting control plane ${this.release.version} as ${name}` +
        (gates ? ` (gates ${gates}` : ' (no gates') +
        (runtimeConfig ? `; runtime-config ${runtimeConfig})` : ')'),
    );
    let output = '';
    const child: ResultPromise = execa(bin.kwokctl, args, {
      // kwokctl runs the first kubectl on PATH to see the apiserver serve; make it ours.
      env: {
        ...this.kwokEnv(),
        PATH: `${dirname(bin.kubectl)}${delimiter}${process.env.PATH ?? ''}`,
      },
      reject: false,
      all: true,
      buffer: false,
      // kwokctl forks the components itself; keep them out of our process group's signals so
      // a Ctrl-C reaches us first and we tear down in order.
      detached: false,
    });
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    // kwokctl waits for its whole timeout when a component dies at start; notice that early.
    let deadComponent: string | null = null;
    const watcher = (async () => {
      while (child.exitCode === null && deadComponent === null) {
        await sleep(500);
        deadComponent = await this.findDeadComponent(name);
        if (deadComponent) child.kill('SIGTERM');
      }
    })();
    const result = await child;
    await watcher;
    if (result.exitCode !== 0 || deadComponent) {
      const logs = await this.componentLogTails(name, deadComponent);
      if (/address already in use/.test(logs)) {
        throw new PortCollisionError(`a port kwokctl picked for ${name} was taken meanwhile`);
      }
      const why = deadComponent
        ? `${deadComponent} exited during start-up`
        : `kwokctl create cluster failed (exit ${result.exitCode ?? result.signal})`;
      throw new KwokStartError(
        `Kubernetes ${this.release.version} control plane did not start: ${why}.\n` +
          `${logs}\nkwokctl said:\n${summariseKwokctl(output)}`,
      );
    }
  }

  /** The first component whose pid file names a process that has exited. */
  private async findDeadComponent(name: string): Promise<string | null> {
    const pidsDir = join(this.clusterDir(name), 'pids');
    if (!existsSync(pidsDir)) return null;
    for (const file of await readdir(pidsDir)) {
      const pid = Number((await readFile(join(pidsDir, file), 'utf8').catch(() => '')).trim());
      if (pid && !isProcessAlive(pid)) return file.replace(/\.pid$/, '');
    }
    return null;
  }

  /** Log tails, the failed component's first and longest. */
  private async componentLogTails(name: string, failed: string | null): Promise<string> {
    const logsDir = join(this.clusterDir(name), 'logs');
    if (!existsSync(logsDir)) return '(no component logs were written)';
    const files = (await readdir(logsDir)).sort((a, b) =>
      a.startsWith(`${failed}.`) ? -1 : b.startsWith(`${failed}.`) ? 1 : a.localeCompare(b),
    );
    const parts: string[] = [];
    for (const file of files) {
      const text = await readFile(join(logsDir, file), 'utf8').catch(() => '');
      const lines = file.startsWith(`${failed}.`) ? 20 : 3;
      parts.push(`--- ${file} (last ${lines} lines) ---\n${tailLines(text, lines)}`);
    }
    return parts.join('\n');
  }

  private async createNodes(kc: k8s.KubeConfig): Promise<string[]> {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const names: string[] = [];
    for (const group of this.options.nodeGroups) {
      const allocatable = { ...DEFAULT_ALLOCATABLE, ...group.allocatable };
      for (let i = 0; i < group.count; i++) {
        const nodeName = `${group.namePrefix}-${i}`;
        const body: k8s.V1Node = {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: {
            name: nodeName,
            labels: {
              'kubernetes.io/hostname': nodeName,
              'kubernetes.io/os': 'linux',
              'kubernetes.io/arch': 'amd64',
              type: 'kwok',
              ...group.labels,
            },
            annotations: {
              [KWOK_NODE_ANNOTATION]: this.options.kwokNodeValue ?? 'fake',
              ...group.annotations,
            },
          },
          spec: {
            taints: [
              ...(this.options.simulatedNodeTaint === false
                ? []
                : [{ ...SIMULATED_NODE_TAINT, value: this.options.kwokNodeValue ?? 'fake' }]),
              ...(group.taints ?? []).map((t) => ({ ...t })),
            ],
          },
          status: { allocatable, capacity: allocatable },
        };
        await core.createNode({ body });
        names.push(nodeName);
      }
    }
    await waitFor(
      async () => {
        const list = await core.listNode();
        // Ready, and the node controller has lifted its not-ready taint (it lags the condition),
        // so pods can be scheduled the moment up() returns.
        const ready = list.items.filter(
          (n) =>
            n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
            !n.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')),
        );
        return names.every((n) => ready.some((r) => r.metadata?.name === n));
      },
      60_000,
      `kwok did not mark nodes ${names.join(', ')} Ready`,
    );
    return names;
  }
}

/**
 * kwokctl's --extra-args, ordered so each component first appears at its own position: kwokctl
 * v0.8.0 indexes its per-component patch list by the flag's position and panics otherwise.
 */
export function extraArgsFlags(byComponent: Record<string, Array<[string, string]>>): string[] {
  const components = Object.keys(byComponent);
  const ordered = [
    ...components.flatMap((c) => (byComponent[c] ?? []).slice(0, 1).map((a) => [c, a] as const)),
    ...components.flatMap((c) => (byComponent[c] ?? []).slice(1).map((a) => [c, a] as const)),
  ];
  return ordered.flatMap(([component, [key, value]]) => [
    '--extra-args',
    `${component}=${key}=${value}`,
  ]);
}

/** The minor an owner record names, or the default one for records that name none. */
function parseMinorOr(minor: string | undefined): KubernetesMinor {
  return minor && isKubernetesMinor(minor) ? minor : DEFAULT_TEST_MINOR;
}

/** kwokctl logs JSON lines; keep the warnings and errors, as `LEVEL msg: err`. */
function summariseKwokctl(output: string): string {
  const lines: string[] = [];
  for (const line of output.trim().split('\n')) {
    try {
      const entry = JSON.parse(line) as { level?: string; msg?: string; err?: string };
      if (entry.level === 'WARN' || entry.level === 'ERROR') {
        lines.push(`${entry.level} ${entry.msg ?? ''}${entry.err ? `: ${entry.err.trim()}` : ''}`);
      }
    } catch {
      if (line.trim()) lines.push(line);
    }
  }
  return lines.slice(-8).join('\n') || '(nothing)';
}

function tailLines(text: string, lines: number): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number, message: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new KwokStartError(`${message} within ${timeoutMs / 1000}s`);
}

/**
 * Deletes one cluster: kwokctl first (stops components, removes its files), then whatever a
 * broken state left behind: processes named by pid files whose command line still points into
 * the cluster's directory, and the directory itself.
 */
export async function deleteCluster(
  workdir: string,
  name: string,
  kwokctl: string,
  log: ProgressLog,
): Promise<void> {
  const dir = join(workdir, 'clusters', name);
  const owner = await readFile(join(workdir, 'owners', `${name}.json`), 'utf8')
    .then((t) => JSON.parse(t) as OwnerRecord)
    .catch(() => null);
  // A real node goes first: its kubelet talks to this cluster, its mounts sit in this directory.
  await cleanupRealNode(dir, log, {
    binaries: nodeBinaryPaths(kubernetesRelease(parseMinorOr(owner?.minor))),
  }).catch((error: Error) => log(`kwok: ${error.message}`));
  if (existsSync(kwokctl) && existsSync(dir)) {
    const result = await execa(
      kwokctl,
      // kwokctl insists on a kubeconfig to remove the context from; give it a throwaway one.
      [
        'delete',
        'cluster',
        '--name',
        name,
        '--kubeconfig',
        join(workdir, 'owners', `${name}.kubeconfig`),
      ],
      { env: { ...process.env, KWOK_WORKDIR: workdir }, reject: false, all: true },
    );
    if (result.exitCode !== 0) {
      log(
        `kwok: kwokctl delete cluster ${name} failed, cleaning up by hand: ${tailLines(result.all ?? '', 3)}`,
      );
    }
  }
  const pidsDir = join(dir, 'pids');
  if (existsSync(pidsDir)) {
    for (const file of await readdir(pidsDir)) {
      const pid = Number((await readFile(join(pidsDir, file), 'utf8').catch(() => '')).trim());
      const cmdline = pid ? await processCommandLine(pid) : null;
      if (cmdline && cmdline.includes(dir)) await terminateProcess(pid);
    }
  }
  await rm(dir, { recursive: true, force: true });
  await rm(join(workdir, 'owners', `${name}.json`), { force: true });
  await rm(join(workdir, 'owners', `${name}.kubeconfig`), { force: true });
}

/**
 * Removes clusters left by runs that died without cleaning up: those whose owner process is gone,
 * and cluster directories with no owner record at all (the record is written before kwokctl runs).
 */
export async function removeStaleClusters(
  workdir: string,
  kwokctl: string,
  log: ProgressLog,
): Promise<string[]> {
  const removed: string[] = [];
  const ownersDir = join(workdir, 'owners');
  const clustersDir = join(workdir, 'clusters');
  const owned = new Map<string, OwnerRecord | null>();
  if (existsSync(ownersDir)) {
    for (const file of await readdir(ownersDir)) {
      if (!file.endsWith('.json')) continue;
      const record = await readFile(join(ownersDir, file), 'utf8')
        .then((t) => JSON.parse(t) as OwnerRecord)
        .catch(() => null);
      owned.set(file.replace(/\.json$/, ''), record);
    }
  }
  const names = new Set(owned.keys());
  if (existsSync(clustersDir)) for (const d of await readdir(clustersDir)) names.add(d);
  for (const name of names) {
    const record = owned.get(name);
    const alive = record ? record.pid !== process.pid && isProcessAlive(record.pid) : false;
    if (alive || record?.pid === process.pid) continue;
    log(
      `kwok: removing stale cluster ${name}` +
        (record ? ` (its owner pid ${record.pid} is gone)` : ' (no owner record)'),
    );
    await deleteCluster(workdir, name, kwokctl, log);
    removed.push(name);
  }
  return removed;
}
