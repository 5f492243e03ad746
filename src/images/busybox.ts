/**
 * Container images for the real test node and kind node images, made on this machine instead of
 * pulled: a root filesystem from the static busybox of the distribution, packed by the OCI
 * archive writer (src/images/oci-archive.ts), so the same busybox gives the same digests on every
 * machine.
 */
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { execa } from 'execa';

import {
  LOCAL_NODE_IMAGE_ALIASES,
  LOCAL_NODE_IMAGES,
  qualifiedImageName,
} from '../versions/images.js';
import { ImageBuildError, writeImageArchive } from './oci-archive.js';

export { ImageBuildError };

export interface LocalImageSpec {
  /** The reference pods use, as containerd stores it (fully qualified). */
  name: string;
  entrypoint?: string[];
  cmd?: string[];
  /** Said in the image's labels so nobody mistakes a stand-in for the real image. */
  description: string;
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
export async function makeBusyboxRootfs(dir: string, busybox: string): Promise<void> {
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

/**
 * The stand-ins the real node and kind's local node image hold instead of pulled images: pause
 * (sleeps until stopped; exits at once on TERM, as PID 1 gets no default signal handling) and the
 * suites' workload images, all one busybox root filesystem.
 */
export function standInImageSpecs(): LocalImageSpec[] {
  return [
    {
      name: LOCAL_NODE_IMAGES.pause,
      entrypoint: [
        '/bin/sh',
        '-c',
        'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done',
      ],
      description: 'kaic local pause stand-in (busybox sh), not the upstream pause image',
    },
    ...Object.entries(LOCAL_NODE_IMAGES)
      .filter(([role]) => role !== 'pause')
      .map(([, name]) => ({
        name,
        description: `kaic local stand-in named ${name}: a static busybox root filesystem`,
      })),
  ];
}

/**
 * Digest-pinned names the suites use, given to the stand-ins too: the CRI finds an image by the
 * name `docker.io/library/<repo>@sha256:…` a pinned reference resolves to.
 */
export function pinnedStandInNames(): Array<{
  pinned: string;
  standIn: string;
  qualified: string;
}> {
  return Object.entries(LOCAL_NODE_IMAGE_ALIASES).map(([pinned, standIn]) => {
    const [repo, digest] = pinned.split('@') as [string, string];
    return {
      pinned,
      standIn,
      qualified: `${qualifiedImageName(repo.replace(/:[^/]+$/, ''))}@${digest}`,
    };
  });
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
  const work = await mkdtemp(join(tmpdir(), 'kaic-busybox-'));
  try {
    const rootfs = join(work, 'rootfs');
    await makeBusyboxRootfs(rootfs, busybox ?? (await findStaticBusybox()));
    return await writeImageArchive(
      specs.map((spec) => ({
        name: spec.name,
        layers: [rootfs],
        ...(spec.entrypoint ? { entrypoint: spec.entrypoint } : {}),
        cmd: spec.cmd ?? ['sh'],
        description: spec.description,
      })),
      archivePath,
    );
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
