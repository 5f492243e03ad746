/**
 * What the real test node needs from this machine, checked before anything starts, and the
 * machine-wide traces kubelet and containerd leave (mounts, cgroups, network namespaces, sysctls,
 * iptables chains, directories), recorded at start and removed at stop.
 */
import { existsSync } from 'node:fs';
import { readFile, readdir, readlink, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { execa } from 'execa';

import { defaultRouteAddress } from '../../util/net.js';
import { isProcessAlive } from '../../util/processes.js';

export class RealNodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RealNodeError';
  }
}

export interface HostFacts {
  cgroupVersion: 1 | 2;
  /** v1: the mount point of each controller hierarchy; v2: the unified mount. */
  cgroupMounts: string[];
  runc: string;
  cniBinDir: string;
  /** Without CAP_SYS_RESOURCE runc cannot lower a container's oom_score_adj below its own. */
  canLowerOomScore: boolean;
  nodeIp: string;
}

interface MountEntry {
  mountPoint: string;
  fsType: string;
  superOptions: string;
}

/** /proc/self/mountinfo, mount points unescaped. */
export async function readMounts(): Promise<MountEntry[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [left = '', right = ''] = line.split(' - ');
      const fields = left.split(' ');
      const [fsType = '', , superOptions = ''] = right.split(' ');
      const mountPoint = (fields[4] ?? '').replace(/\\(\d{3})/g, (_, o: string) =>
        String.fromCharCode(parseInt(o, 8)),
      );
      return { mountPoint, fsType, superOptions };
    });
}

export async function cgroupMounts(): Promise<{ version: 1 | 2; mounts: string[] }> {
  const mounts = await readMounts();
  const root = mounts.find((m) => m.mountPoint === '/sys/fs/cgroup');
  if (root?.fsType === 'cgroup2') return { version: 2, mounts: ['/sys/fs/cgroup'] };
  const v1 = mounts.filter((m) => m.fsType === 'cgroup').map((m) => m.mountPoint);
  // A hybrid host also mounts a (mostly empty) cgroup2 beside the v1 hierarchies.
  const unified = mounts.filter((m) => m.fsType === 'cgroup2').map((m) => m.mountPoint);
  return { version: 1, mounts: [...v1, ...unified] };
}

const V1_CONTROLLERS = ['cpu', 'cpuacct', 'cpuset', 'memory', 'pids', 'devices', 'freezer'];

async function findExecutable(names: string[], dirs: string[]): Promise<string | null> {
  for (const name of names) {
    for (const dir of dirs) {
      if (existsSync(join(dir, name))) return join(dir, name);
    }
  }
  return null;
}

const PATH_DIRS = () => (process.env.PATH ?? '').split(':').filter(Boolean);

