/** The expected-verdict tables of docs/platforms.md read as the platform tests read them. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { expectedVerdicts } from '../support/platform-expectations.js';

describe('platform expectations (docs/platforms.md)', function () {
  it('reads every row of the example driver table as a verdict', function () {
    const expected = expectedVerdicts('The Kubernetes example DRA driver');
    expect(expected).to.include({
      dra_support: 'Implemented',
      gpu_sharing: 'Unknown',
      accelerator_metrics: 'Not Implemented',
    });
    expect(Object.keys(expected)).to.have.length(12);
  });

  it('refuses a cell that is no verdict and a missing section', function () {
    const dir = mkdtempSync(join(tmpdir(), 'kaic-platforms-'));
    try {
      const page = join(dir, 'p.md');
      writeFileSync(page, '## 1. X\n\n| `dra_support` (MUST) | Passed | why |\n');
      expect(() => expectedVerdicts('X', page)).to.throw(
        /dra_support expects "Passed", not a verdict/,
      );
      expect(() => expectedVerdicts('Y', page)).to.throw(/no section titled "Y"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
