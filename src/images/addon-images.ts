/**
 * The images kaic's in-cluster addons run from, built on this machine for `--images local` (no
 * registry). Each addon names its images (AddonImage: the pinned upstream image, and how kaic
 * makes it here): the fake-GPU driver's Node.js runtime (busybox, the Node.js that runs kaic and
 * the shared libraries it links, tagged with that Node.js version), and the Go programs kaic
 * already builds for kwok (Kueue, JobSet, Traefik, Prometheus, prometheus-adapter), each on
 * busybox at the path, user and entrypoint of its upstream image, so the same manifests run it.
 * Loaded into Docker like the node image, labelled with their inputs and not built again while
 * those hold.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import {
  buildRecipe,
  formatSeconds,
  type GoModuleRecipe,
  type ProgressLog,
} from '../binaries/build.js';
import { cacheDir } from '../cache.js';
import { KIND_LOCAL_IMAGES } from '../versions/images.js';
import { findStaticBusybox, makeBusyboxRootfs } from './busybox.js';
import {
  docker,
  imageId,
  imageLabel,
  inputsHash,
  recordBuiltImage,
  requireDocker,
} from './docker-engine.js';
import { ImageBuildError, writeImageArchive, type ArchiveImage } from './oci-archive.js';

/** An image an addon runs in a cluster: as a registry serves it, and how kaic builds it here. */
export interface AddonImage {
  /** The pinned upstream reference manifests name in `registry` mode. */
  upstream: string;
  local: { kind: 'node-runtime' } | LocalProgramImage;
}

/** A Go program kaic builds, on busybox, laid out as its upstream image lays it out. */
export interface LocalProgramImage {
  kind: 'program';
  /** Its repository under kaic.local/ and its tag: kaic.local/<repository>:<tag>. */
  repository: string;
  tag: string;
  /** Builds the program (or finds it in the cache); its path. */
  build(log: ProgressLog): Promise<string>;
  /** Where the upstream image has the program. */
  path: string;
  entrypoint: string[];
  /** The user the upstream image runs as (uid[:gid]). */
  user?: string;
  /** The upstream image's working directory (the manifests mount what the program writes). */
  workingDir?: string;
}

/** An image reference `repository:tag` split at its last colon (a registry port stays in the repository). */
export function splitImage(image: string): { repository: string; tag: string } {
  const colon = image.lastIndexOf(':');
  return { repository: image.slice(0, colon), tag: image.slice(colon + 1) };
}

/**
 * A program kaic builds from its Go module (`recipe`, binary `binary`), as the image `upstream`
 * (repository:tag) lays it out; locally kaic.local/<last path element of the repository>:<tag>.
 */
export function programImage(spec: {
  upstream: string;
  recipe: GoModuleRecipe;
  binary: string;
  path: string;
  entrypoint: string[];
  user?: string;
  workingDir?: string;
}): AddonImage {
  const { repository, tag } = splitImage(spec.upstream);
  return {
    upstream: spec.upstream,
    local: {
      kind: 'program',
      repository: repository.slice(repository.lastIndexOf('/') + 1),
      tag,
      build: async (log) => {
        await buildRecipe(spec.recipe, log);
        return join(spec.recipe.outDir(cacheDir()), spec.binary);
      },
      path: spec.path,
      entrypoint: spec.entrypoint,
      ...(spec.user ? { user: spec.user } : {}),
      ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
    },
  };
}

/** The name `image` has in `local` mode. */
export function localImageName(image: AddonImage): string {
  return image.local.kind === 'node-runtime'
    ? KIND_LOCAL_IMAGES.nodeRuntimeImage(process.version)
    : `${KIND_LOCAL_IMAGES.repository}/${image.local.repository}:${image.local.tag}`;
}

export interface AddonImageOptions {
  log: ProgressLog;
  /** Environment for docker (DOCKER_HOST, …); default the process's. */
  env?: NodeJS.ProcessEnv;
  root?: string;
}

export interface BuiltAddonImage {
  /** The name manifests use. */
  name: string;
  /** Docker's image ID. */
  id: string;
  cached: boolean;
}

/** The fake-GPU manifests run as this user (the upstream Node.js image's `node`). */
const NODE_USER = 1000;

