/**
 * kaic's binaries kept between workflow runs (src/action/binary-cache.ts) through the real
 * @actions/cache against a local stand-in of the Actions cache service that reads every request
 * with the service's published protobuf definition: the first run saves what it downloaded or
 * built under the key of its versions; a fresh runner restores it all and saves nothing; a new
 * pin saves a new key that the next run restores; another minor keeps its own line; a failing
 * service never fails the run.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import {
  cacheContents,
  cacheKey,
  cacheKeyPrefix,
  restoreBinaries,
  saveBinaries,
  type BinaryCacheOptions,
} from '../../src/action/binary-cache.js';
import { hostPlatform } from '../../src/versions/downloads.js';
import { startCacheService, type CacheServiceStandIn } from '../support/actions-cache-service.js';

const ENV = [
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_TOKEN',
  'RUNNER_TEMP',
  'GITHUB_SERVER_URL',
] as const;

describe('[binary cache] kaic binaries kept between workflow runs (@actions/cache, stand-in service)', function () {
  this.timeout(60_000);
  let service: CacheServiceStandIn;
  let dir = '';
  /** One runner's cache directory: the same path on every runner, as ~/.cache/kaic is. */
  let root = '';
  const saved = Object.fromEntries(ENV.map((k) => [k, process.env[k]]));
  const lines: string[] = [];
  const warnings: string[] = [];
  const options = (minor = '1.35'): BinaryCacheOptions => ({
    root,
    minor,
    log: (line) => lines.push(line),
    warn: (line) => warnings.push(line),
  });

  /** A stamped directory as a download or a build leaves it. */
  async function stamped(top: 'bin' | 'charts', component: string, version: string) {
    const out = join(root, top, component, version);
    await mkdir(out, { recursive: true });
    await writeFile(join(out, component), `#!/bin/sh\necho ${component} ${version}\n`, {
      mode: 0o755,
    });
    await writeFile(
      join(out, 'kaic-build.json'),
      JSON.stringify({ component, version, builtAt: '2026-12-07T00:00:00Z' }),
    );
  }
  const freshRunner = () => rm(root, { recursive: true, force: true });
  const expectedKey = (contents: string[], minor = '1.35') =>
    `kaic-binaries-${hostPlatform()}-${minor}-${createHash('sha256').update(contents.join('\n')).digest('hex').slice(0, 16)}`;

  before(async function () {
    service = await startCacheService();
    dir = await mkdtemp(join(tmpdir(), 'kaic-binary-cache-'));
    root = join(dir, 'runner-cache', 'kaic');
    process.env.ACTIONS_CACHE_SERVICE_V2 = 'true';
    process.env.ACTIONS_RESULTS_URL = service.url;
    process.env.ACTIONS_RUNTIME_TOKEN = service.token;
    process.env.RUNNER_TEMP = join(dir, 'runner-temp');
    delete process.env.GITHUB_SERVER_URL;
    await mkdir(process.env.RUNNER_TEMP, { recursive: true });
  });
  after(async function () {
    for (const key of ENV) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    await service.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(function () {
    lines.length = 0;
    warnings.length = 0;
    service.calls.length = 0;
  });
  afterEach(function () {
    expect(service.violations, 'requests the service definition refuses').to.deep.equal([]);
  });

  it('keys what the cache holds: every stamped directory’s component and version, per platform and minor', async function () {
    await freshRunner();
    await stamped('bin', 'kubernetes', 'v1.35.4');
    await stamped('charts', 'kwok-stages', 'v0.8.0');
    await mkdir(join(root, 'bin', 'kueue', 'v0.17.0'), { recursive: true }); // unstamped: half built
    expect(await cacheContents(root)).to.deep.equal(['kubernetes@v1.35.4', 'kwok-stages@v0.8.0']);
    const { key } = await cacheKey(root, '1.35');
    expect(key).to.equal(expectedKey(['kubernetes@v1.35.4', 'kwok-stages@v0.8.0']));
    expect(key.startsWith(cacheKeyPrefix('1.35'))).to.equal(true);
  });

  it('first run: nothing kept yet; what it downloaded or built is saved under its versions’ key', async function () {
    await freshRunner();
    const restored = await restoreBinaries(options());
    expect(restored).to.deep.equal({ restoredKey: null });
    expect(lines.join('\n')).to.contain('nothing kept yet for kaic-binaries-');
    await stamped('bin', 'kubernetes', 'v1.35.4');
    await stamped('bin', 'etcd', 'v3.6.16');
    await stamped('charts', 'kwok-stages', 'v0.8.0');
    await saveBinaries(restored, options());
    const key = expectedKey(['etcd@v3.6.16', 'kubernetes@v1.35.4', 'kwok-stages@v0.8.0']);
    expect(service.keys()).to.deep.equal([key]);
    expect(lines.at(-1)).to.match(
      new RegExp(`^kaic: binary cache: saved ${key} \\(3 components\\) in [\\d.]+ s$`),
    );
    expect(service.calls.filter((c) => c.startsWith('PUT blob'))).to.have.length.above(0);
    expect(warnings).to.deep.equal([]);
  });

  it('a fresh runner restores every binary and saves nothing', async function () {
    await freshRunner();
    const restored = await restoreBinaries(options());
    const key = expectedKey(['etcd@v3.6.16', 'kubernetes@v1.35.4', 'kwok-stages@v0.8.0']);
    expect(restored).to.deep.equal({ restoredKey: key });
    expect((await readdir(join(root, 'bin'))).sort()).to.deep.equal(['etcd', 'kubernetes']);
    expect(
      await readFile(join(root, 'bin', 'kubernetes', 'v1.35.4', 'kubernetes'), 'utf8'),
    ).to.equal('#!/bin/sh\necho kubernetes v1.35.4\n');
    await saveBinaries(restored, options());
    expect(lines.at(-1)).to.equal(`kaic: binary cache: unchanged (${key}); not saved again`);
    expect(service.calls.filter((c) => c.startsWith('CreateCacheEntry'))).to.deep.equal([]);
  });

  it('a new pin: the old binaries restored, the new set saved, and the next runner restores the new one', async function () {
    await freshRunner();
    const restored = await restoreBinaries(options());
    await stamped('bin', 'kwok', 'v0.9.0');
    await saveBinaries(restored, options());
    const newKey = expectedKey([
      'etcd@v3.6.16',
      'kubernetes@v1.35.4',
      'kwok-stages@v0.8.0',
      'kwok@v0.9.0',
    ]);
    expect(service.keys()).to.have.length(2);
    expect(service.keys().at(-1)).to.equal(newKey);
    await freshRunner();
    expect(await restoreBinaries(options())).to.deep.equal({ restoredKey: newKey });
    expect(await cacheContents(root)).to.include('kwok@v0.9.0');
  });

  it('another minor keeps its own line: 1.33 restores nothing of 1.35’s', async function () {
    await freshRunner();
    expect(await restoreBinaries(options('1.33'))).to.deep.equal({ restoredKey: null });
  });

  it('a failing service never fails the run: restore finds nothing, save says it did not save', async function () {
    await freshRunner();
    service.failWith(403);
    try {
      const restored = await restoreBinaries(options());
      expect(restored).to.deep.equal({ restoredKey: null });
      await stamped('bin', 'kubernetes', 'v1.35.4');
      await saveBinaries(restored, options());
      expect(lines.at(-1)).to.match(/not saved \(the cache service declined/);
    } finally {
      service.failWith(null);
    }
  });

  it('outside GitHub Actions (no cache service): not used, said once', async function () {
    const url = process.env.ACTIONS_RESULTS_URL;
    delete process.env.ACTIONS_RESULTS_URL;
    try {
      expect(await restoreBinaries(options())).to.equal(null);
      expect(lines).to.deep.equal([
        'kaic: binary cache: the Actions cache is not available here; not used',
      ]);
      await saveBinaries(null, options());
      expect(lines).to.have.length(1);
    } finally {
      process.env.ACTIONS_RESULTS_URL = url;
    }
  });
});
