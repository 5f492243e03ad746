/**
 * The one Go build routine: a recipe (src/binaries/recipes.ts: data beside the pinned version it
 * builds) goes in, its binaries come out in kaic's cache. And the one module copy: files (CRDs,
 * charts, manifests) taken from a module into the cache, nothing built.
 *
 * A module is not `go install`ed: each build is a throwaway wrapper module that requires the
 * release (and, for k8s.io/kubernetes, pins every staging module: src/binaries/kubernetes.ts).
 * Results land in a temporary directory and are renamed into place only when complete and
 * verified, so an interrupted build never leaves a half binary, and a rerun resumes from Go's
 * module and build caches. A directory is cached when it holds the stamp (kaic-build.json) and
 * every binary of the recipe.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa, type ResultPromise } from 'execa';

import { cacheDir, goCacheEnv } from '../cache.js';
import { InputError } from '../errors.js';
import { withLockFile } from '../util/processes.js';
import type { ReleaseFile } from '../versions/downloads.js';
import { downloadRelease } from './download.js';

export type ProgressLog = (line: string) => void;

export class BuildError extends InputError {
  override name = 'BuildError';
}

/** The stamp a complete directory holds (STAMP): what is in it, and how it got there. */
export interface Stamp {
  component: string;
  version: string;
  builtAt: string;
  goVersion: string;
  seconds: number;
  /** Set when the binaries are the release's own, downloaded rather than built. */
  downloadedFrom?: string[];
}

const STAMP = 'kaic-build.json';

/** Writes the stamp that marks `dir` complete. */
export async function writeStamp(dir: string, stamp: Stamp): Promise<void> {
  await writeFile(join(dir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
}

function tail(text: string, lines = 25): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Go's own environment plus our caches; GOFLAGS keeps what the user set and adds -mod=mod. */
export function goEnv(root: string): NodeJS.ProcessEnv {
  const userFlags = (process.env.GOFLAGS ?? '')
    .split(/\s+/)
    .filter((flag) => flag && !flag.startsWith('-mod='));
  return {
    ...process.env,
    ...goCacheEnv(root),
    GOFLAGS: [...userFlags, '-mod=mod'].join(' '),
    CGO_ENABLED: '0',
  };
}

/** Fails with one clear message when Go is missing or too old to read the modules. */
export async function goVersion(): Promise<string> {
  try {
    const { stdout } = await execa('go', ['env', 'GOVERSION']);
    return stdout.trim();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') {
      throw new BuildError(
        'Go is not installed or not on PATH: the Kubernetes binaries are built from the Go module ' +
          'proxy and need Go 1.25 or newer (Debian: apt-get install golang, or unpack a Go release ' +
          'and add its bin/ to PATH).',
      );
    }
    throw new BuildError(`"go env GOVERSION" failed: ${(error as Error).message}`);
  }
}

export interface ModuleInfo {
  Dir: string;
  GoMod: string;
}

export async function downloadModule(
  modulePath: string,
  version: string,
  env: NodeJS.ProcessEnv,
): Promise<ModuleInfo> {
  const ref = `${modulePath}@${version}`;
  const result = await execa('go', ['mod', 'download', '-json', ref], {
    env,
    reject: false,
    // Outside any module, so no go.mod around us is consulted or changed.
    cwd: tmpdir(),
  });
  let info: (ModuleInfo & { Error?: string }) | undefined;
  try {
    info = JSON.parse(result.stdout) as ModuleInfo & { Error?: string };
  } catch {
    info = undefined;
  }
  if (result.exitCode !== 0 || !info || info.Error) {
    throw new BuildError(
      `could not download ${ref} from the Go module proxy (GOPROXY=${env.GOPROXY ?? process.env.GOPROXY ?? 'default'}). ` +
        `Check network access to the proxy, or GOPROXY/GONOSUMDB settings.\n` +
        tail(`${info?.Error ?? ''}\n${result.stderr}`),
    );
  }
  return info;
}

interface GoModFacts {
  go: string;
  godebug: string | null;
  stagingModules: string[];
}

/** Reads the go and godebug lines and the `=> ./staging/...` replacements of a go.mod. */
export function parseGoMod(text: string): GoModFacts {
  const go = /^go\s+(\S+)/m.exec(text)?.[1];
  if (!go) throw new BuildError('go.mod has no go directive');
  const godebug = /^godebug\s+(.+)$/m.exec(text)?.[1]?.trim() ?? null;
  const stagingModules = [...text.matchAll(/^\s*(k8s\.io\/\S+)\s+=>\s+\.\/staging\//gm)].map(
    (m) => m[1] as string,
  );
  return { go, godebug, stagingModules };
}

/**
 * Names every feature gate a release defines, from its own source. The table's gates are checked
 * against this because an unknown gate stops the components from starting.
 */
export async function definedFeatureGates(sourceDirs: string[]): Promise<Set<string>> {
  const gates = new Set<string>();
  for (const dir of sourceDirs) {
    if (!existsSync(dir)) continue;
    for (const entry of await readdir(dir)) {
      if (!entry.endsWith('.go') || entry.endsWith('_test.go')) continue;
      const text = await readFile(join(dir, entry), 'utf8');
      for (const match of text.matchAll(/featuregate\.Feature\s*=\s*"([A-Za-z0-9]+)"/g)) {
        gates.add(match[1] as string);
      }
    }
  }
  return gates;
}

/** Runs a go command, printing a heartbeat with the number of packages compiled so far. */
export async function runGo(
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; label: string; log: ProgressLog },
): Promise<void> {
  const started = Date.now();
  let compiled = 0;
  let output = '';
  const child: ResultPromise = execa('go', args, {
    cwd: options.cwd,
    env: options.env,
    reject: false,
    all: true,
    buffer: false,
  });
  child.all?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-20000);
    for (const line of text.split('\n')) if (line && !line.startsWith('go: ')) compiled++;
  });
  const heartbeat = setInterval(() => {
    options.log(
      `  … ${options.label}: ${formatSeconds(Date.now() - started)}, ${compiled} packages compiled`,
    );
  }, 30_000);
  try {
    const result = await child;
    if (result.exitCode !== 0) {
      const cause = result.signal ? `killed by ${result.signal}` : `exit code ${result.exitCode}`;
      throw new BuildError(
        `${options.label} failed (${cause}): go ${args.slice(0, 2).join(' ')} …\n${tail(output)}`,
      );
    }
  } finally {
    clearInterval(heartbeat);
  }
}

