/**
 * Writing a user-named output file without harming what is there: only a regular file is
 * replaced, or a new name in an existing directory is created. A symlink, a directory, a device
 * or a FIFO is refused (as root, renaming over /dev/full would replace the device). The text goes
 * to a temporary file beside the target first and is renamed over it, so the target is whole or
 * untouched; the temporary file never outlives a failure.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, statSync, type Stats } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { InputError } from '../errors.js';

export class OutputPathError extends InputError {
  override name = 'OutputPathError';
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new OutputPathError(`cannot use ${path}: ${(error as Error).message}`);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isFile()) return 'a regular file';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Throws unless `path` is a regular file or a new name in an existing directory. */
export function checkOutputFile(path: string, what = 'output'): void {
  const target = lstatOrNull(path);
  if (target && !target.isFile()) {
    throw new OutputPathError(
      `${what} ${path} is ${kindOf(target)}; kaic writes only a regular file or a new one`,
    );
  }
  const parent = dirname(resolve(path));
  const dir = lstatOrNull(parent);
  if (!dir) throw new OutputPathError(`${what} ${path}: its directory ${parent} does not exist`);
  if (!dir.isDirectory())
    throw new OutputPathError(`${what} ${path}: ${parent} is not a directory`);
}

/** Throws unless `path` is a directory (not a link to one) or can be made as a new one. */
export async function ensureOutputDirectory(
  path: string,
  what = 'output directory',
): Promise<void> {
  const stats = lstatOrNull(path);
  if (stats && !stats.isDirectory()) {
    throw new OutputPathError(`${what} ${path} is ${kindOf(stats)}, not a directory`);
  }
  if (!stats) await mkdir(path);
}

/** Writes `text` to `path` whole or not at all (see the module comment). */
export async function writeFileSafely(path: string, text: string, what = 'output'): Promise<void> {
  checkOutputFile(path, what);
  const existing = lstatOrNull(path);
  const tmp = join(
    dirname(resolve(path)),
    `.${basename(path)}.kaic-${randomBytes(4).toString('hex')}`,
  );
  try {
    await writeFile(tmp, text, { flag: 'wx' });
    if (existing) await chmod(tmp, existing.mode & 0o7777);
    // Checked again just before the rename: something may have been put there meanwhile.
    checkOutputFile(path, what);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof OutputPathError) throw error;
    throw new OutputPathError(`cannot write ${what} ${path}: ${(error as Error).message}`);
  }
}

/**
 * `stat` (following links), or null when nothing is there (or a file above is in the way, which
 * the walk up then names); other errors name the path.
 */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new OutputPathError(`cannot use ${path}: ${(error as Error).message}`);
  }
}

/**
 * `mkdir -p`, one level at a time: Node's own recursive mkdir never returns where a directory
 * that exists answers ENOENT for a new entry (`/proc/x`: it retries the parent, forever).
 */
/** Returns the directories it made, outermost first. */
export async function makeDirectories(path: string, what = 'output directory'): Promise<string[]> {
  const target = resolve(path);
  const missing: string[] = [];
  for (let dir = target; ; dir = dirname(dir)) {
    const stats = statOrNull(dir);
    if (stats) {
      if (!stats.isDirectory()) {
        throw new OutputPathError(
          `${what} ${target}: ${dir === target ? 'it' : dir} is ${kindOf(stats)}, not a directory`,
        );
      }
      break;
    }
    missing.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of missing) {
    try {
      await mkdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST' && statOrNull(dir)?.isDirectory()) {
        continue;
      }
      throw new OutputPathError(
        `${what} ${target}: cannot create ${dir}: ${(error as Error).message}`,
      );
    }
  }
  return missing;
}

/** Removes directories makeDirectories made, deepest first, each only while it is empty. */
export async function removeEmptyDirectories(made: readonly string[]): Promise<void> {
  for (const dir of [...made].reverse()) {
    try {
      await rmdir(dir);
    } catch {
      return; // something was written there, or it is gone: keep what is above
    }
  }
}

/**
 * Proves a directory usable by using it: makes it (and its parents), writes a probe file and
 * removes it. Catches what permission bits do not tell root: /proc, a read-only mount, a full
 * disk, a file in the way.
 */
/** Returns the directories it made, for removeEmptyDirectories when the run then stops unused. */
export async function probeOutputDirectory(
  path: string,
  what = 'output directory',
): Promise<string[]> {
  const made = await makeDirectories(path, what);
  const probe = join(resolve(path), `.kaic-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'kaic checks that it can write here\n', { flag: 'wx' });
  } catch (error) {
    await rm(probe, { force: true }).catch(() => undefined);
    await removeEmptyDirectories(made);
    throw new OutputPathError(
      `${what} ${resolve(path)}: cannot write there: ${(error as Error).message}`,
    );
  }
  await rm(probe, { force: true });
  return made;
}

/** A new directory under the system temp dir, for what could not be written where asked. */
export async function fallbackDirectory(prefix = 'kaic-results-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}
