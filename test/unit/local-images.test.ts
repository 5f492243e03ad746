/**
 * The pieces of kaic's local images that are pure logic: which libraries a binary takes along
 * (ldd's output read), and the image archive both containerd and Docker before 25 load (an OCI
 * layout with Docker's manifest.json beside it, each naming blobs the archive holds).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

import { parseLdd } from '../../src/images/addon-images.js';
import { writeImageArchive } from '../../src/images/oci-archive.js';

describe('local images: ldd output and the image archive', function () {
  it('takes each linked library and the dynamic loader, not the vDSO', function () {
    const output = [
      '\tlinux-vdso.so.1 (0x00007ffc1a7f5000)',
      '\tlibstdc++.so.6 => /lib/x86_64-linux-gnu/libstdc++.so.6 (0x00007f1c2a000000)',
      '\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f1c29e1e000)',
      '\t/lib64/ld-linux-x86-64.so.2 (0x00007f1c2a3e7000)',
    ].join('\n');
    expect(parseLdd(output, '/usr/bin/node')).to.deep.equal([
      '/lib/x86_64-linux-gnu/libstdc++.so.6',
      '/lib/x86_64-linux-gnu/libc.so.6',
      '/lib64/ld-linux-x86-64.so.2',
    ]);
  });

  it('refuses a binary whose library this machine lacks, naming it', function () {
    expect(() =>
      parseLdd('\tlibfoo.so.1 => not found\n\tlibc.so.6 => /lib/libc.so.6 (0x1)', '/bin/x'),
    ).to.throw(/\/bin\/x needs a library this machine lacks: libfoo\.so\.1 => not found/);
  });

  it("writes Docker's manifest.json beside the OCI index, naming the same blobs", async function () {
    const work = await mkdtemp(join(tmpdir(), 'kaic-archive-test-'));
    try {
      const [base, top] = [join(work, 'base'), join(work, 'top')];
      await mkdir(join(base, 'bin'), { recursive: true });
      await writeFile(join(base, 'bin', 'tool'), 'base\n');
      await mkdir(top);
      await writeFile(join(top, 'extra'), 'top\n');
      const archive = join(work, 'images.tar');
      const digests = await writeImageArchive(
        [
          { name: 'kaic.local/one:v1', layers: [base, top], description: 'test image one' },
          { name: 'kaic.local/two:v1', layers: [base], description: 'test image two' },
        ],
        archive,
      );
      const out = join(work, 'out');
      await mkdir(out);
      await execa('tar', ['-xf', archive, '-C', out]);
      const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as {
        manifests: Array<{ digest: string; annotations: Record<string, string> }>;
      };
      const docker = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8')) as Array<{
        Config: string;
        RepoTags: string[];
        Layers: string[];
      }>;
      expect(docker.map((d) => d.RepoTags)).to.deep.equal([
        ['kaic.local/one:v1'],
        ['kaic.local/two:v1'],
      ]);
      expect(docker.map((d) => d.Layers.length)).to.deep.equal([2, 1]);
      // The shared bottom layer is one blob, named by both.
      expect(docker[0]!.Layers[0]).to.equal(docker[1]!.Layers[0]);
      for (const [i, entry] of docker.entries()) {
        const manifestDigest = index.manifests[i]!.digest;
        expect(digests[entry.RepoTags[0]!]).to.equal(manifestDigest);
        const manifest = JSON.parse(
          await readFile(join(out, 'blobs', 'sha256', manifestDigest.slice(7)), 'utf8'),
        ) as { config: { digest: string }; layers: Array<{ digest: string }> };
        expect(entry.Config).to.equal(`blobs/sha256/${manifest.config.digest.slice(7)}`);
        expect(entry.Layers).to.deep.equal(
          manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`),
        );
        for (const blob of [entry.Config, ...entry.Layers]) {
          await readFile(join(out, blob)); // present in the archive
        }
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });
});
