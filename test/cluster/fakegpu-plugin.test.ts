/**
 * The kubelet plugin, bundled as it ships (dist/fakegpu.js), driven by a test client that plays
 * kubelet with the kubelet's own protos (read from the upstream k8s.io/kubelet module): it
 * registers, prepares real claims the real scheduler allocated, in the v1 and v1beta1 DRA APIs,
 * keeps them across a crash, unprepares them, and answers bad input per claim or as
 * INVALID_ARGUMENT.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ResultPromise } from 'execa';

import { gpuProfile } from '../../src/fakegpu/profiles.js';
import { SlicePublisher } from '../../src/fakegpu/publisher.js';
import { DraObjects, claimTemplate } from '../../src/k8s/dra-objects.js';
import {
  KUBERNETES_MINORS,
  kubernetesRelease,
  stagingVersion,
} from '../../src/versions/kubernetes.js';
import { goModuleDir } from '../support/go-modules.js';
import { spawnPlugin } from './fakegpu-helpers.js';
import { TEST_NODES, testCluster } from './hooks.js';
import { claimPod, createTestNamespace, deleteNamespace, waitUntil } from './k8s-helpers.js';

const LABEL = 'fakegpu.kaic.dev/test';
const NODE = `${TEST_NODES.namePrefix}-0`;
const DRIVER = 'gpu.nvidia.com';

type ClaimRef = { namespace: string; name: string; uid: string };
type PrepareAnswer = {
  claims: Record<
    string,
    {
      error: string;
      devices: Array<{
        request_names: string[];
        pool_name: string;
        device_name: string;
        cdi_device_ids: string[];
      }>;
    }
  >;
};
type Call = (request: object) => Promise<unknown>;

/** gRPC clients from the kubelet's own .proto files, the way kubelet dials plugins. */
async function kubeletClients(socketOf: { registration: string; dra: string }) {
  // The newest minor's kubelet module has both DRA versions without gogo options.
  const newest = kubernetesRelease(KUBERNETES_MINORS[KUBERNETES_MINORS.length - 1] ?? '1.37');
  const dir = await goModuleDir('k8s.io/kubelet', stagingVersion(newest));
  const load = (file: string) =>
    grpc.loadPackageDefinition(
      protoLoader.loadSync(join(dir, 'pkg', 'apis', file), { keepCase: true, defaults: true }),
    );
  const at = (obj: grpc.GrpcObject, path: string) =>
    path
      .split('.')
      .reduce<unknown>(
        (o, k) => (o as Record<string, unknown>)[k],
        obj,
      ) as grpc.ServiceClientConstructor;
  const client = (ctor: grpc.ServiceClientConstructor, socket: string) => {
    const c = new ctor(`unix:${socket}`, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, (req: object, cb: (e: Error | null, r: unknown) => void) => void>;
    const call =
      (method: string): Call =>
      (request) =>
        new Promise((resolve, reject) =>
          c[method]?.call(c, request, (e: Error | null, r: unknown) =>
            e ? reject(e) : resolve(r),
          ),
        );
    return { call, close: () => c.close() };
  };
  const registration = client(
    at(load('pluginregistration/v1/api.proto'), 'pluginregistration.Registration'),
    socketOf.registration,
  );
  const v1 = client(
    at(load('dra/v1/api.proto'), 'k8s.io.kubelet.pkg.apis.dra.v1.DRAPlugin'),
    socketOf.dra,
  );
  const v1beta1 = client(
    at(load('dra/v1beta1/api.proto'), 'k8s.io.kubelet.pkg.apis.dra.v1beta1.DRAPlugin'),
    socketOf.dra,
  );
  return {
    registration,
    v1,
    v1beta1,
    close: () => [registration, v1, v1beta1].forEach((c) => c.close()),
  };
}

describe('[fakegpu] kubelet plugin', function () {
  let dir = '';
  let core: k8s.CoreV1Api;
  let objects: DraObjects;
  let publisher: SlicePublisher;
  let ns = '';
  let one: ClaimRef;
  let two: ClaimRef;
  let plugin: { process: ResultPromise; output: () => string } | null = null;
  let clients: Awaited<ReturnType<typeof kubeletClients>>;

  const paths = () => ({
    registry: join(dir, 'plugins_registry'),
    plugins: join(dir, 'plugins', DRIVER),
    cdi: join(dir, 'cdi'),
    state: join(dir, 'state'),
    registration: join(dir, 'plugins_registry', `${DRIVER}-reg.sock`),
    dra: join(dir, 'plugins', DRIVER, 'dra.sock'),
  });

  /** This node's plugin, (re)started and listening. */
  async function startPlugin(cdiDir = paths().cdi, registry = paths().registry) {
    const p = paths();
    plugin = spawnPlugin(
      NODE,
      { registry, plugin: p.plugins, cdi: cdiDir, state: p.state },
      testCluster().handle.kubeconfigPath,
    );
    const { output } = plugin;
    await waitUntil(
      'the plugin to listen',
      async () =>
        existsSync(join(registry, `${DRIVER}-reg.sock`)) && output().includes('kubelet plugin for'),
    );
  }

  async function stopPlugin(signal: NodeJS.Signals = 'SIGTERM') {
    if (!plugin) return;
    plugin.process.kill(signal);
    await plugin.process;
    plugin = null;
  }

  async function claimOf(pod: string): Promise<ClaimRef> {
    const running = await waitUntil(`pod ${pod} Running`, async () => {
      const p = await core.readNamespacedPod({ name: pod, namespace: ns });
      return p.status?.phase === 'Running' ? p : undefined;
    });
    const name = running.status?.resourceClaimStatuses?.[0]?.resourceClaimName as string;
    const claim = await objects.read('ResourceClaim', name, ns);
    return { namespace: ns, name, uid: claim.metadata?.uid as string };
  }

  before(async function () {
    this.timeout(180_000);
    const { kubeConfig, release } = testCluster();
    const api = release.draApiVersion;
    dir = mkdtempSync(join(tmpdir(), 'kaic-plugin-'));
    core = kubeConfig.makeApiClient(k8s.CoreV1Api);
    objects = new DraObjects(kubeConfig, api);
    await core.patchNode(
      { name: NODE, body: { metadata: { labels: { [LABEL]: 'plugin' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    publisher = new SlicePublisher(kubeConfig, {
      profile: gpuProfile('nvidia-h100-80gb'),
      gpusPerNode: 4,
      nodeSelector: `${LABEL}=plugin`,
      api,
    });
    await publisher.start();
    ns = await createTestNamespace(kubeConfig, 'kaic-plugin');
    for (const [name, count] of [
      ['one', 1],
      ['two', 2],
    ] as const) {
      await objects.create(claimTemplate(api, ns, name, { deviceClassName: DRIVER, count }));
      await core.createNamespacedPod({ namespace: ns, body: claimPod(ns, name, name, NODE) });
    }
    one = await claimOf('one');
    two = await claimOf('two');
    await startPlugin();
    clients = await kubeletClients(paths());
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed' && plugin) {
      process.stdout.write(`      plugin output:\n${plugin.output().replace(/^/gm, '        ')}\n`);
    }
  });

  after(async function () {
    clients?.close();
    await stopPlugin();
    publisher?.stop();
    await publisher?.removeAll();
    await deleteNamespace(testCluster().kubeConfig, ns);
    await core
      .patchNode(
        { name: NODE, body: { metadata: { labels: { [LABEL]: null } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers as a DRA plugin offering the v1 and v1beta1 services, v1 first', async function () {
    const info = await clients.registration.call('GetInfo')({});
    expect(info).to.deep.equal({
      type: 'DRAPlugin',
      name: DRIVER,
      endpoint: paths().dra,
      supported_versions: ['v1.DRAPlugin', 'v1beta1.DRAPlugin'],
    });
    await clients.registration.call('NotifyRegistrationStatus')({
      plugin_registered: true,
      error: '',
    });
    await waitUntil('the plugin to log its registration', async () =>
      plugin?.output().includes(`registered with the kubelet as ${DRIVER}`),
    );
  });

  it('prepares a claim (v1): CDI spec with the device node, UUIDs and a working nvidia-smi; again gives the same answer', async function () {
    const prepare = clients.v1.call('NodePrepareResources');
    const answer = (await prepare({ claims: [one] })) as PrepareAnswer;
    const result = answer.claims[one.uid];
    expect(result?.error).to.equal('');
    const device = result?.devices[0];
    expect(device).to.deep.include({ request_names: ['gpu'], pool_name: NODE });
    expect(device?.cdi_device_ids).to.deep.equal([
      `k8s.${DRIVER}/claim=${one.uid}-${device?.device_name}`,
    ]);
    const minor = Number(/^gpu-(\d+)$/.exec(device?.device_name ?? '')?.[1]);
    const spec = JSON.parse(
      readFileSync(join(paths().cdi, `k8s.${DRIVER}-claim_${one.uid}.json`), 'utf8'),
    ) as {
      kind: string;
      devices: Array<{
        name: string;
        containerEdits: { deviceNodes: Array<{ path: string; major: number; minor: number }> };
      }>;
      containerEdits: { env: string[]; mounts: Array<{ hostPath: string; containerPath: string }> };
    };
    expect(spec.kind).to.equal(`k8s.${DRIVER}/claim`);
    expect(spec.devices[0]?.name).to.equal(`${one.uid}-${device?.device_name}`);
    expect(spec.devices[0]?.containerEdits.deviceNodes[0]).to.include({
      path: `/dev/nvidia${minor}`,
      major: 195,
      minor,
    });
    // The UUID the container is told is the one the slice publishes for that device.
    const published = (
      await objects.list('ResourceSlice', `${LABEL.split('/')[0]}/profile=nvidia-h100-80gb`)
    )
      .flatMap(
        (s) =>
          (
            s.spec as {
              devices: Array<{
                name: string;
                attributes: Record<string, { string?: string }>;
                basic?: { attributes: Record<string, { string?: string }> };
              }>;
            }
          ).devices,
      )
      .find((d) => d.name === device?.device_name);
    const uuid = (published?.attributes ?? published?.basic?.attributes)?.uuid?.string as string;
    expect(spec.containerEdits.env).to.include(`NVIDIA_VISIBLE_DEVICES=${uuid}`);
    const smi = spec.containerEdits.mounts.find((m) => m.containerPath === '/usr/bin/nvidia-smi');
    expect(statSync(smi?.hostPath as string).mode & 0o111).to.not.equal(0);
    const list = execFileSync(smi?.hostPath as string, ['-L'], { encoding: 'utf8' });
    expect(list).to.equal(`GPU 0: NVIDIA H100 80GB HBM3 (UUID: ${uuid})\n`);
    // The kubelet may ask twice; the answer does not change and nothing is duplicated.
    expect(await prepare({ claims: [one] })).to.deep.equal(answer);
  });

  it('keeps prepared claims across a crash, and unprepares them (v1beta1) leaving nothing behind', async function () {
    const before = (await clients.v1.call('NodePrepareResources')({
      claims: [one],
    })) as PrepareAnswer;
    await stopPlugin('SIGKILL');
    await startPlugin();
    const after = (await clients.v1beta1.call('NodePrepareResources')({
      claims: [one],
    })) as PrepareAnswer;
    expect(after).to.deep.equal(before);
    expect(plugin?.output()).to.include('1 claims prepared');
    const unprepare = clients.v1beta1.call('NodeUnprepareResources');
    expect(await unprepare({ claims: [one] })).to.deep.equal({
      claims: { [one.uid]: { error: '' } },
    });
    expect(existsSync(join(paths().cdi, `k8s.${DRIVER}-claim_${one.uid}.json`))).to.equal(false);
    expect(existsSync(join(paths().state, 'claims', one.uid))).to.equal(false);
    const checkpoint = JSON.parse(readFileSync(join(paths().state, 'checkpoint.json'), 'utf8')) as {
      claims: object;
    };
    expect(checkpoint.claims).to.deep.equal({});
    // Unprepare is idempotent too.
    expect(await unprepare({ claims: [one] })).to.deep.equal({
      claims: { [one.uid]: { error: '' } },
    });
  });

  it('answers each claim on its own: an unknown claim or a stale UID fails, the good claim is prepared', async function () {
    const answer = (await clients.v1beta1.call('NodePrepareResources')({
      claims: [two, { namespace: ns, name: 'nope', uid: 'u-nope' }, { ...one, uid: 'u-stale' }],
    })) as PrepareAnswer;
    expect(answer.claims[two.uid]?.error).to.equal('');
    expect(answer.claims[two.uid]?.devices).to.have.length(2);
    expect(answer.claims['u-nope']?.error).to.equal(`ResourceClaim ${ns}/nope not found`);
    expect(answer.claims['u-stale']?.error).to.include(`has UID ${one.uid}, not u-stale`);
    await clients.v1.call('NodeUnprepareResources')({ claims: [two] });
  });

  it('refuses a malformed request as a whole with INVALID_ARGUMENT', async function () {
    const error = (await clients.v1
      .call('NodePrepareResources')({ claims: [{ namespace: ns, name: '', uid: '' }] })
      .then(
        () => null,
        (e: grpc.ServiceError) => e,
      )) as grpc.ServiceError | null;
    expect(error?.code).to.equal(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).to.include('every claim needs namespace, name and uid');
  });

  it('reports a full disk while writing the CDI spec as that claim’s error and leaves no partial files', async function () {
    const full = join(dir, 'full-cdi');
    mkdirSync(full);
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', full], { stdio: 'pipe' });
    } catch (error) {
      process.stdout.write(
        `      skipped: cannot mount a tiny tmpfs to fill (${(error as Error).message.split('\n')[0]})\n`,
      );
      this.skip();
    }
    try {
      execFileSync('sh', [
        '-c',
        `dd if=/dev/zero of=${full}/filler bs=1k count=8 2>/dev/null || true`,
      ]);
      await stopPlugin();
      const registry = join(dir, 'registry-full');
      await startPlugin(full, registry);
      const answer = (await clients.v1.call('NodePrepareResources')({
        claims: [one],
      })) as PrepareAnswer;
      expect(answer.claims[one.uid]?.error).to.match(
        /writing the claim's files failed: .*(ENOSPC|no space)/i,
      );
      expect(existsSync(join(paths().state, 'claims', one.uid))).to.equal(false);
      expect(execFileSync('ls', [full], { encoding: 'utf8' }).trim()).to.equal('filler');
    } finally {
      await stopPlugin();
      execFileSync('umount', [full]);
      await startPlugin();
    }
  });

  it('refuses devices it does not publish on this node: another node’s pool, or a device no slice lists', async function () {
    // The same claim, asked of a plugin that serves the other node.
    const other = `${TEST_NODES.namePrefix}-1`;
    const otherDir = join(dir, 'other-node');
    const { process: child } = spawnPlugin(
      other,
      {
        registry: join(otherDir, 'registry'),
        plugin: join(otherDir, 'plugin'),
        cdi: join(otherDir, 'cdi'),
        state: join(otherDir, 'state'),
      },
      testCluster().handle.kubeconfigPath,
    );
    try {
      await waitUntil('the other node’s plugin to listen', async () =>
        existsSync(join(otherDir, 'registry', `${DRIVER}-reg.sock`)),
      );
      const otherClients = await kubeletClients({
        registration: join(otherDir, 'registry', `${DRIVER}-reg.sock`),
        dra: join(otherDir, 'plugin', 'dra.sock'),
      });
      try {
        const answer = (await otherClients.v1.call('NodePrepareResources')({
          claims: [two],
        })) as PrepareAnswer;
        expect(answer.claims[two.uid]?.error).to.match(
          new RegExp(`^device gpu-\\d+ is in pool ${NODE}, not on node ${other}$`),
        );
      } finally {
        otherClients.close();
      }
    } finally {
      child.kill('SIGTERM');
      await child;
    }
    // This node's plugin, once the slices are gone, no longer knows the devices.
    publisher.stop();
    await publisher.removeAll();
    const answer = (await clients.v1.call('NodePrepareResources')({
      claims: [two],
    })) as PrepareAnswer;
    expect(answer.claims[two.uid]?.error).to.match(
      new RegExp(
        `^device gpu-\\d+ of pool ${NODE} is not one ${DRIVER} publishes on node ${NODE}$`,
      ),
    );
  });
});
