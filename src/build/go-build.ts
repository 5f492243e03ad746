/**
 * Builds the Kubernetes control plane, etcd and kwok from the Go module proxy into kaic's cache.
 *
 * k8s.io/kubernetes cannot be `go install`ed (its go.mod maps every staging module to ./staging),
 * so each build is a throwaway wrapper module that requires the release and pins every staging
 * module to its published v0.x.y tag. Results land in a temporary directory and are renamed into
 * place only when complete and verified, so an interrupted build never leaves a half binary, and a
 * rerun resumes from Go's module and build caches.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa, type ResultPromise } from 'execa';

import {
  binaryPaths,
  cacheDir,
  containerdBinDir,
  criToolsBinDir,
  etcdBinDir,
  gatewayApiDir,
  jobsetDir,
  goCacheEnv,
  kubeletBinDir,
  kubernetesBinDir,
  karpenterDir,
  kueueDir,
  prometheusAdapterDir,
  prometheusDir,
  traefikDir,
  kindBinDir,
  kwokBinDir,
  helmBinDir,
  chartDir,
  nodeBinaryPaths,
  type NodeBinaryPaths,
} from '../cache.js';
import { withLockFile } from '../util/processes.js';
import { etcdReleaseFile, kubernetesReleaseFiles } from '../versions/downloads.js';
import { downloadRelease } from './release-download.js';
import {
  GATEWAY_API,
  HELM,
  JOBSET,
  KIND_CHARTS,
  KARPENTER,
  KUEUE,
  PROMETHEUS,
  PROMETHEUS_ADAPTER,
  TRAEFIK,
} from '../versions/addons.js';
import {
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  KWOK_VERSION,
  stagingVersion,
  type KubernetesRelease,
} from '../versions/kubernetes.js';
import { InputError } from '../errors.js';

export type ProgressLog = (line: string) => void;

export class BuildError extends InputError {
  override name = 'BuildError';
}

interface Stamp {
  component: string;
  version: string;
  builtAt: string;
  goVersion: string;
  seconds: number;
  /** Set when the binaries are the release's own, downloaded rather than built. */
  downloadedFrom?: string[];
}

const STAMP = 'kaic-build.json';

