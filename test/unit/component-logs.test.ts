/** Component logs are copied out of the working directories before the teardown removes them. */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { collectComponentLogs, logTail } from '../../src/pipeline/component-logs.js';

describe('component logs', function () {
  let dir = '';
  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'kaic-logs-'));
    await mkdir(join(dir, 'cluster', 'logs'), { recursive: true });
    await mkdir(join(dir, 'cluster', 'real-node', 'logs'), { recursive: true });
    await writeFile(join(dir, 'cluster', 'logs', 'kube-apiserver.log'), 'a\nb\nc\n');
    await writeFile(join(dir, 'cluster', 'real-node', 'logs', 'kubelet.log'), 'k\n');
    await writeFile(join(dir, 'cluster', 'kubeconfig.yaml'), 'not a log');
  });
  afterEach(async function () {
    await rm(dir, { recursive: true, force: true });
  });

  it('copies every .log below each source, keeping the layout, and nothing else', async function () {
    const dest = join(dir, 'out', 'logs');
    const copied = await collectComponentLogs(
      [
        { name: 'cluster', dir: join(dir, 'cluster') },
        { name: 'addons', dir: join(dir, 'no-such-dir') },
      ],
      dest,
    );
    expect(copied).to.deep.equal([
      join(dest, 'cluster', 'logs', 'kube-apiserver.log'),
      join(dest, 'cluster', 'real-node', 'logs', 'kubelet.log'),
    ]);
    expect(await readFile(copied[0]!, 'utf8')).to.equal('a\nb\nc\n');
  });

  it('prints the last lines under a heading', async function () {
    const text = await logTail(join(dir, 'cluster', 'logs', 'kube-apiserver.log'), 2, 'apiserver');
    expect(text).to.equal('--- apiserver (last 2 lines)\n  b\n  c\n');
  });
});
