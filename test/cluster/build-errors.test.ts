/**
 * The binary build's failures, as a user meets them: one message naming the cause and the fix,
 * a non-zero exit, and nothing half-built left in the cache.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

async function runBuild(env: NodeJS.ProcessEnv) {
  return execa(process.execPath, ['--import', 'tsx', 'scripts/build-k8s.ts', '1.34'], {
    // The build's own failures: no release download in its place, on a machine that could.
    env: { ...env, KAIC_DOWNLOADS: 'off' },
    extendEnv: false,
    reject: false,
    all: true,
  });
}

describe('[build] Kubernetes binary build errors', function () {
  let cache = '';
  beforeEach(async function () {
    cache = await mkdtemp(join(tmpdir(), 'kaic-cache-test-'));
  });
  afterEach(async function () {
    await rm(cache, { recursive: true, force: true });
  });

  it('says Go is missing and how to get it', async function () {
    const emptyPath = join(cache, 'empty-bin');
    const result = await runBuild({ PATH: emptyPath, HOME: process.env.HOME, KAIC_CACHE: cache });
    expect(result.exitCode).to.equal(1);
    expect(result.all).to.match(
      /build-k8s: Go is not installed or not on PATH: .* need Go 1\.25 or newer/,
    );
  });

  it('names the module and the proxy when a download fails, and leaves no binaries', async function () {
    const result = await runBuild({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KAIC_CACHE: cache,
      GOPROXY: 'off',
    });
    expect(result.exitCode).to.equal(1);
    expect(result.all).to.include(
      'could not download k8s.io/kubernetes@v1.34.4 from the Go module proxy (GOPROXY=off)',
    );
    expect(result.all).to.match(/module lookup disabled by GOPROXY=off/);
    const bin = join(cache, 'bin');
    expect(existsSync(bin) ? await readdir(bin) : []).to.deep.equal([]);
  });
});