function tail(text: string, lines = 25): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function formatSeconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Go's own environment plus our caches; GOFLAGS keeps what the user set and adds -mod=mod. */
function goEnv(root: string): NodeJS.ProcessEnv {
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

interface ModuleInfo {
  Dir: string;
  GoMod: string;
}

async function downloadModule(
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
async function runGo(
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
async function isComplete(dir: string, binaries: readonly string[]): Promise<boolean> {
  return (await readStamp(dir)) !== null && binaries.every((b) => existsSync(join(dir, b)));
}

interface WrapperBuild {
  /** Human name for progress lines. */
  component: string;
  version: string;
  /** Final directory in the cache. */
  outDir: string;
  /** Binary names expected in outDir. */
  binaries: string[];
  goDirective: string;
  godebug: string | null;
  requires: Array<[string, string]>;
  replaces: Array<[string, string, string]>;
  packages: string[];
  ldflags: string[];
  tags?: string[];
  /** Output files to rename after the build (Go names a binary after its package path). */
  renames?: Record<string, string>;
  /** Checks a fresh binary before it is moved into place. */
  verify: (dir: string) => Promise<void>;
}

/** One build of a component at a time on this machine; a waiting build then finds it cached. */
async function buildWrapper(spec: WrapperBuild, root: string, log: ProgressLog): Promise<boolean> {
  await mkdir(join(root, 'bin'), { recursive: true });
  return withLockFile(
    join(root, 'bin', `.lock-${spec.component}-${spec.version}`),
    () => buildWrapperLocked(spec, root, log),
    {
      timeoutMs: 60 * 60_000,
      onWait: (pid) =>
        log(`${spec.component} ${spec.version}: waiting for the build in pid ${pid}`),
    },
  );
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
    await writeFile(join(tmpDir, STAMP), `${JSON.stringify(newStamp, null, 2)}\n`);
    await rm(spec.outDir, { recursive: true, force: true });
    await mkdir(join(spec.outDir, '..'), { recursive: true });
    await rename(tmpDir, spec.outDir);
    log(`${spec.component} ${spec.version}: built in ${formatSeconds(Date.now() - started)}`);
    return true;
  } finally {
    await rm(tmpDir, { recursive: true, force: true });
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

/** The control plane of one release (and kubectl: kwokctl probes readiness with it). */
export async function buildKubernetes(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildFromKubernetesModule(
    release,
    'kubernetes',
    kubernetesBinDir(release, root),
    ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
    log,
    root,
  );
}

/**
 * The kubelet of one release, for the real test node. Built apart from the control plane so a
 * cache without it only builds the kubelet.
 */
export async function buildKubelet(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildFromKubernetesModule(
    release,
    'kubelet',
    kubeletBinDir(release, root),
    ['kubelet'],
    log,
    root,
  );
}

async function buildFromKubernetesModule(
  release: KubernetesRelease,
  component: string,
  outDir: string,
  binaries: string[],
  log: ProgressLog,
  root: string,
): Promise<boolean> {
  const env = goEnv(root);
  await mkdir(root, { recursive: true });
  if (await isComplete(outDir, binaries)) {
    log(`${component} ${release.version}: cached (${outDir})`);
    return false;
  }
  log(`${component} ${release.version}: reading k8s.io/kubernetes's go.mod from the module proxy`);
  const info = await downloadModule('k8s.io/kubernetes', release.version, env);
  const facts = parseGoMod(await readFile(info.GoMod, 'utf8'));
  if (facts.stagingModules.length === 0) {
    throw new BuildError(`k8s.io/kubernetes ${release.version} go.mod lists no staging modules`);
  }
  const staging = stagingVersion(release);
  // The table's gates and API groups must exist in this exact release.
  const apiserverInfo = await downloadModule('k8s.io/apiserver', staging, env);
  const apiInfo = await downloadModule('k8s.io/api', staging, env);
  const gates = await definedFeatureGates([
    join(info.Dir, 'pkg', 'features'),
    join(apiserverInfo.Dir, 'pkg', 'features'),
  ]);
  const unknownGates = Object.keys(release.featureGates).filter((g) => !gates.has(g));
  if (unknownGates.length) {
    throw new BuildError(
      `the version table gives ${release.minor} feature gates that ${release.version} does not ` +
        `define: ${unknownGates.join(', ')} (src/versions/kubernetes.ts)`,
    );
  }
  for (const groupVersion of Object.keys(release.runtimeConfig)) {
    const [group, version] = groupVersion.split('/');
    const dir = join(apiInfo.Dir, (group ?? '').replace(/\.k8s\.io$/, ''), version ?? '');
    if (!existsSync(dir)) {
      throw new BuildError(
        `the version table enables ${groupVersion} on ${release.minor}, but k8s.io/api ` +
          `${staging} has no such API version (src/versions/kubernetes.ts)`,
      );
    }
  }
  log(
    `${component} ${release.version}: ${facts.stagingModules.length} staging modules pinned to ${staging}; ` +
      `gates ${Object.keys(release.featureGates).join(',') || '(none)'} exist`,
  );
  const [, minorNumber] = release.minor.split('.');
  const versionVars = (pkg: string) => [
    `-X ${pkg}.gitVersion=${release.version}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${minorNumber}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}`,
  ];
  return buildWrapper(
    {
      component,
      version: release.version,
      outDir,
      binaries,
      goDirective: facts.go,
      godebug: facts.godebug,
      requires: [['k8s.io/kubernetes', release.version]],
      replaces: facts.stagingModules.map((m) => [m, m, staging]),
      packages: binaries.map((b) => `k8s.io/kubernetes/cmd/${b}`),
      ldflags: [
        ...versionVars('k8s.io/component-base/version'),
        ...versionVars('k8s.io/client-go/pkg/version'),
      ],
      tags: ['selinux', 'notest'],
      verify: async (dir) => {
        for (const b of binaries) {
          const args = b === 'kubectl' ? ['version', '--client'] : ['--version'];
          const expected =
            b === 'kubectl'
              ? `Client Version: ${release.version}`
              : `Kubernetes ${release.version}`;
          await expectVersionOutput(join(dir, b), args, expected);
        }
      },
    },
    root,
    log,
  );
}

/**
 * A module the build takes from a directory kaic writes, for a dependency the module proxy here
 * does not serve: `base`'s files (a version it does serve) less `drop`, plus `files`.
 */
export interface LocalModule {
  base?: { module: string; version: string };
  /** Paths in the base to leave out (directories whose packages need what is not served). */
  drop?: string[];
  /** Files to write, by path in the module; with no base, a go.mod among them. */
  files: Record<string, string>;
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
  local: Record<string, LocalModule>,
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

/** A module without staging replaces: required at its version, its main packages built. */
async function buildPlainModule(
  spec: Pick<
    WrapperBuild,
    'component' | 'version' | 'outDir' | 'binaries' | 'packages' | 'renames' | 'verify' | 'tags'
  > & {
    module: string;
    ldflags?: string[];
    /** Files of the module to keep beside the binaries: [path in the module, path in outDir]. */
    moduleFiles?: Array<[string, string]>;
    /**
     * Carry the module's own replace directives into the wrapper (a module that needs its forks
     * does not compile without them), with `local` modules, by module path, in place of
     * dependencies the module proxy does not serve (see carriedReplaces).
     */
    moduleReplaces?: { local?: Record<string, LocalModule> };
  },
  log: ProgressLog,
  root: string,
): Promise<boolean> {
  if (await isComplete(spec.outDir, spec.binaries)) {
    log(`${spec.component} ${spec.version}: cached (${spec.outDir})`);
    return false;
  }
  const env = goEnv(root);
  await mkdir(root, { recursive: true });
  const info = await downloadModule(spec.module, spec.version, env);
  const facts = parseGoMod(await readFile(info.GoMod, 'utf8'));
  const replaces = spec.moduleReplaces
    ? await carriedReplaces(spec, info, spec.moduleReplaces.local ?? {}, env, root)
    : [];
  return buildWrapper(
    {
      ...spec,
      verify: async (dir) => {
        for (const [from, to] of spec.moduleFiles ?? []) {
          await mkdir(dirname(join(dir, to)), { recursive: true });
          await cp(join(info.Dir, from), join(dir, to), { recursive: true });
        }
        await spec.verify(dir);
      },
      goDirective: facts.go,
      godebug: facts.godebug,
      requires: [[spec.module, spec.version]],
      replaces,
      ldflags: spec.ldflags ?? [],
    },
    root,
    log,
  );
}

export async function buildEtcd(
  etcdVersion: string,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'etcd',
      module: 'go.etcd.io/etcd/server/v3',
      version: etcdVersion,
      outDir: etcdBinDir(etcdVersion, root),
      binaries: ['etcd'],
      packages: ['go.etcd.io/etcd/server/v3'],
      // Go names the binary "server" after the package path (the /v3 suffix is dropped).
      renames: { server: 'etcd', v3: 'etcd' },
      verify: (dir) =>
        expectVersionOutput(
          join(dir, 'etcd'),
          ['--version'],
          `etcd Version: ${etcdVersion.slice(1)}`,
        ),
    },
    log,
    root,
  );
}

export async function buildKwok(
  kwokVersion: string,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'kwok',
      module: 'sigs.k8s.io/kwok',
      version: kwokVersion,
      outDir: kwokBinDir(kwokVersion, root),
      binaries: ['kwok', 'kwokctl'],
      packages: ['sigs.k8s.io/kwok/cmd/kwok', 'sigs.k8s.io/kwok/cmd/kwokctl'],
      verify: (dir) =>
        expectVersionOutput(join(dir, 'kwokctl'), ['--version'], kwokVersion.slice(1)),
    },
    log,
    root,
  );
}

/**
 * The kind CLI from its module (the module's root package). The kind provider downloads kind's
 * released binary where it runs; here, without downloads, the same release is built, so that the
 * generated configurations can be loaded by the real thing.
 */
export async function buildKind(
  kindVersion: string,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'kind',
      module: 'sigs.k8s.io/kind',
      version: kindVersion,
      outDir: kindBinDir(kindVersion, root),
      binaries: ['kind'],
      packages: ['sigs.k8s.io/kind'],
      verify: (dir) => expectVersionOutput(join(dir, 'kind'), ['version'], `kind ${kindVersion}`),
    },
    log,
    root,
  );
}

