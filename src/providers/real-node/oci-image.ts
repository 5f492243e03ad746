/**
 * Container images for the real test node, made on this machine instead of pulled: a root
 * filesystem from the static busybox of the distribution, packed as an OCI image layout archive
 * that `ctr images import` reads. Everything is deterministic (sorted entries, zero times, fixed
 * owners), so the same busybox gives the same digests on every machine.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
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

export interface LocalImageSpec {
  /** The reference pods use, as containerd stores it (fully qualified). */
  name: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Said in the image's labels so nobody mistakes a stand-in for the real image. */
  description: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The static busybox on this machine: Debian's busybox-static puts it at /bin/busybox. */
export async function findStaticBusybox(): Promise<string> {
  for (const candidate of ['/bin/busybox', '/usr/bin/busybox']) {
    if (!existsSync(candidate)) continue;
    const file = await execa('file', ['-L', candidate], { reject: false });
    // Without `file`, trust the package; with it, insist on a static binary.
    if (file.exitCode !== 0 || /statically linked|static-pie/.test(file.stdout)) return candidate;
  }
  throw new ImageBuildError(
    'no static busybox found (looked at /bin/busybox, /usr/bin/busybox): the real node builds its ' +
      'images from it. Install it: apt-get install busybox-static',
  );
}

/** A busybox root filesystem in `dir`: every applet linked, a passwd/group, the usual mount points. */
async function makeRootfs(dir: string, busybox: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile(busybox, join(dir, 'bin', 'busybox'));
  await chmod(join(dir, 'bin', 'busybox'), 0o755);
  const applets = (await execa(busybox, ['--list-full'])).stdout.split('\n').filter(Boolean);
  for (const applet of applets) {
    const path = join(dir, applet);
    if (existsSync(path)) continue;
    await mkdir(dirname(path), { recursive: true });
    await symlink('/bin/busybox', path);
  }
  for (const d of ['dev', 'proc', 'sys', 'etc', 'root', 'var', 'run', 'home']) {
    await mkdir(join(dir, d), { recursive: true });
  }
  await mkdir(join(dir, 'tmp'), { recursive: true });
  await chmod(join(dir, 'tmp'), 0o1777);
  await writeFile(
    join(dir, 'etc', 'passwd'),
    'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n',
  );
  await writeFile(join(dir, 'etc', 'group'), 'root:x:0:\nnobody:x:65534:\n');
}

/** One gzipped tar layer of `dir`, the same bytes for the same content. */
async function packLayer(dir: string): Promise<{ tar: Buffer; gz: Buffer }> {
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
    { encoding: 'buffer', reject: false },
  );
  if (result.exitCode !== 0) {
    throw new ImageBuildError(
      `tar failed packing ${dir}: ${Buffer.from(result.stderr).toString()}`,
    );
  }
  const tar = Buffer.from(result.stdout);
  return { tar, gz: gzipSync(tar, { level: 9 }) };
}

function architecture(): string {
  const map: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
  const arch = map[process.arch];
  if (!arch) throw new ImageBuildError(`no OCI architecture name for ${process.arch}`);
  return arch;
}

/**
 * Writes an OCI image layout archive holding every image in `specs`, all on one busybox layer,
 * and returns the archive path and the image digests by name.
 */
export async function buildImageArchive(
  specs: LocalImageSpec[],
  archivePath: string,
  busybox?: string,
): Promise<Record<string, string>> {
  const work = await mkdtemp(join(tmpdir(), 'kaic-image-'));
  try {
    const rootfs = join(work, 'rootfs');
    await makeRootfs(rootfs, busybox ?? (await findStaticBusybox()));
    const { tar, gz } = await packLayer(rootfs);
    const layout = join(work, 'layout');
    const blobs = join(layout, 'blobs', 'sha256');
    await mkdir(blobs, { recursive: true });
    const putBlob = async (data: Buffer | string) => {
      const digest = sha256(data);
      await writeFile(join(blobs, digest.slice('sha256:'.length)), data);
      return { digest, size: Buffer.byteLength(data) };
    };
    const layer = await putBlob(gz);
    const diffId = sha256(tar);
    const manifests = [];
    const digests: Record<string, string> = {};
    for (const spec of specs) {
      const config = JSON.stringify({
        architecture: architecture(),
        os: 'linux',
        created: '1970-01-01T00:00:00Z',
        config: {
          Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
          ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
          Cmd: spec.cmd ?? ['sh'],
          Labels: {
            'dev.kaic.local-image': 'true',
            'org.opencontainers.image.description': spec.description,
          },
        },
        rootfs: { type: 'layers', diff_ids: [diffId] },
      });
      const configBlob = await putBlob(config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...configBlob },
        layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }],
      });
      const manifestBlob = await putBlob(manifest);
      digests[spec.name] = manifestBlob.digest;
      manifests.push({
        mediaType: OCI_MANIFEST,
        ...manifestBlob,
        annotations: {
          'io.containerd.image.name': spec.name,
          'org.opencontainers.image.ref.name': spec.name.slice(spec.name.lastIndexOf(':') + 1),
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
    const archive = await packLayer(layout);
    await mkdir(dirname(archivePath), { recursive: true });
    const partial = `${archivePath}.partial`;
    await writeFile(partial, archive.tar);
    await rename(partial, archivePath);
    return digests;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
