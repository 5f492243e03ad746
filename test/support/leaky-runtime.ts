/**
 * A planted runtime fault for the secure_accelerator_access suite: an OCI runtime wrapper that,
 * when armed, adds GPU device nodes to containers Kubernetes never gave a device, the way a
 * misconfigured NVIDIA container runtime in legacy mode hands every container all GPUs (or every
 * container whose image sets NVIDIA_VISIBLE_DEVICES=all). Disarmed it just runs runc.
 *
 * A kubelet plugin cannot do this: kubelet asks it only about claimed containers, so the leak has
 * to sit in the runtime. The wrapper is the real node's `ociRuntime` in every cluster test run;
 * the fault test arms it by writing the leak file and disarms it by removing the file.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Which containers get the devices. */
export type LeakMode = 'every-container' | 'nvidia-visible-devices-all';

export interface LeakyRuntime {
  /** The wrapper, for RealNodeOptions.ociRuntime. */
  path: string;
  /** From now on, containers created get `devices` (/dev paths, char major/minor). */
  arm(
    mode: LeakMode,
    devices: Array<{ path: string; major: number; minor: number }>,
  ): Promise<void>;
  disarm(): Promise<void>;
}

/**
 * Edits the bundle's config.json of a `runc create` (OCI runtime spec: linux.devices plus a
 * device-cgroup allow rule for each), then returns; the shell wrapper then runs runc. Plain
 * JavaScript run by this Node, so the wrapper needs nothing else.
 */
const PATCH_SCRIPT = `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const [leakFile, ...args] = process.argv.slice(2);
if (!args.includes('create')) process.exit(0);
let bundle = '';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--bundle' || args[i] === '-b') bundle = args[i + 1] ?? '';
  else if (args[i].startsWith('--bundle=')) bundle = args[i].slice('--bundle='.length);
}
if (!bundle) process.exit(0);
const leak = JSON.parse(readFileSync(leakFile, 'utf8'));
const configPath = join(bundle, 'config.json');
const spec = JSON.parse(readFileSync(configPath, 'utf8'));
const env = spec.process?.env ?? [];
if (leak.mode === 'nvidia-visible-devices-all' && !env.includes('NVIDIA_VISIBLE_DEVICES=all')) {
  process.exit(0);
}
spec.linux ??= {};
spec.linux.devices ??= [];
spec.linux.resources ??= {};
spec.linux.resources.devices ??= [];
for (const d of leak.devices) {
  if (spec.linux.devices.some((x) => x.path === d.path)) continue;
  spec.linux.devices.push({ path: d.path, type: 'c', major: d.major, minor: d.minor, fileMode: 438, uid: 0, gid: 0 });
  spec.linux.resources.devices.push({ allow: true, type: 'c', major: d.major, minor: d.minor, access: 'rwm' });
}
writeFileSync(configPath, JSON.stringify(spec));
`;

export async function createLeakyRuntime(dir: string, runc: string): Promise<LeakyRuntime> {
  await mkdir(dir, { recursive: true });
  const leakFile = join(dir, 'leak.json');
  const patch = join(dir, 'patch-spec.mjs');
  const path = join(dir, 'kaic-test-runtime');
  await writeFile(patch, PATCH_SCRIPT);
  await writeFile(
    path,
    [
      '#!/bin/sh',
      '# kaic test runtime: runc, plus the planted device leak while leak.json exists.',
      `if [ -f '${leakFile}' ]; then`,
      `  '${process.execPath}' '${patch}' '${leakFile}' "$@" || exit 1`,
      'fi',
      `exec '${runc}' "$@"`,
      '',
    ].join('\n'),
    { mode: 0o755 },
  );
  return {
    path,
    async arm(mode, devices) {
      await writeFile(leakFile, JSON.stringify({ mode, devices }));
    },
    async disarm() {
      await rm(leakFile, { force: true });
    },
  };
}
