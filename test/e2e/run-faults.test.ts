/**
 * `kaic run` against faults in its own environment: an output directory it cannot use is refused
 * before anything starts; one that breaks mid-run (removed, full, made read-only) never costs the
 * results: they go where asked when that can be made again, else to a fallback directory under the
 * system temp dir, named in the output, with exit code 3. Each run is the bundled CLI on a small
 * kwok cluster (one simulated node, no real node, no addons), or on an existing cluster started
 * here, and a spec that plants the fault. A server that stops answering, or a signal while the
 * reports are written, ends the run in bounded time with every report kept.
 */
import { existsSync, watch } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { KwokProvider } from '../../src/providers/kwok.js';
import type { RunResult } from '../../src/results/model.js';
import { DEFAULT_TEST_MINOR } from '../../src/versions/kubernetes.js';
import { hostTraces } from '../../src/providers/real-node/host.js';
import { processesBelow } from '../support/leftovers.js';

const KAIC = resolve('bin/kaic.js');
const FAULT_SPEC = resolve('test/fixtures/suites/output-fault.spec.mjs');

describe('[e2e] kaic run: faults in its own environment', function () {
  let dir = '';
  let tmp = '';

  beforeEach(async function () {
    dir = await mkdtemp('/tmp/kf-');
    tmp = join(dir, 't');
    await mkdir(tmp);
  });
  afterEach(async function () {
    await execa('umount', [join(dir, 'out')], { reject: false });
    await rm(dir, { recursive: true, force: true });
  });

  interface RunOptions {
    addons?: string;
    realNode?: 'yes' | 'no';
    /** --provider existing with this kubeconfig instead of a kwok cluster of the run's own. */
    kubeconfig?: string;
    /** --timeout, seconds per test. */
    timeout?: number;
    /** --requirements (default dra_support). */
    requirements?: string;
    env?: Record<string, string>;
  }

  /** The bundled CLI with the fault spec; its TMPDIR (and so any fallback) below this test's dir. */
  function start(output: string, fault: string, options: RunOptions = {}) {
    const cluster = options.kubeconfig
      ? ['--provider', 'existing', '--kubeconfig', options.kubeconfig]
      : ['--real-node', options.realNode ?? 'no', '--nodes', '1'];
    return execa(
      process.execPath,
      [
        KAIC,
        'run',
        '--spec',
        FAULT_SPEC,
        '--requirements',
        options.requirements ?? 'dra_support',
        '--addons',
        options.addons ?? 'none',
        ...cluster,
        ...(options.timeout ? ['--timeout', String(options.timeout)] : []),
        '--output',
        output,
      ],
      {
        reject: false,
        all: true,
        env: {
          TMPDIR: tmp,
          KAIC_KWOK_WORKDIR: join(tmp, 'k'),
          KAIC_TEST_OUTPUT_FAULT: fault,
          KAIC_TEST_OUTPUT_DIR: output,
          ...options.env,
        },
      },
    );
  }

  async function run(output: string, fault: string, options: RunOptions = {}) {
    const t0 = Date.now();
    const result = await start(output, fault, options);
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    process.stdout.write(`      ${fault}: exit ${result.exitCode} after ${seconds} s\n`);
    return result;
  }

  function requireRoot(ctx: Mocha.Context): void {
    if (process.getuid?.() !== 0) {
      process.stdout.write('      skipped: mounting a tmpfs needs root\n');
      ctx.skip();
    }
  }

  /** A size-limited tmpfs at `<dir>/out`, as a small or nearly full disk is. */
  async function tinyFilesystem(): Promise<string> {
    const out = join(dir, 'out');
    await mkdir(out);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'kaic-test-out', out]);
    return out;
  }

  /** The two passed dra_support tests of the fault spec, kept in results.json at `at`. */
  async function expectResultKept(at: string): Promise<void> {
    const result = JSON.parse(await readFile(join(at, 'results.json'), 'utf8')) as RunResult;
    const dra = result.requirements.find((r) => r.id === 'dra_support');
    expect(dra?.verdict).to.equal('Implemented');
    expect(result.counts.tests.passed).to.equal(2);
    expect((await readdir(at)).filter((f) => !f.startsWith('filler-')).sort()).to.deep.equal([
      'e2e.log',
      'junit.xml',
      'results.json',
      'summary.md',
    ]);
  }

  /** The fallback directory the run named, which must be below its TMPDIR. */
  function fallbackNamed(output: string, wanted: string): string {
    const match = /reports could not be written to (\S+) \((.+)\); they are in (\S+) instead/.exec(
      output,
    );
    expect(match, output.slice(-3000)).to.not.equal(null);
    expect(match![1]).to.equal(wanted);
    expect(match![3]!.startsWith(`${tmp}/kaic-results-`), match![3]).to.equal(true);
    return match![3]!;
  }

  it('an output directory under /proc is refused with exit 2 before anything starts (it used to spin forever)', async function () {
    this.timeout(60_000);
    const result = await run('/proc/kaic-e2e-forbidden/results', 'none');
    expect(result.exitCode, result.all).to.equal(2);
    expect(result.all).to.match(
      /kaic: --output \/proc\/kaic-e2e-forbidden\/results: cannot create \/proc\/kaic-e2e-forbidden: ENOENT/,
    );
    expect(result.all).to.not.include('cluster up');
    expect(existsSync(join(tmp, 'k')), 'no cluster state').to.equal(false);
  });

  it('a file in the way of the output directory is refused with exit 2, naming it', async function () {
    this.timeout(60_000);
    await writeFile(join(dir, 'a-file'), 'in the way');
    const result = await run(join(dir, 'a-file', 'out'), 'none');
    expect(result.exitCode, result.all).to.equal(2);
    expect(result.all).to.include(`${join(dir, 'a-file')} is a file, not a directory`);
    expect(result.all).to.not.include('cluster up');
  });

  it('an output directory on a read-only filesystem is refused with exit 2, naming the error', async function () {
    this.timeout(60_000);
    requireRoot(this);
    const out = await tinyFilesystem();
    await execa('mount', ['-o', 'remount,ro', out]);
    const result = await run(out, 'none');
    expect(result.exitCode, result.all).to.equal(2);
    expect(result.all).to.match(new RegExp(`--output ${out}: cannot write there: EROFS`));
    expect(result.all).to.not.include('cluster up');
  });

  it('the output directory removed mid-run: made again, every report there, exit 0', async function () {
    this.timeout(5 * 60_000);
    const out = join(dir, 'out', 'nested');
    const result = await run(out, 'remove');
    expect(result.exitCode, result.all.slice(-3000)).to.equal(0);
    expect(result.all).to.include(`reports in ${out}: results.json`);
    await expectResultKept(out);
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('the output filesystem full mid-run: reports in the fallback directory, said, exit 3', async function () {
    this.timeout(5 * 60_000);
    requireRoot(this);
    const out = await tinyFilesystem();
    const result = await run(out, 'fill');
    expect(result.exitCode, result.all.slice(-3000)).to.equal(3);
    const fallback = fallbackNamed(result.all, out);
    expect(result.all).to.match(/ENOSPC/);
    await expectResultKept(fallback);
    expect(await readdir(out)).to.satisfy((names: string[]) =>
      names.every((n) => n.startsWith('filler-')),
    );
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('the output filesystem made read-only mid-run: reports in the fallback directory, exit 3', async function () {
    this.timeout(5 * 60_000);
    requireRoot(this);
    const out = await tinyFilesystem();
    const result = await run(out, 'read-only');
    expect(result.exitCode, result.all.slice(-3000)).to.equal(3);
    fallbackNamed(result.all, out);
    expect(result.all).to.match(/EROFS/);
    await expectResultKept(fallbackNamed(result.all, out));
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('the API server killed mid-suite: the run ends, its results kept (the test after it failed), exit 1, nothing left', async function () {
    this.timeout(5 * 60_000);
    const out = join(dir, 'out');
    const result = await run(out, 'kill-apiserver');
    expect(result.exitCode, result.all.slice(-3000)).to.equal(1);
    expect(result.all).to.match(/FAIL .*reads the server version through the API server/);
    expect(result.all).to.match(/cluster down: done/);
    const kept = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(kept.requirements.find((r) => r.id === 'dra_support')?.verdict).to.equal(
      'Partially Implemented',
    );
    expect(kept.counts.tests).to.include({ passed: 1, failed: 1 });
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('an addon process (JobSet) killed mid-suite: the run goes on, stops the rest, exit 0, nothing left', async function () {
    this.timeout(5 * 60_000);
    const out = join(dir, 'out');
    const result = await run(out, 'kill-jobset', { addons: 'ai-operator' });
    expect(result.exitCode, result.all.slice(-3000)).to.equal(0);
    expect(result.all).to.match(/addons down: done/);
    await expectResultKept(out);
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('cancelled (SIGINT) mid-suite: the finished tests reported, the rest Unknown as not run, exit 130, nothing left', async function () {
    this.timeout(5 * 60_000);
    const out = join(dir, 'out');
    const result = await run(out, 'cancel', { requirements: 'dra_support,gang_scheduling' });
    expect(result.exitCode, result.all.slice(-3000)).to.equal(130);
    expect(result.all).to.include('SIGINT: writing the reports of the tests that finished');
    expect(result.all).to.match(/reports of 2 finished tests in /);
    const kept = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    const requirement = (id: string) => kept.requirements.find((r) => r.id === id);
    expect(requirement('dra_support')?.verdict).to.equal('Implemented');
    expect(requirement('gang_scheduling')?.verdict).to.equal('Unknown');
    expect(requirement('gang_scheduling')?.reason).to.equal(
      '2 of 2 checks could not run here (not run: the run was cancelled)',
    );
    expect((await readdir(out)).sort()).to.deep.equal([
      'e2e.log',
      'junit.xml',
      'results.json',
      'summary.md',
    ]);
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
  });

  it('the real node’s kubelet killed mid-suite: the node is still cleaned up, exit 0, nothing left', async function () {
    this.timeout(5 * 60_000);
    requireRoot(this);
    const before = new Set(await hostTraces());
    const out = join(dir, 'out');
    const result = await run(out, 'kill-kubelet', { realNode: 'yes' });
    expect(result.exitCode, result.all.slice(-3000)).to.equal(0);
    expect(result.all).to.match(/real node: stopped and cleaned up/);
    await expectResultKept(out);
    expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
    expect(
      (await hostTraces()).filter((t) => !before.has(t)),
      'host traces left',
    ).to.deep.equal([]);
  });
  describe('against an existing cluster (a kwok cluster started here, as someone else runs one)', function () {
    let theirs: KwokProvider | null = null;
    let theirDir = '';
    let kubeconfig = '';
    let apiServerPidFile = '';

    before(async function () {
      this.timeout(5 * 60_000);
      theirDir = await mkdtemp('/tmp/kf-theirs-');
      theirs = new KwokProvider({
        minor: DEFAULT_TEST_MINOR,
        nodeGroups: [{ namePrefix: 'their-node', count: 1 }],
        workdir: join(theirDir, 'kwok'),
        log: () => undefined,
      });
      const handle = await theirs.up();
      kubeconfig = handle.kubeconfigPath;
      // kwokctl keeps each component's pid beside the cluster's kubeconfig.
      apiServerPidFile = join(dirname(kubeconfig), 'pids', 'kube-apiserver.pid');
    });
    after(async function () {
      this.timeout(2 * 60_000);
      await theirs?.down();
      if (theirDir) await rm(theirDir, { recursive: true, force: true });
    });

    it('SIGTERM while the reports are written: they are finished first, exit 143, nothing left', async function () {
      this.timeout(5 * 60_000);
      const out = join(dir, 'out');
      await mkdir(out);
      // 2,000 failures of 20 kB: about 160 MB of reports, a few hundred ms of writing.
      const child = start(out, 'many-failures', {
        kubeconfig,
        env: { KAIC_TEST_FAILURES: '2000' },
      });
      // results.json is written first, through its temporary file: its appearance is the moment.
      let signalled = false;
      const watcher = watch(out, (_event, name) => {
        if (!signalled && name === '.results.json.tmp') {
          signalled = true;
          child.kill('SIGTERM');
        }
      });
      const t0 = Date.now();
      const result = await child.finally(() => watcher.close());
      process.stdout.write(
        `      SIGTERM during reports: exit ${result.exitCode} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
      );
      expect(signalled, 'the reports were being written when the signal was sent').to.equal(true);
      expect(result.exitCode, result.all.slice(-3000)).to.equal(143);
      expect(result.all).to.include('SIGTERM received, cleaning up');
      const kept = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
      expect(kept.counts.tests).to.include({ passed: 2, failed: 2000 });
      expect((await readdir(out)).sort()).to.deep.equal([
        'e2e.log',
        'junit.xml',
        'results.json',
        'summary.md',
      ]);
      expect((await readFile(join(out, 'junit.xml'), 'utf8')).trimEnd()).to.match(
        /<\/testsuites>$/,
      );
      expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
    });

    it('its API server stops answering mid-suite (SIGSTOP): the test after it times out, the run ends, results kept, exit 1', async function () {
      this.timeout(5 * 60_000);
      const out = join(dir, 'out');
      const pid = Number((await readFile(apiServerPidFile, 'utf8')).trim());
      try {
        const result = await run(out, 'stop-apiserver', {
          kubeconfig,
          timeout: 10,
          env: { KAIC_TEST_APISERVER_PID_FILE: apiServerPidFile },
        });
        expect(result.exitCode, result.all.slice(-3000)).to.equal(1);
        expect(result.all).to.match(/FAIL .*reads the server version through the API server/);
        expect(result.all).to.match(
          /cannot list this run's namespaces: .*; remove them later with kubectl delete namespaces -l conformance\.kaic\.dev\/run-id=kaic-[0-9a-f]{8}/,
        );
        const kept = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
        expect(kept.counts.tests).to.include({ passed: 1, failed: 1 });
        expect(await processesBelow(tmp), 'processes left').to.deep.equal([]);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    });
  });
});