const CONTROL_PLANE_BINARIES = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kubectl',
] as const;

/**
 * The release's own control-plane binaries and etcd, downloaded and checked against the sums the
 * releases publish, in place of builds (a runner is spared many minutes of compiling). Each
 * directory is downloaded whole or left to the build, which follows; stamped like a build, with
 * where it came from.
 */
async function downloadControlPlane(
  release: KubernetesRelease,
  log: ProgressLog,
  root: string,
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const sets = [
    {
      component: 'kubernetes',
      version: release.version,
      dir: kubernetesBinDir(release, root),
      files: kubernetesReleaseFiles(release.version, CONTROL_PLANE_BINARIES),
    },
    {
      component: 'etcd',
      version: release.etcdVersion,
      dir: etcdBinDir(release.etcdVersion, root),
      files: [etcdReleaseFile(release.etcdVersion)],
    },
  ];
  for (const set of sets) {
    if (
      await isComplete(
        set.dir,
        set.files.map((f) => f.name),
      )
    )
      continue;
    const outcome = await downloadRelease(set.files, set.dir, { log, env });
    if ('skipped' in outcome) {
      log(`${set.component} ${set.version}: not downloaded (${outcome.skipped}); building it`);
      continue;
    }
    const stamp: Stamp = {
      component: set.component,
      version: set.version,
      builtAt: new Date().toISOString(),
      goVersion: 'none (downloaded)',
      seconds: Math.round(outcome.seconds),
      downloadedFrom: set.files.map((f) => f.url),
    };
    await writeFile(join(set.dir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
  }
}

/**
 * Everything a kwok cluster of this minor needs; returns the binary paths. With `download`, the
 * control plane and etcd are first downloaded from their releases (see downloadControlPlane);
 * what is still missing is built.
 */
export async function ensureBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
  options: { download?: boolean; env?: NodeJS.ProcessEnv } = {},
) {
  if (options.download) await downloadControlPlane(release, log, root, options.env ?? process.env);
  await goVersion();
  await buildKubernetes(release, log, root);
  await buildEtcd(release.etcdVersion, log, root);
  await buildKwok(KWOK_VERSION, log, root);
  return binaryPaths(release, KWOK_VERSION, root);
}

/** containerd, its runc shim and ctr, for the real test node (CDI support is built in). */
export async function buildContainerd(
  version: string,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  const module = 'github.com/containerd/containerd/v2';
  return buildPlainModule(
    {
      component: 'containerd',
      module,
      version,
      outDir: containerdBinDir(version, root),
      binaries: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
      packages: ['containerd', 'containerd-shim-runc-v2', 'ctr'].map((c) => `${module}/cmd/${c}`),
      ldflags: [`-X ${module}/version.Version=${version}`],
      verify: (dir) => expectVersionOutput(join(dir, 'containerd'), ['--version'], version),
    },
    log,
    root,
  );
}

/** crictl: the real node's teardown removes pod sandboxes through the CRI with it. */
export async function buildCriTools(
  version: string,
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'cri-tools',
      module: 'sigs.k8s.io/cri-tools',
      version,
      outDir: criToolsBinDir(version, root),
      binaries: ['crictl'],
      packages: ['sigs.k8s.io/cri-tools/cmd/crictl'],
      ldflags: [`-X sigs.k8s.io/cri-tools/pkg/version.Version=${version}`],
      verify: (dir) => expectVersionOutput(join(dir, 'crictl'), ['--version'], version),
    },
    log,
    root,
  );
}

