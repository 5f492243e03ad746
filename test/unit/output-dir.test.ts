/**
 * The output directory proven by use (src/util/safe-write.ts): made level by level with a bound
 * (Node's recursive mkdir never returns under /proc), written to and cleaned, every failure
 * naming the path and the error.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  makeDirectories,
  OutputPathError,
  probeOutputDirectory,
  removeEmptyDirectories,
} from '../../src/util/safe-write.js';

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('output directory: made and proven by writing', function () {
  let dir = '';
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-outdir-'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes every missing level, leaves only the directories, and says which it made', async function () {
    const target = join(dir, 'a', 'b', 'c');
    expect(await probeOutputDirectory(target)).to.deep.equal([
      join(dir, 'a'),
      join(dir, 'a', 'b'),
      target,
    ]);
    expect(await readdir(target)).to.deep.equal([]);
    expect(await probeOutputDirectory(target)).to.deep.equal([]); // again: nothing new
  });

  it('removes what it made while empty, deepest first, and keeps a level something was written to', async function () {
    const made = await makeDirectories(join(dir, 'a', 'b', 'c'));
    await writeFile(join(dir, 'a', 'kept'), 'x');
    await removeEmptyDirectories(made);
    expect(await readdir(dir)).to.deep.equal(['a']);
    expect(await readdir(join(dir, 'a'))).to.deep.equal(['kept']);
  });

  it('refuses a path below /proc at once (Node’s recursive mkdir spins there), naming it', async function () {
    this.timeout(5000);
    const error = await failure(makeDirectories('/proc/kaic-unit/out', '--output'));
    expect(error).to.be.instanceOf(OutputPathError);
    expect(error.message).to.match(
      /^--output \/proc\/kaic-unit\/out: cannot create \/proc\/kaic-unit: ENOENT/,
    );
  });

  it('refuses a file in the way, at the path or above it', async function () {
    await writeFile(join(dir, 'f'), 'x');
    expect((await failure(probeOutputDirectory(join(dir, 'f')))).message).to.equal(
      `output directory ${join(dir, 'f')}: it is a regular file, not a directory`,
    );
    expect((await failure(probeOutputDirectory(join(dir, 'f', 'out')))).message).to.equal(
      `output directory ${join(dir, 'f', 'out')}: ${join(dir, 'f')} is a regular file, not a directory`,
    );
  });

  it('refuses a directory it cannot write into, with the error the write got', async function () {
    // /proc/self exists and is a directory, and nothing can be created in it, not even by root.
    const error = await failure(probeOutputDirectory('/proc/self', '--output'));
    expect(error.message).to.match(/^--output \/proc\/self: cannot write there: E[A-Z]+/);
  });
});
