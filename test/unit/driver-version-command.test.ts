/**
 * How a container reads the NVIDIA driver version, run as the workload image runs it (busybox
 * sh): nvidia-smi on PATH first; else the loaded kernel module's version file, in both of its
 * formats (proprietary and open module); nothing at all when neither exists.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { nvidiaDriverVersionCommand } from '../../src/accelerators/profiles.js';

describe('NVIDIA driver version inside a container', function () {
  let dir = '';
  before(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-driver-version-'));
  });
  after(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  const run = (command: string, path: string) =>
    execa('busybox', ['sh', '-c', command], { env: { PATH: path }, reject: false });

  it('reads nvidia-smi -q where it is on PATH', async function () {
    await writeFile(
      join(dir, 'nvidia-smi'),
      '#!/bin/sh\necho "    Driver Version                            : 580.159.04"\n',
    );
    await chmod(join(dir, 'nvidia-smi'), 0o755);
    const result = await run(
      nvidiaDriverVersionCommand(join(dir, 'absent')),
      `${dir}:/usr/bin:/bin`,
    );
    expect(result.stdout.trim()).to.equal('580.159.04');
  });

  it("reads the kernel module's version without nvidia-smi, proprietary and open", async function () {
    const proprietary = join(dir, 'version-proprietary');
    await writeFile(
      proprietary,
      'NVRM version: NVIDIA UNIX x86_64 Kernel Module  580.159.04  Wed Jul 16 20:31:25 UTC 2025\nGCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n',
    );
    const open = join(dir, 'version-open');
    await writeFile(
      open,
      'NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build  (dvs-builder@U22)\n',
    );
    // This machine has no nvidia-smi: PATH holds only the shell's tools.
    const noTool = '/usr/bin:/bin';
    expect((await run(nvidiaDriverVersionCommand(proprietary), noTool)).stdout.trim()).to.equal(
      '580.159.04',
    );
    expect((await run(nvidiaDriverVersionCommand(open), noTool)).stdout.trim()).to.equal(
      '580.65.06',
    );
    const none = await run(nvidiaDriverVersionCommand(join(dir, 'absent')), noTool);
    expect(none.stdout.trim(), 'nothing read, nothing printed').to.equal('');
  });
});