/**
 * Kueue's manager, with its CRDs (crds/) and webhook configuration (webhook.yaml) from the same
 * module, so running it needs no Go.
 */
export async function buildKueue(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'kueue',
      module: KUEUE.module,
      version: KUEUE.version,
      outDir: kueueDir(KUEUE.version, root),
      binaries: ['kueue'],
      packages: [`${KUEUE.module}/cmd/kueue`],
      ldflags: [`-X ${KUEUE.module}/pkg/version.GitVersion=${KUEUE.version}`],
      moduleFiles: [
        ['config/components/crd/bases', 'crds'],
        ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
      ],
      verify: (dir) => expectHelpMentions(join(dir, 'kueue'), '-config'),
    },
    log,
    root,
  );
}

/**
 * Prometheus and promtool with Kubernetes service discovery as the only discovery compiled in
 * (the module's own build tags), which halves the build; the web UI's assets are left out (the
 * HTTP API, which the suites query, is all there).
 */
export async function buildPrometheus(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  const versionPkg = 'github.com/prometheus/common/version';
  return buildPlainModule(
    {
      component: 'prometheus',
      module: PROMETHEUS.module,
      version: PROMETHEUS.version,
      outDir: prometheusDir(PROMETHEUS.version, root),
      binaries: ['prometheus', 'promtool'],
      packages: [`${PROMETHEUS.module}/cmd/prometheus`, `${PROMETHEUS.module}/cmd/promtool`],
      tags: ['remove_all_sd', 'enable_kubernetes_sd'],
      ldflags: [
        `-X ${versionPkg}.Version=${PROMETHEUS.release}`,
        `-X ${versionPkg}.Branch=module-${PROMETHEUS.version}`,
      ],
      verify: (dir) =>
        expectVersionOutput(join(dir, 'prometheus'), ['--version'], PROMETHEUS.release),
    },
    log,
    root,
  );
}

