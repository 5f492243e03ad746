/**
 * The images kaic's in-cluster addons run from, built on this machine for `--images local` (no
 * registry): so far the fake-GPU driver's Node.js runtime, made of the busybox root filesystem,
 * the Node.js that runs kaic and the shared libraries it links, tagged with that Node.js version.
 * Loaded into Docker like the node image, labelled with its inputs and not built again while
 * they hold.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import { formatSeconds, type ProgressLog } from '../binaries/build.js';
import { cacheDir } from '../cache.js';
import { KIND_LOCAL_IMAGES, type AddonImageId } from '../versions/images.js';
import { findStaticBusybox, makeBusyboxRootfs } from './busybox.js';
import {
  docker,
  imageId,
  imageLabel,
  inputsHash,
  recordBuiltImage,
  requireDocker,
} from './docker-engine.js';
import { ImageBuildError, writeImageArchive } from './oci-archive.js';

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

/** Builds (or finds built) the image `id` in the local Docker engine. */
export async function buildAddonImage(
  id: AddonImageId,
  options: AddonImageOptions,
): Promise<BuiltAddonImage> {
  switch (id) {
    case 'node-runtime':
      return buildNodeRuntimeImage(options);
  }
}

async function buildNodeRuntimeImage(options: AddonImageOptions): Promise<BuiltAddonImage> {
  const env = { ...process.env, ...options.env };
  const root = options.root ?? cacheDir();
  await requireDocker(env, 'kaic images');
  const name = KIND_LOCAL_IMAGES.nodeRuntimeImage(process.version);
  const node = await realpath(process.execPath);
  const libraries = await linkedLibraries(node);
  const busybox = await findStaticBusybox();
  const inputs = inputsHash([
    'node-runtime/1',
    process.version,
    await fileHash(node),
    ...(await Promise.all(libraries.map(async (l) => `${l}:${await fileHash(l)}`))),
    await fileHash(busybox),
  ]);
  const previous = await imageLabel(name, 'dev.kaic.inputs', env);
  if (previous === inputs) {
    const id = await imageId(name, env);
    options.log(`${name}: cached (${id.slice(0, 19)})`);
    return { name, id, cached: true };
  }
  const previousId = previous === null ? null : await imageId(name, env);
  const t0 = Date.now();
  options.log(
    `${name}: Node.js ${process.version} of this machine and ${libraries.length} libraries on busybox`,
  );
  const work = await mkdtemp(join(tmpdir(), 'kaic-addon-image-'));
  try {
    const base = join(work, 'busybox');
    await makeBusyboxRootfs(base, busybox);
    const layer = join(work, 'node');
    const copies: Array<[string, string]> = [
      [node, '/usr/local/bin/node'],
      // Each at the path the loader looks for it (the symlink's own name, its target's content).
      ...libraries.map((l): [string, string] => [l, l]),
    ];
    for (const [source, target] of copies) {
      await mkdir(dirname(join(layer, target)), { recursive: true });
      await copyFile(source, join(layer, target));
    }
    await mkdir(join(layer, 'etc'), { recursive: true });
    await mkdir(join(layer, 'home', 'node'), { recursive: true });
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
    const archive = join(work, 'node-runtime.tar');
    await writeImageArchive(
      [
        {
          name,
          layers: [base, layer],
          cmd: ['node'],
          description: `kaic local build: Node.js ${process.version} of the machine that built it, on busybox, for the fake-GPU driver`,
          labels: { 'dev.kaic.inputs': inputs },
        },
      ],
      archive,
    );
    await docker(['load', '-i', archive], env);
    const id = await imageId(name, env);
    // The one it replaces, untagged now: a hundred megabytes otherwise kept for good.
    if (previousId && previousId !== id) {
      await execa('docker', ['image', 'rm', previousId], { env, reject: false });
    }
    await recordBuiltImage(root, name, {
      id,
      inputs,
      from: `Node.js ${process.version} (${node}) and ${libraries.join(', ')} on busybox`,
    });
    options.log(`${name}: built in ${formatSeconds(Date.now() - t0)} (${id.slice(0, 19)})`);
    return { name, id, cached: false };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
