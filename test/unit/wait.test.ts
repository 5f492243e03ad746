import { expect } from 'chai';

import { waitFor, WaitAborted } from '../../src/util/wait.js';

describe('waitFor', function () {
  it('returns the first truthy value of the probe', async function () {
    let calls = 0;
    expect(await waitFor('three calls', async () => ++calls >= 3 && calls, 5_000, 1)).to.equal(3);
  });

  it('ends at its deadline even when a probe never answers, naming what it waited for', async function () {
    const never = () => new Promise<boolean>(() => undefined);
    const error = await waitFor('a silent server', never, 200, 10).then(
      () => null,
      (e: Error) => e,
    );
    expect(error?.message).to.match(
      /^timed out after 0\.2s waiting for a silent server \(last error: no answer before the deadline\)$/,
    );
  });

  it('ends at once on WaitAborted', async function () {
    const error = await waitFor(
      'anything',
      () => Promise.reject(new WaitAborted('gone')),
      60_000,
    ).then(
      () => null,
      (e: Error) => e,
    );
    expect(error).to.be.instanceOf(WaitAborted);
  });
});