/** prometheus-adapter's server (its module has no replace directives to carry over). */
export async function buildPrometheusAdapter(
  log: ProgressLog,
  root = cacheDir(),
): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'prometheus-adapter',
      module: PROMETHEUS_ADAPTER.module,
      version: PROMETHEUS_ADAPTER.version,
      outDir: prometheusAdapterDir(PROMETHEUS_ADAPTER.version, root),
      binaries: ['prometheus-adapter'],
      packages: [`${PROMETHEUS_ADAPTER.module}/cmd/adapter`],
      renames: { adapter: 'prometheus-adapter' },
      verify: (dir) =>
        expectHelpMentions(join(dir, 'prometheus-adapter'), '--metrics-relist-interval'),
    },
    log,
    root,
  );
}

/**
 * Karpenter's kwok provider (launches kwok nodes), with the CRDs it needs (crds/) from the same
 * module: NodePool, NodeClaim, NodeOverlay, CapacityBuffer and the KWOKNodeClass.
 */
export async function buildKarpenter(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'karpenter',
      module: KARPENTER.module,
      version: KARPENTER.version,
      outDir: karpenterDir(KARPENTER.version, root),
      binaries: ['karpenter-kwok'],
      packages: [`${KARPENTER.module}/kwok`],
      renames: { kwok: 'karpenter-kwok' },
      moduleFiles: [
        ['kwok/charts/crds', 'crds'],
        [
          'kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
          'crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
        ],
      ],
      verify: (dir) =>
        // Go's flag package prints one dash.
        expectHelpMentions(join(dir, 'karpenter-kwok'), '-instance-types-file-path'),
    },
    log,
    root,
  );
}