/** Every requirement checked, every miss reported at once with its fix. */
export async function checkHost(options: { nodeIp?: string } = {}): Promise<HostFacts> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) {
    problems.push(
      'not root: kubelet and containerd manage mounts, cgroups and network namespaces (run as root, or start the cluster without the real node)',
    );
  }
  const filesystems = await readFile('/proc/filesystems', 'utf8').catch(() => '');
  if (!/\boverlay\b/.test(filesystems)) {
    problems.push(
      'the kernel offers no overlay filesystem, which containerd unpacks images onto (modprobe overlay)',
    );
  }
  if (!existsSync('/dev/kmsg')) {
    problems.push('/dev/kmsg is missing: kubelet watches it for OOM kills');
  }
  const cgroups = await cgroupMounts();
  if (cgroups.version === 1) {
    const present = new Set(cgroups.mounts.flatMap((m) => m.split('/').pop()?.split(',') ?? []));
    const missing = V1_CONTROLLERS.filter((c) => !present.has(c));
    if (missing.length) {
      problems.push(
        `cgroup v1 controllers not mounted under /sys/fs/cgroup: ${missing.join(', ')}`,
      );
    }
  }
  const runc = await findExecutable(
    ['runc'],
    ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', ...PATH_DIRS()],
  );
  if (!runc) problems.push('runc is not installed (apt-get install runc)');
  let cniBinDir = '';
  for (const dir of ['/usr/lib/cni', '/opt/cni/bin']) {
    if (['bridge', 'host-local', 'loopback'].every((p) => existsSync(join(dir, p)))) {
      cniBinDir = dir;
      break;
    }
  }
  if (!cniBinDir) {
    problems.push(
      'the CNI plugins bridge, host-local and loopback are not in /usr/lib/cni or /opt/cni/bin (apt-get install containernetworking-plugins)',
    );
  }
  for (const tool of ['ip', 'iptables-save', 'openssl', 'tar', 'umount']) {
    if (
      !(await findExecutable([tool], ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...PATH_DIRS()]))
    ) {
      problems.push(
        `${tool} is not installed (apt-get install iproute2 iptables openssl tar mount)`,
      );
    }
  }
  problems.push(...(await foreignKubelet(cgroups.mounts)));
  if (problems.length) {
    throw new RealNodeError(
      `this machine cannot run the real test node:\n  - ${problems.join('\n  - ')}`,
    );
  }
  const status = await readFile('/proc/self/status', 'utf8');
  const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? '0'}`);
  const CAP_SYS_RESOURCE = 24n;
  return {
    cgroupVersion: cgroups.version,
    cgroupMounts: cgroups.mounts,
    runc: runc as string,
    cniBinDir,
    canLowerOomScore: ((capEff >> CAP_SYS_RESOURCE) & 1n) === 1n,
    nodeIp:
      options.nodeIp ??
      (await defaultRouteAddress().catch((error: Error) => {
        throw new RealNodeError(
          `${error.message}: the API server reaches the kubelet on the node address. ` +
            'Bring up a network interface, or pass nodeIp.',
        );
      })),
  };
}

/**
 * Whether a process runs inside a container, as a kind node's kubelet does: in a mount namespace
 * of its own (its /var/lib/kubelet is not this machine's) and, in every hierarchy, in a cgroup below
 * the top level (`/docker/<id>`, `/docker/<id>/kubelet.slice/…`, `/system.slice/docker-<id>.scope/…`),
 * under which its pods' cgroups go too; such a kubelet shares nothing with the real node. (One whose
 * pods would go to the top-level `kubepods` is still caught by the stray-`kubepods` check.)
 */
export function isContainedProcess(
  ownMountNamespace: string,
  mountNamespace: string,
  cgroupFile: string,
): boolean {
  if (!mountNamespace || mountNamespace === ownMountNamespace) return false;
  const paths = cgroupFile
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(':').slice(2).join(':'));
  return paths.length > 0 && paths.every((path) => path.split('/').filter(Boolean).length >= 2);
}

/**
 * A kubelet that is not kaic's (this machine is a Kubernetes node): the real node would share its
 * kubepods cgroups and fixed directories, and its cleanup would kill that kubelet's pods. A
 * kubelet inside a container (a kind node) shares neither, and is no reason to refuse.
 */
async function foreignKubelet(mounts: string[]): Promise<string[]> {
  const ownMountNamespace = await readlink('/proc/self/ns/mnt').catch(() => '');
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile(`/proc/${entry}/comm`, 'utf8').catch(() => '')).trim();
    if (comm !== 'kubelet') continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    // An exited kubelet not yet reaped (a zombie: no command line) runs nothing; a run killed
    // with its node leaves one until its new parent collects it.
    if (!cmdline || !isProcessAlive(Number(entry))) continue;
    if (!cmdline.includes('/real-node/')) {
      const contained = isContainedProcess(
        ownMountNamespace,
        await readlink(`/proc/${entry}/ns/mnt`).catch(() => ''),
        await readFile(`/proc/${entry}/cgroup`, 'utf8').catch(() => ''),
      );
      if (contained) continue;
      return [
        `a kubelet that is not kaic's runs here (pid ${entry}): this machine is a Kubernetes node, and a second kubelet would share its cgroups and directories`,
      ];
    }
  }
  // kubepods left by a kaic node whose owner died is removed by the next start; any other is not ours.
  if (!existsSync(REAL_NODE_LOCK)) {
    const stray = mounts.map((m) => join(m, PODS_CGROUP)).find((d) => existsSync(d));
    if (stray) {
      return [
        `${stray} exists but no kaic real node owns it: another kubelet's pods may live there (remove it only if you know it is stale)`,
      ];
    }
  }
  return [];
}

