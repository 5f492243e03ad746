/**
 * The generated kind configurations (kind-configs/<minor>.yaml) load in the real kind CLI of the
 * release the version table pins for each minor (built from its module). kind asks Docker first,
 * then validates the configuration, then pulls the node image: with a private Docker daemon and
 * no registry reachable, a valid configuration gets as far as the pull of the pinned image, an
 * invalid one stops at validation. Nothing is created either way.
 *
 * It loads every minor's file, so it runs once, on the default test minor.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { buildRecipe } from '../../src/binaries/build.js';
import { kindRecipe } from '../../src/binaries/recipes.js';
import { kindBinDir } from '../../src/cache.js';
import { KindProvider } from '../../src/providers/kind.js';
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  kubernetesRelease,
} from '../../src/versions/kubernetes.js';
import { startPrivateDocker, type PrivateDocker } from '../support/docker.js';
import { onDefaultMinorOnly } from './hooks.js';

describe('[kind] generated configs load in the real kind CLI', function () {
  this.timeout(10 * 60_000);
  let dir = '';
  let docker: PrivateDocker | null = null;
  let env: Record<string, string> = {};
  const creates = new Map<string, ReturnType<typeof kind>>();
  const loadName = (minor: string) => `kaic-load-${minor.replace('.', '')}`;

  before(async function () {
    onDefaultMinorOnly(this, "it loads every minor's config at once");
    if (!existsSync('/usr/sbin/dockerd') && !existsSync('/usr/bin/dockerd')) {
      process.stdout.write('      skipped: no dockerd (apt-get install docker.io)\n');
      this.skip();
    }
    for (const minor of KUBERNETES_MINORS) {
      await buildRecipe(kindRecipe(kubernetesRelease(minor).kind.kindVersion), () => undefined);
    }
    dir = await mkdtemp(join(tmpdir(), 'kaic-kind-load-'));
    // A private daemon: kind never gets past the image pull here, so nothing else is needed.
    docker = await startPrivateDocker(join(dir, 'data'), join(dir, 'run'));
    env = docker.env;
    // Every minor's create at once (each waits about ten seconds on its pull); the tests below
    // read one each.
    for (const minor of KUBERNETES_MINORS) {
      const release = kubernetesRelease(minor);
      creates.set(
        minor,
        kind(release.kind.kindVersion, [
          'create',
          'cluster',
          '--name',
          loadName(minor),
          '--config',
          `kind-configs/${minor}.yaml`,
        ]),
      );
    }
  });

  after(async function () {
    await docker?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function kind(version: string, args: string[]) {
    return execa(join(kindBinDir(version), 'kind'), args, { env, reject: false, all: true });
  }

  for (const minor of KUBERNETES_MINORS) {
    it(`${minor}: kind accepts kind-configs/${minor}.yaml and goes on to the pinned node image`, async function () {
      const release = kubernetesRelease(minor);
      const name = loadName(minor);
      const result = await creates.get(minor)!;
      expect(result.exitCode).to.not.equal(0);
      expect(result.all, 'no configuration error').to.not.match(
        /invalid configuration|unable to decode/,
      );
      expect(result.all, 'the next step: the pinned node image').to.include(
        `failed to pull image "${release.kind.nodeImage}"`,
      );
      const clusters = await kind(release.kind.kindVersion, ['get', 'clusters']);
      expect(clusters.all).to.not.include(name);
    });
  }

  it('KindProvider: the create runs with the generated config up to the pinned image, fails naming it, and leaves no cluster', async function () {
    const minor = DEFAULT_TEST_MINOR;
    const release = kubernetesRelease(minor);
    const lines: string[] = [];
    const provider = new KindProvider({
      minor,
      workers: 2,
      name: 'kaic-provider-test',
      logsDir: join(dir, 'logs'),
      log: (line) => lines.push(line),
      env,
      waitSeconds: 30,
    });
    let message = '';
    try {
      await provider.up().catch((error: Error) => (message = error.message));
    } finally {
      await provider.down();
    }
    process.stdout.write(`      ${lines.join('\n      ')}\n`);
    expect(message).to.include('kind create cluster kaic-provider-test failed');
    expect(message).to.include(`failed to pull image "${release.kind.nodeImage}"`);
    expect(lines.join('\n')).to.include(
      `kind: creating kaic-provider-test (kind ${release.kind.kindVersion}`,
    );
    expect(lines.join('\n')).to.include('kind: cluster kaic-provider-test deleted');
    const clusters = await kind(release.kind.kindVersion, ['get', 'clusters']);
    expect(clusters.all).to.not.include('kaic-provider-test');
  });

  it('KindProvider: refuses a name an existing kind cluster has (exit 2), and never deletes that cluster', async function () {
    const version = kubernetesRelease(DEFAULT_TEST_MINOR).kind.kindVersion;
    // A stand-in "cluster": a container carrying kind's cluster label, from an empty local image.
    await execa('sh', ['-c', 'tar -cf - -T /dev/null | docker import - kaic-empty:1'], { env });
    await execa(
      'docker',
      ['create', '--label', 'io.x-k8s.kind.cluster=taken', 'kaic-empty:1', '/none'],
      { env },
    );
    expect((await kind(version, ['get', 'clusters'])).all).to.include('taken');
    const run = await execa(
      process.execPath,
      [
        'bin/kaic.js',
        'run',
        '--provider',
        'kind',
        '--cluster-name',
        'taken',
        '--output',
        join(dir, 'out'),
      ],
      { env: { ...env, TMPDIR: dir }, reject: false, all: true },
    );
    expect(run.exitCode, run.all).to.equal(2);
    expect(run.stderr).to.include(
      'a kind cluster named taken already exists; delete it (kind delete cluster --name taken)',
    );
    expect((await kind(version, ['get', 'clusters'])).all).to.include('taken');
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });

  it('kaic run --provider kind without Docker: exit 2 naming DOCKER_HOST and the fix, nothing created', async function () {
    const gone = `unix://${join(dir, 'no-docker.sock')}`;
    const run = await execa(
      process.execPath,
      ['bin/kaic.js', 'run', '--provider', 'kind', '--output', join(dir, 'out')],
      { env: { DOCKER_HOST: gone }, reject: false, all: true },
    );
    expect(run.exitCode, run.all).to.equal(2);
    expect(run.stderr).to.include(
      `--provider kind needs Docker, and Docker at DOCKER_HOST=${gone} does not answer`,
    );
    expect(run.stderr).to.include('start Docker (or set DOCKER_HOST), or use --provider kwok');
    expect(existsSync(join(dir, 'out'))).to.equal(false);
  });

  it('an invalid configuration stops at validation (the check can fail)', async function () {
    const bad = join(dir, 'bad.yaml');
    await writeFile(
      bad,
      'kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: bogus\n',
    );
    const version = kubernetesRelease(DEFAULT_TEST_MINOR).kind.kindVersion;
    const result = await kind(version, [
      'create',
      'cluster',
      '--name',
      'kaic-load-bad',
      '--config',
      bad,
    ]);
    expect(result.exitCode).to.not.equal(0);
    expect(result.all).to.include('invalid configuration');
    expect(result.all).to.not.include('failed to pull image');
  });
});
