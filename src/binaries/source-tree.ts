/**
 * Builds Go programs from a project's source tree rather than from a module proxy: for projects
 * whose repository no proxy can serve (file names module zips forbid). The source is a directory,
 * a .tar.gz archive, or an http(s) URL of one; it is unpacked (or copied) into a scratch directory
 * so the build never writes into the user's tree, its go.mod must name the expected module, and
 * its dependencies come from the usual module proxy, checked against go.sum. The binaries land,
 * checked and stamped, in kaic's cache like every other build.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import { execa } from 'execa';

import { withLockFile } from '../util/processes.js';
import {
  BuildError,
  formatSeconds,
  goEnv,
  goVersion,
  isComplete,
  runChecks,
  runGo,
  writeStamp,
  type BuildCheck,
  type ProgressLog,
} from './build.js';

export interface SourceTreeRecipe {
  readonly component: string;
  readonly version: string;
  /** The module path the tree's go.mod must declare: a wrong archive is refused, not built. */
  readonly module: string;
  readonly outDir: (root: string) => string;
  /** Main packages, relative to the module root (`./cmd/device-plugin`). */
  readonly packages: readonly string[];
  /** Binary names expected in outDir (Go names each after its package's last element). */
  readonly binaries: readonly string[];
  readonly verify: readonly BuildCheck[];
}

/**
 * Builds the recipe from `source`, or finds it in the cache (then logs "cached" and returns
 * false). `sourceSetting` names where `source` came from, for errors (`KAIC_…=<value>`).
 */
export async function buildSourceTree(
  recipe: SourceTreeRecipe,
  source: string,
  sourceSetting: string,
  log: ProgressLog,
  root: string,
): Promise<boolean> {
  const outDir = recipe.outDir(root);
  const cached = async () => {
    const complete = await isComplete(outDir, recipe.binaries);
    if (complete) log(`${recipe.component} ${recipe.version}: cached (${outDir})`);
    return complete;
  };
  if (await cached()) return false;
  await mkdir(join(root, 'bin'), { recursive: true });
  // Again under the lock: a build that held it may have just finished.
  return withLockFile(
    join(root, 'bin', `.lock-${recipe.component}-${recipe.version}`),
    async () => !(await cached()) && buildLocked({ recipe, source, sourceSetting, log, root }),
    {
      timeoutMs: 60 * 60_000,
      onWait: (pid) =>
        log(`${recipe.component} ${recipe.version}: waiting for the build in pid ${pid}`),
    },
  );
}

async function buildLocked(build: {
  recipe: SourceTreeRecipe;
  source: string;
  sourceSetting: string;
  log: ProgressLog;
  root: string;
}): Promise<boolean> {
  const { recipe, source, sourceSetting, log, root } = build;
  const started = Date.now();
  const scratch = join(root, 'bin', `.src-${recipe.component}-${randomBytes(4).toString('hex')}`);
  const tmpOut = join(root, 'bin', `.tmp-${recipe.component}-${randomBytes(4).toString('hex')}`);
  await mkdir(scratch, { recursive: true });
  await mkdir(tmpOut, { recursive: true });
  try {
    const tree = join(scratch, 'tree');
    await unpack(source, sourceSetting, scratch, tree, log, recipe);
    const moduleRoot = await findModuleRoot(tree, recipe.module, source, sourceSetting);
    const env = goEnv(root);
    log(`${recipe.component} ${recipe.version}: resolving modules`);
    await runGo(['mod', 'download'], {
      cwd: moduleRoot,
      env,
      label: `${recipe.component} module download`,
      log,
    });
    log(`${recipe.component} ${recipe.version}: compiling ${recipe.binaries.join(', ')}`);
    await runGo(
      ['build', '-v', '-trimpath', '-ldflags', '-s -w', '-o', `${tmpOut}/`, ...recipe.packages],
      { cwd: moduleRoot, env, label: `${recipe.component} build`, log },
    );
    for (const binary of recipe.binaries) {
      if (!existsSync(join(tmpOut, binary))) {
        throw new BuildError(`${recipe.component} build produced no ${binary}`);
      }
    }
    await runChecks(recipe.verify, tmpOut);
    await writeStamp(tmpOut, {
      component: recipe.component,
      version: recipe.version,
      builtAt: new Date().toISOString(),
      goVersion: await goVersion(),
      seconds: Math.round((Date.now() - started) / 1000),
    });
    const outDir = recipe.outDir(root);
    await rm(outDir, { recursive: true, force: true });
    await mkdir(join(outDir, '..'), { recursive: true });
    await rename(tmpOut, outDir);
    log(`${recipe.component} ${recipe.version}: built in ${formatSeconds(Date.now() - started)}`);
    return true;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    await rm(tmpOut, { recursive: true, force: true });
  }
}

/** The source as a tree under `tree`: a directory copied, an archive (local or fetched) unpacked. */
async function unpack(
  source: string,
  setting: string,
  scratch: string,
  tree: string,
  log: ProgressLog,
  recipe: SourceTreeRecipe,
): Promise<void> {
  await mkdir(tree, { recursive: true });
  let archive = source;
  if (/^https?:\/\//.test(source)) {
    archive = join(scratch, 'source.tar.gz');
    log(`${recipe.component} ${recipe.version}: downloading ${source}`);
    const res = await fetch(source, { signal: AbortSignal.timeout(10 * 60_000) }).catch(
      (error: Error) => {
        throw new BuildError(
          `${setting}=${source}: cannot download it (${error.message}); point ${setting} at a local copy of the archive or source directory`,
        );
      },
    );
    if (!res.ok || !res.body) {
      throw new BuildError(`${setting}=${source}: GET answered ${res.status} ${res.statusText}`);
    }
    await pipeline(Readable.fromWeb(res.body as never), createWriteStream(archive));
  } else {
    const info = await stat(source).catch(() => null);
    if (!info) throw new BuildError(`${setting}=${source}: no such file or directory`);
    if (info.isDirectory()) {
      await cp(source, tree, { recursive: true, filter: (path) => !path.endsWith('/.git') });
      return;
    }
  }
  const result = await execa('tar', ['-xzf', archive, '-C', tree], { reject: false, all: true });
  if (result.exitCode !== 0) {
    throw new BuildError(
      `${setting}=${source}: not a .tar.gz archive of the source (tar: ${String(result.all).trim().split('\n').slice(-2).join(' ')})`,
    );
  }
}

/** The tree itself or its one top-level directory (as archives hold it), declaring `module`. */
async function findModuleRoot(
  tree: string,
  module: string,
  source: string,
  setting: string,
): Promise<string> {
  const entries = await readdir(tree, { withFileTypes: true });
  const candidates = [
    tree,
    ...entries.filter((e) => e.isDirectory()).map((e) => join(tree, e.name)),
  ];
  for (const dir of candidates) {
    const goMod = await readFile(join(dir, 'go.mod'), 'utf8').catch(() => null);
    if (goMod === null) continue;
    const declared = /^module\s+(\S+)/m.exec(goMod)?.[1];
    if (declared === module) return dir;
    throw new BuildError(`${setting}=${source}: its go.mod declares ${declared}, not ${module}`);
  }
  throw new BuildError(`${setting}=${source}: no go.mod at its top or one directory down`);
}
