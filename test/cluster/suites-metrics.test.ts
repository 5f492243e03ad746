/**
 * The metrics and autoscaling suites against the test cluster: simulated H100s on every node (the
 * kubelet plugin on the real node), kaic's DCGM-style exporter published as a cluster Service,
 * Prometheus (built from its module) discovering pods through the Kubernetes API. Healthy, each
 * requirement is Implemented; then each planted fault flips its requirement alone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { KarpenterKwok } from '../../src/addons/cluster-autoscaler/beside-cluster.js';
import { PrometheusAdapter } from '../../src/addons/custom-metrics-adapter/beside-cluster.js';
import { PrometheusServer } from '../../src/addons/prometheus/beside-cluster.js';
import { moduleDir } from '../../src/binaries/build.js';
import { DcgmExporter, EXPORTER_SERVICE_LABELS } from '../../src/fakegpu/exporter.js';
import { applyCrdDirectory } from '../../src/k8s/crds.js';
import { publishHostService, type HostService } from '../../src/k8s/host-service.js';
import { decideVerdict, type TestResult } from '../../src/results/model.js';
import { waitFor } from '../../src/util/wait.js';
import { PROMETHEUS_OPERATOR } from '../../src/versions/addons.js';
import { startSimulatedH100s, type SimulatedGpus } from './fakegpu-helpers.js';
import { onDefaultMinorOnly, requireRealNode, testCluster } from './hooks.js';
import { runSuitesOnTestCluster, testsOf } from './suite-runs.js';

const GPUS_PER_NODE = 4;

/** The exporter behind a server the fault tests can tamper with. */
class ExporterEndpoint {
  dropMemorySeries = false;
  private server: Server | null = null;

  constructor(private readonly exporter: DcgmExporter) {}

