/**
 * disaggregated_inference's decision on one traced request: proven only when a prefill pod and a
 * different decode pod both logged its id; anything else is unproven and says where it was seen.
 */
import { expect } from 'chai';

import { decideTrace, firstModel } from '../../suites/lib/disaggregated.js';

describe('disaggregated_inference: one request traced through prefill and decode', function () {
  it('traced when a prefill pod and a different decode pod logged the id', function () {
    expect(decideTrace('r1', { prefill: ['ns/p-0'], decode: ['ns/d-0', 'ns/d-1'] })).to.deep.equal({
      outcome: 'traced',
      prefillPod: 'ns/p-0',
      decodePod: 'ns/d-0',
    });
  });

  it('unproven when the id was seen in one role only, or nowhere, naming where', function () {
    const decode = decideTrace('r2', { prefill: [], decode: ['ns/d-0'] });
    expect(decode.outcome).to.equal('unproven');
    expect(decode).to.have.property('reason').that.includes('prefill: no pod; decode: ns/d-0');
    const none = decideTrace('r3', { prefill: [], decode: [] });
    expect(none).to.have.property('reason').that.includes('x-request-id');
  });

  it('unproven when the only pod that logged it is in both roles', function () {
    const same = decideTrace('r4', { prefill: ['ns/x'], decode: ['ns/x'] });
    expect(same.outcome).to.equal('unproven');
    expect(same).to.have.property('reason').that.includes('the same pod in both roles');
  });

  it('reads the first model of a /v1/models answer, or none', function () {
    expect(firstModel('{"object":"list","data":[{"id":"llama"},{"id":"b"}]}')).to.equal('llama');
    expect(firstModel('{"data":[]}')).to.equal(null);
    expect(firstModel('<html>502</html>')).to.equal(null);
  });
});
