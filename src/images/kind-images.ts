/**
 * `kaic images`: kind's node image built on this machine, from Debian packages and the binaries
 * kaic builds from Go modules, into the local Docker engine, for machines that cannot pull kind's
 * own (air-gapped networks, this project's CI).
 *
 * The same split as kind's: a base image (Debian root filesystem by mmdebstrap, kaic's node files,
 * systemd as init) and a node image per Kubernetes release (kubelet, kubeadm, kubectl,
 * containerd, crictl, and the images kubeadm deploys preloaded into containerd: the control
 * plane, kube-proxy, etcd, CoreDNS, pause, and the suites' stand-in workload images). kind's own
 * `build node-image` does not fit: it insists on pulling kind's CNI image (kindnetd), whose
 * source no module proxy serves, so the cluster runs a CNI kaic sets up instead (see kind.ts).
 *
 * Everything local is named under `kaic.local/` and labelled as a local build; an image whose
 * inputs are unchanged (label `dev.kaic.inputs`) is not built again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import { buildRecipe, formatSeconds, type ProgressLog } from '../binaries/build.js';
import { buildKindNodeBinaries, buildKubelet, buildKubernetes } from '../binaries/kubernetes.js';
import { corednsRecipe, etcdRecipe, RECIPES } from '../binaries/recipes.js';
import {
  cacheDir,
  containerdBinDir,
  corednsBinDir,
  criToolsBinDir,
  etcdBinDir,
  kindImagesDir,
  kindNodeBinDir,
  kubeletBinDir,
  kubernetesBinDir,
} from '../cache.js';
import { InputError } from '../errors.js';
import {
  docker,
  imageId,
  imageLabel,
  inputsHash,
  recordBuiltImage,
  requireDocker,
} from './docker-engine.js';
import {
  findStaticBusybox,
  makeBusyboxRootfs,
  pinnedStandInNames,
  standInImageSpecs,
} from './busybox.js';
import {
  KIND_LOCAL_IMAGES,
  LOCAL_NODE_IMAGE_ALIASES,
  LOCAL_NODE_IMAGES,
  qualifiedImageName,
} from '../versions/images.js';
import {
  CONTAINERD_VERSION,
  CRI_TOOLS_VERSION,
  kubernetesRelease,
  type KubernetesMinor,
  type KubernetesRelease,
} from '../versions/kubernetes.js';
import { NODE_BASE_CUSTOMIZE, NODE_BASE_FILES } from './kind-node-files.js';
import { ImageBuildError, writeImageArchive, type ArchiveImage } from './oci-archive.js';

export interface KindImagesOptions {
  minor: KubernetesMinor;
  log: ProgressLog;
  /** Environment for docker (DOCKER_HOST, …) and mmdebstrap; default the process's. */
  env?: NodeJS.ProcessEnv;
  root?: string;
  /** A Debian mirror for mmdebstrap; default the machine's own apt sources. */
  debianMirror?: string;
}

export interface KindImagesResult {
  nodeImage: string;
  /** Docker's image ID of the node image. */
  id: string;
  /** The image tags kubeadm deploys from the node's containerd (the `kaic.local/` names). */
  preloaded: string[];
  /** What kubeadm must be told to deploy exactly the preloaded images. */
  controlPlane: LocalControlPlaneImages;
  cached: boolean;
}

/** What kubeadm is told to deploy on a local node image, per release. */
export interface LocalControlPlaneImages {
  repository: string;
  etcdTag: string;
  corednsTag: string;
}

/** The image names kubeadm uses with kaic's local repository (etcd and CoreDNS by our tags). */
export function localControlPlaneImages(
  release: KubernetesRelease,
  corednsVersion: string,
): LocalControlPlaneImages {
  return {
    repository: KIND_LOCAL_IMAGES.repository,
    etcdTag: release.etcdVersion,
    corednsTag: corednsVersion,
  };
}

/**
 * A Debian root filesystem as a tar in the cache (mmdebstrap; `customize` shell lines run with
 * `$1` the root), built once per input set.
 */
