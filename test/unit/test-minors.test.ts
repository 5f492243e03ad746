import { expect } from 'chai';

import { testMinors } from '../cluster/minors.js';

describe('cluster test minors', function () {
  it('defaults to the table default plus 1.33', function () {
    expect(testMinors({})).to.deep.equal(['1.35', '1.33']);
  });
  it('reads a comma or space separated list and drops repeats', function () {
    expect(testMinors({ KAIC_TEST_MINORS: '1.36, v1.37 1.36' })).to.deep.equal(['1.36', '1.37']);
  });
  it('names the bad entry', function () {
    expect(() => testMinors({ KAIC_TEST_MINORS: '1.35,2.0' })).to.throw(
      /KAIC_TEST_MINORS entry "2.0"/,
    );
  });
});
