/** pod_autoscaling's choice of metrics API (suites/lib/monitoring.ts chooseHpaMetricsPath). */
import { expect } from 'chai';

import { chooseHpaMetricsPath } from '../../suites/lib/monitoring.js';

describe('pod_autoscaling: which metrics API the HPA scales on', function () {
  const both = { customVersions: ['v1beta1', 'v1beta2'], external: true };
  const customOnly = { customVersions: ['v1beta1'], external: false };
  const externalOnly = { customVersions: [], external: true };
  const neither = { customVersions: [], external: false };

  it('auto: the custom metrics API where served, its newest version, even beside the external one', function () {
    expect(chooseHpaMetricsPath('auto', both, 'q')).to.deep.equal({
      api: 'custom',
      version: 'v1beta2',
    });
    expect(chooseHpaMetricsPath('auto', customOnly, 'q')).to.deep.equal({
      api: 'custom',
      version: 'v1beta1',
    });
  });

  it('auto: the external metrics API, on the named metric, where only it is served', function () {
    expect(chooseHpaMetricsPath('auto', externalOnly, 's0-queue')).to.deep.equal({
      api: 'external',
      metric: 's0-queue',
    });
  });

  it('asked for one API: that one or none, never the other', function () {
    expect(chooseHpaMetricsPath('external', both, 'q')).to.deep.equal({
      api: 'external',
      metric: 'q',
    });
    expect(chooseHpaMetricsPath('external', customOnly, 'q')).to.equal(null);
    expect(chooseHpaMetricsPath('custom', externalOnly, 'q')).to.equal(null);
    expect(chooseHpaMetricsPath('auto', neither, 'q')).to.equal(null);
  });
});