async function debianRootfs(
  name: string,
  variant: string,
  packages: readonly string[],
  customize: readonly string[],
  options: KindImagesOptions,
  /** What else decides the content (the files a customize line copies in from a temporary directory). */
  inputs: readonly string[],
): Promise<string> {
  const root = options.root ?? cacheDir();
  // Temporary paths in the customize lines are not content: the inputs carry what they copy.
  const stable = customize.map((line) =>
    line.replaceAll(tmpdir(), '<tmp>').replace(/kaic-kind-images-\w+/g, '<work>'),
  );
  const key = inputsHash([
    KIND_LOCAL_IMAGES.debianSuite,
    variant,
    ...packages,
    ...stable,
    ...inputs,
  ]);
  const out = join(kindImagesDir(root), `${name}-${KIND_LOCAL_IMAGES.debianSuite}-${key}.tar`);
  if (existsSync(out)) {
    options.log(`${name} root filesystem: cached (${out})`);
    return out;
  }
  const which = await execa('mmdebstrap', ['--version'], { reject: false }).catch(() => null);
  if (!which || which.exitCode !== 0) {
    throw new InputError(
      'kaic images makes the node root filesystem with mmdebstrap, which is not installed ' +
        '(apt-get install mmdebstrap)',
    );
  }
  await mkdir(dirname(out), { recursive: true });
  const t0 = Date.now();
  options.log(
    `${name} root filesystem: mmdebstrap ${KIND_LOCAL_IMAGES.debianSuite} (${variant}, ${packages.length} packages)`,
  );
  const args = [
    `--variant=${variant}`,
    `--include=${packages.join(',')}`,
    ...customize.map((line) => `--customize-hook=${line}`),
    KIND_LOCAL_IMAGES.debianSuite,
    `${out}.partial.tar`,
    ...(options.debianMirror ? [options.debianMirror] : []),
  ];
  const result = await execa('mmdebstrap', args, {
    env: { ...process.env, ...options.env, SOURCE_DATE_EPOCH: '0' },
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) {
    await rm(`${out}.partial.tar`, { force: true });
    throw new ImageBuildError(
      `mmdebstrap ${name} failed (exit ${result.exitCode}):\n${String(result.all).trim().split('\n').slice(-8).join('\n')}`,
    );
  }
  await rename(`${out}.partial.tar`, out);
  options.log(`${name} root filesystem: built in ${formatSeconds(Date.now() - t0)}`);
  // The one it replaces (other packages or files): some hundred megabytes each.
  for (const entry of await readdir(dirname(out))) {
    const path = join(dirname(out), entry);
    if (path !== out && entry.startsWith(`${name}-`) && entry.endsWith('.tar'))
      await rm(path, { force: true });
  }
  return out;
}

/** A directory holding `files` ([source, path in the image, mode]), for one image layer. */
async function stageFiles(
  dir: string,
  files: ReadonlyArray<readonly [string, string, number]>,
): Promise<string> {
  for (const [source, path, mode] of files) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(source, target);
    await chmod(target, mode);
  }
  return dir;
}

/** CoreDNS's version as the release's kubeadm deploys it (`kubeadm config images list`). */
async function kubeadmCorednsVersion(kubeadm: string, release: KubernetesRelease) {
  const listed = await execa(kubeadm, [
    'config',
    'images',
    'list',
    '--kubernetes-version',
    release.version,
  ]);
  const line = listed.stdout.split('\n').find((l) => /\/coredns:/.test(l));
  const tag = line?.slice(line.lastIndexOf(':') + 1);
  if (!tag) {
    throw new ImageBuildError(
      `kubeadm ${release.version} lists no CoreDNS image:\n${listed.stdout}`,
    );
  }
  return tag;
}

/**
 * Builds (or finds) the base and node images for `minor` in the local Docker engine, and records
 * them in the cache's images.json.
 */
