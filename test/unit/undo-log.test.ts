import { expect } from 'chai';

import { UndoLog } from '../../src/util/undo-log.js';

describe('UndoLog', function () {
  it('undoes newest first, every step even when one fails, and says which failed', async function () {
    const lines: string[] = [];
    const order: string[] = [];
    const undo = new UndoLog((l) => lines.push(l));
    undo.push('directory', async () => void order.push('directory'));
    undo.push('cluster down', async () => {
      order.push('cluster');
      throw new Error('kwokctl said no');
    });
    undo.push('addons', async () => void order.push('addons'));
    await undo.unwind();
    expect(order).to.deep.equal(['addons', 'cluster', 'directory']);
    expect(lines).to.deep.equal(['cluster down: kwokctl said no']);
  });

  it('unwinds once: a second call (a signal during the teardown) waits for the same', async function () {
    let runs = 0;
    const undo = new UndoLog(() => undefined);
    undo.push(
      'slow',
      () => new Promise<void>((resolve) => setTimeout(() => (runs++, resolve()), 20)),
    );
    const [a, b] = [undo.unwind(), undo.unwind()];
    await Promise.all([a, b]);
    await undo.unwind();
    expect(runs).to.equal(1);
  });

  it('runs a step registered after the unwinding began (what a late phase created goes too)', async function () {
    const order: string[] = [];
    const undo = new UndoLog(() => undefined);
    undo.push('first', async () => void order.push('first'));
    const unwinding = undo.unwind();
    undo.push('late', async () => void order.push('late'));
    await unwinding;
    await undo.unwind();
    expect(order).to.deep.equal(['first', 'late']);
  });
});