async function readStamp(dir: string): Promise<Stamp | null> {
  try {
    return JSON.parse(await readFile(join(dir, STAMP), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

/** A stamped directory holding every one of `binaries`: built (or downloaded) and complete. */
export async function isComplete(dir: string, binaries: readonly string[]): Promise<boolean> {
  return (await readStamp(dir)) !== null && binaries.every((b) => existsSync(join(dir, b)));
}

export interface WrapperBuild {
  /** Human name for progress lines. */
  component: string;
  version: string;
  /** Final directory in the cache. */
  outDir: string;
  /** Binary names expected in outDir. */
  binaries: readonly string[];
  goDirective: string;
  godebug: string | null;
  requires: Array<[string, string]>;
  replaces: Array<[string, string, string]>;
  packages: readonly string[];
  ldflags: readonly string[];
  tags?: readonly string[] | undefined;
  /** Output files to rename after the build (Go names a binary after its package path). */
  renames?: Readonly<Record<string, string>> | undefined;
  /** Checks a fresh binary before it is moved into place. */
  verify: (dir: string) => Promise<void>;
}

/**
 * One build (or download in its place) of a component at a time on this machine; a waiting one
 * then finds it there.
 */
async function withBuildLock<T>(
  spec: { component: string; version: string },
  root: string,
  log: ProgressLog,
  work: () => Promise<T>,
): Promise<T> {
  await mkdir(join(root, 'bin'), { recursive: true });
  return withLockFile(join(root, 'bin', `.lock-${spec.component}-${spec.version}`), work, {
    timeoutMs: 60 * 60_000,
    onWait: (pid) => log(`${spec.component} ${spec.version}: waiting for the build in pid ${pid}`),
  });
}

/** One build of a component at a time on this machine; a waiting build then finds it cached. */
export async function buildWrapper(
  spec: WrapperBuild,
  root: string,
  log: ProgressLog,
): Promise<boolean> {
  return withBuildLock(spec, root, log, () => buildWrapperLocked(spec, root, log));
}

/**
 * The release's own binaries in place of a build: downloaded when the release host (or
 * KAIC_RELEASE_MIRROR) answers, each file's sha256 checked (src/versions/downloads.ts says
 * against what), then `verify`, then stamped with where they came from, under the component's
 * build lock. False, having said why, when they were not downloaded: the caller builds.
 */
export async function downloadInPlaceOfBuild(
  spec: {
    component: string;
    version: string;
    outDir: string;
    binaries: readonly string[];
    files: readonly ReleaseFile[];
    verify: (dir: string) => Promise<void>;
  },
  root: string,
  log: ProgressLog,
): Promise<boolean> {
  return withBuildLock(spec, root, log, async () => {
    if (await isComplete(spec.outDir, spec.binaries)) return true;
    const started = Date.now();
    const outcome = await downloadRelease([...spec.files], spec.outDir, {
      log,
      check: async (dir) => {
        await spec.verify(dir).catch((error: unknown) => {
          throw new BuildError(
            `${spec.component} ${spec.version} downloaded from ${spec.files.map((f) => f.url).join(', ')} ` +
              `failed its check (${(error as Error).message}); nothing of it was kept. ` +
              'KAIC_DOWNLOADS=off builds it from its Go module instead',
          );
        });
        await writeStamp(dir, {
          component: spec.component,
          version: spec.version,
          builtAt: new Date().toISOString(),
          goVersion: 'none (downloaded)',
          seconds: Math.round((Date.now() - started) / 1000),
          downloadedFrom: spec.files.map((f) => f.url),
        });
      },
    });
    if ('downloaded' in outcome) return true;
    log(`${spec.component} ${spec.version}: not downloaded (${outcome.skipped}); building it`);
    return false;
  });
}

async function buildWrapperLocked(
  spec: WrapperBuild,
  root: string,
  log: ProgressLog,
): Promise<boolean> {
  if (await isComplete(spec.outDir, spec.binaries)) {
    log(`${spec.component} ${spec.version}: cached (${spec.outDir})`);
    return false;
  }
  const started = Date.now();
  const env = goEnv(root);
  const wrapperDir = join(root, 'wrappers', `${spec.component}-${spec.version}`);
  await mkdir(wrapperDir, { recursive: true });
  const goMod = [
    `// Generated by kaic's scripts/build-k8s.ts: builds ${spec.component} ${spec.version}.`,
    `module kaic.local/build/${spec.component}`,
    '',
    `go ${spec.goDirective}`,
    ...(spec.godebug ? ['', `godebug ${spec.godebug}`] : []),
    '',
    'require (',
    ...spec.requires.map(([m, v]) => `\t${m} ${v}`),
    ')',
    ...(spec.replaces.length
      ? ['', 'replace (', ...spec.replaces.map(([m, to, v]) => `\t${m} => ${to} ${v}`), ')']
      : []),
    '',
  ].join('\n');
  const goModPath = join(wrapperDir, 'go.mod');
  const previous = existsSync(goModPath) ? await readFile(goModPath, 'utf8') : null;
  if (previous !== goMod) {
    await writeFile(goModPath, goMod);
    await rm(join(wrapperDir, 'go.sum'), { force: true });
  }
  const tmpDir = join(root, 'bin', `.tmp-${spec.component}-${randomBytes(4).toString('hex')}`);
  await mkdir(tmpDir, { recursive: true });
  try {
    log(`${spec.component} ${spec.version}: resolving modules`);
    await runGo(['mod', 'download'], {
      cwd: wrapperDir,
      env,
      label: `${spec.component} module download`,
      log,
    });
    log(`${spec.component} ${spec.version}: compiling ${spec.binaries.join(', ')}`);
    await runGo(
      [
        'build',
        '-v',
        '-trimpath',
        ...(spec.tags?.length ? ['-tags', spec.tags.join(',')] : []),
        '-ldflags',
        ['-s', '-w', ...spec.ldflags].join(' '),
        '-o',
        `${tmpDir}/`,
        ...spec.packages,
      ],
      { cwd: wrapperDir, env, label: `${spec.component} build`, log },
    );
    for (const [from, to] of Object.entries(spec.renames ?? {})) {
      if (existsSync(join(tmpDir, from))) await rename(join(tmpDir, from), join(tmpDir, to));
    }
    for (const binary of spec.binaries) {
      if (!existsSync(join(tmpDir, binary))) {
        throw new BuildError(`${spec.component} build produced no ${binary} in ${tmpDir}`);
      }
    }
    await spec.verify(tmpDir);
    const goVer = await goVersion();
    const seconds = Math.round((Date.now() - started) / 1000);
    const newStamp: Stamp = {
      component: spec.component,
      version: spec.version,
      builtAt: new Date().toISOString(),
      goVersion: goVer,
      seconds,
    };
    await writeStamp(tmpDir, newStamp);
    await rm(spec.outDir, { recursive: true, force: true });
    await mkdir(join(spec.outDir, '..'), { recursive: true });
    await rename(tmpDir, spec.outDir);
    log(`${spec.component} ${spec.version}: built in ${formatSeconds(Date.now() - started)}`);
    return true;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
  }
}

/**
 * How a fresh build is checked before it is moved into place, as data: a binary (by name in the
 * build's directory) run with `args` must print `expect` (stdout or stderr); or a binary whose
 * version cannot be asked must name `flag` in its --help (a flag kaic passes it).
 */
export type BuildCheck =
  | { versionOutput: { binary: string; args: readonly string[]; expect: string } }
  | { helpMentions: { binary: string; flag: string } };

/** Runs the checks in order on the binaries in `dir`; the first that fails throws. */
export async function runChecks(checks: readonly BuildCheck[], dir: string): Promise<void> {
  for (const check of checks) {
    if ('versionOutput' in check) {
      const { binary, args, expect } = check.versionOutput;
      await expectVersionOutput(join(dir, binary), [...args], expect);
    } else {
      await expectHelpMentions(join(dir, check.helpMentions.binary), check.helpMentions.flag);
    }
  }
}

async function expectVersionOutput(binary: string, args: string[], expected: string) {
  const result = await execa(binary, args, { reject: false });
  const out = `${result.stdout}\n${result.stderr}`;
  if (!out.includes(expected)) {
    throw new BuildError(
      `${binary} ${args.join(' ')} does not report ${expected}; it printed:\n${tail(out, 5)}`,
    );
  }
}

/** A module's files (CRDs, manifests) from the module proxy, through the Go module cache. */
export async function moduleDir(module: string, version: string, root = cacheDir()) {
  return (await downloadModule(module, version, goEnv(root))).Dir;
}

/** A binary whose version cannot be asked: its --help must name a flag kaic passes it. */
async function expectHelpMentions(binary: string, flag: string) {
  const help = await execa(binary, ['--help'], { reject: false, all: true });
  if (!help.all?.includes(flag)) {
    throw new BuildError(`${binary} --help does not list ${flag}: ${help.all?.slice(0, 400)}`);
  }
}

/**
 * A module the build takes from a directory kaic writes, for a dependency the module proxy here
 * does not serve: `base`'s files (a version it does serve) less `drop`, plus `files`.
 */
export interface LocalModule {
  base?: { module: string; version: string };
  /** Paths in the base to leave out (directories whose packages need what is not served). */
  drop?: readonly string[];
  /** Files to write, by path in the module; with no base, a go.mod among them. */
  files: Readonly<Record<string, string>>;
}

/**
 * The wrapper's replaces for a module that needs its own replace directives (Go ignores a
 * dependency's replaces): those of its go.mod (read with `go mod edit -json`), module replaces as
 * they are, directory replaces at the directory inside the module; and every `local` module,
 * written under the cache's wrappers/, in place of whatever the go.mod said for it. Module zips
 * leave nested modules out, so a directory replace usually has to be one of `local`.
 */
async function carriedReplaces(
  spec: { component: string; version: string; module: string },
  info: ModuleInfo,
  local: Readonly<Record<string, LocalModule>>,
  env: NodeJS.ProcessEnv,
  root: string,
): Promise<Array<[string, string, string]>> {
  const edit = await execa('go', ['mod', 'edit', '-json', info.GoMod], {
    env,
    reject: false,
    cwd: tmpdir(),
  });
  if (edit.exitCode !== 0) {
    throw new BuildError(`go mod edit -json ${info.GoMod} failed:\n${tail(edit.stderr)}`);
  }
  type Ref = { Path: string; Version?: string };
  const { Replace = [] } = JSON.parse(edit.stdout) as { Replace?: Array<{ Old: Ref; New: Ref }> };
  const replaces: Array<[string, string, string]> = [];
  for (const { Old, New } of Replace) {
    if (local[Old.Path]) continue;
    const from = Old.Version ? `${Old.Path} ${Old.Version}` : Old.Path;
    if (New.Version) {
      replaces.push([from, New.Path, New.Version]);
    } else if (existsSync(join(info.Dir, New.Path, 'go.mod'))) {
      replaces.push([from, join(info.Dir, New.Path), '']);
    } else {
      throw new BuildError(
        `${spec.module}@${spec.version} replaces ${Old.Path} by its directory ${New.Path}, ` +
          `which the module proxy's zip does not hold (a nested module); the build must give ` +
          `${Old.Path} as a local module`,
      );
    }
  }
  const localRoot = join(root, 'wrappers', `${spec.component}-${spec.version}-local`);
  for (const [path, mod] of Object.entries(local)) {
    const dir = join(localRoot, path.replace(/[^A-Za-z0-9.-]+/g, '_'));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    if (mod.base) {
      const base = await downloadModule(mod.base.module, mod.base.version, env);
      const dropped = (mod.drop ?? []).map((d) => join(base.Dir, d));
      await cp(base.Dir, dir, {
        recursive: true,
        filter: (source) => !dropped.some((d) => source === d || source.startsWith(`${d}/`)),
      });
      // The module cache's files are read-only; the copy gets files written over it.
      await execa('chmod', ['-R', 'u+w', dir]);
    }
    for (const [name, content] of Object.entries(mod.files)) {
      await mkdir(dirname(join(dir, name)), { recursive: true });
      await writeFile(join(dir, name), content);
    }
    replaces.push([path, dir, '']);
  }
  return replaces;
}

/**
 * What to build from one Go module, as data (src/binaries/recipes.ts holds them, beside the pins).
 * The module is required at its version in a wrapper module, its `packages` built, the output
 * renamed, checked and stamped into `outDir(root)`.
 */
export interface GoModuleRecipe {
  /** Human name for progress lines; also names the wrapper module, its lock and its stamp. */
  readonly component: string;
  readonly module: string;
  readonly version: string;
  /** The directory in the cache (a function of src/cache.ts): where the binaries land. */
  readonly outDir: (root: string) => string;
  /** Binary names expected in outDir: the build is cached when all of them and the stamp are there. */
  readonly binaries: readonly string[];
  /** The main packages to build. */
  readonly packages: readonly string[];
  /** `-X` flags, after `-s -w`. */
  readonly ldflags?: readonly string[];
  readonly tags?: readonly string[];
  /** Output files to rename after the build (Go names a binary after its package path). */
  readonly renames?: Readonly<Record<string, string>>;
  /** Files of the module to keep beside the binaries: [path in the module, path in outDir]. */
  readonly moduleFiles?: ReadonlyArray<readonly [string, string]>;
  /**
   * Carry the module's own replace directives into the wrapper (a module that needs its forks
   * does not compile without them), with `local` modules, by module path, in place of
   * dependencies the module proxy does not serve (see carriedReplaces).
   */
  readonly moduleReplaces?: { readonly local?: Readonly<Record<string, LocalModule>> };
  /** Checks of the fresh binaries, in order, before they are moved into place. */
  readonly verify: readonly BuildCheck[];
  /**
   * The release files that give the same binaries, for this machine's platform (null: none
   * published or pinned for it): downloaded in place of the build (downloadInPlaceOfBuild).
   */
  readonly release?: () => readonly ReleaseFile[] | null;
}

/**
 * Builds a recipe into kaic's cache, or finds it there (then logs "cached" and returns false).
 * One build of a component at a time on this machine; a waiting build then finds it cached.
 */
export async function buildRecipe(
  recipe: GoModuleRecipe,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  const outDir = recipe.outDir(root);
  if (await isComplete(outDir, recipe.binaries)) {
    log(`${recipe.component} ${recipe.version}: cached (${outDir})`);
    return false;
  }
  const files = recipe.moduleFiles ? null : recipe.release?.();
  if (
    files?.length &&
    (await downloadInPlaceOfBuild(
      { ...recipe, outDir, files, verify: (dir) => runChecks(recipe.verify, dir) },
      root,
      log,
    ))
  ) {
    return true;
  }
  await goVersion();
  const env = goEnv(root);
  await mkdir(root, { recursive: true });
  const info = await downloadModule(recipe.module, recipe.version, env);
  const facts = parseGoMod(await readFile(info.GoMod, 'utf8'));
  const replaces = recipe.moduleReplaces
    ? await carriedReplaces(recipe, info, recipe.moduleReplaces.local ?? {}, env, root)
    : [];
  return buildWrapper(
    {
      component: recipe.component,
      version: recipe.version,
      outDir,
      binaries: recipe.binaries,
      goDirective: facts.go,
      godebug: facts.godebug,
      requires: [[recipe.module, recipe.version]],
      replaces,
      packages: recipe.packages,
      ldflags: recipe.ldflags ?? [],
      tags: recipe.tags,
      renames: recipe.renames,
      verify: async (dir) => {
        for (const [from, to] of recipe.moduleFiles ?? []) {
          await mkdir(dirname(join(dir, to)), { recursive: true });
          await cp(join(info.Dir, from), join(dir, to), { recursive: true });
        }
        await runChecks(recipe.verify, dir);
      },
    },
    root,
    log,
  );
}

/**
 * Files to take out of a Go module into kaic's cache (nothing built), as data: `source` (a
 * directory of the module) becomes `<outDir(root)>/<target>`, keeping only the `files` named
 * (paths in `source`) and those `pattern` matches, where given.
 */
export interface ModuleCopyRecipe {
  readonly component: string;
  readonly module: string;
  readonly version: string;
  readonly source: string;
  readonly outDir: (root: string) => string;
  readonly target: string;
  readonly files?: readonly string[];
  readonly pattern?: RegExp;
}

/**
 * Copies a module's files into kaic's cache, once (stamped, under a lock); returns the target
 * directory, `<outDir>/<target>`.
 */
export async function copyFromModule(
  copy: ModuleCopyRecipe,
  log: ProgressLog,
  root = cacheDir(),
): Promise<string> {
  const { component, version } = copy;
  const outDir = copy.outDir(root);
  const keep = (file: string) =>
    (copy.files?.includes(file) ?? true) && (copy.pattern?.test(file) ?? true);
  const target = join(outDir, copy.target);
  if (await readStamp(outDir)) return target;
  await mkdir(join(root, 'bin'), { recursive: true });
  return withLockFile(
    join(root, 'bin', `.lock-${component}-${version}`),
    async () => {
      if (await readStamp(outDir)) return target;
      const started = Date.now();
      const info = await downloadModule(copy.module, version, goEnv(root));
      const source = join(info.Dir, copy.source);
      const files = existsSync(source)
        ? (await readdir(source, { recursive: true, withFileTypes: true }))
            .filter((e) => e.isFile())
            .map((e) => join(e.parentPath, e.name).slice(source.length + 1))
            .filter(keep)
        : [];
      if (!files.length) {
        throw new BuildError(`${copy.module}@${version} has no files to take in ${copy.source}`);
      }
      const tmpDir = join(root, 'bin', `.tmp-${component}-${randomBytes(4).toString('hex')}`);
      try {
        for (const file of files) {
          await mkdir(dirname(join(tmpDir, copy.target, file)), { recursive: true });
          await cp(join(source, file), join(tmpDir, copy.target, file));
        }
        await writeStamp(tmpDir, {
          component,
          version,
          builtAt: new Date().toISOString(),
          goVersion: await goVersion(),
          seconds: Math.round((Date.now() - started) / 1000),
        });
        await rm(outDir, { recursive: true, force: true });
        await mkdir(dirname(outDir), { recursive: true });
        await rename(tmpDir, outDir);
      } finally {
        await rm(tmpDir, { recursive: true, force: true });
      }
      log(`${component} ${version}: ${files.length} files from ${copy.module} in ${target}`);
      return target;
    },
    { onWait: (pid) => log(`${component} ${version}: waiting for pid ${pid}`) },
  );
}
