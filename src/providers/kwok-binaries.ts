/**
 * Where the kwok provider's binaries come from, in order: a directory the user names
 * (KAIC_KUBERNETES_BIN_DIR, every binary required there), kaic's cache, the PATH (taken only when
 * every binary is there and kube-apiserver is of the wanted minor), else a build from the Go
 * module proxy. Each found kube-apiserver is asked for its version, so a binary of another minor
 * is never used by mistake.
 */
import { join } from 'node:path';

import { execa } from 'execa';

import type { BinaryPaths } from '../cache.js';
import { UsageError } from '../errors.js';
import { findOnPath, isExecutable } from '../util/executables.js';
import type { KubernetesRelease } from '../versions/kubernetes.js';

export const BINARY_FILES: Record<keyof BinaryPaths, string> = {
  etcd: 'etcd',
  kubeApiserver: 'kube-apiserver',
  kubeControllerManager: 'kube-controller-manager',
  kubeScheduler: 'kube-scheduler',
  kubectl: 'kubectl',
  kwok: 'kwok',
  kwokctl: 'kwokctl',
};

export const BIN_DIR_VARIABLE = 'KAIC_KUBERNETES_BIN_DIR';

/** `Kubernetes v1.35.4` → `1.35`; null when the binary does not say. */
export async function kubeApiserverMinor(file: string): Promise<string | null> {
  const result = await execa(file, ['--version'], { reject: false, timeout: 30_000 });
  const match = /v(\d+\.\d+)\.\d+/.exec(result.stdout ?? '');
  return match ? match[1]! : null;
}

/** Every binary from one directory; a missing one or another minor is an error naming the fix. */
export async function binariesFromDir(
  dir: string,
  release: KubernetesRelease,
  source = BIN_DIR_VARIABLE,
): Promise<BinaryPaths> {
  const paths = Object.fromEntries(
    Object.entries(BINARY_FILES).map(([key, file]) => [key, join(dir, file)]),
  ) as unknown as BinaryPaths;
  const missing = Object.values(BINARY_FILES).filter((f) => !isExecutable(join(dir, f)));
  if (missing.length) {
    throw new UsageError(
      `${source}=${dir} lacks ${missing.join(', ')} (it must hold ${Object.values(BINARY_FILES).join(', ')}); ` +
        `unset it to use kaic's cache and builds`,
    );
  }
  const minor = await kubeApiserverMinor(paths.kubeApiserver);
  if (minor !== release.minor) {
    throw new UsageError(
      `${source}=${dir}: its kube-apiserver is ${minor ? `Kubernetes ${minor}` : 'of unknown version'}, ` +
        `the run asks for ${release.minor}; point it at ${release.minor} binaries or pass --kubernetes-version ${minor ?? '<minor>'}`,
    );
  }
  return paths;
}

/**
 * Every binary from the PATH, or the reason it cannot be (one missing, or kube-apiserver of
 * another minor).
 */
export async function binariesFromPath(
  release: KubernetesRelease,
  pathVariable = process.env.PATH ?? '',
): Promise<{ paths: BinaryPaths } | { reason: string }> {
  const found: Partial<Record<keyof BinaryPaths, string>> = {};
  for (const [key, file] of Object.entries(BINARY_FILES) as Array<[keyof BinaryPaths, string]>) {
    const path = findOnPath(file, pathVariable);
    if (!path) return { reason: `${file} is not on PATH` };
    found[key] = path;
  }
  const paths = found as BinaryPaths;
  const minor = await kubeApiserverMinor(paths.kubeApiserver);
  if (minor !== release.minor) {
    return {
      reason: `${paths.kubeApiserver} is ${minor ? `Kubernetes ${minor}` : 'of unknown version'}, not ${release.minor}`,
    };
  }
  return { paths };
}
