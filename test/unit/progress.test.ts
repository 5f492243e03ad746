/** Progress lines: timestamped plain lines in CI, a live line on a terminal, a phase table. */
import { expect } from 'chai';

import { Progress } from '../../src/pipeline/progress.js';

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  let now = Date.parse('2026-11-27T08:00:00Z');
  const progress = new Progress({ write: (text: string) => chunks.push(text), isTTY }, () => now);
  return { chunks, progress, advance: (ms: number) => (now += ms) };
}

describe('progress', function () {
  it('in CI: a timestamped line when a phase starts and one with its outcome and time', async function () {
    const { chunks, progress, advance } = capture(false);
    await progress.phase('cluster up', async () => {
      advance(7_500);
      progress.line('PASS a test');
    });
    expect(chunks.join('')).to.equal(
      '[kaic 08:00:00] cluster up …\n' +
        '[kaic 08:00:07] PASS a test\n' +
        '[kaic 08:00:07] cluster up: done in 7.5 s\n',
    );
  });

  it('on a terminal: the live line is cleared before other lines and after the phase', async function () {
    const { chunks, progress, advance } = capture(true);
    await progress.phase('suites', async () => {
      advance(2_000);
      progress.line('FAIL b');
    });
    const text = chunks.join('');
    expect(text).to.contain('\r\x1b[2K… suites (0 s)');
    expect(text).to.contain('\r\x1b[2KFAIL b\n');
    expect(text).to.match(/suites: done in 2\.0 s\n$/);
    expect(text).to.not.contain('[kaic');
  });

  it('on a terminal: the live line carries the current requirement, and drops it after the phase', async function () {
    const { chunks, progress, advance } = capture(true);
    await progress.phase('suites', async () => {
      advance(3_000);
      progress.setDetail('dra_support: 2 passed');
    });
    const text = chunks.join('');
    expect(text).to.contain('\r\x1b[2K… suites (3 s) — dra_support: 2 passed');
    await progress.phase('reports', async () => undefined);
    expect(chunks.join('').slice(text.length)).to.not.contain('dra_support');
  });

  it('in CI: the live detail prints nothing', async function () {
    const { chunks, progress } = capture(false);
    await progress.phase('suites', async () => progress.setDetail('dra_support: 2 passed'));
    expect(chunks.join('')).to.not.contain('dra_support');
  });

  it('records a failed phase, rethrows, and tables every phase with its wall time', async function () {
    const { progress, advance } = capture(false);
    await progress.phase('cluster up', async () => advance(1_000));
    await progress
      .phase('suites', async () => {
        advance(62_000);
        throw new Error('boom');
      })
      .then(
        () => expect.fail('the phase should rethrow'),
        (error: Error) => expect(error.message).to.equal('boom'),
      );
    expect(progress.table()).to.equal(
      'phase       outcome  wall time\n' +
        'cluster up  done     1.0 s\n' +
        'suites      failed   62.0 s\n',
    );
  });
});
