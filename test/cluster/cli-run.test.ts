/** `kaic run` end to end on the kwok provider: inputs checked first, reports written, cluster gone. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { binaryPaths } from '../../src/cache.js';
import { BINARY_FILES } from '../../src/providers/kwok-binaries.js';
import type { RunResult } from '../../src/results/model.js';
import { KWOK_VERSION } from '../../src/versions/kubernetes.js';
import { officialChecklistPaths } from '../support/shared.js';
import { runKaic } from '../support/kaic-cli.js';
import { onDefaultMinorOnly, requireRealNode, testCluster } from './hooks.js';

const kaic = runKaic;

describe('[cli] kaic run', function () {
  let dir = '';
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-run-'));
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs user specs against a fresh cluster, writes every report and removes the cluster', async function () {
    const workdir = join(dir, 'kwok');
    const out = join(dir, 'out');
    const checklist = officialChecklistPaths().find((o) => o.version === '1.35')?.path as string;
    const result = await kaic(
      [
        'run',
        '--kubernetes-version',
        testCluster().handle.minor,
        '--conformance-version',
        '1.35',
        '--checklist',
        checklist,
        '--spec',
        resolve('test/fixtures/suites/user-cluster.spec.mjs'),
        '--output',
        out,
        // The test cluster holds this machine's real node; the user's spec needs no addon.
        '--real-node',
        'no',
        '--addons',
        'none',
      ],
      { KAIC_KWOK_WORKDIR: workdir },
    );
    expect(result.exitCode, result.all).to.equal(1); // a MUST failed
    expect(result.stdout).to.include(
      'PASS [AIConformance] [dra_support] [MUST] user check against the cluster reads the server version',
    );
    expect(result.stdout).to.include(
      'FAIL [AIConformance] [gang_scheduling] [MUST] user check that fails finds a gang scheduler',
    );
    expect(result.stdout).to.include('MUST requirements not met: gang_scheduling');
    expect((await readdir(out)).sort()).to.deep.equal([
      'AIConformance-1.35-filled.yaml',
      'e2e.log',
      'junit.xml',
      'kaic-evidence',
      'results.json',
      'summary.md',
    ]);
    // The evidence documents the filled checklist points at, one per requirement with a status.
    expect((await readdir(join(out, 'kaic-evidence'))).sort()).to.deep.equal([
      'dra_support.md',
      'gang_scheduling.md',
    ]);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.cluster.serverVersion).to.equal(testCluster().release.version);
    expect(results.requirements.find((r) => r.id === 'dra_support')?.verdict).to.equal(
      'Implemented',
    );
    expect(results.requirements.find((r) => r.id === 'gang_scheduling')?.verdict).to.equal(
      'Not Implemented',
    );
    expect(
      existsSync(join(workdir, 'clusters')) ? await readdir(join(workdir, 'clusters')) : [],
    ).to.deep.equal([]);
  });

  it('a second kaic run while the test cluster holds the real node: refused at once (exit 3), naming the owner, nothing left', async function () {
    requireRealNode(this);
    const workdir = join(dir, 'kwok');
    const out = join(dir, 'out');
    const t0 = Date.now();
    const result = await kaic(
      [
        'run',
        '--kubernetes-version',
        testCluster().handle.minor,
        '--real-node',
        'yes',
        '--nodes',
        '1',
        '--addons',
        'none',
        '--requirements',
        'dra_support',
        '--output',
        out,
      ],
      { KAIC_KWOK_WORKDIR: workdir },
    );
    process.stdout.write(
      `      exit ${result.exitCode} after ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    expect(result.exitCode, result.all).to.equal(3);
    expect(result.stderr).to.include(
      `another real node is running on this machine (owner pid ${process.pid}`,
    );
    expect(result.all, 'refused before the cluster').to.not.include('starting control plane');
    expect(
      existsSync(join(workdir, 'clusters')) ? await readdir(join(workdir, 'clusters')) : [],
    ).to.deep.equal([]);
    expect(existsSync(out), 'no --output left by a run that made nothing').to.equal(false);
  });

  it('refuses bad input before creating anything', async function () {
    onDefaultMinorOnly(this, 'input checks do not change with the minor');
    const workdir = join(dir, 'kwok');
    const cases = [
      [['--requirements', 'dra_suport'], 'unknown requirement id "dra_suport"'],
      [['--levels', 'MAY'], '--levels "MAY" is not accepted; use MUST, SHOULD'],
      [['--categories', 'gpus'], 'unknown category "gpus"'],
      [['--spec', join(dir, 'absent.spec.js')], 'no such file'],
      [['--conformance-version', '1.20'], '--conformance-version "1.20" is not one kaic knows'],
      [['--timeout', '0'], '--timeout must be a number of seconds above 0'],
    ] as const;
    // All at once: each is refused before it makes anything, so they cannot meet.
    const results = await Promise.all(
      cases.map(([args]) =>
        kaic(['run', ...args, '--output', join(dir, 'out')], { KAIC_KWOK_WORKDIR: workdir }),
      ),
    );
    results.forEach((result, i) => {
      expect(result.exitCode, result.all).to.equal(2);
      expect(result.stderr).to.include(cases[i]![1]);
    });
    expect(existsSync(workdir)).to.equal(false);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });

  it('refuses an existing cluster whose API server does not answer, or that lacks a requirement asked for', async function () {
    const unreachable = join(dir, 'unreachable.kubeconfig');
    await writeFile(
      unreachable,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: gone, context: {cluster: c, user: u}}]',
        'current-context: gone',
        '',
      ].join('\n'),
    );
    const cases: Array<[string[], string]> = [
      [
        ['--kubeconfig', unreachable],
        `--kubeconfig ${unreachable}: the API server https://127.0.0.1:1 does not answer`,
      ],
      [
        ['--kubeconfig', testCluster().handle.kubeconfigPath, '--requirements', 'dra_suport'],
        'unknown requirement id "dra_suport"',
      ],
    ];
    for (const [args, message] of cases) {
      const before = (await testCluster().kubeConfig.makeApiClient(k8s.CoreV1Api).listNamespace())
        .items.length;
      const result = await kaic([
        'run',
        '--provider',
        'existing',
        ...args,
        '--output',
        join(dir, 'out'),
      ]);
      expect(result.exitCode, result.all).to.equal(2);
      expect(result.stderr).to.include(message);
      expect(result.stderr).to.match(/check that the cluster runs|this version has:/);
      const after = (await testCluster().kubeConfig.makeApiClient(k8s.CoreV1Api).listNamespace())
        .items.length;
      expect(after).to.equal(before);
      expect(existsSync(join(dir, 'out'))).to.equal(false);
    }
  });

  it('takes the Kubernetes binaries from KAIC_KUBERNETES_BIN_DIR or from PATH when the cache lacks them', async function () {
    onDefaultMinorOnly(this, 'where binaries are looked for does not change with the minor');
    const { release } = testCluster();
    const binDir = join(dir, 'bin');
    await mkdir(binDir);
    const cached = binaryPaths(release, KWOK_VERSION);
    for (const [key, file] of Object.entries(BINARY_FILES)) {
      await symlink(cached[key as keyof typeof cached], join(binDir, file));
    }
    const args = [
      'run',
      '--kubernetes-version',
      release.minor,
      '--real-node',
      'no',
      '--addons',
      'none',
      '--requirements',
      'dra_support',
    ];
    const offline = { KAIC_CACHE: join(dir, 'empty-cache'), GOPROXY: 'off' };
    // Both at once: two clusters of their own, each on its own ports and work directory.
    const [fromDir, fromPath] = await Promise.all([
      kaic([...args, '--output', join(dir, 'out-dir')], {
        ...offline,
        KAIC_KWOK_WORKDIR: join(dir, 'kwok-dir'),
        KAIC_KUBERNETES_BIN_DIR: binDir,
      }),
      kaic([...args, '--output', join(dir, 'out-path')], {
        ...offline,
        KAIC_KWOK_WORKDIR: join(dir, 'kwok-path'),
        PATH: `${binDir}:${process.env.PATH}`,
      }),
    ]);
    expect(fromDir.all).to.include(`binaries from KAIC_KUBERNETES_BIN_DIR=${binDir}`);
    expect(fromDir.all).to.include(`kube-apiserver ${release.version}`);
    expect(fromDir.exitCode, fromDir.all).to.be.oneOf([0, 1]);
    expect(fromPath.all).to.include(`binaries from PATH (${binDir})`);
    expect(fromPath.exitCode, fromPath.all).to.be.oneOf([0, 1]);
    // A directory lacking a binary, or holding another minor's, is refused before anything starts.
    await rm(join(binDir, 'kwokctl'));
    const lacking = await kaic([...args, '--output', join(dir, 'out-bad')], {
      KAIC_KWOK_WORKDIR: join(dir, 'kwok-bad'),
      KAIC_KUBERNETES_BIN_DIR: binDir,
    });
    expect(lacking.exitCode, lacking.all).to.equal(2);
    expect(lacking.stderr).to.include(`KAIC_KUBERNETES_BIN_DIR=${binDir} lacks kwokctl`);
    await symlink(cached.kwokctl, join(binDir, 'kwokctl'));
    await rm(join(binDir, 'kube-apiserver'));
    await writeFile(join(binDir, 'kube-apiserver'), '#!/bin/sh\necho Kubernetes v1.20.1\n', {
      mode: 0o755,
    });
    const otherMinor = await kaic([...args, '--output', join(dir, 'out-bad')], {
      KAIC_KWOK_WORKDIR: join(dir, 'kwok-bad'),
      KAIC_KUBERNETES_BIN_DIR: binDir,
    });
    expect(otherMinor.exitCode, otherMinor.all).to.equal(2);
    expect(otherMinor.stderr).to.include(
      `its kube-apiserver is Kubernetes 1.20, the run asks for ${release.minor}`,
    );
    expect(
      existsSync(join(dir, 'kwok-bad', 'clusters'))
        ? await readdir(join(dir, 'kwok-bad', 'clusters'))
        : [],
    ).to.deep.equal([]);
    expect(existsSync(join(dir, 'out-bad'))).to.equal(false);
  });

  it('refuses to run when the Kubernetes binaries are missing and cannot be built (no module proxy)', async function () {
    const workdir = join(dir, 'kwok');
    const result = await kaic(['run', '--real-node', 'no', '--output', join(dir, 'out')], {
      KAIC_KWOK_WORKDIR: workdir,
      KAIC_CACHE: join(dir, 'empty-cache'),
      GOPROXY: 'off',
      // No release download in place of the build either (a machine that reaches the hosts).
      KAIC_DOWNLOADS: 'off',
    });
    expect(result.exitCode, result.all).to.equal(2);
    expect(result.stderr).to.match(
      /could not download .* from the Go module proxy \(GOPROXY=off\)/,
    );
    expect(
      existsSync(join(workdir, 'clusters')) ? await readdir(join(workdir, 'clusters')) : [],
    ).to.deep.equal([]);
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });
});
