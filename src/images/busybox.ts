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
