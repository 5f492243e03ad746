/**
 * kaic's binaries kept between workflow runs with the Actions cache (@actions/cache): the cache
 * directory's `bin/` and `charts/`, what the release downloads and the Go builds put there (not
 * Go's own module and build caches: gigabytes that a later run does not need once the binaries
 * are there).
 *
 * The key is what the cache holds: every stamped directory's component and version (the pinned
 * versions kaic downloaded or built), per platform and Kubernetes minor. A run restores the most
 * recent entry of its platform and minor; when it needed nothing new, the key it computes
 * afterwards is the one it restored, and nothing is saved; when it downloaded or built something
 * (a new pin, a first run), it saves under the new key, so the next run finds everything. A
 * matrix leg per minor keeps its own line of entries.
 *
 * A cache that cannot be reached, denied or failing never fails the step: it is said once as a
 * warning, and the run downloads or builds what it must.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { hostPlatform } from '../versions/downloads.js';

/** What a stamped directory says it holds (src/binaries/build.ts writes the stamp). */
const STAMP = 'kaic-build.json';

/** The parts of kaic's cache directory that are kept. */
export function cachedPaths(root: string): string[] {
  return [join(root, 'bin'), join(root, 'charts')];
}

/**
 * cachedPaths, each made to exist: the cache entry's version is a digest of the paths, so restore
 * and save must name the same ones.
 */
async function existingCachedPaths(root: string): Promise<string[]> {
  const paths = cachedPaths(root);
  for (const path of paths) await mkdir(path, { recursive: true });
  return paths;
}

/** The key prefix of one platform and minor: a restore takes its most recent entry. */
export function cacheKeyPrefix(minor: string, platform = hostPlatform()): string {
  return `kaic-binaries-${platform}-${minor}-`;
}

/**
 * The `component@version` of every complete (stamped) directory two levels under each kept path
 * (`bin/<component>/<version>`, `charts/<name>/<version>`), sorted.
 */
export async function cacheContents(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const top of cachedPaths(root)) {
    if (!existsSync(top)) continue;
    for (const name of await readdir(top)) {
      if (name.startsWith('.')) continue;
      const dir = join(top, name);
      const versions = await readdir(dir).catch(() => [] as string[]);
      for (const version of versions) {
        const stamp = join(dir, version, STAMP);
        if (!existsSync(stamp)) continue;
        const said = JSON.parse(await readFile(stamp, 'utf8')) as {
          component?: string;
          version?: string;
        };
        found.push(`${said.component ?? name}@${said.version ?? version}`);
      }
    }
  }
  return [...new Set(found)].sort();
}

/** The key of what `root` holds now: the prefix, then a digest of cacheContents. */
export async function cacheKey(root: string, minor: string, platform = hostPlatform()) {
  const contents = await cacheContents(root);
  const digest = createHash('sha256').update(contents.join('\n')).digest('hex').slice(0, 16);
  return { key: `${cacheKeyPrefix(minor, platform)}${digest}`, contents };
}

export interface BinaryCacheOptions {
  root: string;
  minor: string;
  log: (line: string) => void;
  warn: (line: string) => void;
}

/** What restore found, for save to compare against. */
export interface RestoredBinaries {
  /** The key restored, or null when nothing matched. */
  restoredKey: string | null;
}

/**
 * Restores the newest kept binaries of this platform and minor into `root`. Null when the Actions
 * cache is not available here (outside GitHub Actions, or a runner without the cache service):
 * then save does nothing either.
 */
export async function restoreBinaries(
  options: BinaryCacheOptions,
): Promise<RestoredBinaries | null> {
  // Loaded on use: the cache client and its storage SDK are most of the action's bundle.
  const actionsCache = await import('@actions/cache');
  if (!actionsCache.isFeatureAvailable()) {
    options.log('kaic: binary cache: the Actions cache is not available here; not used');
    return null;
  }
  const prefix = cacheKeyPrefix(options.minor);
  const t0 = Date.now();
  try {
    const paths = await existingCachedPaths(options.root);
    const restoredKey = (await actionsCache.restoreCache(paths, prefix, [prefix])) ?? null;
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    options.log(
      restoredKey
        ? `kaic: binary cache: restored ${restoredKey} in ${seconds} s`
        : `kaic: binary cache: nothing kept yet for ${prefix}* (${seconds} s); downloads and builds are kept at the end`,
    );
    return { restoredKey };
  } catch (error) {
    options.warn(
      `kaic: binary cache: not restored (${(error as Error).message}); downloading or building instead`,
    );
    return { restoredKey: null };
  }
}

/**
 * Keeps `root`'s binaries when they differ from what was restored (a new key). Says what it did;
 * never throws.
 */
export async function saveBinaries(
  restored: RestoredBinaries | null,
  options: BinaryCacheOptions,
): Promise<void> {
  if (!restored) return;
  try {
    const { key, contents } = await cacheKey(options.root, options.minor);
    if (contents.length === 0) {
      options.log('kaic: binary cache: nothing downloaded or built; nothing to keep');
      return;
    }
    if (key === restored.restoredKey) {
      options.log(`kaic: binary cache: unchanged (${key}); not saved again`);
      return;
    }
    const t0 = Date.now();
    const actionsCache = await import('@actions/cache');
    const id = await actionsCache.saveCache(await existingCachedPaths(options.root), key);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    if (id === -1) {
      options.log(
        `kaic: binary cache: ${key} not saved (the cache service declined; ${seconds} s)`,
      );
    } else {
      options.log(
        `kaic: binary cache: saved ${key} (${contents.length} components) in ${seconds} s`,
      );
    }
  } catch (error) {
    options.warn(`kaic: binary cache: not saved (${(error as Error).message})`);
  }
}
