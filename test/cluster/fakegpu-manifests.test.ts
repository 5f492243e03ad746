/**
 * The in-cluster form of the fake-GPU driver (what kind gets): the generated objects are accepted
 * by the real API server, and the bundle they carry, unpacked by the Deployment's own command and
 * run with nothing but the manifests' service account, publishes slices and serves metrics.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { execa } from 'execa';

import { fakegpuManifests, type ManifestObject } from '../../src/fakegpu/manifests.js';
import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { devicesOf } from '../../src/fakegpu/slices.js';
import { DraObjects } from '../../src/k8s/dra-objects.js';
import { isPinnedByDigest } from '../../src/versions/images.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { waitUntil } from './k8s-helpers.js';

const LABEL = 'fakegpu.kaic.dev/test';
const SELECTOR = `${LABEL}=incluster`;
const NODE = `${TEST_NODES.namePrefix}-1`;

describe('[fakegpu] in-cluster manifests', function () {
  const namespace = `kaic-fakegpu-${Date.now().toString(36)}`;
  const publishArgs = [
    '--profile',
    'nvidia-h100-80gb',
    '--gpus-per-node',
    '2',
    '--node-selector',
    SELECTOR,
    '--mig',
    'auto',
  ];
  let objects: ManifestObject[];
  let core: k8s.CoreV1Api;
  let generic: k8s.KubernetesObjectApi;
  let dir = '';

  const patchNodeLabel = (value: string | null) =>
    core.patchNode(
      { name: NODE, body: { metadata: { labels: { [LABEL]: value } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );

  before(async function () {
    const { kubeConfig } = testCluster();
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    generic = k8s.KubernetesObjectApi.makeApiClient(kubeConfig);
    dir = mkdtempSync(join(tmpdir(), 'kaic-manifests-'));
    objects = fakegpuManifests({
      publishArgs,
      profile: 'nvidia-h100-80gb',
      namespace,
      nodeSelector: SELECTOR,
      driver: 'gpu.nvidia.com',
    });
    await patchNodeLabel('incluster');
  });

  after(async function () {
    const { kubeConfig, release } = testCluster();
    for (const object of [...objects].reverse()) {
      await generic.delete(object as k8s.KubernetesObject).catch(() => undefined);
    }
    await new SlicePublisher(kubeConfig, {
      profile: gpuProfile('nvidia-h100-80gb'),
      gpusPerNode: 2,
      nodeSelector: SELECTOR,
      api: release.draApiVersion,
    }).removeAll();
    await patchNodeLabel(null).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('are accepted by the API server, run on digest-pinned images, and keep the bundle under the ConfigMap limit', async function () {
    for (const object of objects) {
      await generic.create(object as k8s.KubernetesObject);
    }
    // The DaemonSet controller puts the kubelet plugin on the selected GPU node only.
    const daemonSet = await waitUntil('the plugin DaemonSet to be scheduled', async () => {
      const ds = await kubeConfigApps().readNamespacedDaemonSet({
        name: 'kaic-fakegpu-plugin',
        namespace,
      });
      return ds.status?.desiredNumberScheduled ? ds : undefined;
    });
    expect(daemonSet.status?.desiredNumberScheduled).to.equal(1);
    const pluginPods = await core.listNamespacedPod({
      namespace,
      labelSelector: 'app.kubernetes.io/component=plugin',
    });
    expect(pluginPods.items.map((p) => p.spec?.nodeName)).to.deep.equal([NODE]);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments.map((d) => d.metadata.name)).to.deep.equal([
      'kaic-fakegpu-publisher',
      'kaic-fakegpu-exporter',
    ]);
    const templates = [
      ...(await Promise.all(
        deployments.map((d) =>
          kubeConfigApps().readNamespacedDeployment({ name: d.metadata.name, namespace }),
        ),
      )),
      daemonSet,
    ];
    for (const read of templates) {
      for (const c of read.spec?.template.spec?.containers ?? []) {
        expect(isPinnedByDigest(c.image as string), c.image).to.equal(true);
        expect(c.securityContext).to.include({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
        });
      }
    }
    const configMap = await core.readNamespacedConfigMap({
      name: 'kaic-fakegpu-bundle',
      namespace,
    });
    const size = Buffer.byteLength(JSON.stringify(configMap.binaryData));
    process.stdout.write(`      bundle ConfigMap: ${(size / 1024).toFixed(0)} KiB of 1024\n`);
    expect(size).to.be.below(1024 * 1024);
  });

  it('run the bundle with the Deployment’s own command and only the service account’s rights: slices published, metrics served', async function () {
    const { kubeConfig, handle, release } = testCluster();
    // The service account's identity, as a pod would have it.
    const token = await core.createNamespacedServiceAccountToken({
      name: 'kaic-fakegpu',
      namespace,
      body: { spec: { audiences: [], expirationSeconds: 600 } },
    });
    const cluster = kubeConfig.getCurrentCluster() as k8s.Cluster;
    const sa = new k8s.KubeConfig();
    sa.loadFromOptions({
      clusters: [cluster],
      users: [{ name: 'kaic-fakegpu', token: token.status?.token }],
      contexts: [{ name: 'sa', cluster: cluster.name, user: 'kaic-fakegpu' }],
      currentContext: 'sa',
    });
    const saKubeconfig = join(dir, 'sa.kubeconfig');
    writeFileSync(saKubeconfig, sa.exportConfig());
    expect(handle.kubeconfigPath).to.not.equal(saKubeconfig);

    // What the pod's volume would hold, read back from the server.
    const configMap = await core.readNamespacedConfigMap({
      name: 'kaic-fakegpu-bundle',
      namespace,
    });
    for (const [key, value] of Object.entries(configMap.binaryData ?? {})) {
      writeFileSync(join(dir, key), Buffer.from(value, 'base64'));
    }
    const container = async (name: string) => {
      const d = await kubeConfigApps().readNamespacedDeployment({ name, namespace });
      const c = d.spec?.template.spec?.containers[0] as k8s.V1Container;
      const [shell, flag, script, dollar0] = c.command ?? [];
      // The pod's paths, moved into the test's directory.
      const local = (script as string)
        .replaceAll('/tmp/fakegpu.mjs', join(dir, 'fakegpu.mjs'))
        .replaceAll('/opt/kaic', dir);
      return {
        argv: [flag as string, local, dollar0 as string],
        shell: shell as string,
        args: c.args ?? [],
      };
    };

    const publisher = await container('kaic-fakegpu-publisher');
    const published = await execa(
      publisher.shell,
      [...publisher.argv, ...publisher.args, '--once', '--kubeconfig', saKubeconfig],
      { reject: false, all: true },
    );
    expect(published.exitCode, published.all).to.equal(0);
    const objectsApi = new DraObjects(kubeConfig, release.draApiVersion);
    const slices = (
      await objectsApi.list('ResourceSlice', 'fakegpu.kaic.dev/profile=nvidia-h100-80gb')
    ).filter((s) => (s.spec as { nodeName: string }).nodeName === NODE);
    const devices = slices.flatMap((s) => devicesOf(release.draApiVersion, s));
    // --mig auto: whole GPUs plus every placement (partitionable) or the static cut.
    expect(devices.length).to.equal(release.mig === 'partitionable' ? 2 * 26 : 1 + 7);
    expect(await objectsApi.read('DeviceClass', 'mig.nvidia.com')).to.have.property('spec');

    // The DaemonSet's plugin, its host directories moved into the test's directory.
    const ds = await kubeConfigApps().readNamespacedDaemonSet({
      name: 'kaic-fakegpu-plugin',
      namespace,
    });
    const pc = ds.spec?.template.spec?.containers[0] as k8s.V1Container;
    const script = (pc.command?.[2] ?? '')
      .replaceAll('/tmp/fakegpu.mjs', join(dir, 'fakegpu.mjs'))
      .replaceAll('/opt/kaic', dir);
    const hostArgs = (pc.args ?? []).map((a) => (a.startsWith('/') ? join(dir, 'host', a) : a));
    const plugin = execa(
      pc.command?.[0] as string,
      ['-c', script, '--', ...hostArgs, '--kubeconfig', saKubeconfig],
      { reject: false, all: true, env: { ...process.env, NODE_NAME: NODE } },
    );
    try {
      let output = '';
      plugin.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await waitUntil('the DaemonSet’s plugin to listen', async () =>
        output.includes(`kubelet plugin for gpu.nvidia.com on ${NODE}`),
      );
    } finally {
      plugin.kill('SIGTERM');
      await plugin;
    }

    const exporter = await container('kaic-fakegpu-exporter');
    const portAt = exporter.args.indexOf('--port');
    const args = exporter.args.map((a, i) => (i === portAt + 1 ? '0' : a));
    const serving = execa(
      exporter.shell,
      [...exporter.argv, ...args, '--host', '127.0.0.1', '--kubeconfig', saKubeconfig],
      { reject: false, all: true },
    );
    try {
      let output = '';
      serving.all?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const url = await waitUntil(
        'the exporter to listen',
        async () => /(http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output)?.[1],
      );
      const response = await fetch(url);
      const text = await response.text();
      expect(response.status, text).to.equal(200);
      expect(text).to.match(new RegExp(`DCGM_FI_DEV_GPU_UTIL\\{[^}]*Hostname="${NODE}"`));
    } finally {
      serving.kill('SIGTERM');
      await serving;
    }
  });

  function kubeConfigApps(): k8s.AppsV1Api {
    return testCluster().kubeConfig.makeApiClient(k8s.AppsV1Api);
  }
});
