/**
 * The kind provider: a cluster of Docker containers from the node image the version table pins
 * for the minor (by digest, in kind-configs' generated configuration: feature gates,
 * runtime-config, CDI on in containerd, GPU workers labelled for the fake-GPU driver).
 *
 * The sequence: the kind CLI of the pinned release (kaic's cache, else PATH when its version
 * matches, else built from its Go module) → Docker reachable → the name free (or reuse asked for)
 * → `kind create cluster --config … --wait` with the kubeconfig written to kaic's own file → on
 * failure `kind export logs` into the output directory and `kind delete cluster` → on teardown
 * `kind delete cluster`. A reused cluster is never deleted.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { execa, type ResultPromise } from 'execa';
import { stringify } from 'yaml';

import { buildRecipe } from '../binaries/build.js';
import { resolvePinnedTool } from '../binaries/download.js';
import { kindRecipe } from '../binaries/recipes.js';
import { kindBinDir } from '../cache.js';
import { UsageError } from '../errors.js';
import { kubernetesRelease, type KubernetesMinor } from '../versions/kubernetes.js';
import type { ImageSource } from '../config/run-config.js';
import { requireDocker } from '../images/docker-engine.js';
import { buildAddonImage, localImageName, type AddonImage } from '../images/addon-images.js';
import { SUITE_SETTINGS } from '../runner/suite-settings.js';
import { mirroredImage } from '../versions/images.js';
import {
  buildKindImages,
  nodeImageWithAddons,
  removeImageBuilders,
} from '../images/kind-images.js';
import { waitFor } from '../util/wait.js';
import { kindConfig, type LocalKindSettings } from './kind-config.js';
import { setUpRoutedPodNetwork, waitForServiceRules } from './kind-network.js';
import type { ClusterHandle, OnCreated, ClusterLifecycle } from './types.js';

export interface KindProviderOptions {
  minor: KubernetesMinor;
  /** GPU worker nodes. */
  workers: number;
  /** Cluster name; default kaic-<minor>-<random>. */
  name?: string;
  /** Use a cluster of that name when it exists (and leave it standing afterwards). */
  reuse?: boolean;
  /** Where `kind export logs` writes when the create fails. */
  logsDir: string;
  log: (line: string) => void;
  /** Environment for kind and docker (DOCKER_HOST, …); default the process's. */
  env?: NodeJS.ProcessEnv;
  /** Seconds `kind create --wait` waits for the control plane (default 300). */
  waitSeconds?: number;
  /** The kind binary; default the pinned release's (cache, PATH, build). */
  kindBinary?: string;
  /** Told about a cluster kaic creates (never a reused one) before `kind create` starts. */
  onCreated?: OnCreated;
  /**
   * `registry` (default): the pinned upstream node image; `local`: the one `kaic images` builds
   * here (built first when missing), with kaic's routed pod network in place of kind's CNI.
   */
  images?: ImageSource;
}

/** `images` without repeats (two addons may run the same image). */
function distinctImages(images: readonly AddonImage[]): AddonImage[] {
  return [...new Map(images.map((i) => [localImageName(i), i])).values()];
}

export class KindError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KindError';
  }
}

/**
 * The pinned kind CLI: kaic's cache, else PATH when `kind version` matches, else the release
 * binary downloaded and checked against its pinned sha256, else a build from its Go module.
 */
export async function resolveKind(
  version: string,
  log: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return resolvePinnedTool({
    tool: 'kind',
    version,
    dir: kindBinDir(version),
    versionArgs: ['version'],
    isVersion: (said) => said.startsWith(`kind ${version} `),
    build: () => buildRecipe(kindRecipe(version), (line) => log(`  ${line}`)),
    log,
    env,
  });
}