export async function buildKindImages(options: KindImagesOptions): Promise<KindImagesResult> {
  const env = { ...process.env, ...options.env };
  const root = options.root ?? cacheDir();
  const log = options.log;
  const release = kubernetesRelease(options.minor);
  await requireDocker(env, 'kaic images');

  log(`binaries for ${release.version} (cached after the first build)`);
  await buildKubernetes(release, log, root);
  await buildKubelet(release, log, root);
  await buildKindNodeBinaries(release, log, root);
  await buildRecipe(etcdRecipe(release.etcdVersion), log, root);
  await buildRecipe(RECIPES.containerd, log, root);
  await buildRecipe(RECIPES.criTools, log, root);
  const kubeadm = join(kindNodeBinDir(release, root), 'kubeadm');
  const corednsVersion = await kubeadmCorednsVersion(kubeadm, release);
  await buildRecipe(corednsRecipe(corednsVersion), log, root);

  const nodeImage = KIND_LOCAL_IMAGES.nodeImage(release.version);
  const planes = localControlPlaneImages(release, corednsVersion);
  const component = (name: string, tag: string) => `${planes.repository}/${name}:${tag}`;
  const preloaded = [
    component('kube-apiserver', release.version),
    component('kube-controller-manager', release.version),
    component('kube-scheduler', release.version),
    component('kube-proxy', release.version),
    component('etcd', planes.etcdTag),
    component('coredns', planes.corednsTag),
    ...Object.values(LOCAL_NODE_IMAGES).map(qualifiedImageName),
  ];
  const fileInputs = NODE_BASE_FILES.map((f) => `${f.path}:${f.mode}:${f.content}`);
  const inputs = inputsHash([
    release.version,
    release.etcdVersion,
    corednsVersion,
    CONTAINERD_VERSION,
    CRI_TOOLS_VERSION,
    ...KIND_LOCAL_IMAGES.nodePackages,
    ...KIND_LOCAL_IMAGES.kubeProxyPackages,
    ...NODE_BASE_CUSTOMIZE,
    ...fileInputs,
    ...preloaded,
    ...Object.entries(LOCAL_NODE_IMAGE_ALIASES).flat(),
  ]);
  const existingInputs = await imageLabel(nodeImage, 'dev.kaic.inputs', env);
  if (existingInputs === inputs) {
    const id = await imageId(nodeImage, env);
    log(`${nodeImage}: cached (${id.slice(0, 19)})`);
    await recordBuiltImage(root, nodeImage, { id, inputs, preloaded });
    return { nodeImage, id, preloaded, controlPlane: planes, cached: true };
  }

  const work = await mkdtemp(join(tmpdir(), 'kaic-kind-images-'));
  const builder = `kaic-build-${randomBytes(4).toString('hex')}`;
  try {
    // 1. The base: Debian, kaic's node files, systemd as init.
    const staged = join(work, 'node-files');
    for (const file of NODE_BASE_FILES) {
      const target = join(staged, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.content, { mode: file.mode });
      await chmod(target, file.mode);
    }
    const baseTar = await debianRootfs(
      'kind-node-base',
      'minbase',
      KIND_LOCAL_IMAGES.nodePackages,
      [`cp -a ${staged}/. "$1"/`, ...NODE_BASE_CUSTOMIZE],
      options,
      fileInputs,
    );
    const baseImage = `${KIND_LOCAL_IMAGES.repository}/kind-base:${inputsHash([baseTar])}`;
    if ((await imageLabel(baseImage, 'dev.kaic.local-image', env)) === null) {
      log(`${baseImage}: importing the root filesystem into Docker`);
      await docker(
        [
          'import',
          '--change',
          'ENV container=docker',
          '--change',
          'LABEL dev.kaic.local-image=true',
          '--change',
          'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',
          baseTar,
          baseImage,
        ],
        env,
      );
    }

    // 2. The images kubeadm deploys, and the suites' stand-ins, as one archive.
    const proxyTar = await debianRootfs(
      'kube-proxy-base',
      'essential',
      KIND_LOCAL_IMAGES.kubeProxyPackages,
      [],
      options,
      [],
    );
    const busybox = join(work, 'busybox');
    await makeBusyboxRootfs(busybox, await findStaticBusybox());
    const k8sBin = kubernetesBinDir(release, root);
    const binLayer = async (name: string, source: string, path = `/usr/local/bin/${name}`) =>
      stageFiles(join(work, `layer-${name}`), [[source, path, 0o755]]);
    const localBuild = (what: string) =>
      `kaic local build of ${what} from its Go module, for kind nodes without a registry`;
    const images: ArchiveImage[] = [];
    for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) {
      images.push({
        name: component(name, release.version),
        layers: [busybox, await binLayer(name, join(k8sBin, name))],
        description: localBuild(`${name} ${release.version}`),
      });
    }
    images.push({
      name: component('kube-proxy', release.version),
      layers: [
        { tar: proxyTar },
        await binLayer('kube-proxy', join(kindNodeBinDir(release, root), 'kube-proxy')),
      ],
      description: localBuild(`kube-proxy ${release.version}`),
    });
    images.push({
      name: component('etcd', planes.etcdTag),
      layers: [
        busybox,
        await binLayer('etcd', join(etcdBinDir(release.etcdVersion, root), 'etcd')),
      ],
      description: localBuild(`etcd ${release.etcdVersion}`),
    });
    images.push({
      name: component('coredns', planes.corednsTag),
      layers: [
        busybox,
        await binLayer('coredns', join(corednsBinDir(corednsVersion, root), 'coredns'), '/coredns'),
      ],
      entrypoint: ['/coredns'],
      description: localBuild(`CoreDNS ${corednsVersion}`),
    });
    for (const spec of standInImageSpecs()) {
      images.push({
        name: qualifiedImageName(spec.name),
        layers: [busybox],
        ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
        cmd: spec.cmd ?? ['sh'],
        description: spec.description,
      });
    }
    const archive = join(work, 'preloaded.tar');
    const t0 = Date.now();
    await writeImageArchive(images, archive);
    log(`${images.length} images packed in ${formatSeconds(Date.now() - t0)}`);

    // 3. The node: binaries in, images into its containerd, committed (kind's own sequence).
    log(`${nodeImage}: assembling in build container ${builder}`);
    await startBuilder(builder, baseImage, env);
    const copies: Array<[string, string]> = [
      [join(kubeletBinDir(release, root), 'kubelet'), '/usr/bin/kubelet'],
      [kubeadm, '/usr/bin/kubeadm'],
      [join(k8sBin, 'kubectl'), '/usr/bin/kubectl'],
      ...['containerd', 'containerd-shim-runc-v2', 'ctr'].map((b): [string, string] => [
        join(containerdBinDir(CONTAINERD_VERSION, root), b),
        `/usr/local/bin/${b}`,
      ]),
      [join(criToolsBinDir(CRI_TOOLS_VERSION, root), 'crictl'), '/usr/local/bin/crictl'],
    ];
    for (const [source, target] of copies) {
      await docker(['cp', source, `${builder}:${target}`], env);
    }
    await docker(['exec', '-i', builder, 'sh', '-c', 'cat > /kind/version'], env, {
      input: release.version,
    });
    await startContainerd(builder, env);
    await importPinned(builder, archive, env);
    for (const { standIn, qualified } of pinnedStandInNames()) {
      await docker(
        [
          'exec',
          builder,
          'ctr',
          '--namespace=k8s.io',
          'images',
          'tag',
          '--force',
          qualifiedImageName(standIn),
          qualified,
        ],
        env,
      );
    }
    await stopContainerdHolding(builder, preloaded, env);
    await commitNode(builder, nodeImage, inputs, env, [
      `org.opencontainers.image.description="kaic local kind node image, Kubernetes ${release.version}"`,
    ]);
    const id = await imageId(nodeImage, env);
    log(`${nodeImage}: built (${id.slice(0, 19)})`);
    // The image this one replaces (other inputs) and older bases: a gigabyte each, otherwise kept
    // for good. Refused by Docker while a container uses them, which is fine.
    const stale = await execa(
      'docker',
      ['image', 'ls', '-q', '--no-trunc', '--filter', 'label=dev.kaic.local-image=true'],
      { env, reject: false },
    );
    for (const old of stale.stdout.split('\n').filter((i) => i && i !== id)) {
      const tags = await execa(
        'docker',
        ['image', 'inspect', '--format', '{{join .RepoTags " "}}', old],
        {
          env,
          reject: false,
        },
      );
      const replaced =
        tags.stdout.trim() === '' ||
        tags.stdout
          .split(' ')
          .every(
            (t) => t !== baseImage && t.startsWith(`${KIND_LOCAL_IMAGES.repository}/kind-base:`),
          );
      if (replaced) await execa('docker', ['image', 'rm', old], { env, reject: false });
    }
    await recordBuiltImage(root, nodeImage, { id, inputs, preloaded });
    return { nodeImage, id, preloaded, controlPlane: planes, cached: false };
  } finally {
    await execa('docker', ['rm', '-f', '-v', builder], { env, reject: false });
    await rm(work, { recursive: true, force: true });
  }
}

