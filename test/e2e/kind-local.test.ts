/**
 * The kind path on a machine without a registry, with the bundled CLI: `kaic images` builds the
 * node image into a private Docker daemon (its data kept in kaic's cache, so the next run finds
 * the image); `kaic up --provider kind --images local` creates a real kind cluster from it whose
 * pods run and reach each other across nodes, `kaic run` decides a requirement against it and
 * `kaic down` deletes it; a run stopped by SIGINT while kind creates its nodes leaves no container.
 * On that cluster kaic's fake-GPU driver runs from the Node.js image `kaic images` builds: its
 * verdicts and two planted faults give what docs/platforms.md §5 expects; Volcano from its chart
 * gives what §7 expects, and with its scheduler scaled to 0 gang_scheduling falls.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

import { expect } from 'chai';
import * as k8s from '@kubernetes/client-node';
import { execa } from 'execa';

import {
  VOLCANO_CONTROLLER_IMAGE,
  VOLCANO_SCHEDULER_IMAGE,
} from '../../src/addons/gang-scheduler/pin.js';
import { cacheDir } from '../../src/cache.js';
import { FAKE_GPU_DRIVER_NAME } from '../../src/fakegpu/driver.js';
import { DraObjects } from '../../src/k8s/dra-objects.js';
import { NVIDIA_MAJOR, NVIDIACTL_MINOR } from '../../src/fakegpu/plugin/cdi.js';
import { localImageName } from '../../src/images/addon-images.js';
import type { RunResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { KIND_LOCAL_IMAGES, LOCAL_NODE_IMAGES } from '../../src/versions/images.js';
import { DEFAULT_TEST_MINOR, kubernetesRelease } from '../../src/versions/kubernetes.js';
import { startPrivateDocker, type PrivateDocker } from '../support/docker.js';
import { createLeakyRuntime, type LeakyRuntime } from '../support/leaky-runtime.js';
import { expectedVerdicts } from '../support/platform-expectations.js';

const KAIC = resolve('bin/kaic.js');

describe('[e2e] kind without a registry: kaic images, kaic run --provider kind --images local', function () {
  let docker: PrivateDocker | null = null;
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  const nodeImage = KIND_LOCAL_IMAGES.nodeImage(kubernetesRelease(DEFAULT_TEST_MINOR).version);
  const runtimeImage = KIND_LOCAL_IMAGES.nodeRuntimeImage();
  const kaic = (args: string[], extraEnv: Record<string, string> = {}) =>
    execa(process.execPath, [KAIC, ...args], {
      reject: false,
      all: true,
      env: { ...env, ...extraEnv },
    });
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

  /**
   * The planted runtime fault of the cluster tests (test/support/leaky-runtime.ts) inside kind
   * nodes: its files, and this machine's Node.js that runs its spec patch, copied to the same
   * paths in each node, and the node's runc moved aside for the wrapper. remove() puts runc back.
   */
  async function plantLeakyRuntime(
    nodes: string[],
    leakDir: string,
  ): Promise<Pick<LeakyRuntime, 'arm'> & { remove(): Promise<void> }> {
    const runtime = await createLeakyRuntime(leakDir, '/usr/sbin/runc.real');
    const inNode = async (node: string, args: string[], inputFile?: string) => {
      const result = await execa('docker', args, {
        env,
        reject: false,
        ...(inputFile ? { inputFile } : {}),
      });
      expect(result.exitCode, `${node}: docker ${args.join(' ')}: ${result.stderr}`).to.equal(0);
    };
    // Streamed in: a kind node's /tmp is a tmpfs, which docker cp does not see.
    const copyInto = (node: string, file: string) =>
      inNode(
        node,
        [
          'exec',
          '-i',
          node,
          'sh',
          '-c',
          `mkdir -p ${dirname(file)} && cat > ${file} && chmod 755 ${file}`,
        ],
        file,
      );
    for (const node of nodes) {
      for (const file of [runtime.path, join(leakDir, 'patch-spec.mjs'), process.execPath]) {
        await copyInto(node, file);
      }
      await inNode(node, [
        'exec',
        node,
        'sh',
        '-c',
        `mv /usr/sbin/runc /usr/sbin/runc.real && cp ${runtime.path} /usr/sbin/runc`,
      ]);
    }
    return {
      async arm(mode, devices) {
        await runtime.arm(mode, devices);
        for (const node of nodes) await copyInto(node, join(leakDir, 'leak.json'));
      },
      async remove() {
        for (const node of nodes) {
          await dockerCli([
            'exec',
            node,
            'sh',
            '-c',
            `rm -f ${leakDir}/leak.json; mv -f /usr/sbin/runc.real /usr/sbin/runc`,
          ]);
        }
      },
    };
  }

  /** `kaic run --provider kind --images local` in the background, its output collected. */
  function startKindRun(addons: string, requirements: string, out: string) {
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
        addons,
        '--requirements',
        requirements,
        '--output',
        out,
      ],
      { reject: false, all: true, env },
    );
    let collected = '';
    proc.all.on('data', (chunk: Buffer) => (collected += chunk.toString()));
    return { proc, output: () => collected };
  }

  /**
   * `kaic up --provider kind --images local` with these arguments, in the background, until it
   * says the cluster is up: its process, its output so far, and the cluster's kubeconfig.
   */
  async function startKindUp(args: string[]) {
    const proc = execa(
      process.execPath,
      [KAIC, 'up', '--provider', 'kind', '--images', 'local', ...args],
      { reject: false, all: true, env },
    );
    let collected = '';
    proc.all.on('data', (chunk: Buffer) => (collected += chunk.toString()));
    await waitFor(
      'kaic up to say the cluster is up',
      async () => {
        if (proc.exitCode !== null) throw new Error(`kaic up ended: ${collected}`);
        return collected.includes('take it down: kaic down') ? true : undefined;
      },
      600_000,
    );
    const kubeconfig = /up: KUBECONFIG=(\S+)/.exec(collected)?.[1];
    expect(kubeconfig, collected).to.be.a('string');
    return { proc, output: () => collected, kubeconfig: kubeconfig! };
  }

  /**
   * `kaic run --provider existing` against the cluster `kaic up` keeps, with the addons' settings
   * it saved (as its "rerun a requirement" line gives them): the verdicts, printed.
   */
  async function verdictsOn(
    kubeconfig: string,
    label: string,
    requirements: string[],
    extraEnv: Record<string, string> = {},
  ) {
    const upState = JSON.parse(await readFile(env.KAIC_UP_STATE!, 'utf8')) as {
      env: Record<string, string>;
    };
    const run = await kaic(
      [
        'run',
        '--provider',
        'existing',
        '--kubeconfig',
        kubeconfig,
        '--requirements',
        requirements.join(','),
        '--output',
        join(dir, label),
      ],
      { ...upState.env, ...extraEnv },
    );
    const results = JSON.parse(
      await readFile(join(dir, label, 'results.json'), 'utf8'),
    ) as RunResult;
    const measured = Object.fromEntries(results.requirements.map((r) => [r.id, r.verdict]));
    process.stdout.write(`      ${label}: ${JSON.stringify(measured)}\n`);
    for (const r of results.requirements.filter((r) => r.verdict === 'Unknown')) {
      process.stdout.write(`        ${r.id} Unknown: ${r.reason}\n`);
    }
    for (const line of run.all.split('\n').filter((l) => /requirement \S+: .*wall/.test(l))) {
      process.stdout.write(`        ${line}\n`);
    }
    return { measured, run };
  }

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
    const built = first.stdout.trim().split('\n');
    expect(built.slice(0, 2)).to.deep.equal([nodeImage, runtimeImage]);
    // Every addon's in-cluster image: kaic's fake-GPU runtime and the Go programs' release layouts.
    expect(built.slice(2).map((name) => name.replace(/:.*/, ''))).to.have.members(
      [
        'prometheus',
        'prometheus-adapter',
        'kueue',
        'vc-scheduler',
        'vc-controller-manager',
        'traefik',
        'jobset',
      ].map((repository) => `${KIND_LOCAL_IMAGES.repository}/${repository}`),
    );
    const labels = await dockerCli([
      'image',
      'inspect',
      '--format',
      '{{ index .Config.Labels "dev.kaic.local-image" }}',
      nodeImage,
    ]);
    expect(labels.stdout.trim()).to.equal('true');
    const runtime = await dockerCli([
      'run',
      '--rm',
      '-u',
      '1000',
      runtimeImage,
      'node',
      '-p',
      'process.version',
    ]);
    expect(runtime.stdout.trim(), runtime.stderr).to.equal(process.version);
    const again = await kaic(['images']);
    expect(again.exitCode, again.all).to.equal(0);
    expect(again.stderr).to.include(`${nodeImage} was already built`);
    expect(again.stderr).to.include(`${runtimeImage}: cached`);
    expect(await leftContainers()).to.deep.equal([]);
  });

  it("kaic up --provider kind --images local with every addon: control plane, DNS and kube-proxy from the preloaded images, pods reach pods on other nodes, every addon from its local image, the fake-GPU driver's plugin registered and CDI devices in pods, the verdicts of docs/platforms.md §6 and §5's planted faults, kaic down leaves nothing", async function () {
    const { proc: up, output: upOutput, kubeconfig } = await startKindUp([]);
    try {
      const output = upOutput();
      process.stdout.write(
        `      ${output
          .split('\n')
          .filter((l) => /kind: (pod network|cluster .* up in)/.test(l))
          .join('\n      ')}\n`,
      );
      expect(output).to.match(/kind: pod network routed \(.+10\.244\.\d+\.0\/24/);
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
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

      // The driver: its kubelet plugin registered on both workers, and a pod holding a claim
      // gets its device node through CDI.
      // Every addon image preloaded in the node image, none loaded into running nodes; every
      // pod of every namespace runs a kaic.local/ image.
      expect(output).to.match(
        new RegExp(`images: ${nodeImage}-addons-\\w+: (cached|[^\\n]*${runtimeImage})`),
      );
      expect(output).to.not.match(/loaded into the nodes/);
      const everyPod = (await core.listPodForAllNamespaces()).items.filter(
        (p) => !['default'].includes(p.metadata!.namespace!),
      );
      const foreign = everyPod
        .flatMap((p) =>
          p.spec!.containers.map((c) => `${p.metadata!.namespace}/${p.metadata!.name}: ${c.image}`),
        )
        .filter((line) => !line.includes(`: ${KIND_LOCAL_IMAGES.repository}/`));
      expect(foreign, 'pods on images not built here').to.deep.equal([]);
      const nodeNames = (await core.listNode()).items.map((n) => n.metadata!.name!);
      for (const worker of workers) {
        const registry = await dockerCli([
          'exec',
          worker,
          'ls',
          '/var/lib/kubelet/plugins_registry',
        ]);
        expect(registry.stdout, `${worker}: ${registry.stderr}`).to.include(FAKE_GPU_DRIVER_NAME);
      }
      await k8s.KubernetesObjectApi.makeApiClient(kc).create({
        apiVersion: 'resource.k8s.io/v1',
        kind: 'ResourceClaim',
        metadata: { name: 'one-gpu', namespace: 'default' },
        spec: {
          devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu.nvidia.com' } }] },
        },
      } as k8s.KubernetesObject);
      const holder = pod('holder', '', 'ls /dev/nvidia*');
      delete holder.spec!.nodeName;
      holder.spec!.resourceClaims = [{ name: 'gpu', resourceClaimName: 'one-gpu' }];
      holder.spec!.containers[0]!.resources = { claims: [{ name: 'gpu' }] };
      await core.createNamespacedPod({ namespace: 'default', body: holder });
      const held = await waitFor(
        'the claim holder to finish',
        async () => {
          const p = await core.readNamespacedPod({ namespace: 'default', name: 'holder' });
          return ['Succeeded', 'Failed'].includes(p.status?.phase ?? '') ? p : undefined;
        },
        120_000,
      );
      const devices = await core.readNamespacedPodLog({ namespace: 'default', name: 'holder' });
      process.stdout.write(
        `      holder on ${held.spec!.nodeName}: ${devices.trim().split('\n').join(' ')}\n`,
      );
      expect(held.status!.phase, devices).to.equal('Succeeded');
      expect(devices.split('\n').filter((l) => /^\/dev\/nvidia\d+$/.test(l))).to.have.length(1);

      // The accelerator requirements against the cluster that stays up, as the page expects.
      const platform = "kind on kaic's local images with every addon";
      const expected = expectedVerdicts(platform);
      const verdicts = (label: string, requirements: string[]) =>
        verdictsOn(kubeconfig, label, requirements);
      const healthy = await verdicts('healthy', Object.keys(expected));
      expect(healthy.measured, healthy.run.all.slice(-3000)).to.deep.equal(expected);
      expect(healthy.run.exitCode).to.equal(0);

      // Planted fault: the workers' runc hands every container every GPU.
      const leak = await plantLeakyRuntime(workers, join(dir, 'leak'));
      try {
        await leak.arm('every-container', [
          ...[0, 1, 2, 3].map((minor) => ({
            path: `/dev/nvidia${minor}`,
            major: NVIDIA_MAJOR,
            minor,
          })),
          { path: '/dev/nvidiactl', major: NVIDIA_MAJOR, minor: NVIDIACTL_MINOR },
        ]);
        const leaking = await verdicts('isolation-broken', [
          'secure_accelerator_access',
          'dra_support',
          'driver_runtime_management',
          'gpu_sharing',
        ]);
        expect(leaking.measured, leaking.run.all.slice(-3000)).to.deep.equal({
          secure_accelerator_access: 'Not Implemented',
          dra_support: 'Implemented',
          driver_runtime_management: 'Implemented',
          gpu_sharing: 'Implemented',
        });
      } finally {
        await leak.remove();
      }

      // Planted fault: the driver's kubelet plugin gone. The kubelet then removes the driver's
      // ResourceSlices of its node (after a grace period for a plugin that restarts): nothing is
      // advertised any more, and the accelerator requirements must say so, not fail.
      await kc.makeApiClient(k8s.AppsV1Api).deleteNamespacedDaemonSet({
        namespace: 'kaic-fakegpu',
        name: 'kaic-fakegpu-plugin',
      });
      const deleted = Date.now();
      const objects = new DraObjects(kc, kubernetesRelease(DEFAULT_TEST_MINOR).draApiVersion);
      await waitFor(
        "the kubelets to remove the driver's ResourceSlices",
        async () =>
          (await objects.list('ResourceSlice', undefined, `spec.driver=${FAKE_GPU_DRIVER_NAME}`))
            .length === 0
            ? true
            : undefined,
        180_000,
        2000,
      );
      process.stdout.write(
        `      plugin gone: its ResourceSlices removed by the kubelets after ${((Date.now() - deleted) / 1000).toFixed(1)} s\n`,
      );
      const unadvertised = await verdicts('plugin-gone', [
        'secure_accelerator_access',
        'gpu_sharing',
        'driver_runtime_management',
        'dra_support',
      ]);
      expect(unadvertised.measured, unadvertised.run.all.slice(-3000)).to.deep.equal({
        secure_accelerator_access: 'Unknown',
        gpu_sharing: 'Unknown',
        driver_runtime_management: 'Unknown',
        dra_support: 'Implemented',
      });
      expect(nodeNames).to.have.length(3);
    } finally {
      const down = await kaic(['down']);
      expect(down.exitCode, down.all).to.equal(0);
      await up;
    }
    expect(await leftContainers()).to.deep.equal([]);
  });

  it('Volcano from its chart on kind (kaic up --gang-scheduler volcano): its pods on local images, the verdict of docs/platforms.md §7 and of its planted fault, kaic down leaves nothing', async function () {
    const platform = 'Volcano (v1.15.1) on kind from its chart';
    const expected = expectedVerdicts(platform);
    const { proc: up, kubeconfig } = await startKindUp([
      '--addons',
      'gang-scheduler',
      '--gang-scheduler',
      'volcano',
    ]);
    try {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfig);
      const pods = (
        await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'volcano-system' })
      ).items;
      const images = pods.flatMap((p) => p.spec!.containers.map((c) => c.image!)).sort();
      expect(images).to.deep.equal(
        [VOLCANO_CONTROLLER_IMAGE, VOLCANO_SCHEDULER_IMAGE].map(localImageName).sort(),
      );
      const healthy = await verdictsOn(kubeconfig, 'volcano', Object.keys(expected));
      expect(healthy.measured, healthy.run.all.slice(-3000)).to.deep.equal(expected);
      expect(healthy.run.exitCode).to.equal(0);

      // Planted fault: Volcano's scheduler scaled to 0; its controllers and API stay.
      const apps = kc.makeApiClient(k8s.AppsV1Api);
      await apps.patchNamespacedDeploymentScale(
        {
          namespace: 'volcano-system',
          name: 'volcano-scheduler',
          body: { spec: { replicas: 0 } },
        },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await waitFor(
        "Volcano's scheduler pods gone",
        async () =>
          (
            await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({
              namespace: 'volcano-system',
              labelSelector: 'app=volcano-scheduler',
            })
          ).items.length === 0 || undefined,
        120_000,
      );
      // Nothing binds, so the suite waits out its timeout: short, as in the cluster tests.
      const stopped = await verdictsOn(kubeconfig, 'volcano-stopped', ['gang_scheduling'], {
        KAIC_GANG_TIMEOUT_SECONDS: '8',
        KAIC_GANG_WINDOW_SECONDS: '5',
      });
      expect(stopped.measured, stopped.run.all.slice(-3000)).to.deep.equal({
        gang_scheduling: 'Not Implemented',
      });
    } finally {
      const down = await kaic(['down']);
      expect(down.exitCode, down.all).to.equal(0);
      await up;
    }
    expect(await leftContainers()).to.deep.equal([]);
  });

  it('SIGINT while the cluster comes up: kaic deletes it and exits, nothing left', async function () {
    const { proc, output } = startKindRun('none', 'dra_support', join(dir, 'cancel'));
    await waitFor(
      'kind creating the cluster',
      async () => (/kind: creating /.test(output()) ? true : undefined),
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

  it('SIGINT mid-suite on kind with the fake-GPU driver: kaic deletes the cluster and exits 130, the finished tests kept, nothing left', async function () {
    const out = join(dir, 'cancel-mid');
    const { proc, output } = startKindRun('fake-gpu', 'dra_support,secure_accelerator_access', out);
    // Mid-suite: one requirement has ended, the other still runs.
    await waitFor(
      'the first requirement to end while the other runs',
      async () => {
        if (proc.exitCode !== null)
          throw new Error(`kaic run ended first: ${output().slice(-3000)}`);
        return /requirement \S+: .* \(wall [\d.]+ s\)$/m.test(output()) ? true : undefined;
      },
      300_000,
      500,
    );
    proc.kill('SIGINT');
    const ended = await proc;
    expect(ended.exitCode, ended.all.slice(-3000)).to.equal(130);
    expect(ended.all).to.include('SIGINT received, cleaning up');
    expect(ended.all).to.match(/cluster down: done/);
    const results = JSON.parse(await readFile(join(out, 'results.json'), 'utf8')) as RunResult;
    expect(results.requirements.map((r) => r.id)).to.have.members([
      'dra_support',
      'secure_accelerator_access',
    ]);
    expect(await leftContainers()).to.deep.equal([]);
  });
});
