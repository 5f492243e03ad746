/**
 * The Gateway suites' traffic accounting: the client's log lines counted per phase and backend,
 * anything that is not a backend's name counted as an error; the client's request loop.
 */
import { expect } from 'chai';

import { requestLoop, shareText, tally, warmUp } from '../../suites/lib/gateway.js';

const BACKENDS = ['model-v1', 'model-v2', 'model-v3'];

describe('Gateway suites: traffic accounting', function () {
  it('counts answers per phase and backend, skipping the warm-up line', function () {
    const log = [
      'warmup 5 2',
      'weights model-v1',
      'weights model-v1',
      'weights model-v2',
      'no-header model-v1',
      '',
    ].join('\n');
    expect(tally(log, BACKENDS)).to.deep.equal({
      weights: { 'model-v1': 2, 'model-v2': 1 },
      'no-header': { 'model-v1': 1 },
    });
  });

  it('counts an error page, a failed request or a stranger as ERR, never as a backend', function () {
    const log = ['weights ERR', 'weights <html>502', 'weights model-v4', 'weights model-v3'].join(
      '\n',
    );
    expect(tally(log, BACKENDS)).to.deep.equal({ weights: { ERR: 3, 'model-v3': 1 } });
  });

  it('states shares in percent of the phase total', function () {
    expect(shareText({ 'model-v1': 350, 'model-v2': 150 })).to.equal(
      'model-v1 350 (70.0 %), model-v2 150 (30.0 %)',
    );
    expect(shareText(undefined)).to.equal('no answers');
  });

  it('sends the header only when given and bounds each request with timeout, not wget -T', function () {
    const withHeader = requestLoop('x-model', 100, 'http://10.0.0.1:80/headers/', 'x-model: v2');
    expect(withHeader).to.contain("--header 'x-model: v2'");
    expect(withHeader).to.contain('-lt 100');
    expect(withHeader).to.contain('timeout 10 wget');
    expect(withHeader).to.not.match(/wget[^|]*-T/);
    expect(requestLoop('no-header', 1, 'http://h/')).to.not.contain('--header');
    expect(warmUp(['http://a/', 'http://b/'])).to.contain(
      'timeout 3 wget -q -O - http://a/ >/dev/null 2>&1 && timeout 3 wget -q -O - http://b/',
    );
  });
});