/** Marks a build container with the pid of the kaic that made it. */
const BUILDER_LABEL = 'dev.kaic.image-build';

/** A build container from `image`, idle (sleep) so its containerd can be run by hand. */
async function startBuilder(builder: string, image: string, env: NodeJS.ProcessEnv) {
  await docker(
    [
      'run',
      '-d',
      '--name',
      builder,
      '--label',
      `${BUILDER_LABEL}=${process.pid}`,
      '--entrypoint',
      'sleep',
      image,
      'infinity',
    ],
    env,
  );
}

/** The node's containerd started in the build container, once it answers. */
async function startContainerd(builder: string, env: NodeJS.ProcessEnv) {
  await docker(['exec', '-d', builder, 'containerd'], env);
  const deadline = Date.now() + 60_000;
  while (
    (await execa('docker', ['exec', builder, 'ctr', 'version'], { env, reject: false }))
      .exitCode !== 0
  ) {
    if (Date.now() > deadline)
      throw new ImageBuildError(`containerd in ${builder} did not start in 60 s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * The images of `archive` into the builder's containerd as kind preloads them: pinned (kubelet's
 * image GC leaves them) and not unpacked (a node unpacks only what its pods run).
 */
async function importPinned(builder: string, archive: string, env: NodeJS.ProcessEnv) {
  await docker(
    [
      'exec',
      '-i',
      builder,
      'ctr',
      '--namespace=k8s.io',
      'images',
      'import',
      '--label=io.cri-containerd.pinned=pinned',
      '--no-unpack',
      '--digests',
      '-',
    ],
    env,
    { inputFile: archive },
  );
}

/**
 * containerd stopped cleanly (its metadata database complete on disk for the commit), after
 * checking it holds every image of `expected`.
 */
async function stopContainerdHolding(
  builder: string,
  expected: readonly string[],
  env: NodeJS.ProcessEnv,
) {
  const listed = await docker(
    ['exec', builder, 'ctr', '--namespace=k8s.io', 'images', 'list', '-q'],
    env,
  );
  await stopContainerd(builder, env);
  const missing = expected.filter((name) => !listed.split('\n').includes(name));
  if (missing.length) {
    throw new ImageBuildError(
      `${missing.join(', ')} not in the node's containerd after the import:\n${listed}`,
    );
  }
}