export class KindProvider implements ClusterLifecycle {
  readonly name = 'kind' as const;
  private kind: string | null = null;
  private clusterName: string | null = null;
  private created = false;
  private dir: string | null = null;
  /** `kind create` while it runs: down() stops it first, or it would go on making nodes. */
  private creating: ResultPromise | null = null;
  private stopping = false;
  /** Addon images loaded into this cluster's nodes (with --images local), by local name. */
  private readonly loadedImages = new Map<string, Promise<string>>();
  /** Addon images the run will install (with --images local): preloaded in the node image. */
  private plannedImages: AddonImage[] = [];

  constructor(private readonly options: KindProviderOptions) {}

  private get env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.options.env };
  }

  private run(args: string[], stream = false) {
    const child = execa(this.kind!, args, { reject: false, all: true, env: this.env });
    if (stream) {
      let partial = '';
      child.all?.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) this.options.log(`kind: ${line.trim()}`);
      });
    }
    return child;
  }

  async up(): Promise<ClusterHandle> {
    if (this.clusterName) throw new Error(`cluster ${this.clusterName} is already up`);
    const release = kubernetesRelease(this.options.minor);
    await requireDocker(this.env, '--provider kind', 'use --provider kwok');
    this.kind =
      this.options.kindBinary ??
      (await resolveKind(release.kind.kindVersion, this.options.log, this.env));
    const name =
      this.options.name ??
      `kaic-${this.options.minor.replace('.', '')}-${randomBytes(3).toString('hex')}`;
    const existing = (await this.run(['get', 'clusters'])).stdout.split('\n').map((l) => l.trim());
    this.dir = await mkdtemp(join(tmpdir(), `kaic-kind-${name}-`));
    const kubeconfigPath = join(this.dir, 'kubeconfig');
    if (existing.includes(name)) {
      if (!this.options.reuse) {
        await rm(this.dir, { recursive: true, force: true });
        this.dir = null;
        throw new UsageError(
          `a kind cluster named ${name} already exists; delete it (kind delete cluster --name ${name}), ` +
            'choose another --cluster-name, or pass --reuse-cluster yes to test it as it is',
        );
      }
      this.clusterName = name;
      const exported = await this.run([
        'export',
        'kubeconfig',
        '--name',
        name,
        '--kubeconfig',
        kubeconfigPath,
      ]);
      if (exported.exitCode !== 0)
        throw new KindError(`kind export kubeconfig failed: ${exported.all}`);
      this.options.log(`kind: reusing cluster ${name} (it stays after the run)`);
    } else {
      const local = this.options.images === 'local' ? await this.localSettings() : undefined;
      const configPath = join(this.dir, 'kind-config.yaml');
      await writeFile(
        configPath,
        stringify(
          kindConfig(this.options.minor, {
            workers: this.options.workers,
            ...(local ? { local } : {}),
          }),
          { lineWidth: 0 },
        ),
      );
      // Named before the create starts, so a cancel during it deletes what kind made so far.
      this.clusterName = name;
      this.created = true;
      this.options.onCreated?.({ type: 'kind-cluster', name, kind: this.kind });
      const t0 = Date.now();
      this.options.log(
        `kind: creating ${name} (kind ${release.kind.kindVersion}, ${local?.nodeImage ?? release.kind.nodeImage}, ${this.options.workers} GPU workers)`,
      );
      const creating = this.run(
        [
          'create',
          'cluster',
          '--name',
          name,
          '--config',
          configPath,
          '--kubeconfig',
          kubeconfigPath,
          // Nodes are Ready only once a CNI is there: on the local image kaic sets it up after.
          ...(local ? [] : ['--wait', `${this.options.waitSeconds ?? 300}s`]),
          // Kept on failure so its logs can be exported; down() deletes it.
          '--retain',
        ],
        true,
      );
      this.creating = creating;
      const create = await creating;
      this.creating = null;
      if (this.stopping)
        throw new KindError(`kind create cluster ${name} stopped: the run is ending`);
      if (create.exitCode !== 0) {
        const logs = join(this.options.logsDir, `kind-logs-${name}`);
        const exported = await this.run(['export', 'logs', logs, '--name', name]);
        const tail = create.all.trim().split('\n').slice(-6).join('\n');
        throw new KindError(
          `kind create cluster ${name} failed (exit ${create.exitCode}):\n${tail}\n` +
            (exported.exitCode === 0
              ? `node logs in ${logs}`
              : `no node logs to export (${exported.all.trim().split('\n').pop()})`),
        );
      }
      if (local) await this.routePods(kubeconfigPath);
      await waitForServiceRules(await this.nodeContainers(name), this.env);
      this.options.log(`kind: cluster ${name} up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const version = await kc.makeApiClient(k8s.VersionApi).getCode();
    const nodes = (await kc.makeApiClient(k8s.CoreV1Api).listNode()).items.map(
      (n) => n.metadata!.name!,
    );
    return {
      provider: 'kind',
      name,
      kubeconfigPath,
      serverVersion: version.gitVersion,
      minor: this.options.minor,
      nodes,
      capabilities: {
        realContainers: true,
        realContainerNodes: nodes,
        disposable: this.created,
        simulatedNodesTainted: false,
      },
    };
  }

  /**
   * Names the addon images the run will install, before up(): with `--images local` they are
   * built first and preloaded into the node image, so no `kind load` is needed once the nodes run.
   */
  planAddonImages(images: AddonImage[]): void {
    this.plannedImages = images;
  }

  /**
   * The name `image` has in this cluster: the pinned upstream image (under KAIC_IMAGE_MIRROR when
   * set), or with `--images local` the one built here (when missing), loaded into every node once
   * per cluster.
   */
  addonImage(image: AddonImage): Promise<string> {
    if (this.options.images !== 'local') {
      const mirror = SUITE_SETTINGS.imageMirror.parse(this.env.KAIC_IMAGE_MIRROR);
      return Promise.resolve(mirroredImage(image.upstream, mirror));
    }
    const key = localImageName(image);
    let loading = this.loadedImages.get(key);
    if (!loading) {
      loading = this.loadLocalImage(image);
      this.loadedImages.set(key, loading);
      // A failed load is tried again by the next caller.
      loading.catch(() => this.loadedImages.delete(key));
    }
    return loading;
  }

  /**
   * With `--images local`: builds the images not loaded yet and loads them into the nodes in one
   * `kind load` (one archive, the busybox layer they share sent once).
   */
  async preloadAddonImages(images: AddonImage[]): Promise<void> {
    if (this.options.images !== 'local' || !images.length) return;
    const name = this.clusterName;
    if (!name) throw new Error('no kind cluster is up to load images into');
    const wanted = distinctImages(images).filter((i) => !this.loadedImages.has(localImageName(i)));
    if (!wanted.length) return;
    const loading = (async () => {
      await this.loadIntoNodes(name, await this.buildImages(wanted));
    })();
    for (const image of wanted) {
      const key = localImageName(image);
      const one = loading.then(() => key);
      this.loadedImages.set(key, one);
      one.catch(() => this.loadedImages.delete(key));
    }
    await loading;
  }

  /** The local images of `images`, built where missing, one after another: their names. */
  private async buildImages(images: readonly AddonImage[]): Promise<string[]> {
    const names: string[] = [];
    for (const image of images) {
      const built = await buildAddonImage(image, {
        log: (line) => this.options.log(`images: ${line}`),
        env: this.env,
      });
      names.push(built.name);
    }
    return names;
  }

  /** `kind load docker-image` of `images` into every node of cluster `name`. */
  private async loadIntoNodes(name: string, images: string[]): Promise<void> {
    const t0 = Date.now();
    const loaded = await this.run(['load', 'docker-image', '--name', name, ...images]);
    if (loaded.exitCode !== 0) {
      throw new KindError(
        `kind load docker-image ${images.join(' ')} into ${name} failed (exit ${loaded.exitCode}): ${loaded.all.trim()}`,
      );
    }
    this.options.log(
      `kind: ${images.join(', ')} loaded into the nodes in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }

  private async loadLocalImage(image: AddonImage): Promise<string> {
    const name = this.clusterName;
    if (!name) throw new Error('no kind cluster is up to load images into');
    const built = await buildAddonImage(image, {
      log: (line) => this.options.log(`images: ${line}`),
      env: this.env,
    });
    await this.loadIntoNodes(name, [built.name]);
    return built.name;
  }

  /** The containers of cluster `name` in Docker (kind labels its nodes with the cluster name). */
  private async nodeContainers(name: string): Promise<string[]> {
    const listed = await execa(
      'docker',
      ['ps', '-a', '-q', '--filter', `label=io.x-k8s.kind.cluster=${name}`],
      { env: this.env, reject: false },
    );
    return listed.stdout.split('\n').filter(Boolean);
  }

  /** The local node image (built when missing) and what kind and kubeadm must be told of it. */
  private async localSettings(): Promise<LocalKindSettings> {
    const built = await buildKindImages({
      minor: this.options.minor,
      log: (line) => this.options.log(`images: ${line}`),
      env: this.env,
    });
    const cgroup = await execa('docker', ['info', '--format', '{{.CgroupVersion}}'], {
      env: this.env,
      reject: false,
    });
    let nodeImage = built.nodeImage;
    const planned = distinctImages(this.plannedImages);
    if (planned.length) {
      const names = await this.buildImages(planned);
      nodeImage = await nodeImageWithAddons(built.nodeImage, names, {
        log: (line) => this.options.log(`images: ${line}`),
        env: this.env,
      });
      for (const name of names) this.loadedImages.set(name, Promise.resolve(name));
    }
    return {
      nodeImage,
      ...built.controlPlane,
      cgroupV1: cgroup.stdout.trim() === '1',
    };
  }

  /** kaic's routed pod network on every node, then every node Ready. */
  private async routePods(kubeconfigPath: string): Promise<void> {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    // One control-plane node and the workers (src/providers/kind-config.ts).
    const expected = this.options.workers + 1;
    await setUpRoutedPodNetwork(kc, this.env, this.options.log, expected);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    await waitFor(
      `every kind node (${expected}) Ready`,
      async () => {
        const nodes = (await core.listNode()).items;
        const ready = (n: k8s.V1Node) =>
          n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        return nodes.length >= expected && nodes.every(ready) ? true : undefined;
      },
      (this.options.waitSeconds ?? 300) * 1000,
    );
  }

  /** Deletes the cluster this provider created (never a reused one); safe to call again. */
  async down(): Promise<void> {
    // A run cancelled while it built the local node image leaves its build container otherwise.
    if (this.options.images === 'local') await removeImageBuilders(this.env);
    let interrupted = false;
    if (this.creating) {
      this.stopping = true;
      interrupted = true;
      this.options.log('kind: stopping kind create cluster');
      this.creating.kill('SIGTERM');
      await this.creating;
      this.creating = null;
    }
    const name = this.clusterName;
    this.clusterName = null;
    this.loadedImages.clear();
    if (name && this.created && this.kind) {
      const t0 = Date.now();
      const deleted = await this.run(['delete', 'cluster', '--name', name]);
      if (deleted.exitCode !== 0) {
        this.options.log(`kind: delete cluster ${name} failed: ${deleted.all.trim()}`);
      } else {
        // A create stopped while its `docker run`s were in flight can still gain nodes after the
        // delete listed them: those are deleted as they appear.
        for (let waited = 0; interrupted && waited < 15_000; waited += 1000) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
          const left = await this.nodeContainers(name);
          if (left.length === 0 && waited >= 3000) break;
          if (left.length) await this.run(['delete', 'cluster', '--name', name]);
        }
        this.options.log(
          `kind: cluster ${name} deleted in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
    }
    this.created = false;
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
}