/** Held by the one real node of this machine: `{ pid, dir }` of its owner. */
export const REAL_NODE_LOCK = '/run/kaic-real-node.lock';
/** The real node's CNI bridge. */
export const REAL_NODE_BRIDGE = 'kaic0';
/** cgroup subtree kubelet (cgroupfs driver, cgroupsPerQOS) puts every pod under. */
export const PODS_CGROUP = 'kubepods';
/**
 * containerd's default state directory: every runc shim puts its socket under `s/` there, and the
 * CRI plugin its runc root under `runc/<namespace>`, whatever containerd's own configuration, so
 * any containerd on the machine (the real node's, Docker's) may create it.
 */
export const CONTAINERD_RUN_DIR = '/run/containerd';

/** Fixed host paths kubelet and containerd's shims use whatever their configuration says. */
export const FIXED_HOST_PATHS = [
  '/var/lib/kubelet',
  '/var/log/containers',
  '/var/log/pods',
  CONTAINERD_RUN_DIR,
];

/** True when `path` holds nothing but (nested) empty directories. */
async function onlyEmptyDirectories(path: string): Promise<boolean> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => null);
  if (!entries) return false;
  for (const entry of entries) {
    if (!entry.isDirectory()) return false;
    if (!(await onlyEmptyDirectories(join(path, entry.name)))) return false;
  }
  return true;
}

/**
 * Removes containerd's default state directory once no shim or runtime of any containerd has
 * anything in it, whoever created it: a containerd that starts later makes it again. The real
 * node and the tests' private Docker both leave it this way, and which one made it depends on
 * which started first; a system containerd's socket there keeps it.
 */
export async function removeIdleContainerdRunDir(dir = CONTAINERD_RUN_DIR): Promise<boolean> {
  if (!(await onlyEmptyDirectories(dir))) return false;
  await rm(dir, { recursive: true, force: true });
  return true;
}

/** The sysctls kubelet sets at start (unless protectKernelDefaults); restored at stop. */
export const KUBELET_SYSCTLS = ['vm/overcommit_memory', 'kernel/panic', 'kernel/panic_on_oops'];

export async function readSysctls(): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const key of KUBELET_SYSCTLS) {
    values[key] = (await readFile(`/proc/sys/${key}`, 'utf8').catch(() => '')).trim();
  }
  return values;
}

export async function restoreSysctls(values: Record<string, string>): Promise<string[]> {
  const changed: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    const now = (await readFile(`/proc/sys/${key}`, 'utf8').catch(() => '')).trim();
    if (now !== value) {
      await writeFile(`/proc/sys/${key}`, value).catch(() => undefined);
      changed.push(`${key.replace('/', '.')} ${now} → ${value}`);
    }
  }
  return changed;
}

const IPTABLES = ['iptables', 'ip6tables'] as const;

/** `<tool>/<table>/<chain>` for every chain of iptables and ip6tables, to tell which kubelet adds. */
export async function iptablesChains(): Promise<string[]> {
  const chains: string[] = [];
  for (const tool of IPTABLES) {
    const result = await execa(`${tool}-save`, [], { reject: false });
    let table = '';
    for (const line of result.stdout.split('\n')) {
      if (line.startsWith('*')) table = line.slice(1);
      const chain = /^:(\S+)/.exec(line)?.[1];
      if (chain) chains.push(`${tool}/${table}/${chain}`);
    }
  }
  return chains;
}

/** Splits an iptables-save rule into arguments (double quotes group words). */
export function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] as string),
  );
}

/** Deletes chains (as iptablesChains names them), first the rules that jump to them. */
export async function removeIptablesChains(chains: string[]): Promise<void> {
  for (const entry of chains) {
    const [tool, table, chain] = entry.split('/') as [string, string, string];
    const saved = await execa(`${tool}-save`, ['-t', table], { reject: false });
    for (const line of saved.stdout.split('\n')) {
      const args = splitRule(line);
      if (args[0] !== '-A' || !args.includes(chain) || args[1] === chain) continue;
      await execa(tool, ['-t', table, '-D', ...args.slice(1)], { reject: false });
    }
    await execa(tool, ['-t', table, '-F', chain], { reject: false });
    await execa(tool, ['-t', table, '-X', chain], { reject: false });
  }
}

