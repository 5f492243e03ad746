/**
 * A private Docker daemon for tests that need one (kind), started from the machine's `dockerd`
 * (Debian's docker.io) on a socket of its own, so the tests never touch a Docker the machine
 * already runs.
 *
 * Where the host's root lacks a capability Docker grants privileged containers (this project's CI
 * machine has no CAP_SYS_RESOURCE), runc refuses every privileged container ("unable to apply
 * caps"), and kind's nodes are privileged. The daemon then runs containers through a runtime that
 * first trims the capabilities a container or exec asks for to the host's bounding set.
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

import { execa, type ResultPromise } from 'execa';

import { removeIdleContainerdRunDir } from '../../src/providers/real-node/host.js';
import { waitFor } from '../../src/util/wait.js';

/** Capability names by bit number (linux/capability.h), for reading CapBnd. */
const CAPABILITIES = [
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'KILL',
  'SETGID',
  'SETUID',
  'SETPCAP',
  'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_ADMIN',
  'NET_RAW',
  'IPC_LOCK',
  'IPC_OWNER',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_CHROOT',
  'SYS_PTRACE',
  'SYS_PACCT',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_NICE',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'MKNOD',
  'LEASE',
  'AUDIT_WRITE',
  'AUDIT_CONTROL',
  'SETFCAP',
  'MAC_OVERRIDE',
  'MAC_ADMIN',
  'SYSLOG',
  'WAKE_ALARM',
  'BLOCK_SUSPEND',
  'AUDIT_READ',
  'PERFMON',
  'BPF',
  'CHECKPOINT_RESTORE',
];

/** The capabilities Docker knows that this process's bounding set lacks. */
export async function missingCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8');
  const bounding = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  return CAPABILITIES.filter((_, bit) => ((bounding >> BigInt(bit)) & 1n) === 0n);
}

/**
 * The runtime wrapper: finds the OCI spec runc is handed (the bundle's config.json for create and
 * run, the --process file for exec), drops the capabilities the host lacks, then runs runc.
 */
function boundedRuncScript(runc: string, missing: string[]): string {
  const drop = JSON.stringify(missing.map((c) => `CAP_${c}`));
  return `#!/bin/sh
# runc with the capabilities the host lacks (${missing.join(', ')}) removed from what a container asks for.
bundle= process= prev=
for arg in "$@"; do
  case "$prev" in --bundle|-b) bundle=$arg ;; --process|-p) process=$arg ;; esac
  case "$arg" in --bundle=*) bundle=\${arg#--bundle=} ;; --process=*) process=\${arg#--process=} ;; esac
  prev=$arg
done
spec=
[ -n "$bundle" ] && [ -f "$bundle/config.json" ] && spec=$bundle/config.json
[ -n "$process" ] && [ -f "$process" ] && spec=$process
if [ -n "$spec" ]; then
  ${JSON.stringify(process.execPath)} -e '
    const fs = require("fs"); const file = process.argv[1]; const drop = new Set(${drop});
    const spec = JSON.parse(fs.readFileSync(file, "utf8"));
    const caps = spec.process ? spec.process.capabilities : spec.capabilities;
    if (caps) {
      for (const set of Object.keys(caps)) caps[set] = caps[set].filter((c) => !drop.has(c));
      fs.writeFileSync(file, JSON.stringify(spec));
    }' "$spec" || exit 1
fi
exec ${runc} "$@"
`;
}

export interface PrivateDocker {
  env: { DOCKER_HOST: string };
  /** Why privileged containers needed the trimming runtime, or null. */
  trimmed: string | null;
  stop(): Promise<void>;
}

/**
 * Starts dockerd with its data in `dataRoot` (kept between runs when it is in the cache) and its
 * socket and state in `runDir`. No firewall rules and no default bridge: kind makes its own
 * network, and publishes the API server through Docker's userland proxy.
 */
export async function startPrivateDocker(dataRoot: string, runDir: string): Promise<PrivateDocker> {
  await mkdir(runDir, { recursive: true });
  await mkdir(dataRoot, { recursive: true });
  const socket = join(runDir, 'docker.sock');
  const missing = await missingCapabilities();
  const args = [
    '--iptables=false',
    '--ip6tables=false',
    '--bridge=none',
    `--data-root=${dataRoot}`,
    `--exec-root=${join(runDir, 'exec')}`,
    `--pidfile=${join(runDir, 'docker.pid')}`,
    `-H=unix://${socket}`,
  ];
  let trimmed: string | null = null;
  if (missing.length) {
    const runc = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p)) ?? 'runc';
    const wrapper = join(runDir, 'runc-bounded');
    await writeFile(wrapper, boundedRuncScript(runc, missing));
    await chmod(wrapper, 0o755);
    args.push(`--add-runtime=bounded=${wrapper}`, '--default-runtime=bounded');
    trimmed = `this host lacks ${missing.map((c) => `CAP_${c}`).join(', ')}`;
  }
  const daemon: ResultPromise = execa('dockerd', args, {
    reject: false,
    stdio: ['ignore', 'ignore', 'ignore'],
    cleanup: true,
  });
  const env = { DOCKER_HOST: `unix://${socket}` };
  await waitFor(
    'the private Docker daemon',
    async () =>
      (await execa('docker', ['info'], { env, reject: false })).exitCode === 0 ? true : undefined,
    60_000,
  );
  return {
    env,
    trimmed,
    stop: async () => {
      if (daemon.exitCode === null) {
        daemon.kill('SIGTERM');
        await daemon;
      }
      // Its containerd's shims used /run/containerd/s whatever its state directory; gone when
      // no containerd (the real node's beside it) still has anything there.
      await removeIdleContainerdRunDir();
    },
  };
}
