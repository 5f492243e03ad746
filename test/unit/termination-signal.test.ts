/**
 * Cancel: one SIGINT runs the clean-up and exits 130; a second one during the clean-up exits at
 * once, saying the clean-up did not finish. Run in a child process (signals end processes).
 */
import { resolve } from 'node:path';

import { expect } from 'chai';
import { execa } from 'execa';

function child(cleanupMs: number) {
  const script = `
    import { onTerminationSignal } from ${JSON.stringify(resolve('src/util/processes.ts'))};
    onTerminationSignal(async () => {
      await new Promise((r) => setTimeout(r, ${cleanupMs}));
      process.stdout.write('cleaned up\\n');
    });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  return execa('node', ['--import', 'tsx', '--input-type=module', '-e', script], {
    reject: false,
    all: true,
  });
}

async function whenReady(proc: ReturnType<typeof child>): Promise<void> {
  await new Promise<void>((done) => {
    proc.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) done();
    });
  });
}

describe('cancel (SIGINT)', function () {
  this.timeout(60_000);

  it('runs the clean-up once, then exits 130', async function () {
    const proc = child(300);
    await whenReady(proc);
    proc.kill('SIGINT');
    const result = await proc;
    expect(result.exitCode).to.equal(130);
    expect(result.all).to.include('SIGINT received, cleaning up');
    expect(result.all).to.include('cleaned up');
  });

  it('a second SIGINT during the clean-up exits at once, saying it did not finish', async function () {
    const proc = child(60_000);
    await whenReady(proc);
    const started = Date.now();
    proc.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 500));
    proc.kill('SIGINT');
    const result = await proc;
    expect(result.exitCode).to.equal(130);
    expect(result.all).to.include('SIGINT again: exiting now; the clean-up did not finish');
    expect(result.all).to.not.include('cleaned up');
    expect(Date.now() - started).to.be.below(30_000);
  });
});