/**
 * Traefik's single binary (its kubernetesGateway provider is the part the test cluster uses).
 *
 * Three of its dependencies are not served by the module proxy kaic builds from, so the build
 * takes local modules in their place, none of them on the path kaic uses:
 * - github.com/traefik/traefik/dynamic/ext, a nested module (zips leave those out): two empty
 *   extension structs that dynamic.HTTP and dynamic.Router embed;
 * - lego's DNS-01 provider registry, whose providers need cloud SDKs the proxy refuses: lego
 *   without providers/dns/*, the registry answering that no provider is built in (Traefik asks it
 *   only for an ACME resolver with a DNS challenge);
 * - Traefik's fork of go-http-auth: the upstream module, plus the one method the fork adds
 *   (digest auth's stale challenge), for the basic and digest auth middlewares.
 */
export async function buildTraefik(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  const release = TRAEFIK.version.replace(/^v/, '');
  return buildPlainModule(
    {
      component: 'traefik',
      module: TRAEFIK.module,
      version: TRAEFIK.version,
      outDir: traefikDir(TRAEFIK.version, root),
      binaries: ['traefik'],
      packages: [`${TRAEFIK.module}/cmd/traefik`],
      // As Traefik's release build sets it (goreleaser's version, without the v).
      ldflags: [`-X ${TRAEFIK.module}/pkg/version.Version=${release}`],
      moduleReplaces: {
        local: {
          'github.com/traefik/traefik/dynamic/ext': {
            files: {
              'go.mod': 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n',
              'ext.go': goSource([
                "// Package ext stands in for Traefik's nested module of the same path.",
                'package ext',
                '',
                "// HTTP extends dynamic.HTTP (empty in Traefik's open-source build).",
                'type HTTP struct{}',
                '',
                "// Router extends dynamic.Router (empty in Traefik's open-source build).",
                'type Router struct{}',
              ]),
            },
          },
          'github.com/go-acme/lego/v5': {
            // The version Traefik's go.mod requires.
            base: { module: 'github.com/go-acme/lego/v5', version: 'v5.4.1' },
            drop: ['providers/dns', 'cmd'],
            files: {
              'providers/dns/kaic.go': goSource([
                "// Package dns stands in for lego's DNS-01 provider registry in kaic's build.",
                'package dns',
                '',
                'import (',
                '\t"fmt"',
                '',
                '\t"github.com/go-acme/lego/v5/challenge"',
                ')',
                '',
                '// NewDNSChallengeProviderByName fails: no DNS provider is built in.',
                'func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {',
                '\treturn nil, fmt.Errorf("DNS challenge provider %q is not built into this Traefik", name)',
                '}',
              ]),
            },
          },
          'github.com/abbot/go-http-auth': {
            // The newest version served (Traefik's go.mod names the fork, which is not).
            base: {
              module: 'github.com/abbot/go-http-auth',
              version: 'v0.4.1-0.20220112235402-e1cee1c72f2f',
            },
            files: {
              'kaic_stale.go': goSource([
                'package auth',
                '',
                'import "net/http"',
                '',
                '// RequireAuthStale is RequireAuth with stale=true in the challenge (RFC 7616):',
                '// the nonce is no longer valid, the credentials may be.',
                'func (da *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {',
                '\tda.RequireAuth(staleChallenge{w, da.Headers.V().Authenticate}, r)',
                '}',
                '',
                'type staleChallenge struct {',
                '\thttp.ResponseWriter',
                '\theader string',
                '}',
                '',
                'func (s staleChallenge) WriteHeader(code int) {',
                '\tif challenge := s.Header().Get(s.header); challenge != "" {',
                '\t\ts.Header().Set(s.header, challenge+", stale=true")',
                '\t}',
                '\ts.ResponseWriter.WriteHeader(code)',
                '}',
              ]),
            },
          },
        },
      },
      verify: async (dir) => {
        await expectVersionOutput(join(dir, 'traefik'), ['version'], release);
        await expectHelpMentions(join(dir, 'traefik'), '--providers.kubernetesgateway');
      },
    },
    log,
    root,
  );
}

