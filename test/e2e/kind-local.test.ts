/**
 * The kind path on a machine without a registry, with the bundled CLI: `kaic images` builds the
 * node image into a private Docker daemon (its data kept in kaic's cache, so the next run finds
 * the image); `kaic up --provider kind --images local` creates a real kind cluster from it whose
 * pods run and reach each other across nodes, `kaic run` decides a requirement against it and
 * `kaic down` deletes it; a run stopped by SIGINT while kind creates its nodes leaves no container.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';

import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';

import { cacheDir } from '../../src/cache.js';
import type { RunResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { KIND_LOCAL_IMAGES, LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { DEFAULT_TEST_MINOR, kubernetesRelease } from '../../src/versions/kubernetes.js';
import { startPrivateDocker, type PrivateDocker } from '../support/docker.js';

const KAIC = resolve('bin/kaic.js');

describe('[e2e] kind without a registry: kaic images, kaic run --provider kind --images local', function () {
  let docker: PrivateDocker | null = null;
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const nodeImage = KIND_LOCAL_IMAGES.nodeImage(kubernetesRelease(DEFAULT_TEST_MINOR).version);
  const kaic = (args: string[]) =>
    execa(process.execPath, [KAIC, ...args], { reject: false, all: true, env });
  const dockerCli = (args: string[]) => execa('docker', args, { env, reject: false });
  /** Containers of any kind cluster, and kaic's image-build containers, in the private daemon. */
  const leftContainers = async () => {
    const all = await dockerCli(['ps', '-a', '--format', '{{.Names}} {{.Labels}}']);
    return all.stdout
      .split('\n')
      .filter((line) => /io\.x-k8s\.kind\.cluster=|^kaic-build-/.test(line));
  };

  const removeLeftContainers = async () => {
    for (const line of await leftContainers()) {
      process.stdout.write(`      removing a leftover container: ${line.split(' ')[0]}\n`);
      await dockerCli(['rm', '-f', '-v', line.split(' ')[0]!]);
    }
  };

  before(async function () {
    for (const tool of ['dockerd', 'mmdebstrap']) {
      if ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode !== 0) {
        process.stdout.write(
          `      skipped: no ${tool} (apt-get install ${tool === 'dockerd' ? 'docker.io' : tool})\n`,
        );
        this.skip();
      }
    }
    dir = await mkdtemp('/tmp/kl-');
    docker = await startPrivateDocker(join(cacheDir(), 'docker'), join(dir, 'docker'));
    if (docker.trimmed) {
      process.stdout.write(
        `      private Docker runs privileged containers with capabilities trimmed: ${docker.trimmed}\n`,
      );
    }
    env = { ...process.env, ...docker.env, TMPDIR: dir, KAIC_UP_STATE: join(dir, 'up-state.json') };
    // The daemon's data is kept between runs: an earlier run that died may have left nodes.
    await removeLeftContainers();
  });

  after(async function () {
    // Whatever a failed test left: its kind clusters' containers.
    if (docker) {
      await removeLeftContainers();
      await docker.stop();
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('kaic images builds the node image into Docker, then finds it built', async function () {
    const first = await kaic(['images']);
    process.stdout.write(
      `      ${first.stderr
        .split('\n')
        .filter((l) => / built| cached|in \d/.test(l))
        .join('\n      ')}\n`,
    );
    expect(first.exitCode, first.all).to.equal(0);
    expect(first.stdout.trim()).to.equal(nodeImage);
    const labels = await dockerCli([
      'image',
      'inspect',
      '--format',
      '{{ index .Config.Labels "dev.kaic.local-image" }}',
      nodeImage,
    ]);
    expect(labels.stdout.trim()).to.equal('true');
    const again = await kaic(['images']);
    expect(again.exitCode, again.all).to.equal(0);
    expect(again.stderr).to.include(`${nodeImage} was already built`);
    expect(await leftContainers()).to.deep.equal([]);
  });

  it('kaic up --provider kind --images local: control plane, DNS and kube-proxy run from the preloaded images, pods reach pods on other nodes, kaic run decides a requirement, kaic down leaves nothing', async function () {
    const up = execa(
      process.execPath,
      [KAIC, 'up', '--provider', 'kind', '--images', 'local', '--addons', 'none'],
      { reject: false, all: true, env },
    );
    let output = '';
    up.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor(
        'kaic up to say the cluster is up',
        async () => {
          if (up.exitCode !== null) throw new Error(`kaic up ended: ${output}`);
          return output.includes('take it down: kaic down') ? true : undefined;
        },
        600_000,
      );
      process.stdout.write(
        `      ${output
          .split('\n')
          .filter((l) => /kind: (pod network|cluster .* up in)/.test(l))
          .join('\n      ')}\n`,
      );
      expect(output).to.match(/kind: pod network routed \(.+10\.244\.\d+\.0\/24/);
      const kubeconfig = /up: KUBECONFIG=(\S+)/.exec(output)?.[1];
      expect(kubeconfig, output).to.be.a('string');
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig!);
      const core = kc.makeApiClient(k8s.CoreV1Api);

      // Every kube-system pod runs: nothing was pulled, so each came from the node image.
      await waitFor(
        'every kube-system pod Running and ready',
        async () => {
          const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
          const ready = (p: k8s.V1Pod) =>
            p.status?.phase === 'Running' &&
            (p.status.containerStatuses ?? []).every((c) => c.ready);
          return pods.length >= 8 && pods.every(ready) ? pods : undefined;
        },
        180_000,
      );
      const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
      const images = new Set(pods.flatMap((p) => p.spec!.containers.map((c) => c.image!)));
      expect([...images].every((i) => i.startsWith(`${KIND_LOCAL_IMAGES.repository}/`))).to.equal(
        true,
      );

      // A server on one worker, a client on the other, through the Service's DNS name.
      const workers = (await core.listNode()).items
        .map((n) => n.metadata!.name!)
        .filter((n) => !n.endsWith('control-plane'));
      expect(workers).to.have.length(2);
      const pod = (name: string, node: string, command: string): k8s.V1Pod => ({
        metadata: { name, labels: { app: name } },
        spec: {
          nodeName: node,
          restartPolicy: 'Never',
          containers: [
            {
              name: 'main',
              image: LOCAL_NODE_IMAGES.busybox,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', command],
            },
          ],
        },
      });
      await core.createNamespacedPod({
        namespace: 'default',
        body: pod(
          'srv',
          workers[1]!,
          'mkdir -p /w && echo served-across-nodes > /w/index.html && exec httpd -f -p 8080 -h /w',
        ),
      });
      await core.createNamespacedService({
        namespace: 'default',
        body: {
          metadata: { name: 'srv' },
          spec: { selector: { app: 'srv' }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      });
      await core.createNamespacedPod({
        namespace: 'default',
        body: pod(
          'cli',
          workers[0]!,
          'for i in $(seq 30); do timeout 3 wget -qO- http://srv.default.svc.cluster.local/ && exit 0; sleep 1; done; exit 1',
        ),
      });
      const phase = await waitFor(
        'the client pod to finish',
        async () => {
          const p = await core.readNamespacedPod({ namespace: 'default', name: 'cli' });
          return ['Succeeded', 'Failed'].includes(p.status?.phase ?? '')
            ? p.status!.phase
            : undefined;
        },
        120_000,
      );
      const log = await core.readNamespacedPodLog({ namespace: 'default', name: 'cli' });
      expect(phase, log).to.equal('Succeeded');
      expect(log).to.include('served-across-nodes');

      // The debugging loop on kind: one requirement against the cluster that stays up.
      const run = await kaic([
        'run',
        '--provider',
        'existing',
        '--kubeconfig',
        kubeconfig!,
        '--requirements',
        'dra_support',
        '--output',
        join(dir, 'run'),
      ]);
      expect(run.exitCode, run.all.slice(-3000)).to.equal(0);
      const result = JSON.parse(
        await readFile(join(dir, 'run', 'results.json'), 'utf8'),
      ) as RunResult;
      const dra = result.requirements.find((r) => r.id === 'dra_support');
      expect(dra?.verdict, dra?.reason).to.equal('Implemented');
    } finally {
      const down = await kaic(['down']);
      expect(down.exitCode, down.all).to.equal(0);
      await up;
    }
    expect(await leftContainers()).to.deep.equal([]);
  });

  it('SIGINT while the cluster comes up: kaic deletes it and exits, nothing left', async function () {
    const proc = execa(
      process.execPath,
      [
        KAIC,
        'run',
        '--provider',
        'kind',
        '--images',
        'local',
        '--addons',
        'none',
        '--requirements',
        'dra_support',
        '--output',
        join(dir, 'cancel'),
      ],
      { reject: false, all: true, env },
    );
    let output = '';
    proc.all.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      'kind creating the cluster',
      async () => (/kind: creating /.test(output) ? true : undefined),
      300_000,
    );
    // Let kind get as far as the node containers.
    await waitFor(
      'a kind node container',
      async () => ((await leftContainers()).length > 0 ? true : undefined),
      120_000,
    );
    proc.kill('SIGINT');
    const ended = await proc;
    expect(ended.exitCode, ended.all).to.equal(130);
    expect(ended.all).to.include('SIGINT received, cleaning up');
    expect(await leftContainers()).to.deep.equal([]);
  });
});