  async listen(): Promise<number> {
    const server = createServer((req, res) => {
      this.exporter
        .scrape()
        .then((text) => {
          const body = this.dropMemorySeries
            ? text
                .split('\n')
                .filter((line) => !/DCGM_FI_DEV_FB_/.test(line))
                .join('\n')
            : text;
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(body);
        })
        .catch((error: Error) => res.writeHead(500).end(error.message));
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    return (server.address() as { port: number }).port;
  }

  close(): Promise<void> {
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

function verdictOf(tests: TestResult[], id: string): string {
  return decideVerdict(testsOf(tests, id), null).verdict;
}

describe('[suites] metrics and autoscaling suites on the test cluster', function () {
  this.timeout(15 * 60_000);
  let gpus: SimulatedGpus | null = null;
  let endpoint: ExporterEndpoint | null = null;
  let exporterService: HostService | null = null;
  let prometheus: PrometheusServer | null = null;
  let prometheusService: HostService | null = null;
  let adapter: PrometheusAdapter | null = null;
  let karpenter: KarpenterKwok | null = null;
  let dir = '';
  const log = (line: string) => process.stdout.write(`      ${line}\n`);

  before(async function () {
    onDefaultMinorOnly(
      this,
      'the HPA (autoscaling/v2), the custom metrics API, Prometheus and Karpenter are served alike on every minor',
    );
    // Components run on this machine are published through stand-in pods on the real node.
    const realNode = requireRealNode(this);
    const { kubeConfig, release, handle } = testCluster();
    gpus = await startSimulatedH100s(GPUS_PER_NODE);
    const h100 = gpus.profile;
    endpoint = new ExporterEndpoint(new DcgmExporter(kubeConfig, h100, release.draApiVersion));
    const port = await endpoint.listen();
    // Published as the in-cluster exporter is (kind): a Service the suite finds by its labels.
    exporterService = await publishHostService(kubeConfig, {
      namespace: 'kaic-fakegpu',
      name: 'kaic-fakegpu-exporter',
      labels: EXPORTER_SERVICE_LABELS,
      portName: 'metrics',
      port,
      node: realNode.name,
    });
    dir = await mkdtemp(join(tmpdir(), 'kaic-test-metrics-'));
    prometheus = new PrometheusServer({
      kubeconfigPath: handle.kubeconfigPath,
      dir: join(dir, 'prometheus'),
      log,
    });
    await prometheus.start();
    prometheusService = await publishHostService(kubeConfig, {
      namespace: 'monitoring',
      name: 'prometheus',
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      portName: 'web',
      port: prometheus.port,
      node: realNode.name,
    });
    adapter = new PrometheusAdapter({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      prometheusUrl: prometheus.url,
      dir: join(dir, 'adapter'),
      log,
    });
    await adapter.start();
    karpenter = new KarpenterKwok({
      kubeconfigPath: handle.kubeconfigPath,
      dir: join(dir, 'karpenter'),
      gpuResource: h100.extendedResourceName ?? 'nvidia.com/gpu',
      log,
    });
    await karpenter.start();
  });

  after(async function () {
    await karpenter?.stop();
    await adapter?.stop();
    await prometheusService?.remove();
    await prometheus?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    await exporterService?.remove();
    await endpoint?.close();
    await gpus?.stop();
  });

  it('healthy: accelerator_metrics, ai_service_metrics, pod_autoscaling and cluster_autoscaling Implemented', async function () {
    const started = Date.now();
    const tests = await runSuitesOnTestCluster(
      ['accelerator_metrics', 'ai_service_metrics', 'pod_autoscaling', 'cluster_autoscaling'],
      { evidence: true },
    );
    const perSuite = [...new Set(tests.map((t) => t.requirementId))].map(
      (id) =>
        `${id} ${(testsOf(tests, id).reduce((ms, t) => ms + t.durationMs, 0) / 1000).toFixed(1)} s`,
    );
    process.stdout.write(
      `      (suites took ${((Date.now() - started) / 1000).toFixed(1)} s: ${perSuite.join(', ')})\n`,
    );
    expect(testsOf(tests, 'accelerator_metrics')).to.have.length(2);
    expect(verdictOf(tests, 'accelerator_metrics')).to.equal('Implemented');
    expect(testsOf(tests, 'ai_service_metrics')).to.have.length(2);
    expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Implemented');
    expect(testsOf(tests, 'pod_autoscaling')).to.have.length(1);
    expect(verdictOf(tests, 'pod_autoscaling')).to.equal('Implemented');
    expect(testsOf(tests, 'cluster_autoscaling')).to.have.length(1);
    expect(verdictOf(tests, 'cluster_autoscaling')).to.equal('Implemented');
  });

  it('with the Prometheus Operator API: the PodMonitor carries the Prometheus selectors labels, its namespace the namespace-selector labels', async function () {
    const { kubeConfig } = testCluster();
    const dirOfModule = await moduleDir(PROMETHEUS_OPERATOR.module, PROMETHEUS_OPERATOR.version);
    const crds = await applyCrdDirectory(
      kubeConfig,
      join(dirOfModule, PROMETHEUS_OPERATOR.crdDir),
      {
        accept: (file) => /_(podmonitors|prometheuses)\.yaml$/.test(file),
        what: 'Prometheus Operator',
      },
    );
    const custom = kubeConfig.makeApiClient(k8s.CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      group: 'monitoring.coreos.com',
      version: 'v1',
      namespace: 'monitoring',
      plural: 'prometheuses',
      body: {
        apiVersion: 'monitoring.coreos.com/v1',
        kind: 'Prometheus',
        metadata: { name: 'selective', namespace: 'monitoring' },
        spec: {
          podMonitorSelector: { matchLabels: { team: 'ai' } },
          podMonitorNamespaceSelector: { matchLabels: { monitored: 'yes' } },
        },
      },
    });
    try {
      // No Operator runs here: the annotations still make our Prometheus collect; what is checked
      // is the PodMonitor the API server accepted and the labels it and the namespace carry.
      const tests = await runSuitesOnTestCluster(['ai_service_metrics'], { evidence: true });
      expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Implemented');
      const evidence = testsOf(tests, 'ai_service_metrics')[0]?.evidence.map((e) => e.summary);
      expect(evidence?.join('\n')).to.include(
        'PodMonitor kaic-inference for 1 Prometheus object(s) labelled {"team":"ai"}, namespace labelled {"monitored":"yes"}',
      );
    } finally {
      const ext = kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
      for (const name of crds) await ext.deleteCustomResourceDefinition({ name });
      await waitFor('the Prometheus Operator CRDs gone', async () => {
        const left = await Promise.all(
          crds.map((name) =>
            ext.readCustomResourceDefinition({ name }).then(
              () => 1,
              () => 0,
            ),
          ),
        );
        return left.every((n) => n === 0);
      });
    }
  });

  it('fault: the exporter drops its memory series → accelerator_metrics is not Implemented', async function () {
    endpoint!.dropMemorySeries = true;
    try {
      const tests = await runSuitesOnTestCluster(['accelerator_metrics', 'ai_service_metrics']);
      expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Implemented');
      const failed = testsOf(tests, 'accelerator_metrics').filter((t) => t.status === 'failed');
      expect(failed.map((t) => t.failure?.message).join('\n')).to.match(/no memory series/);
      expect(verdictOf(tests, 'accelerator_metrics')).to.not.equal('Implemented');
    } finally {
      endpoint!.dropMemorySeries = false;
    }
  });

  it('fault: Prometheus does not discover the test namespace → ai_service_metrics Not Implemented', async function () {
    const { handle } = testCluster();
    // A second Prometheus that only looks at one namespace, named by URL (the configured path).
    const blind = new PrometheusServer({
      kubeconfigPath: handle.kubeconfigPath,
      dir: join(dir, 'prometheus-blind'),
      namespaces: ['kaic-fakegpu'],
      log,
    });
    await blind.start();
    try {
      // Twelve seconds are more than two of its 5 s scrapes: a value it could see would be there.
      const tests = await runSuitesOnTestCluster(['accelerator_metrics', 'ai_service_metrics'], {
        env: { KAIC_PROMETHEUS: blind.url, KAIC_METRICS_TIMEOUT_SECONDS: '12' },
      });
      expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Not Implemented');
      const failure = testsOf(tests, 'ai_service_metrics')[0]?.failure?.message ?? '';
      expect(failure).to.match(
        /timed out after 12s waiting for max\(kaic_inference_requests_total/,
      );
      expect(verdictOf(tests, 'accelerator_metrics')).to.equal('Implemented');
    } finally {
      await blind.stop();
    }
  });

  it('cluster-autoscaler found without its node group named → cluster_autoscaling Unknown, naming the setting', async function () {
    const core = testCluster().kubeConfig.makeApiClient(k8s.CoreV1Api);
    await core.createNamespacedConfigMap({
      namespace: 'kube-system',
      body: { metadata: { name: 'cluster-autoscaler-status' }, data: { status: 'Running' } },
    });
    try {
      const tests = await runSuitesOnTestCluster(['cluster_autoscaling']);
      expect(verdictOf(tests, 'cluster_autoscaling')).to.equal('Unknown');
      expect(testsOf(tests, 'cluster_autoscaling')[0]?.skipReason).to.match(
        /cluster-autoscaler .* found, but which nodes form the accelerator group is not known: set KAIC_AUTOSCALER_NODE_LABEL/,
      );
    } finally {
      await core.deleteNamespacedConfigMap({
        namespace: 'kube-system',
        name: 'cluster-autoscaler-status',
      });
    }
  });

  it('fault: the autoscaler is stopped while its NodePool stays declared → cluster_autoscaling Not Implemented', async function () {
    await karpenter!.stopProcessOnly();
    // 15 s: Karpenter here launches a node within about two seconds of a pending pod.
    const tests = await runSuitesOnTestCluster(['cluster_autoscaling', 'ai_service_metrics'], {
      env: { KAIC_AUTOSCALER_SCALE_UP_SECONDS: '15' },
    });
    expect(verdictOf(tests, 'cluster_autoscaling')).to.equal('Not Implemented');
    expect(testsOf(tests, 'cluster_autoscaling')[0]?.failure?.message).to.match(
      /timed out after 15s waiting for the trigger pod Running on a node that was not there before/,
    );
    expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Implemented');
  });

  it('an adapter serving only external.metrics.k8s.io (as KEDA or a cloud adapter does) → pod_autoscaling Implemented on an External metric; a name it does not serve → Unknown naming KAIC_EXTERNAL_METRIC', async function () {
    const { handle } = testCluster();
    await adapter!.stop();
    const external = new PrometheusAdapter({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      prometheusUrl: prometheus!.url,
      dir: join(dir, 'adapter-external'),
      apis: ['external'],
      log,
    });
    try {
      await external.start();
      const tests = await runSuitesOnTestCluster(['pod_autoscaling']);
      expect(verdictOf(tests, 'pod_autoscaling')).to.equal('Implemented');
      const evidence = testsOf(tests, 'pod_autoscaling')[0]?.evidence.map((e) => e.summary) ?? [];
      expect(evidence.join('\n')).to.match(
        /external\.metrics\.k8s\.io\/v1beta1 reports kaic_inference_queue_depth=\d+ \(set: 100\)/,
      );
      expect(evidence.join('\n')).to.match(/scaled 1 → 2 on external\.metrics\.k8s\.io\/v1beta1/);
      // Another adapter's name for the queue: kaic cannot know it, so it cannot judge.
      const unnamed = await runSuitesOnTestCluster(['pod_autoscaling'], {
        env: {
          KAIC_EXTERNAL_METRIC: 'queue_of_another_adapter',
          KAIC_METRICS_TIMEOUT_SECONDS: '15',
        },
      });
      expect(verdictOf(unnamed, 'pod_autoscaling')).to.equal('Unknown');
      expect(testsOf(unnamed, 'pod_autoscaling')[0]?.skipReason).to.match(
        /never reported queue_of_another_adapter ≥ 100 .* set KAIC_EXTERNAL_METRIC/,
      );
    } finally {
      await external.stop();
    }
  });

  it('fault: the adapter answers but its Prometheus does not collect the workload → the Deployment stays at 1 pod, pod_autoscaling Not Implemented', async function () {
    const { handle } = testCluster();
    await adapter!.stop();
    // A Prometheus that answers but never sees the suite's pods: the custom metrics API stays up
    // (an unreachable Prometheus would also break the API's discovery, and with it every
    // namespace deletion), the metric is simply never there.
    const blindPrometheus = new PrometheusServer({
      kubeconfigPath: handle.kubeconfigPath,
      dir: join(dir, 'prometheus-blind-adapter'),
      namespaces: ['kaic-fakegpu'],
      log,
    });
    await blindPrometheus.start();
    const blind = new PrometheusAdapter({
      kubeconfigPath: handle.kubeconfigPath,
      caCert: handle.ca.cert,
      caKey: handle.ca.key,
      prometheusUrl: blindPrometheus.url,
      dir: join(dir, 'adapter-blind'),
      log,
    });
    try {
      await blind.start();
      // 15 s: three of the test cluster's 5 s HPA syncs.
      const tests = await runSuitesOnTestCluster(['pod_autoscaling'], {
        env: { KAIC_METRICS_TIMEOUT_SECONDS: '15' },
      });
      expect(verdictOf(tests, 'pod_autoscaling')).to.equal('Not Implemented');
      expect(testsOf(tests, 'pod_autoscaling')[0]?.failure?.message).to.match(
        /custom metric absent; 1 Ready pod; HPA .*ScalingActive=False FailedGetPodsMetric/,
      );
    } finally {
      await blind.stop();
      await blindPrometheus.stop();
    }
  });

  it('fault: the custom metrics adapter is down → pod_autoscaling Not Implemented', async function () {
    // Down as a stopped adapter leaves it: unregistered (a registered but dead API group would
    // also block every namespace deletion, which is a different fault). Already stopped by the
    // previous test; stop() is idempotent.
    await adapter!.stop();
    const tests = await runSuitesOnTestCluster(['ai_service_metrics', 'pod_autoscaling']);
    expect(verdictOf(tests, 'pod_autoscaling')).to.equal('Not Implemented');
    expect(testsOf(tests, 'pod_autoscaling')[0]?.failure?.message).to.match(
      /neither custom\.metrics\.k8s\.io nor external\.metrics\.k8s\.io is served/,
    );
    expect(verdictOf(tests, 'ai_service_metrics')).to.equal('Implemented');
  });
});