function goSource(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/**
 * The Gateway API's standard-channel CRDs, copied from the gateway-api module (nothing built)
 * into the cache, where a stamp marks the copy complete; returns the directory of the YAMLs.
 */
/**
 * Copies files out of a Go module into kaic's cache, once (stamped, under a lock): `source` (a
 * directory of the module) becomes `<outDir>/<target>`, keeping only files `keep` accepts.
 */
async function ensureModuleCopy(
  spec: {
    component: string;
    module: string;
    version: string;
    source: string;
    outDir: string;
    target: string;
    keep?: (file: string) => boolean;
  },
  log: ProgressLog,
  root: string,
): Promise<string> {
  const { component, version, outDir } = spec;
  const target = join(outDir, spec.target);
  if (await readStamp(outDir)) return target;
  await mkdir(join(root, 'bin'), { recursive: true });
  return withLockFile(
    join(root, 'bin', `.lock-${component}-${version}`),
    async () => {
      if (await readStamp(outDir)) return target;
      const started = Date.now();
      const info = await downloadModule(spec.module, version, goEnv(root));
      const source = join(info.Dir, spec.source);
      const files = existsSync(source)
        ? (await readdir(source, { recursive: true, withFileTypes: true }))
            .filter((e) => e.isFile())
            .map((e) => join(e.parentPath, e.name).slice(source.length + 1))
            .filter((f) => spec.keep?.(f) ?? true)
        : [];
      if (!files.length) {
        throw new BuildError(`${spec.module}@${version} has no files to take in ${spec.source}`);
      }
      const tmpDir = join(root, 'bin', `.tmp-${component}-${randomBytes(4).toString('hex')}`);
      try {
        for (const file of files) {
          await mkdir(dirname(join(tmpDir, spec.target, file)), { recursive: true });
          await cp(join(source, file), join(tmpDir, spec.target, file));
        }
        const stamp: Stamp = {
          component,
          version,
          builtAt: new Date().toISOString(),
          goVersion: await goVersion(),
          seconds: Math.round((Date.now() - started) / 1000),
        };
        await writeFile(join(tmpDir, STAMP), `${JSON.stringify(stamp, null, 2)}\n`);
        await rm(outDir, { recursive: true, force: true });
        await mkdir(dirname(outDir), { recursive: true });
        await rename(tmpDir, outDir);
      } finally {
        await rm(tmpDir, { recursive: true, force: true });
      }
      log(`${component} ${version}: ${files.length} files from ${spec.module} in ${target}`);
      return target;
    },
    { onWait: (pid) => log(`${component} ${version}: waiting for pid ${pid}`) },
  );
}

export async function ensureGatewayApiCrds(log: ProgressLog, root = cacheDir()): Promise<string> {
  return ensureModuleCopy(
    {
      component: 'gateway-api',
      module: GATEWAY_API.module,
      version: GATEWAY_API.version,
      source: GATEWAY_API.crdDir,
      outDir: gatewayApiDir(GATEWAY_API.version, root),
      target: 'crds',
      keep: (f) => !f.includes('/') && /\.ya?ml$/.test(f),
    },
    log,
    root,
  );
}

/** Traefik's RBAC for its Gateway API provider, from its module's docs. */
export async function ensureTraefikRbac(log: ProgressLog, root = cacheDir()): Promise<string> {
  const file = TRAEFIK.rbacFile.split('/').pop() as string;
  const dir = await ensureModuleCopy(
    {
      component: 'traefik-rbac',
      module: TRAEFIK.module,
      version: TRAEFIK.version,
      source: TRAEFIK.rbacFile.slice(0, -file.length - 1),
      outDir: chartDir('traefik-rbac', TRAEFIK.version, root),
      target: 'rbac',
      keep: (f) => f === file,
    },
    log,
    root,
  );
  return join(dir, file);
}

/**
 * The Stages a kwok controller needs to run nodes and pods (kwok starts with none): node
 * initialise and lease heartbeat, pod ready/complete/delete — the set kwokctl gives its own
 * controller — from kwok's module. Returns the files.
 */
export async function ensureKwokStages(log: ProgressLog, root = cacheDir()): Promise<string[]> {
  const files = [
    'node/fast/node-initialize.yaml',
    'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
    'pod/fast/pod-ready.yaml',
    'pod/fast/pod-complete.yaml',
    'pod/fast/pod-delete.yaml',
  ];
  const dir = await ensureModuleCopy(
    {
      component: 'kwok-stages',
      module: 'sigs.k8s.io/kwok',
      version: KWOK_VERSION,
      source: 'kustomize/stage',
      outDir: chartDir('kwok-stages', KWOK_VERSION, root),
      target: 'stages',
      keep: (f) => files.includes(f),
    },
    log,
    root,
  );
  return files.map((f) => join(dir, f));
}

/** A chart the addon's own module carries (see KIND_CHARTS), copied into the cache. */
export async function ensureChart(
  name: keyof typeof KIND_CHARTS,
  log: ProgressLog,
  root = cacheDir(),
): Promise<string> {
  const chart = KIND_CHARTS[name];
  return ensureModuleCopy(
    {
      component: `chart-${name}`,
      module: chart.module,
      version: chart.version,
      source: chart.chartDir,
      outDir: chartDir(name, chart.version, root),
      target: name,
    },
    log,
    root,
  );
}

/** Helm, for `helm template` of the charts kaic installs on kind. */
export async function buildHelm(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'helm',
      module: HELM.module,
      version: HELM.version,
      outDir: helmBinDir(HELM.version, root),
      binaries: ['helm'],
      packages: [`${HELM.module}/cmd/helm`],
      ldflags: [`-X ${HELM.module}/internal/version.version=${HELM.version}`],
      verify: (dir) =>
        expectVersionOutput(
          join(dir, 'helm'),
          ['version', '--template', '{{.Version}}'],
          HELM.version,
        ),
    },
    log,
    root,
  );
}

