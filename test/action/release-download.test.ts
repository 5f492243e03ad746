/**
 * Release downloads (kind, helm) through @actions/tool-cache, from a local HTTP server standing
 * in for the release host: the pinned sha256 decides, 5xx is retried, 404 and an unreachable
 * host fall back to building (said why), a wrong sum fails and leaves nothing behind, and the
 * helm archive's member is what lands in the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { buildRecipe, type GoModuleRecipe } from '../../src/binaries/build.js';
import {
  DownloadIntegrityError,
  downloadPinnedTool,
  downloadRelease,
  publishedSum,
} from '../../src/binaries/download.js';
import {
  containerdReleaseFile,
  hostPlatform,
  type PinnedDownload,
} from '../../src/versions/downloads.js';

const KIND_SCRIPT = '#!/bin/sh\necho "kind v0.33.0 go1.26.0 linux/amd64"\n';

describe('[downloads] pinned release binaries (kind, helm) via @actions/tool-cache', function () {
  this.timeout(30_000);
  let dir = '';
  let server: Server;
  let base = '';
  const files = new Map<string, Buffer>();
  /** Statuses to answer before serving a path, in order. */
  const failuresFor = new Map<string, number[]>();
  const requests: string[] = [];
  const g = globalThis as Record<string, unknown>;

  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-download-'));
    files.set('/kind', Buffer.from(KIND_SCRIPT));
    // A helm release archive: <os>-<arch>/helm inside a .tar.gz.
    const p = hostPlatform();
    await mkdir(join(dir, 'archive', p), { recursive: true });
    await writeFile(join(dir, 'archive', p, 'helm'), '#!/bin/sh\necho v3.22.0\n', { mode: 0o755 });
    await execa('tar', ['-czf', join(dir, 'helm.tar.gz'), '-C', join(dir, 'archive'), p]);
    files.set('/helm.tar.gz', await readFile(join(dir, 'helm.tar.gz')));
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      const queued = failuresFor.get(req.url ?? '');
      if (req.method === 'GET' && queued?.length) {
        res.writeHead(queued.shift()!).end();
        return;
      }
      const body = files.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // tool-cache's own hooks for its retry back-off (10-20 s by default).
    g.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS = 0;
    g.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS = 0;
  });
  after(async function () {
    delete g.TEST_DOWNLOAD_TOOL_RETRY_MIN_SECONDS;
    delete g.TEST_DOWNLOAD_TOOL_RETRY_MAX_SECONDS;
    await new Promise((resolve) => server.close(resolve));
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(function () {
    requests.length = 0;
    failuresFor.clear();
  });

  const sha = (body: Buffer) => createHash('sha256').update(body).digest('hex');
  const kindPin = (over: Partial<PinnedDownload> = {}): PinnedDownload => ({
    tool: 'kind',
    version: 'v0.33.0',
    platform: hostPlatform(),
    url: `${base}/kind`,
    sha256: sha(files.get('/kind')!),
    ...over,
  });
  let n = 0;
  const outDir = () => join(dir, 'cache', `out-${++n}`);
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);

  it('accepts a binary whose sha256 is the pinned one and leaves it executable in the cache', async function () {
    const out = outDir();
    const outcome = await downloadPinnedTool('kind', 'v0.33.0', out, { log, pin: kindPin() });
    expect(outcome)
      .to.have.property('downloaded')
      .that.deep.equals([join(out, 'kind')]);
    const said = await execa(join(out, 'kind'), ['version']);
    expect(said.stdout).to.match(/^kind v0\.33\.0 /);
    expect(lines.at(-1)).to.match(
      /^kind v0\.33\.0: 0\.0 MiB in \d+\.\d s, every sha256 as expected$/,
    );
    // Nothing but the binary: the download's work directory is gone.
    expect(await readdir(join(dir, 'cache'))).to.deep.equal([`out-${n}`]);
  });

  it('retries a 503 and a 429, then accepts the download', async function () {
    failuresFor.set('/kind', [503, 429]);
    const out = outDir();
    const outcome = await downloadPinnedTool('kind', 'v0.33.0', out, { log, pin: kindPin() });
    expect(outcome).to.have.property('downloaded');
    expect(requests.filter((r) => r === 'GET /kind')).to.have.length(3);
  });

  it('refuses a binary whose sha256 differs, naming both sums, and keeps nothing', async function () {
    const out = outDir();
    const wrong = 'f'.repeat(64);
    let error: unknown;
    await downloadPinnedTool('kind', 'v0.33.0', out, {
      log,
      pin: kindPin({ sha256: wrong }),
    }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DownloadIntegrityError);
    const message = (error as Error).message;
    expect(message).to.contain(`${base}/kind has sha256 ${sha(files.get('/kind')!)}`);
    expect(message).to.contain(`kaic pins ${wrong}`);
    expect(message).to.contain('KAIC_DOWNLOADS=off');
    expect(existsSync(out)).to.equal(false);
    expect((await readdir(join(dir, 'cache'))).filter((f) => f.includes('download'))).to.deep.equal(
      [],
    );
  });

  it('falls back (says HTTP 404, no retry) when the release file is not there', async function () {
    const outcome = await downloadPinnedTool('kind', 'v0.33.0', outDir(), {
      log,
      pin: kindPin({ url: `${base}/missing` }),
    });
    expect(outcome).to.deep.equal({ skipped: `${base}/missing failed: HTTP 404` });
    expect(requests.filter((r) => r === 'GET /missing')).to.have.length(1);
  });

  it('falls back at once when the release host cannot be reached', async function () {
    // A port nothing listens on: connection refused, as an offline machine's DNS failure is.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const t0 = Date.now();
    const outcome = await downloadPinnedTool('kind', 'v0.33.0', outDir(), {
      log,
      pin: kindPin({ url: `http://127.0.0.1:${port}/kind` }),
    });
    expect(outcome).to.deep.equal({
      skipped: `127.0.0.1:${port} cannot be reached (ECONNREFUSED)`,
    });
    // No retry back-off: the fallback (a build) starts at once.
    expect(Date.now() - t0).to.be.below(5000);
  });

  it('extracts the binary from a release archive (helm)', async function () {
    const out = outDir();
    const p = hostPlatform();
    const outcome = await downloadPinnedTool('helm', 'v3.22.0', out, {
      log,
      pin: {
        tool: 'helm',
        version: 'v3.22.0',
        platform: p,
        url: `${base}/helm.tar.gz`,
        sha256: sha(files.get('/helm.tar.gz')!),
        member: `${p}/helm`,
      },
    });
    expect(outcome)
      .to.have.property('downloaded')
      .that.deep.equals([join(out, 'helm')]);
    expect((await execa(join(out, 'helm'))).stdout).to.equal('v3.22.0');
    expect(await readdir(out)).to.deep.equal(['helm']);
  });

  it('says why it does not download: no pin for the platform, or downloads turned off', async function () {
    expect(await downloadPinnedTool('kind', 'v0.0.1', outDir(), { log })).to.deep.equal({
      skipped: `no sha256 is pinned for kind v0.0.1 on ${hostPlatform()}`,
    });
    expect(
      await downloadPinnedTool('kind', 'v0.33.0', outDir(), {
        log,
        env: { KAIC_DOWNLOADS: 'off' },
      }),
    ).to.deep.equal({ skipped: 'downloads are off (KAIC_DOWNLOADS=off)' });
    expect(requests).to.deep.equal([]);
  });

  it('checks each file against the sum its release publishes (a .sha256 file, a SHA256SUMS list), all or nothing', async function () {
    const apiserver = Buffer.from('#!/bin/sh\necho Kubernetes v1.35.4\n');
    const scheduler = Buffer.from('#!/bin/sh\necho Kubernetes v1.35.4\n#s\n');
    files.set('/bin/kube-apiserver', apiserver);
    files.set('/bin/kube-apiserver.sha256', Buffer.from(sha(apiserver)));
    files.set('/bin/kube-scheduler', scheduler);
    files.set(
      '/SHA256SUMS',
      Buffer.from(`${'0'.repeat(64)}  other\n${sha(scheduler)}  kube-scheduler\n`),
    );
    const set = (schedulerSums: string) => [
      {
        label: 'kube-apiserver v1.35.4',
        url: `${base}/bin/kube-apiserver`,
        sha256: { publishedAt: `${base}/bin/kube-apiserver.sha256` },
        binaries: [{ name: 'kube-apiserver' }],
      },
      {
        label: 'kube-scheduler v1.35.4',
        url: `${base}/bin/kube-scheduler`,
        sha256: { publishedAt: `${base}${schedulerSums}` },
        binaries: [{ name: 'kube-scheduler' }],
      },
    ];
    const out = outDir();
    const outcome = await downloadRelease(set('/SHA256SUMS'), out, { log });
    expect(outcome)
      .to.have.property('downloaded')
      .that.deep.equals([join(out, 'kube-apiserver'), join(out, 'kube-scheduler')]);
    expect((await execa(join(out, 'kube-scheduler'))).stdout).to.equal('Kubernetes v1.35.4');

    // The second file's published sum differs: neither file lands.
    files.set('/BADSUMS', Buffer.from(`${'e'.repeat(64)}  kube-scheduler\n`));
    const bad = outDir();
    const error = await downloadRelease(set('/BADSUMS'), bad, { log }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DownloadIntegrityError);
    expect((error as Error).message).to.contain(
      `but ${base}/BADSUMS publishes ${'e'.repeat(64)} for kube-scheduler v1.35.4`,
    );
    expect(existsSync(bad)).to.equal(false);
    // A sums file that does not name the file is refused too; a missing one falls back.
    files.set('/NOSUMS', Buffer.from(`${'e'.repeat(64)}  kube-proxy\n`));
    const none = await downloadRelease(set('/NOSUMS'), outDir(), { log }).catch((e: unknown) => e);
    expect((none as Error).message).to.equal(
      `${base}/NOSUMS names no sha256 for ${base}/bin/kube-scheduler; it was not used`,
    );
    expect(await downloadRelease(set('/GONE'), outDir(), { log })).to.deep.equal({
      skipped: `${base}/GONE failed: HTTP 404`,
    });
    expect((await readdir(join(dir, 'cache'))).filter((f) => f.includes('download'))).to.deep.equal(
      [],
    );
  });

  it('reads a published sum in the formats releases use', function () {
    const url = 'https://example.invalid/v1/etcd-v3.6.16-linux-amd64.tar.gz';
    const sum = 'a'.repeat(64);
    expect(publishedSum(`${sum}\n`, url)).to.equal(sum);
    expect(publishedSum(`${sum}  etcd-v3.6.16-linux-amd64.tar.gz\n`, url)).to.equal(sum);
    expect(publishedSum(`${sum} *etcd-v3.6.16-linux-amd64.tar.gz`, url)).to.equal(sum);
    expect(publishedSum(`${sum}  etcd-v3.6.16-linux-arm64.tar.gz`, url)).to.equal(null);
    expect(publishedSum('not a sum', url)).to.equal(null);
  });

  describe('a recipe built from its release instead (KAIC_RELEASE_MIRROR serving the release host)', function () {
    const saved = { mirror: process.env.KAIC_RELEASE_MIRROR, path: process.env.PATH };
    /** containerd's release layout, its binaries printing `version`. */
    const containerdArchive = async (version: string, printed: string) => {
      const tree = join(dir, `containerd-${version}-${printed}`);
      await mkdir(join(tree, 'bin'), { recursive: true });
      for (const name of ['containerd', 'containerd-shim-runc-v2', 'ctr', 'containerd-stress']) {
        await writeFile(
          join(tree, 'bin', name),
          `#!/bin/sh\necho "${name} github.com/containerd/containerd/v2 ${printed} 0123abc"\n`,
          { mode: 0o755 },
        );
      }
      await execa('tar', ['-czf', `${tree}.tar.gz`, '-C', tree, 'bin']);
      return readFile(`${tree}.tar.gz`);
    };
    /** Serves `file` at its release URL under the mirror, with its `.sha256sum` beside it. */
    const publish = (url: string, body: Buffer) => {
      const path = `/mirror/${new URL(url).host}${new URL(url).pathname}`;
      files.set(path, body);
      files.set(`${path}.sha256sum`, Buffer.from(`${sha(body)}  ${url.split('/').pop()}\n`));
    };
    const recipe = (version: string): GoModuleRecipe => ({
      component: 'containerd',
      module: 'github.com/containerd/containerd/v2',
      version,
      outDir: (r) => join(r, 'bin', 'containerd', version),
      binaries: ['containerd', 'containerd-shim-runc-v2', 'ctr'],
      packages: ['github.com/containerd/containerd/v2/cmd/containerd'],
      verify: [{ versionOutput: { binary: 'containerd', args: ['--version'], expect: version } }],
      release: () => [containerdReleaseFile(version)],
    });
    before(function () {
      process.env.KAIC_RELEASE_MIRROR = `${base}/mirror`;
      // No Go on PATH: anything that tried to build would fail, naming Go.
      process.env.PATH = '/usr/bin:/bin';
    });
    after(function () {
      for (const [key, value] of [
        ['KAIC_RELEASE_MIRROR', saved.mirror],
        ['PATH', saved.path],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    });

    it("lands the archive's binaries, checked by the recipe's own checks and stamped with where they came from, with no Go", async function () {
      publish(containerdReleaseFile('v2.2.9').url, await containerdArchive('v2.2.9', 'v2.2.9'));
      const root = join(dir, 'root-ok');
      expect(await buildRecipe(recipe('v2.2.9'), log, root)).to.equal(true);
      const out = join(root, 'bin', 'containerd', 'v2.2.9');
      expect((await readdir(out)).sort()).to.deep.equal([
        'containerd',
        'containerd-shim-runc-v2',
        'ctr',
        'kaic-build.json',
      ]);
      const stamp = JSON.parse(await readFile(join(out, 'kaic-build.json'), 'utf8')) as {
        goVersion: string;
        downloadedFrom: string[];
      };
      expect(stamp.goVersion).to.equal('none (downloaded)');
      expect(stamp.downloadedFrom).to.deep.equal([containerdReleaseFile('v2.2.9').url]);
      expect(requests).to.include(
        `GET /mirror/github.com/containerd/containerd/releases/download/v2.2.9/containerd-2.2.9-${hostPlatform()}.tar.gz`,
      );
      // Found complete the second time: nothing fetched.
      requests.length = 0;
      expect(await buildRecipe(recipe('v2.2.9'), log, root)).to.equal(false);
      expect(requests).to.deep.equal([]);
    });

    it("refuses binaries that pass the sum but not the recipe's checks, keeping nothing", async function () {
      // The release file of v2.2.8 holds binaries that say v2.1.0.
      publish(containerdReleaseFile('v2.2.8').url, await containerdArchive('v2.2.8', 'v2.1.0'));
      const root = join(dir, 'root-wrong');
      const error = await buildRecipe(recipe('v2.2.8'), log, root).catch((e: unknown) => e);
      expect((error as Error).message).to.match(
        /^containerd v2\.2\.8 downloaded from https:\/\/github\.com\/containerd\/.* failed its check \(.*v2\.2\.8.*\); nothing of it was kept/s,
      );
      expect(existsSync(join(root, 'bin', 'containerd', 'v2.2.8'))).to.equal(false);
    });

    it('falls back to the Go build, saying why, when the mirror has no such release', async function () {
      const root = join(dir, 'root-missing');
      lines.length = 0;
      const error = await buildRecipe(recipe('v2.2.7'), log, root).catch((e: unknown) => e);
      expect(lines.join('\n')).to.contain(
        `containerd v2.2.7: not downloaded (${base}/mirror/github.com/containerd/containerd/releases/download/v2.2.7/containerd-2.2.7-${hostPlatform()}.tar.gz failed: HTTP 404); building it`,
      );
      expect((error as Error).message).to.match(/^Go is not installed or not on PATH/);
    });
  });
});