/** The build container committed as node image `name` (kind's entrypoint, systemd as init). */
async function commitNode(
  builder: string,
  name: string,
  inputs: string,
  env: NodeJS.ProcessEnv,
  labels: readonly string[],
) {
  await docker(
    [
      'commit',
      '--change',
      'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',
      '--change',
      'CMD []',
      '--change',
      `LABEL dev.kaic.inputs=${inputs}`,
      ...labels.flatMap((label) => ['--change', `LABEL ${label}`]),
      builder,
      name,
    ],
    env,
  );
}

async function stopContainerd(builder: string, env: NodeJS.ProcessEnv) {
  await docker(
    [
      'exec',
      builder,
      'sh',
      '-c',
      'pkill -x containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done',
    ],
    env,
  );
}

/**
 * Removes the build containers this process started (a cancel can end a build before its own
 * clean-up runs): for the signal handlers of `kaic images` and of a kind run that builds.
 */
export async function removeImageBuilders(env: NodeJS.ProcessEnv): Promise<void> {
  const listed = await execa(
    'docker',
    ['ps', '-a', '-q', '--filter', `label=${BUILDER_LABEL}=${process.pid}`],
    { env: { ...process.env, ...env }, reject: false },
  );
  for (const id of listed.stdout.split('\n').filter(Boolean)) {
    await execa('docker', ['rm', '-f', '-v', id], {
      env: { ...process.env, ...env },
      reject: false,
    });
  }
}

