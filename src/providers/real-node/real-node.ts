/**
 * A real node beside the kwok nodes: containerd (CRI, CDI on) with the distribution's runc and
 * CNI plugins, and the release's kubelet, joined to the kwok cluster's API server with a client
 * certificate from the cluster CA. Pods on it run real containers, so logs, exec, device nodes
 * and kubelet plugins work for real.
 *
 * Everything it writes lives under one directory inside the cluster's; what kubelet and
 * containerd change elsewhere on the machine (sysctls, cgroups, iptables chains, network
 * namespaces, a few fixed directories) is recorded at start in state.json and undone by
 * cleanupRealNode(), which also runs for a node whose owner died. One real node per machine:
 * kubelet's device-plugin directory, its cgroup names and containerd's shim sockets are global.
 */
import { constants, existsSync } from 'node:fs';
import { access, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';

import type { ProgressLog } from '../../binaries/build.js';
import { ensureNodeBinaries } from '../../binaries/kubernetes.js';
import { nodeBinaryPaths, type NodeBinaryPaths } from '../../cache.js';
import {
  isProcessAlive,
  processCommandLine,
  sleep,
  terminateProcess,
} from '../../util/processes.js';
import { freePort } from '../../util/net.js';
import { issueCertificate } from '../../util/pki.js';
import { LOCAL_NODE_IMAGE_ALIASES, LOCAL_NODE_IMAGES } from '../../versions/images.js';
import type { KubernetesRelease } from '../../versions/kubernetes.js';
import {
  FIXED_HOST_PATHS,
  removeIdleContainerdRunDir,
  PODS_CGROUP,
  REAL_NODE_BRIDGE,
  REAL_NODE_LOCK,
  RealNodeError,
  checkHost,
  iptablesChains,
  netnsSince,
  readSysctls,
  removeCgroups,
  removeIptablesChains,
  restoreSysctls,
  unmountBelow,
  cgroupMounts,
  type HostFacts,
} from './host.js';
import { buildImageArchive, pinnedStandInNames, standInImageSpecs } from '../../images/busybox.js';

export { RealNodeError } from './host.js';

/**
 * Label on the real node, for node selectors. The node has no taint: it is where pods that know
 * nothing of kaic land (the simulated nodes are tainted, src/k8s/kwok-nodes.ts).
 */
export const REAL_NODE_LABEL = 'kaic.dev/real-node';

export interface RealNodeOptions {
  /** Node name; default `real-node-0`. */
  name?: string;
  labels?: Record<string, string>;
  /** Pod address range on the node's bridge; default 10.244.0.0/24. */
  podCidr?: string;
  /** The address the node reports; default the address of the default-route interface. */
  nodeIp?: string;
  binaries?: Partial<NodeBinaryPaths>;
  /** Build missing binaries (about two minutes on a warm Go cache). Default true. */
  buildMissing?: boolean;
  /** Seconds to wait for containerd and for the node to turn Ready. Default 120. */
  startTimeoutSeconds?: number;
  /**
   * The OCI runtime binary containerd's runc shim runs; default the distribution's runc. A
   * wrapper that edits the container's spec and then runs runc (the way NVIDIA's container
   * runtime does) goes here.
   */
  ociRuntime?: string;
}

/** What the kwok provider hands the real node. */
export interface RealNodeCluster {
  /** The kwok cluster directory: pki/ca.crt and pki/ca.key sign the node's certificate. */
  clusterDir: string;
  kubeconfigPath: string;
  release: KubernetesRelease;
  log: ProgressLog;
}

export interface RealNodeInfo {
  name: string;
  /** Everything the node writes lives here (logs/, pid files, containerd's root and state). */
  dir: string;
  nodeIp: string;
  kubeletPort: number;
  /** containerd's CRI socket. */
  containerdSocket: string;
  /** kubelet's root; plugins_registry/ and plugins/ below it are the kubelet plugin directories. */
  kubeletRootDir: string;
  pluginsRegistryDir: string;
  pluginsDir: string;
  /** containerd reads CDI specs from here. */
  cdiDir: string;
  cgroupVersion: 1 | 2;
  /** Image name → manifest digest, as imported. */
  images: Record<string, string>;
  startSeconds: number;
}

interface NodeState {
  ownerPid: number;
  startedAt: number;
  name: string;
  bridge: string;
  sysctls: Record<string, string>;
  iptablesChainsBefore: string[];
  /** Fixed host paths kubelet creates that did not exist before; removed at stop. */
  createdHostPaths: string[];
  cgroupMounts: string[];
}

export function realNodeDir(clusterDir: string): string {
  return join(clusterDir, 'real-node');
}

export class RealNode {
  private readonly dir: string;
  private readonly log: ProgressLog;
  private containerd: ResultPromise | null = null;
  private kubelet: ResultPromise | null = null;
  private stopPromise: Promise<void> | null = null;
  private started = false;

  constructor(
    private readonly cluster: RealNodeCluster,
    private readonly options: RealNodeOptions = {},
  ) {
    this.dir = realNodeDir(cluster.clusterDir);
    this.log = (line) => cluster.log(`real node: ${line}`);
  }

  get name(): string {
    return this.options.name ?? 'real-node-0';
  }

  async start(): Promise<RealNodeInfo> {
    if (this.started) throw new RealNodeError(`real node ${this.name} is already started`);
    this.started = true;
    const t0 = Date.now();
    const host = await checkHost(this.options.nodeIp ? { nodeIp: this.options.nodeIp } : {});
    if (this.options.ociRuntime !== undefined) await requireExecutable(this.options.ociRuntime);
    const bin = await this.binaries();
    await this.takeMachineLock();
    await mkdir(join(this.dir, 'logs'), { recursive: true });
    const state: NodeState = {
      ownerPid: process.pid,
      startedAt: Date.now(),
      name: this.name,
      bridge: REAL_NODE_BRIDGE,
      sysctls: await readSysctls(),
      iptablesChainsBefore: await iptablesChains(),
      createdHostPaths: FIXED_HOST_PATHS.filter((p) => !existsSync(p)),
      cgroupMounts: host.cgroupMounts,
    };
    await writeFile(join(this.dir, 'state.json'), `${JSON.stringify(state, null, 2)}\n`);
    if (existsSync(`/sys/class/net/${REAL_NODE_BRIDGE}`)) {
      throw new RealNodeError(
        `network interface ${REAL_NODE_BRIDGE} already exists: a real node from another run may still be up, ` +
          `or something else uses the name (remove it: ip link del ${REAL_NODE_BRIDGE})`,
      );
    }
    // A unix socket path has at most 107 bytes; a DRA driver's registration socket is the longest
    // (plugins_registry/<driver>-reg.sock), so leave room for a 16-byte driver name (gpu.nvidia.com has 14).
    const longestSocket = join(
      this.dir,
      'kubelet',
      'plugins_registry',
      `${'d'.repeat(16)}-reg.sock`,
    );
    if (Buffer.byteLength(longestSocket) > 107) {
      throw new RealNodeError(
        `the real node's directory ${this.dir} is too long for the kubelet's plugin sockets ` +
          `(${Buffer.byteLength(longestSocket)} bytes with a driver's registration socket; the limit is 107): ` +
          'set KAIC_KWOK_WORKDIR (or TMPDIR) to a shorter path',
      );
    }
    const podCidr = this.options.podCidr ?? '10.244.0.0/24';
    await this.checkCidrFree(podCidr);
    const kubeletPort = await freePort(host.nodeIp);
    const info: RealNodeInfo = {
      name: this.name,
      dir: this.dir,
      nodeIp: host.nodeIp,
      kubeletPort,
      containerdSocket: join(this.dir, 'containerd.sock'),
      kubeletRootDir: join(this.dir, 'kubelet'),
      pluginsRegistryDir: join(this.dir, 'kubelet', 'plugins_registry'),
      pluginsDir: join(this.dir, 'kubelet', 'plugins'),
      cdiDir: join(this.dir, 'cdi'),
      cgroupVersion: host.cgroupVersion,
      images: {},
      startSeconds: 0,
    };
    this.log(
      `starting ${this.name} (${host.nodeIp}, cgroup v${host.cgroupVersion}, pods ${podCidr}) in ${this.dir}`,
    );
    await this.startContainerd(bin, host, info, podCidr);
    info.images = await this.importImages(bin, info);
    await this.startKubelet(bin, host, info);
    await this.waitReady();
    info.startSeconds = (Date.now() - t0) / 1000;
    this.log(`${this.name} Ready in ${info.startSeconds.toFixed(1)}s`);
    return info;
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopPromise ??= (async () => {
      const t0 = Date.now();
      await cleanupRealNode(this.cluster.clusterDir, this.log, {
        binaries: { ...nodeBinaryPaths(this.cluster.release), ...this.options.binaries },
      });
      this.log(`stopped and cleaned up in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    })();
    return this.stopPromise;
  }

  private async binaries(): Promise<NodeBinaryPaths> {
    const paths = { ...nodeBinaryPaths(this.cluster.release), ...this.options.binaries };
    const missing = Object.entries(paths).filter(([, p]) => !existsSync(p));
    if (missing.length === 0) return paths;
    if (this.options.buildMissing === false) {
      throw new RealNodeError(
        `the real node's binaries are not built (missing ${missing.map(([k]) => k).join(', ')}); ` +
          `run: npm run k8s:build -- --node ${this.cluster.release.minor}`,
      );
    }
    this.log('building kubelet, containerd and crictl (first run only; cached after)');
    const built = await ensureNodeBinaries(this.cluster.release, (l) => this.log(`  ${l}`));
    return { ...built, ...this.options.binaries };
  }

  private async takeMachineLock(): Promise<void> {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(REAL_NODE_LOCK, 'wx');
        await handle.writeFile(`${JSON.stringify({ pid: process.pid, dir: this.dir })}\n`);
        await handle.close();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await lockHolder();
      if (holder && isProcessAlive(holder.pid)) throw realNodeTaken(holder);
      if (holder?.dir && existsSync(join(holder.dir, 'state.json'))) {
        this.log(`cleaning up a real node whose owner (pid ${holder.pid}) is gone: ${holder.dir}`);
        await cleanupRealNode(join(holder.dir, '..'), this.log, {
          binaries: nodeBinaryPaths(this.cluster.release),
        });
      }
      await rm(REAL_NODE_LOCK, { force: true });
    }
    throw new RealNodeError(`could not take ${REAL_NODE_LOCK}`);
  }

  private async checkCidrFree(cidr: string): Promise<void> {
    const result = await execa('ip', ['-j', '-4', 'route', 'show'], { reject: false });
    const routes = JSON.parse(result.stdout || '[]') as Array<{ dst: string; dev?: string }>;
    const [net] = cidr.split('/');
    const prefix = (net ?? '').split('.').slice(0, 3).join('.');
    const clash = routes.find((r) => r.dst !== 'default' && r.dst.startsWith(`${prefix}.`));
    if (clash) {
      throw new RealNodeError(
        `pod range ${cidr} overlaps the route ${clash.dst} (dev ${clash.dev ?? '?'}) on this machine; ` +
          'choose another with podCidr',
      );
    }
  }

  private async startContainerd(
    bin: NodeBinaryPaths,
    host: HostFacts,
    info: RealNodeInfo,
    podCidr: string,
  ): Promise<void> {
    const d = this.dir;
    const runtime = this.options.ociRuntime ?? host.runc;
    for (const sub of ['containerd/root', 'containerd/state', 'cni/net.d', 'cni/ipam', 'cdi']) {
      await mkdir(join(d, sub), { recursive: true });
    }
    await writeFile(
      join(d, 'cni', 'net.d', '10-kaic-bridge.conflist'),
      `${JSON.stringify(
        {
          cniVersion: '1.0.0',
          name: 'kaic-real-node',
          plugins: [
            {
              type: 'bridge',
              bridge: REAL_NODE_BRIDGE,
              isGateway: true,
              ipMasq: false,
              hairpinMode: true,
              ipam: {
                type: 'host-local',
                ranges: [[{ subnet: podCidr }]],
                routes: [{ dst: '0.0.0.0/0' }],
                dataDir: join(d, 'cni', 'ipam'),
              },
            },
          ],
        },
        null,
        2,
      )}\n`,
    );
    // Config version 3 (containerd 2.x). Paths are TOML literal strings (no escapes).
    const config = [
      'version = 3',
      `root = '${d}/containerd/root'`,
      `state = '${d}/containerd/state'`,
      '',
      '[grpc]',
      `  address = '${info.containerdSocket}'`,
      '[ttrpc]',
      `  address = '${info.containerdSocket}.ttrpc'`,
      '',
      "[plugins.'io.containerd.cri.v1.images']",
      "  snapshotter = 'overlayfs'",
      "  [plugins.'io.containerd.cri.v1.images'.pinned_images]",
      `    sandbox = '${LOCAL_NODE_IMAGES.pause}'`,
      '',
      "[plugins.'io.containerd.cri.v1.runtime']",
      '  enable_cdi = true',
      `  cdi_spec_dirs = ['${info.cdiDir}']`,
      `  restrict_oom_score_adj = ${!host.canLowerOomScore}`,
      "  [plugins.'io.containerd.cri.v1.runtime'.containerd]",
      "    default_runtime_name = 'runc'",
      "    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
      "      runtime_type = 'io.containerd.runc.v2'",
      "      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
      `        BinaryName = '${runtime}'`,
      `        SystemdCgroup = false`,
      "  [plugins.'io.containerd.cri.v1.runtime'.cni]",
      `    bin_dirs = ['${host.cniBinDir}']`,
      `    conf_dir = '${d}/cni/net.d'`,
      '',
      "[plugins.'io.containerd.grpc.v1.cri']",
      "  stream_server_address = '127.0.0.1'",
      "  stream_server_port = '0'",
      '',
    ].join('\n');
    await writeFile(join(d, 'containerd.toml'), config);
    if (!host.canLowerOomScore) {
      this.log(
        'no CAP_SYS_RESOURCE here: containerd keeps container oom_score_adj at or above its own',
      );
    }
    const logFile = join(d, 'logs', 'containerd.log');
    this.containerd = execa(bin.containerd, ['--config', join(d, 'containerd.toml')], {
      // The runc shim is found on PATH.
      env: { PATH: `${join(bin.containerdShim, '..')}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', { file: logFile }, { file: logFile }],
      reject: false,
      cleanup: false,
    });
    this.containerd.catch(() => undefined);
    await writeFile(join(d, 'containerd.pid'), `${this.containerd.pid}\n`);
    await this.waitFor(
      async () => {
        if (this.containerd?.exitCode !== null) {
          throw new RealNodeError(
            `containerd exited during start-up (exit ${this.containerd?.exitCode}):\n${await logTail(logFile)}`,
          );
        }
        const probe = await execa(bin.ctr, ['--address', info.containerdSocket, 'version'], {
          reject: false,
        });
        return probe.exitCode === 0;
      },
      'containerd to answer on its socket',
      logFile,
    );
  }

  /** Builds the stand-in images and imports them under the names containerd's CRI looks up. */
  private async importImages(
    bin: NodeBinaryPaths,
    info: RealNodeInfo,
  ): Promise<Record<string, string>> {
    const archive = join(this.dir, 'images.tar');
    const specs = standInImageSpecs();
    const digests = await buildImageArchive(specs, archive);
    const ctr = [bin.ctr, '--address', info.containerdSocket, '-n', 'k8s.io'];
    const imported = await execa(ctr[0] as string, [...ctr.slice(1), 'images', 'import', archive], {
      reject: false,
      all: true,
    });
    if (imported.exitCode !== 0) {
      throw new RealNodeError(`ctr images import ${archive} failed:\n${imported.all ?? ''}`);
    }
    // The CRI looks images up by their fully qualified name; ask it how it qualifies each name
    // and add that name too.
    const listed = await this.crictl(bin, info.containerdSocket, ['images', '-o', 'json']);
    const images = (JSON.parse(listed) as { images: Array<{ id: string; repoTags: string[] }> })
      .images;
    // Tags `source` as `name` (where they differ) and requires the CRI to find the image by `ask`.
    const tagAndCheck = async (source: string, name: string, ask: string, what: string) => {
      if (name !== source) {
        await execa(ctr[0] as string, [...ctr.slice(1), 'images', 'tag', '--force', source, name]);
      }
      const check = await execa(
        bin.crictl,
        ['--runtime-endpoint', `unix://${info.containerdSocket}`, 'inspecti', ask],
        { reject: false },
      );
      if (check.exitCode !== 0) {
        throw new RealNodeError(
          `${what} is not visible to containerd's CRI: ${check.stderr.trim()}`,
        );
      }
    };
    for (const spec of specs) {
      const short = spec.name;
      const qualified = images
        .flatMap((i) => i.repoTags)
        .find(
          (t) => t === short || t.endsWith(`/${short.includes('/') ? short : `library/${short}`}`),
        );
      await tagAndCheck(short, qualified ?? short, short, `image ${short} after import`);
    }
    for (const { pinned, standIn, qualified } of pinnedStandInNames()) {
      await tagAndCheck(standIn, qualified, pinned, `stand-in ${standIn} as ${pinned}`);
    }
    this.log(
      `images imported: ${specs.map((s) => s.name).join(', ')}; pinned names of stand-ins: ${Object.keys(LOCAL_NODE_IMAGE_ALIASES).join(', ')}`,
    );
    return digests;
  }

  private async crictl(bin: NodeBinaryPaths, socket: string, args: string[]): Promise<string> {
    const result = await execa(bin.crictl, ['--runtime-endpoint', `unix://${socket}`, ...args], {
      reject: false,
      timeout: 60_000,
    });
    if (result.exitCode !== 0) {
      throw new RealNodeError(`crictl ${args.join(' ')} failed: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }

  private async startKubelet(
    bin: NodeBinaryPaths,
    host: HostFacts,
    info: RealNodeInfo,
  ): Promise<void> {
    const d = this.dir;
    const pki = join(this.cluster.clusterDir, 'pki');
    await mkdir(join(d, 'pki'), { recursive: true });
    await mkdir(info.kubeletRootDir, { recursive: true });
    await this.issueClientCertificate(pki, join(d, 'pki'));
    const clusterKc = new k8s.KubeConfig();
    clusterKc.loadFromFile(this.cluster.kubeconfigPath);
    const server = clusterKc.getCurrentCluster()?.server;
    if (!server) throw new RealNodeError(`${this.cluster.kubeconfigPath} names no server`);
    await writeFile(
      join(d, 'kubelet.kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          { name: 'kwok', cluster: { server, 'certificate-authority': join(pki, 'ca.crt') } },
        ],
        users: [
          {
            name: this.name,
            user: {
              'client-certificate': join(d, 'pki', 'node.crt'),
              'client-key': join(d, 'pki', 'node.key'),
            },
          },
        ],
        contexts: [{ name: 'node', context: { cluster: 'kwok', user: this.name } }],
        'current-context': 'node',
      }),
    );
    const config = {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      address: info.nodeIp,
      port: info.kubeletPort,
      readOnlyPort: 0,
      healthzPort: 0,
      containerRuntimeEndpoint: `unix://${info.containerdSocket}`,
      cgroupDriver: 'cgroupfs',
      // cgroup v1 is in maintenance from 1.31 and refused by default from 1.35; this machine has it.
      failCgroupV1: false,
      failSwapOn: false,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: join(pki, 'ca.crt') },
      },
      authorization: { mode: 'Webhook' },
      // A test node on a shared disk: evict only when truly out of room, never GC our images.
      evictionHard: {
        'memory.available': '50Mi',
        'nodefs.available': '1%',
        'nodefs.inodesFree': '1%',
        'imagefs.available': '1%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      podLogsDir: join(d, 'pod-logs'),
      volumePluginDir: join(d, 'volume-plugins'),
      resolvConf: '',
      serializeImagePulls: false,
      nodeStatusUpdateFrequency: '4s',
      featureGates: this.cluster.release.featureGates,
    };
    await writeFile(join(d, 'kubelet.yaml'), stringify(config));
    const labels = {
      [REAL_NODE_LABEL]: 'true',
      ...this.options.labels,
    };
    const args = [
      `--config=${join(d, 'kubelet.yaml')}`,
      `--kubeconfig=${join(d, 'kubelet.kubeconfig')}`,
      `--root-dir=${info.kubeletRootDir}`,
      `--cert-dir=${join(d, 'kubelet-pki')}`,
      `--hostname-override=${this.name}`,
      `--node-ip=${info.nodeIp}`,
      `--node-labels=${Object.entries(labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
      '--v=2',
    ];
    const logFile = join(d, 'logs', 'kubelet.log');
    this.kubelet = execa(bin.kubelet, args, {
      stdio: ['ignore', { file: logFile }, { file: logFile }],
      reject: false,
      cleanup: false,
    });
    this.kubelet.catch(() => undefined);
    await writeFile(join(d, 'kubelet.pid'), `${this.kubelet.pid}\n`);
  }

  /** A client certificate for system:node:<name> in system:nodes, signed by the cluster CA. */
  private async issueClientCertificate(clusterPki: string, out: string): Promise<void> {
    try {
      await issueCertificate({
        caCert: join(clusterPki, 'ca.crt'),
        caKey: join(clusterPki, 'ca.key'),
        subject: `/O=system:nodes/CN=system:node:${this.name}`,
        dir: out,
        name: 'node',
        usage: 'client',
      });
    } catch (error) {
      throw new RealNodeError((error as Error).message);
    }
  }

  private async waitReady(): Promise<void> {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(this.cluster.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const logFile = join(this.dir, 'logs', 'kubelet.log');
    await this.waitFor(
      async () => {
        if (this.kubelet?.exitCode !== null) {
          throw new RealNodeError(
            `kubelet exited during start-up (exit ${this.kubelet?.exitCode}):\n${await logTail(logFile, 20)}`,
          );
        }
        const node = await core.readNode({ name: this.name }).catch(() => null);
        return Boolean(
          node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
          !node.spec?.taints?.some((t) => t.key.startsWith('node.kubernetes.io/')),
        );
      },
      `node ${this.name} to turn Ready`,
      logFile,
    );
  }

  private async waitFor(
    check: () => Promise<boolean>,
    what: string,
    logFile: string,
  ): Promise<void> {
    const timeoutMs = (this.options.startTimeoutSeconds ?? 120) * 1000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(250);
    }
    throw new RealNodeError(
      `timed out after ${timeoutMs / 1000}s waiting for ${what}; last lines of ${logFile}:\n${await logTail(logFile, 15)}`,
    );
  }
}

async function logTail(file: string, lines = 10): Promise<string> {
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-lines).join('\n') || '(empty log)';
}

async function stopByPidFile(pidFile: string, expect: string, graceMs: number): Promise<void> {
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  if (!pid) return;
  const cmdline = await processCommandLine(pid);
  if (cmdline?.includes(expect)) await terminateProcess(pid, graceMs);
}

/** Pids of runc shims serving the containerd at `socket`. */
async function shimPids(socket: string): Promise<number[]> {
  const pids: number[] = [];
  const { readdir } = await import('node:fs/promises');
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!pid) continue;
    const cmdline = await processCommandLine(pid);
    if (cmdline?.includes('containerd-shim') && cmdline.includes(socket)) pids.push(pid);
  }
  return pids;
}

/**
 * Stops and removes the real node under `clusterDir` (if any), whether its owner is this process
 * or one that died: kubelet, then every pod sandbox through the CRI (so CNI releases addresses
 * and network namespaces), containerd and its shims, then mounts, cgroups, the bridge, kubelet's
 * iptables chains and host directories, and the sysctls kubelet changed.
 */
export async function cleanupRealNode(
  clusterDir: string,
  log: ProgressLog,
  options: { binaries: NodeBinaryPaths },
): Promise<void> {
  const dir = realNodeDir(clusterDir);
  const statePath = join(dir, 'state.json');
  if (!existsSync(statePath)) {
    await rm(dir, { recursive: true, force: true });
    return;
  }
  const state = JSON.parse(await readFile(statePath, 'utf8')) as NodeState;
  const socket = join(dir, 'containerd.sock');
  await stopByPidFile(join(dir, 'kubelet.pid'), dir, 10_000);
  if (existsSync(socket)) {
    const result = await execa(
      options.binaries.crictl,
      ['--runtime-endpoint', `unix://${socket}`, '--timeout', '20s', 'rmp', '--all', '--force'],
      { reject: false, timeout: 90_000, all: true },
    );
    if (result.exitCode !== 0)
      log(`crictl rmp --all failed (cleaning up by hand): ${result.all ?? ''}`);
  }
  await stopByPidFile(join(dir, 'containerd.pid'), dir, 10_000);
  for (const pid of await shimPids(socket)) await terminateProcess(pid, 2000);
  const leftovers: string[] = [];
  const mounts = state.cgroupMounts.length ? state.cgroupMounts : (await cgroupMounts()).mounts;
  leftovers.push(...(await removeCgroups(mounts, PODS_CGROUP)));
  for (const netns of await netnsSince(state.startedAt)) {
    await execa('umount', [netns], { reject: false });
    await rm(netns, { force: true });
  }
  const unmounted = await unmountBelow(dir);
  if (unmounted.length) log(`unmounted ${unmounted.length} leftover mounts under ${dir}`);
  if (existsSync(`/sys/class/net/${state.bridge}`)) {
    await execa('ip', ['link', 'del', state.bridge], { reject: false });
  }
  const before = new Set(state.iptablesChainsBefore);
  const added = (await iptablesChains()).filter((c) => !before.has(c) && /\/KUBE-[^/]*$/.test(c));
  await removeIptablesChains(added);
  for (const path of state.createdHostPaths) {
    await unmountBelow(path);
    await rm(path, { recursive: true, force: true });
  }
  // Also when another containerd (Docker's) made it first and has since let go of it.
  await removeIdleContainerdRunDir();
  const restored = await restoreSysctls(state.sysctls);
  if (restored.length) log(`sysctls restored: ${restored.join(', ')}`);
  const stillMounted = await unmountBelow(dir);
  if (stillMounted.length) leftovers.push(...stillMounted.map((m) => `mount ${m}`));
  await rm(dir, { recursive: true, force: true }).catch((error: Error) => {
    leftovers.push(`${dir}: ${error.message}`);
  });
  const lock = await readFile(REAL_NODE_LOCK, 'utf8').catch(() => '');
  if (lock.includes(dir)) await rm(REAL_NODE_LOCK, { force: true });
  if (leftovers.length) {
    throw new RealNodeError(`real node cleanup left: ${leftovers.join('; ')}`);
  }
}

/** Refuses an `ociRuntime` that is not an executable file, naming it. */
async function requireExecutable(path: string): Promise<void> {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new RealNodeError(`ociRuntime ${path} is not an executable file`);
  }
}

/** Who holds this machine's real node, as its lock file says (null: no lock, or unreadable). */
function lockHolder(): Promise<{ pid: number; dir: string } | null> {
  return readFile(REAL_NODE_LOCK, 'utf8')
    .then((t) => JSON.parse(t) as { pid: number; dir: string })
    .catch(() => null);
}

function realNodeTaken(holder: { pid: number; dir: string }): RealNodeError {
  return new RealNodeError(
    `another real node is running on this machine (owner pid ${holder.pid}, ${holder.dir}); ` +
      'only one fits, because kubelet and containerd use machine-wide paths and cgroups',
  );
}

/**
 * Throws when a live process holds this machine's real node: asked before a run creates
 * anything, so a second run is refused at once (starting the node takes the lock for good).
 */
export async function assertRealNodeFree(): Promise<void> {
  const holder = await lockHolder();
  if (holder && isProcessAlive(holder.pid)) throw realNodeTaken(holder);
}
