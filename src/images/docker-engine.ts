/**
 * The local Docker engine as `kaic images` and the kind provider use it: is it there, run a
 * command and fail with its output, read an image's label, load an archive, and the record of
 * what kaic built (the cache's images.json).
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import { kindImagesDir } from '../cache.js';
import { UsageError } from '../errors.js';
import { ImageBuildError } from './oci-archive.js';

/**
 * Docker answers, or a clear error naming DOCKER_HOST: "<what> needs Docker, and Docker … does
 * not answer (<its first line>); start Docker (or set DOCKER_HOST)[, or <alternative>]".
 */
export async function requireDocker(
  env: NodeJS.ProcessEnv,
  what: string,
  alternative?: string,
): Promise<void> {
  const info = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    all: true,
    env,
  }).catch((error: Error) => ({ exitCode: 127, all: error.message }));
  if (info.exitCode !== 0) {
    const host = env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : '';
    const said =
      String(info.all)
        .split('\n')
        .find((l) => l.trim()) ?? `exit ${info.exitCode}`;
    throw new UsageError(
      `${what} needs Docker, and Docker${host} does not answer (${said}); ` +
        `start Docker (or set DOCKER_HOST)${alternative ? `, or ${alternative}` : ''}`,
    );
  }
}

/** Runs docker, failing with its output named. */
export async function docker(
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { input?: string; inputFile?: string } = {},
): Promise<string> {
  const result = await execa('docker', args, { env, reject: false, all: true, ...options });
  if (result.exitCode !== 0) {
    throw new ImageBuildError(
      `docker ${args.slice(0, 3).join(' ')} failed (exit ${result.exitCode}): ${String(result.all).trim()}`,
    );
  }
  return result.stdout.trim();
}

/** The value of label `key` on local image `name`, or null when Docker has no such image. */
export async function imageLabel(
  name: string,
  key: string,
  env: NodeJS.ProcessEnv,
): Promise<string | null> {
  const result = await execa(
    'docker',
    ['image', 'inspect', '--format', `{{ index .Config.Labels "${key}" }}`, name],
    { env, reject: false },
  );
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** Docker's image ID of local image `name`. */
export function imageId(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  return docker(['image', 'inspect', '--format', '{{.Id}}', name], env);
}

/** A short hash of what an image is built from, for its `dev.kaic.inputs` label. */
export function inputsHash(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 16);
}

/** What images.json says of one image kaic built. */
export interface BuiltImageRecord {
  /** Docker's image ID. */
  id: string;
  /** The hash of everything the image was built from (its `dev.kaic.inputs` label). */
  inputs: string;
  /** Images a node image holds in its containerd. */
  preloaded?: string[];
  /** What the image was made from, in words. */
  from?: string;
}

/** Writes of images.json one after another: images are built side by side. */
let recording: Promise<void> = Promise.resolve();

/** images.json in the cache: what `kaic images` put into Docker, by name. */
export function recordBuiltImage(
  root: string,
  name: string,
  entry: BuiltImageRecord,
): Promise<void> {
  const write = recording.then(async () => {
    const file = join(kindImagesDir(root), 'images.json');
    let record: Record<string, unknown> = {};
    try {
      record = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch {
      // first record
    }
    record[name] = { ...entry, builtAt: new Date().toISOString() };
    await mkdir(dirname(file), { recursive: true });
    // Another kaic may write it too: its own partial file, then an atomic rename.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
    await rename(partial, file);
  });
  recording = write.catch(() => undefined);
  return write;
}