async function fileHash(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The shared libraries `binary` links, as the dynamic loader finds them here (none when static). */
export async function linkedLibraries(binary: string): Promise<string[]> {
  const ldd = await execa('ldd', [binary], { reject: false, all: true });
  if (ldd.exitCode !== 0) {
    if (/not a dynamic executable|statically linked/.test(String(ldd.all))) return [];
    throw new ImageBuildError(`ldd ${binary} failed (exit ${ldd.exitCode}): ${String(ldd.all)}`);
  }
  return parseLdd(ldd.stdout, binary);
}

/** The library paths in ldd's output: `name => /path (addr)` and the loader's own `/path (addr)`. */
export function parseLdd(output: string, binary: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    const linked = /=>\s+(\/\S+)\s+\(/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (linked) paths.push(linked);
    else if (/=>\s+not found/.test(line)) {
      throw new ImageBuildError(`${binary} needs a library this machine lacks: ${line.trim()}`);
    }
  }
  return paths;
}

/** Builds (or finds built) `image` in the local Docker engine. */
export async function buildAddonImage(
  image: AddonImage,
  options: AddonImageOptions,
): Promise<BuiltAddonImage> {
  return image.local.kind === 'node-runtime'
    ? buildNodeRuntimeImage(options)
    : buildProgramImage(image.local, options);
}

/** What an image on busybox adds: its top layer's files and its configuration. */
interface BusyboxImagePlan {
  name: string;
  /** Everything but busybox that decides its content (hashed into `dev.kaic.inputs`). */
  inputs: string[];
  /** Said when it is built. */
  building?: string;
  /** What images.json says it was made from. */
  from: string;
  /** Fills the top layer's directory. */
  fill(layer: string): Promise<void>;
  config: Pick<ArchiveImage, 'entrypoint' | 'cmd' | 'user' | 'workingDir' | 'description'>;
}

/**
 * Builds `plan` on the busybox layer into Docker unless an image of that name with the same
 * inputs is there; removes the image it replaces and records the new one in images.json.
 */
async function buildOnBusybox(
  plan: BusyboxImagePlan,
  options: AddonImageOptions,
): Promise<BuiltAddonImage> {
  const env = { ...process.env, ...options.env };
  const root = options.root ?? cacheDir();
  const { name } = plan;
  const busybox = await findStaticBusybox();
  const inputs = inputsHash([...plan.inputs, await fileHash(busybox)]);
  const previous = await imageLabel(name, 'dev.kaic.inputs', env);
  if (previous === inputs) {
    const id = await imageId(name, env);
    options.log(`${name}: cached (${id.slice(0, 19)})`);
    return { name, id, cached: true };
  }
  const previousId = previous === null ? null : await imageId(name, env);
  const t0 = Date.now();
  if (plan.building) options.log(`${name}: ${plan.building}`);
  const work = await mkdtemp(join(tmpdir(), 'kaic-addon-image-'));
  try {
    const base = join(work, 'busybox');
    await makeBusyboxRootfs(base, busybox);
    const layer = join(work, 'top');
    await mkdir(layer);
    await plan.fill(layer);
    const archive = join(work, 'image.tar');
    await writeImageArchive(
      [{ name, layers: [base, layer], ...plan.config, labels: { 'dev.kaic.inputs': inputs } }],
      archive,
    );
    await docker(['load', '-i', archive], env);
    const id = await imageId(name, env);
    // The one it replaces, untagged now: up to a hundred megabytes otherwise kept for good.
    if (previousId && previousId !== id) {
      await execa('docker', ['image', 'rm', previousId], { env, reject: false });
    }
    await recordBuiltImage(root, name, { id, inputs, from: plan.from });
    options.log(`${name}: built in ${formatSeconds(Date.now() - t0)} (${id.slice(0, 19)})`);
    return { name, id, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Copies `source` to `path` below `layer`. */
async function place(layer: string, source: string, path: string): Promise<void> {
  await mkdir(dirname(join(layer, path)), { recursive: true });
  await copyFile(source, join(layer, path));
}

/** A Go program on busybox: at its upstream image's path, with its entrypoint and user. */
async function buildProgramImage(
  spec: LocalProgramImage,
  options: AddonImageOptions,
): Promise<BuiltAddonImage> {
  await requireDocker({ ...process.env, ...options.env }, 'kaic images');
  const program = await spec.build(options.log);
  return buildOnBusybox(
    {
      name: `${KIND_LOCAL_IMAGES.repository}/${spec.repository}:${spec.tag}`,
      inputs: [
        'program/1',
        spec.path,
        ...spec.entrypoint,
        spec.user ?? '',
        spec.workingDir ?? '',
        await fileHash(program),
      ],
      from: `${program} on busybox`,
      fill: async (layer) => {
        await place(layer, program, spec.path);
        if (spec.workingDir) await mkdir(join(layer, spec.workingDir), { recursive: true });
      },
      config: {
        entrypoint: spec.entrypoint,
        ...(spec.user ? { user: spec.user } : {}),
        ...(spec.workingDir ? { workingDir: spec.workingDir } : {}),
        description: `kaic local build of ${spec.repository} ${spec.tag} from its Go module, on busybox`,
      },
    },
    options,
  );
}

/** The Node.js running kaic, with the libraries it links and the `node` user, on busybox. */
async function buildNodeRuntimeImage(options: AddonImageOptions): Promise<BuiltAddonImage> {
  await requireDocker({ ...process.env, ...options.env }, 'kaic images');
  const node = await realpath(process.execPath);
  const libraries = await linkedLibraries(node);
  return buildOnBusybox(
    {
      name: KIND_LOCAL_IMAGES.nodeRuntimeImage(process.version),
      inputs: [
        'node-runtime/1',
        process.version,
        await fileHash(node),
        ...(await Promise.all(libraries.map(async (l) => `${l}:${await fileHash(l)}`))),
      ],
      building: `Node.js ${process.version} of this machine and ${libraries.length} libraries on busybox`,
      from: `Node.js ${process.version} (${node}) and ${libraries.join(', ')} on busybox`,
      fill: async (layer) => {
        await place(layer, node, '/usr/local/bin/node');
        // Each at the path the loader looks for it (the symlink's own name, its target's content).
        for (const library of libraries) await place(layer, library, library);
        await mkdir(join(layer, 'home', 'node'), { recursive: true });
        await mkdir(join(layer, 'etc'), { recursive: true });
        await writeFile(
          join(layer, 'etc', 'passwd'),
          'root:x:0:0:root:/root:/bin/sh\n' +
            `node:x:${NODE_USER}:${NODE_USER}:node:/home/node:/bin/sh\n` +
            'nobody:x:65534:65534:nobody:/home:/bin/false\n',
        );
        await writeFile(
          join(layer, 'etc', 'group'),
          `root:x:0:\nnode:x:${NODE_USER}:\nnobody:x:65534:\n`,
        );
      },
      config: {
        cmd: ['node'],
        description: `kaic local build: Node.js ${process.version} of the machine that built it, on busybox, for the fake-GPU driver`,
      },
    },
    options,
  );
}
