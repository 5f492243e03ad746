/**
 * Container images made on this machine instead of pulled, written as one OCI image layout
 * archive (what `ctr images import` reads), with Docker's manifest.json beside it (what `docker
 * load` reads). Each image is a stack of layers,
 * each layer a directory packed deterministically (sorted entries, zero times, fixed owners), so
 * the same inputs give the same digests on every machine; a directory shared by several images
 * is packed once and stored once.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { execa } from 'execa';

export class ImageBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageBuildError';
  }
}

export interface ArchiveImage {
  /** The reference the image is stored under (fully qualified where the consumer needs it). */
  name: string;
  /** Bottom layer first: a directory (packed here) or a tar file; each becomes one gzipped layer. */
  layers: readonly LayerSource[];
  entrypoint?: readonly string[];
  cmd?: readonly string[];
  env?: readonly string[];
  /** The user it runs as (uid[:gid]), as its upstream image does. */
  user?: string;
  workingDir?: string;
  /** Said in the image's labels, so nobody mistakes a local build for an upstream image. */
  description: string;
  /** Extra labels (where it was built from). */
  labels?: Readonly<Record<string, string>>;
}

export type LayerSource = string | { tar: string };

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** One tar of `dir`, the same bytes for the same content (and its gzip, when asked). */
export async function packDirectory(dir: string): Promise<Buffer> {
  const result = await execa(
    'tar',
    [
      '--sort=name',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '--format=posix',
      '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime',
      '-C',
      dir,
      '-cf',
      '-',
      '.',
    ],
    { encoding: 'buffer', reject: false, maxBuffer: 2 * 1024 ** 3 },
  );
  if (result.exitCode !== 0) {
    throw new ImageBuildError(
      `tar failed packing ${dir}: ${Buffer.from(result.stderr).toString()}`,
    );
  }
  return Buffer.from(result.stdout);
}

/** The OCI name of this machine's architecture. */
export function ociArchitecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  const arch = map[process.arch];
  if (!arch) throw new ImageBuildError(`no OCI architecture name for ${process.arch}`);
  return arch;
}

/**
 * Writes an OCI image layout archive holding `images` to `archivePath` (atomically: a partial
 * file never carries the final name) and returns each image's manifest digest by name.
 */
export async function writeImageArchive(
  images: readonly ArchiveImage[],
  archivePath: string,
): Promise<Record<string, string>> {
  const work = await mkdtemp(join(tmpdir(), 'kaic-image-'));
  try {
    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const putBlob = async (data: Buffer | string) => {
      const digest = sha256(data);
      await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
      return { digest, size: Buffer.byteLength(data) };
    };
    const layers = new Map<string, { digest: string; size: number; diffId: string }>();
    const layerOf = async (source: LayerSource) => {
      const key = typeof source === 'string' ? source : `tar:${source.tar}`;
      let layer = layers.get(key);
      if (!layer) {
        const tar =
          typeof source === 'string' ? await packDirectory(source) : await readFile(source.tar);
        layer = { ...(await putBlob(gzipSync(tar, { level: 6 }))), diffId: sha256(tar) };
        layers.set(key, layer);
      }
      return layer;
    };
    const manifests = [];
    // Docker before 25 loads only its own save format: manifest.json beside the OCI layout.
    const dockerManifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
    const blobPath = (digest: string) => `blobs/sha256/${digest.slice('sha256:'.length)}`;
    const digests: Record<string, string> = {};
    for (const image of images) {
      const stack = [];
      for (const source of image.layers) stack.push(await layerOf(source));
      const config = JSON.stringify({
        architecture: ociArchitecture(),
        os: 'linux',
        created: '1970-01-01T00:00:00Z',
        config: {
          Env: image.env ?? [DEFAULT_PATH],
          ...(image.entrypoint ? { Entrypoint: image.entrypoint } : {}),
          ...(image.cmd ? { Cmd: image.cmd } : {}),
          ...(image.user ? { User: image.user } : {}),
          ...(image.workingDir ? { WorkingDir: image.workingDir } : {}),
          Labels: {
            'dev.kaic.local-image': 'true',
            'org.opencontainers.image.description': image.description,
            ...image.labels,
          },
        },
        rootfs: { type: 'layers', diff_ids: stack.map((l) => l.diffId) },
      });
      const configBlob = await putBlob(config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...configBlob },
        layers: stack.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
      });
      const manifestBlob = await putBlob(manifest);
      digests[image.name] = manifestBlob.digest;
      dockerManifest.push({
        Config: blobPath(configBlob.digest),
        RepoTags: [image.name],
        Layers: stack.map((l) => blobPath(l.digest)),
      });
      manifests.push({
        mediaType: OCI_MANIFEST,
        ...manifestBlob,
        annotations: {
          'io.containerd.image.name': image.name,
          'org.opencontainers.image.ref.name': image.name.slice(image.name.lastIndexOf(':') + 1),
        },
      });
    }
    await writeFile(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    await writeFile(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests,
      }),
    );
    await writeFile(join(layout, 'manifest.json'), JSON.stringify(dockerManifest));
    await mkdir(dirname(archivePath), { recursive: true });
    const partial = `${archivePath}.partial`;
    await writeFile(partial, await packDirectory(layout));
    await rename(partial, archivePath);
    return digests;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