/** Unmounts everything at or below `prefix`, deepest first; returns what was unmounted. */
export async function unmountBelow(prefix: string): Promise<string[]> {
  const under = (await readMounts())
    .map((m) => m.mountPoint)
    .filter((p) => p === prefix || p.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of under) {
    const result = await execa('umount', [mountPoint], { reject: false });
    if (result.exitCode !== 0) await execa('umount', ['--lazy', mountPoint], { reject: false });
  }
  return under;
}

/** Pids in a cgroup subtree (v1 or v2 layout alike). */
async function cgroupPids(dir: string): Promise<number[]> {
  const pids: number[] = [];
  const own = await readFile(join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
  pids.push(...own.split('\n').filter(Boolean).map(Number));
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) pids.push(...(await cgroupPids(join(dir, entry.name))));
  }
  return pids;
}

async function removeCgroupTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeCgroupTree(join(dir, entry.name));
  }
  await rmdir(dir).catch(() => undefined);
}

/**
 * Kills what is left in the `name` cgroup subtree of every hierarchy and removes the subtree.
 * Returns the directories that could not be removed.
 */
export async function removeCgroups(mounts: string[], name: string): Promise<string[]> {
  const roots = mounts.map((m) => join(m, name)).filter((d) => existsSync(d));
  for (const root of roots) {
    for (const pid of await cgroupPids(root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
  }
  const left: string[] = [];
  for (const root of roots) {
    for (let attempt = 0; attempt < 20 && existsSync(root); attempt++) {
      await removeCgroupTree(root);
      if (existsSync(root)) await new Promise((r) => setTimeout(r, 100));
    }
    if (existsSync(root)) left.push(root);
  }
  return left;
}

/** Network namespaces under /run/netns made at or after `since` (ms). */
export async function netnsSince(since: number): Promise<string[]> {
  const dir = '/run/netns';
  const names: string[] = [];
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const info = await stat(join(dir, name)).catch(() => null);
    if (info && info.mtimeMs >= since - 1000 && name.startsWith('cni-'))
      names.push(join(dir, name));
  }
  return names;
}

/**
 * Every machine-wide trace a real node can leave, one line each: mounts and processes of kaic's
 * nodes, pod cgroups, CNI network namespaces, the bridge, KUBE-* iptables chains, kubelet's fixed
 * directories. Compared before and after a run to prove nothing was left behind.
 */
export async function hostTraces(): Promise<string[]> {
  const traces: string[] = [];
  for (const m of await readMounts()) {
    if (
      /\/real-node(\/|$)|^\/run\/netns\/cni-|^\/var\/lib\/kubelet|^\/run\/containerd/.test(
        m.mountPoint,
      )
    ) {
      traces.push(`mount ${m.mountPoint}`);
    }
  }
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = (await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => ''))
      .split('\0')
      .join(' ');
    if (/\/real-node\//.test(cmdline) && /kubelet|containerd/.test(cmdline)) {
      traces.push(`process ${entry}: ${cmdline.slice(0, 120)}`);
    }
  }
  const { mounts } = await cgroupMounts();
  for (const mount of mounts) {
    if (existsSync(join(mount, PODS_CGROUP))) traces.push(`cgroup ${join(mount, PODS_CGROUP)}`);
  }
  for (const name of await readdir('/run/netns').catch(() => [] as string[])) {
    if (name.startsWith('cni-')) traces.push(`netns /run/netns/${name}`);
  }
  if (existsSync(`/sys/class/net/${REAL_NODE_BRIDGE}`)) {
    traces.push(`network interface ${REAL_NODE_BRIDGE}`);
  }
  for (const chain of await iptablesChains()) {
    if (/\/KUBE-[^/]*$/.test(chain)) traces.push(`iptables chain ${chain}`);
  }
  for (const path of FIXED_HOST_PATHS) {
    if (existsSync(path)) traces.push(`directory ${path}`);
  }
  if (existsSync(REAL_NODE_LOCK)) traces.push(`lock ${REAL_NODE_LOCK}`);
  return traces;
}
