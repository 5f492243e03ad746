/**
 * Suites side by side: which may start beside which (pure), and the runner keeping to it over
 * tiny fixture suites (the order of their start and end events, not their timing).
 */
import { join, resolve } from 'node:path';

import { expect } from 'chai';

import { requirementsFor } from '../../src/requirements/catalog.js';
import {
  BudgetError,
  budgetOf,
  mayStart,
  queueOrder,
  type BudgetedSuite,
  type SuiteBudget,
} from '../../src/runner/budget.js';
import { runSuites } from '../../src/runner/run-suites.js';

const FIXTURES = resolve('test/fixtures/suites');
const suite = (name: string, budget: SuiteBudget | null): BudgetedSuite => ({ name, budget });
const limits = { parallel: 3, devices: 4 };

describe('suite budgets', function () {
  describe('mayStart', function () {
    it('starts anything when nothing runs, even a suite asking for more devices than there are', function () {
      expect(mayStart(suite('big', { devices: 9 }), [], limits)).to.equal(true);
      expect(mayStart(suite('alone', null), [], limits)).to.equal(true);
    });
    it('keeps to the parallel limit', function () {
      const running = [suite('a', { devices: 0 }), suite('b', { devices: 0 })];
      expect(mayStart(suite('c', { devices: 0 }), running, limits)).to.equal(true);
      expect(
        mayStart(suite('d', { devices: 0 }), [...running, suite('c', { devices: 0 })], limits),
      ).to.equal(false);
    });
    it('runs a suite without a budget alone, on either side', function () {
      expect(mayStart(suite('user', null), [suite('a', { devices: 0 })], limits)).to.equal(false);
      expect(mayStart(suite('a', { devices: 0 }), [suite('user', null)], limits)).to.equal(false);
    });
    it('keeps the devices held together within the capacity; suites without devices pass', function () {
      const running = [suite('a', { devices: 2 }), suite('b', { devices: 1 })];
      expect(mayStart(suite('c', { devices: 1 }), running, limits)).to.equal(true);
      expect(mayStart(suite('c', { devices: 2 }), running, limits)).to.equal(false);
      expect(mayStart(suite('c', { devices: 0 }), running, limits)).to.equal(true);
      expect(
        mayStart(suite('c', { devices: 1 }), [suite('a', { devices: 1 })], {
          ...limits,
          devices: 0,
        }),
      ).to.equal(false);
    });
    it('runs no CPU user beside a suite that fills a node’s CPU', function () {
      const fills = suite('gang', { devices: 0, nodeCpu: 'fills' });
      const requests = suite('operator', { devices: 0, nodeCpu: 'requests' });
      const plain = suite('routing', { devices: 0 });
      expect(mayStart(fills, [requests], limits)).to.equal(false);
      expect(mayStart(requests, [fills], limits)).to.equal(false);
      expect(mayStart(fills, [suite('g2', { devices: 0, nodeCpu: 'fills' })], limits)).to.equal(
        false,
      );
      expect(
        mayStart(requests, [suite('r2', { devices: 0, nodeCpu: 'requests' })], limits),
      ).to.equal(true);
      expect(mayStart(plain, [fills], limits)).to.equal(true);
    });
  });

  it('queueOrder: longest typical wall time first, the given order among equals', function () {
    const order = queueOrder([
      suite('a', { devices: 0 }),
      suite('b', { devices: 0, typicalSeconds: 5 }),
      suite('c', null),
      suite('d', { devices: 0, typicalSeconds: 30 }),
      suite('e', { devices: 0, typicalSeconds: 5 }),
    ]).map((s) => s.name);
    expect(order).to.deep.equal(['d', 'b', 'e', 'a', 'c']);
  });

  it('budgetOf: a missing export is null; a malformed one is refused naming the file', function () {
    expect(budgetOf(undefined, 'x.ts')).to.equal(null);
    expect(budgetOf({ devices: 1, nodeCpu: 'fills' }, 'x.ts')).to.deep.equal({
      devices: 1,
      nodeCpu: 'fills',
    });
    expect(() => budgetOf({ devices: -1 }, 'suites/x.ts')).to.throw(
      BudgetError,
      'suites/x.ts: its exported budget has no whole number of devices ≥ 0',
    );
    expect(() => budgetOf({ devices: 0, nodeCpu: 'all' }, 'x.ts')).to.throw(
      BudgetError,
      'has nodeCpu "all" (expected requests or fills)',
    );
    expect(() => budgetOf(3, 'x.ts')).to.throw(BudgetError, 'is not an object');
  });

  describe('the runner keeps to the budgets', function () {
    /** The start and end events of a run of these fixture files. */
    async function events(
      files: string[],
      options: { parallel: number; deviceCapacity?: number },
    ): Promise<string[]> {
      const seen: string[] = [];
      const run = await runSuites({
        specFiles: files.map((f) => join(FIXTURES, f)),
        requirements: requirementsFor('1.35'),
        timeoutMs: 5000,
        ...options,
        onSuiteStart: (s) => seen.push(`start ${s.name}`),
        onSuiteEnd: (s) => seen.push(`end ${s.name}`),
      });
      expect(run.tests.length).to.be.greaterThan(0);
      return seen;
    }
    const overlapped = (seen: string[], a: string, b: string) =>
      seen.indexOf(`start ${b}`) < seen.indexOf(`end ${a}`) &&
      seen.indexOf(`start ${a}`) < seen.indexOf(`end ${b}`);

    it('runs suites without devices side by side, and one after another with parallel 1', async function () {
      const files = ['budget-plain-a.spec.ts', 'budget-plain-b.spec.ts'];
      const side = await events(files, { parallel: 4 });
      expect(
        overlapped(side, 'budget-plain-a.spec', 'budget-plain-b.spec'),
        side.join(', '),
      ).to.equal(true);
      const serial = await events(files, { parallel: 1 });
      expect(serial).to.deep.equal([
        'start budget-plain-a.spec',
        'end budget-plain-a.spec',
        'start budget-plain-b.spec',
        'end budget-plain-b.spec',
      ]);
    });

    it('never runs a CPU user beside the suite that fills a node’s CPU', async function () {
      const seen = await events(
        ['budget-fills.spec.ts', 'budget-requests.spec.ts', 'budget-plain-a.spec.ts'],
        { parallel: 4 },
      );
      expect(
        overlapped(seen, 'budget-fills.spec', 'budget-requests.spec'),
        seen.join(', '),
      ).to.equal(false);
      expect(
        overlapped(seen, 'budget-fills.spec', 'budget-plain-a.spec'),
        seen.join(', '),
      ).to.equal(true);
    });

    it('holds no more devices together than the capacity; the longest typical suite starts first', async function () {
      const files = ['budget-devices-3.spec.ts', 'budget-devices-2.spec.ts'];
      const tight = await events(files, { parallel: 4, deviceCapacity: 4 });
      expect(tight[0]).to.equal('start budget-devices-2.spec');
      expect(overlapped(tight, 'budget-devices-3.spec', 'budget-devices-2.spec')).to.equal(false);
      const roomy = await events(files, { parallel: 4, deviceCapacity: 5 });
      expect(overlapped(roomy, 'budget-devices-3.spec', 'budget-devices-2.spec')).to.equal(true);
    });

    it('runs a spec file without a budget (a user’s own) alone', async function () {
      const seen = await events(['failing.spec.ts', 'budget-plain-a.spec.ts'], { parallel: 4 });
      expect(overlapped(seen, 'failing.spec', 'budget-plain-a.spec'), seen.join(', ')).to.equal(
        false,
      );
    });
  });
});