/** Label of a node image with addon images preloaded: the node image it was made from. */
const PRELOADED_FROM_LABEL = 'dev.kaic.preloaded-from';
/** Node images with addon images preloaded that are kept per node image (the most recent). */
const KEEP_PRELOADED = 4;

/**
 * The node image `nodeImage` with the addon images `images` (local Docker images) preloaded into
 * its containerd, built when missing, named by what it holds. `kind load` of the same images
 * into a running cluster writes every image into every node's containerd through `docker exec`
 * (about a minute for the full addon set on three nodes here); a node created from this image gets
 * them as Docker copies the image's /var into the node's volume (seconds). Kept: the
 * KEEP_PRELOADED most recent per node image.
 */
export async function nodeImageWithAddons(
  nodeImage: string,
  images: readonly string[],
  options: { log: ProgressLog; env?: NodeJS.ProcessEnv },
): Promise<string> {
  const env = { ...process.env, ...options.env };
  const log = options.log;
  const names = [...new Set(images)].sort();
  const ids = await Promise.all(names.map((name) => imageId(name, env)));
  const inputs = inputsHash([await imageId(nodeImage, env), ...names, ...ids]);
  const name = `${nodeImage}-addons-${inputs.slice(0, 12)}`;
  if ((await imageLabel(name, 'dev.kaic.inputs', env)) === inputs) {
    log(`${name}: cached (${names.length} addon images preloaded)`);
    return name;
  }
  const t0 = Date.now();
  log(`${name}: ${nodeImage} with ${names.join(', ')} preloaded`);
  const work = await mkdtemp(join(tmpdir(), 'kaic-kind-images-'));
  const builder = `kaic-build-${randomBytes(4).toString('hex')}`;
  try {
    const archive = join(work, 'addons.tar');
    await docker(['save', '-o', archive, ...names], env);
    await startBuilder(builder, nodeImage, env);
    await startContainerd(builder, env);
    await importPinned(builder, archive, env);
    await stopContainerdHolding(builder, names, env);
    await commitNode(builder, name, inputs, env, [`${PRELOADED_FROM_LABEL}=${nodeImage}`]);
    log(`${name}: built in ${formatSeconds(Date.now() - t0)}`);
  } finally {
    await execa('docker', ['rm', '-f', '-v', builder], { env, reject: false });
    await rm(work, { recursive: true, force: true });
  }
  // Older sets of the same node image beyond the most recent few: half a gigabyte each.
  const made = await execa(
    'docker',
    [
      'image',
      'ls',
      '--filter',
      `label=${PRELOADED_FROM_LABEL}=${nodeImage}`,
      '--format',
      '{{.Repository}}:{{.Tag}}',
    ],
    { env, reject: false },
  );
  for (const old of made.stdout.split('\n').filter(Boolean).slice(KEEP_PRELOADED)) {
    await execa('docker', ['image', 'rm', old], { env, reject: false });
  }
  return name;
}
