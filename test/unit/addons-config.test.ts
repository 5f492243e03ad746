import { expect } from 'chai';

import { gpuInstanceTypes } from '../../src/addons/cluster-autoscaler/beside-cluster.js';
import { ADAPTER_RULES } from '../../src/addons/custom-metrics-adapter/beside-cluster.js';
import { prometheusConfig } from '../../src/addons/prometheus/beside-cluster.js';

describe('addon configurations', function () {
  it('Prometheus keeps only annotated, running pods and labels samples with namespace and pod', function () {
    const config = prometheusConfig({ kubeconfigPath: '/k', scrapeIntervalSeconds: 5 }) as {
      scrape_configs: Array<{
        kubernetes_sd_configs: Array<Record<string, unknown>>;
        relabel_configs: Array<Record<string, unknown>>;
      }>;
    };
    const job = config.scrape_configs[0]!;
    expect(job.kubernetes_sd_configs[0]).to.deep.equal({ role: 'pod', kubeconfig_file: '/k' });
    expect(job.relabel_configs[0]).to.deep.include({ action: 'keep', regex: 'true' });
    expect(job.relabel_configs.map((r) => r.target_label)).to.include.members([
      '__metrics_path__',
      '__address__',
      'namespace',
      'pod',
    ]);
  });

  it('Prometheus can be restricted to namespaces (the planted fault)', function () {
    const config = prometheusConfig({
      kubeconfigPath: '/k',
      scrapeIntervalSeconds: 5,
      namespaces: ['a'],
    }) as { scrape_configs: Array<{ kubernetes_sd_configs: Array<Record<string, unknown>> }> };
    expect(config.scrape_configs[0]!.kubernetes_sd_configs[0]!.namespaces).to.deep.equal({
      names: ['a'],
    });
  });

  it('the adapter exposes per-pod series unchanged (no rate() on counters)', function () {
    const rule = ADAPTER_RULES.rules[0]!;
    expect(rule.metricsQuery).to.equal('max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)');
    expect(rule.resources.overrides).to.deep.equal({
      namespace: { resource: 'namespace' },
      pod: { resource: 'pod' },
    });
  });

  it('Karpenter instance types carry the GPU count as the extended resource', function () {
    const [type] = gpuInstanceTypes('nvidia.com/gpu', 2) as Array<{
      name: string;
      resources: Record<string, string>;
    }>;
    expect(type!.name).to.equal('gpu-2x-amd64-linux');
    expect(type!.resources['nvidia.com/gpu']).to.equal('2');
  });
});