/**
 * JobSet's controller manager (the module's root package, so Go names the binary `jobset`), with
 * its CRD (crds/) and webhook configurations (webhook.yaml, and the kustomize patches that narrow
 * its pod webhooks to JobSet's pods: webhook-patches/) from the same module.
 */
export async function buildJobSet(log: ProgressLog, root = cacheDir()): Promise<boolean> {
  return buildPlainModule(
    {
      component: 'jobset',
      module: JOBSET.module,
      version: JOBSET.version,
      outDir: jobsetDir(JOBSET.version, root),
      binaries: ['jobset'],
      packages: [JOBSET.module],
      ldflags: [`-X ${JOBSET.module}/pkg/version.GitVersion=${JOBSET.version}`],
      moduleFiles: [
        ['config/components/crd/bases', 'crds'],
        ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
        ['config/components/webhook/patches', 'webhook-patches'],
      ],
      verify: (dir) => expectHelpMentions(join(dir, 'jobset'), '-config'),
    },
    log,
    root,
  );
}

/** Everything the real test node of this minor runs that kaic builds; returns the paths. */
export async function ensureNodeBinaries(
  release: KubernetesRelease,
  log: ProgressLog,
  root = cacheDir(),
): Promise<NodeBinaryPaths> {
  await goVersion();
  await buildKubelet(release, log, root);
  await buildContainerd(CONTAINERD_VERSION, log, root);
  await buildCriTools(CRI_TOOLS_VERSION, log, root);
  return nodeBinaryPaths(release, root);
}
