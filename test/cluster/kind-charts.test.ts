/**
 * The addon charts kaic installs on kind (JobSet, Kueue), rendered by helm from the charts their
 * modules carry and applied to a real API server of the minor under test: every object is
 * accepted, the CRDs are Established, the controllers' Deployments become Available, the images
 * are the pinned release images, and stopping removes every object again. A cluster of its own:
 * the charts register webhooks and aggregated APIs whose servers (container images) cannot run
 * here, which must not touch the shared test cluster. That the images run is for a real kind
 * cluster (a registry) to show.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { parse as parseYaml } from 'yaml';

import {
  applyChart,
  INSTALL_LABEL,
  renderChart,
  type KindChart,
  CHART_IMAGES,
} from '../../src/addons/charts.js';
import { GATEWAY_CLASS, installGateway } from '../../src/addons/gateway/in-cluster.js';
import { installPrometheus } from '../../src/addons/prometheus/in-cluster.js';
import { installPrometheusAdapter } from '../../src/addons/custom-metrics-adapter/in-cluster.js';
import { NODE_GROUP_LABEL, NODE_POOL } from '../../src/addons/cluster-autoscaler/beside-cluster.js';
import { resolveAddonPlan, type AddonPlan } from '../../src/addons/plan.js';
import type { AddonChoices } from '../../src/addons/types.js';
import { KWOK_NODE_ANNOTATION, SIMULATED_NODE_TOLERATION } from '../../src/k8s/kwok-nodes.js';
import { startKindAddons } from '../../src/providers/kind-addons.js';
import { KwokProvider } from '../../src/providers/kwok.js';
import { waitFor } from '../../src/util/wait.js';
import { processesBelow } from '../support/leftovers.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';

/** The choices of a run with the default gang scheduler. */
const KUEUE_CHOICES: AddonChoices = {
  fakeGpuDriver: 'kaic',
  gpuPartitions: 0,
  gangScheduler: 'kueue',
};

describe('[kind charts] addons installed into a cluster (JobSet, Kueue and Volcano charts, Gateway API + Traefik, Prometheus, prometheus-adapter, the autoscaler): applied to a real API server, removed again', function () {
  this.timeout(10 * 60_000);
  let workdir = '';
  let provider: KwokProvider;
  let kc: k8s.KubeConfig;
  let serverVersion = '';
  let kubeconfigPath = '';

  before(async function () {
    onDefaultMinorOnly(this, 'the charts apply the same objects on every minor');
    workdir = await mkdtemp(join(tmpdir(), 'kaic-charts-'));
    provider = new KwokProvider({
      minor: testCluster().release.minor,
      nodeGroups: [{ namePrefix: 'chart-node', count: 2 }],
      workdir,
      // As on kind: the cluster's own nodes are not kwok's `fake` ones, so the nodes Karpenter
      // launches are run by the autoscaler's kwok controller alone.
      kwokNodeValue: 'cluster',
      // They stand in for kind's nodes, which run the charts' pods: no simulated-node taint.
      simulatedNodeTaint: false,
      log: () => undefined,
    });
    const handle = await provider.up();
    kubeconfigPath = handle.kubeconfigPath;
    serverVersion = handle.serverVersion;
    kc = new k8s.KubeConfig();
    kc.loadFromFile(handle.kubeconfigPath);
  });
  after(async function () {
    await provider?.down();
    if (workdir) await rm(workdir, { recursive: true, force: true });
  });

  const expected: Record<KindChart, { crds: number; deployments: string[] }> = {
    jobset: { crds: 1, deployments: ['jobset-controller'] },
    kueue: { crds: 11, deployments: ['kueue-controller-manager'] },
    volcano: { crds: 11, deployments: ['volcano-controllers', 'volcano-scheduler'] },
  };

  for (const chart of ['jobset', 'kueue', 'volcano'] as const) {
    it(`${chart}: every object accepted, CRDs Established, controller Available, pinned image; stop removes everything`, async function () {
      const lines: string[] = [];
      const docs = await renderChart(chart, serverVersion, (l) => lines.push(l));
      const crds = docs.filter((d) => d.kind === 'CustomResourceDefinition');
      expect(crds, 'CRDs in the chart').to.have.length(expected[chart].crds);
      const images = docs
        .filter((d) => d.kind === 'Deployment')
        .flatMap((d) =>
          (d as unknown as k8s.V1Deployment).spec!.template.spec!.containers.map((c) => c.image),
        );
      expect(images.sort()).to.deep.equal(CHART_IMAGES[chart].map((i) => i.upstream).sort());

      const t0 = Date.now();
      const installed = await applyChart(kc, chart, docs, {
        log: (l) => lines.push(l),
        readyTimeoutMs: 180_000,
      });
      const seconds = ((Date.now() - t0) / 1000).toFixed(1);
      const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
      const labelled = `${INSTALL_LABEL}=${chart}`;
      const established = (
        await ext.listCustomResourceDefinition({ labelSelector: labelled })
      ).items.filter((c) =>
        c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'),
      );
      expect(established.map((c) => c.metadata!.name).sort()).to.deep.equal(
        crds.map((c) => c.metadata.name).sort(),
      );
      const apps = kc.makeApiClient(k8s.AppsV1Api);
      const namespace = (docs.find((d) => d.kind === 'Deployment')!.metadata.namespace ??
        `${chart}-system`) as string;
      const deployments = (await apps.listNamespacedDeployment({ namespace })).items.map(
        (d) => d.metadata!.name,
      );
      expect(deployments).to.deep.equal(expected[chart].deployments);
      const admission = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
      const webhooks = [
        ...(await admission.listValidatingWebhookConfiguration({ labelSelector: labelled })).items,
        ...(await admission.listMutatingWebhookConfiguration({ labelSelector: labelled })).items,
      ];
      expect(webhooks.length, 'webhook configurations applied').to.equal(
        docs.filter((d) => d.kind.endsWith('WebhookConfiguration')).length,
      );

      const s0 = Date.now();
      await installed.stop();
      process.stdout.write(
        `      ${chart}: ${docs.length} objects applied and Available in ${seconds} s, removed in ${((Date.now() - s0) / 1000).toFixed(1)} s\n`,
      );
      const crdsLeft = (
        await ext.listCustomResourceDefinition({ labelSelector: labelled })
      ).items.map(
        (c) =>
          `${c.metadata!.name} (${(c.status?.conditions ?? [])
            .map((x) => `${x.type}=${x.status}: ${x.message}`)
            .join('; ')})`,
      );
      expect(crdsLeft, 'CRDs left').to.deep.equal([]);
      const core = kc.makeApiClient(k8s.CoreV1Api);
      expect(
        (await core.listNamespace({ fieldSelector: `metadata.name=${namespace}` })).items,
      ).to.deep.equal([]);
      const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
      expect((await rbac.listClusterRole({ labelSelector: labelled })).items).to.deep.equal([]);
      expect(
        (await admission.listValidatingWebhookConfiguration({ labelSelector: labelled })).items,
      ).to.deep.equal([]);
      const apiregistration = await k8s.KubernetesObjectApi.makeApiClient(kc)
        .list(
          'apiregistration.k8s.io/v1',
          'APIService',
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          labelled,
        )
        .then((l) => l.items);
      expect(apiregistration).to.deep.equal([]);
    });
  }

  it('the kind pipeline installs JobSet through its chart, and leaves one already present alone', async function () {
    const plan = resolveAddonPlan(['ai-operator'], { realNode: true });
    const lines: string[] = [];
    const ctx = {
      kubeConfig: kc,
      kubeconfigPath,
      dir: join(workdir, 'addons'),
      release: testCluster().release,
      serverVersion,
      gpuProfile: 'nvidia-h100-80gb',
      gpusPerNode: 4,
      choices: KUEUE_CHOICES,
      log: (l: string) => lines.push(l),
      readyTimeoutMs: 180_000,
    };
    const first = await startKindAddons(plan, ctx);
    expect(first.env).to.deep.equal({ KAIC_AI_OPERATOR: 'jobset' });
    expect(lines.join('\n')).to.match(/addon ai-operator: applying \d+ objects \(chart jobset\)/);
    const second = await startKindAddons(plan, ctx);
    expect(lines.join('\n')).to.include(
      'addon ai-operator: already present (CRD jobsets.jobset.x-k8s.io); left as it is',
    );
    expect(second.env).to.deep.equal({ KAIC_AI_OPERATOR: 'jobset' });
    await second.stop();
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const jobsetCrd = () =>
      ext
        .readCustomResourceDefinition({ name: 'jobsets.jobset.x-k8s.io' })
        .then(() => true)
        .catch(() => false);
    expect(await jobsetCrd(), 'the one present before is kept').to.equal(true);
    await first.stop();
    expect(await jobsetCrd()).to.equal(false);
  });

  it('gateway: Gateway API CRDs and Traefik (its published RBAC, pinned image) applied and Available; removed again', async function () {
    const lines: string[] = [];
    const t0 = Date.now();
    const installed = await installGateway(kc, {
      log: (l) => lines.push(l),
      readyTimeoutMs: 180_000,
    });
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    expect(installed.env).to.deep.equal({
      KAIC_GATEWAY_CLASS: GATEWAY_CLASS,
      KAIC_GATEWAY_LISTENER_PORT: '8000',
    });
    const labelled = `${INSTALL_LABEL}=gateway`;
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    const crds = (await ext.listCustomResourceDefinition({ labelSelector: labelled })).items.map(
      (c) => c.metadata!.name!,
    );
    expect(crds).to.include.members([
      'gatewayclasses.gateway.networking.k8s.io',
      'gateways.gateway.networking.k8s.io',
      'httproutes.gateway.networking.k8s.io',
    ]);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const traefik = await apps.readNamespacedDeployment({
      name: 'traefik',
      namespace: 'kaic-gateway',
    });
    expect(traefik.spec!.template.spec!.containers.map((c) => c.image)).to.deep.equal([
      'traefik:v3.7.13',
    ]);
    const generic = k8s.KubernetesObjectApi.makeApiClient(kc);
    const gatewayClass = (await generic.read({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'GatewayClass',
      metadata: { name: GATEWAY_CLASS },
    })) as unknown as { spec: { controllerName: string } };
    expect(gatewayClass.spec.controllerName).to.equal('traefik.io/gateway-controller');
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const role = await rbac.readClusterRole({ name: 'kaic-traefik-gateway' });
    expect(role.rules!.some((r) => r.apiGroups?.includes('gateway.networking.k8s.io'))).to.equal(
      true,
    );
    const s0 = Date.now();
    await installed.stop();
    process.stdout.write(
      `      gateway: ${crds.length} CRDs + Traefik applied and Available in ${seconds} s, removed in ${((Date.now() - s0) / 1000).toFixed(1)} s\n`,
    );
    expect(
      (await ext.listCustomResourceDefinition({ labelSelector: labelled })).items,
    ).to.deep.equal([]);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await core.listNamespace({ labelSelector: labelled })).items).to.deep.equal([]);
    expect((await rbac.listClusterRole({ labelSelector: labelled })).items).to.deep.equal([]);
  });

  it('prometheus: in-cluster Prometheus scraping annotated pods, found by its Service label; removed again', async function () {
    const t0 = Date.now();
    const installed = await installPrometheus(kc, {
      log: () => undefined,
      readyTimeoutMs: 180_000,
    });
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    expect(installed.env).to.deep.equal({ KAIC_PROMETHEUS: 'kaic-monitoring/prometheus:9090' });
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const services = (
      await core.listServiceForAllNamespaces({ labelSelector: 'app.kubernetes.io/name=prometheus' })
    ).items.map(
      (svc) => `${svc.metadata!.namespace}/${svc.metadata!.name}:${svc.spec!.ports![0]!.name}`,
    );
    expect(services).to.deep.equal(['kaic-monitoring/prometheus:web']);
    const config = parseYaml(
      (await core.readNamespacedConfigMap({ name: 'prometheus', namespace: 'kaic-monitoring' }))
        .data!['prometheus.yml']!,
    ) as { scrape_configs: Array<{ kubernetes_sd_configs: Array<Record<string, unknown>> }> };
    expect(config.scrape_configs[0]!.kubernetes_sd_configs).to.deep.equal([{ role: 'pod' }]);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({
      name: 'prometheus',
      namespace: 'kaic-monitoring',
    });
    expect(deployment.spec!.template.spec!.containers[0]!.image).to.equal(
      'prom/prometheus:v3.16.0',
    );
    const s0 = Date.now();
    await installed.stop();
    process.stdout.write(
      `      prometheus: applied and Available in ${seconds} s, removed in ${((Date.now() - s0) / 1000).toFixed(1)} s\n`,
    );
    const labelled = `${INSTALL_LABEL}=prometheus`;
    expect((await core.listNamespace({ labelSelector: labelled })).items).to.deep.equal([]);
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    expect((await rbac.listClusterRole({ labelSelector: labelled })).items).to.deep.equal([]);
    expect((await rbac.listClusterRoleBinding({ labelSelector: labelled })).items).to.deep.equal(
      [],
    );
  });

  it('custom-metrics-adapter: prometheus-adapter behind custom.metrics.k8s.io and external.metrics.k8s.io, with its RBAC; removed again (APIServices first)', async function () {
    const t0 = Date.now();
    // Its pod cannot run here, so the aggregator never reaches it: not awaited.
    const installed = await installPrometheusAdapter(
      kc,
      'http://prometheus.kaic-monitoring.svc:9090/',
      {
        log: () => undefined,
        readyTimeoutMs: 180_000,
        awaitApiService: false,
      },
    );
    const seconds = ((Date.now() - t0) / 1000).toFixed(1);
    const labelled = `${INSTALL_LABEL}=custom-metrics-adapter`;
    const generic = k8s.KubernetesObjectApi.makeApiClient(kc);
    const apiServices = async () =>
      (
        await generic.list(
          'apiregistration.k8s.io/v1',
          'APIService',
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          labelled,
        )
      ).items.map((a) => a.metadata!.name);
    expect((await apiServices()).sort()).to.deep.equal([
      'v1beta1.custom.metrics.k8s.io',
      'v1beta1.external.metrics.k8s.io',
      'v1beta2.custom.metrics.k8s.io',
    ]);
    const rbac = kc.makeApiClient(k8s.RbacAuthorizationV1Api);
    const kubeSystem = async () =>
      (
        await rbac.listNamespacedRoleBinding({ namespace: 'kube-system', labelSelector: labelled })
      ).items.map((b) => b.roleRef.name);
    expect(await kubeSystem()).to.deep.equal(['extension-apiserver-authentication-reader']);
    const hpa = await rbac.readClusterRoleBinding({ name: 'kaic-custom-metrics-reader:hpa' });
    expect(hpa.subjects).to.deep.equal([
      { kind: 'ServiceAccount', name: 'horizontal-pod-autoscaler', namespace: 'kube-system' },
    ]);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const deployment = await apps.readNamespacedDeployment({
      name: 'prometheus-adapter',
      namespace: 'kaic-custom-metrics',
    });
    expect(deployment.spec!.template.spec!.containers[0]!.args).to.include(
      '--prometheus-url=http://prometheus.kaic-monitoring.svc:9090/',
    );
    const s0 = Date.now();
    await installed.stop();
    process.stdout.write(
      `      custom-metrics-adapter: applied and Available in ${seconds} s, removed in ${((Date.now() - s0) / 1000).toFixed(1)} s\n`,
    );
    expect(await apiServices()).to.deep.equal([]);
    expect(await kubeSystem()).to.deep.equal([]);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    expect((await core.listNamespace({ labelSelector: labelled })).items).to.deep.equal([]);
    expect((await rbac.listClusterRoleBinding({ labelSelector: labelled })).items).to.deep.equal(
      [],
    );
    expect((await rbac.listClusterRole({ labelSelector: labelled })).items).to.deep.equal([]);
  });

  it('cluster-autoscaler: Karpenter (kwok provider) and its own kwok controller as processes; a pending GPU pod gets a node of the pool; stop removes nodes, CRDs and processes', async function () {
    const lines: string[] = [];
    const dir = join(workdir, 'addons-autoscaler');
    const ctx = {
      kubeConfig: kc,
      kubeconfigPath,
      dir,
      release: testCluster().release,
      serverVersion,
      gpuProfile: 'nvidia-h100-80gb',
      gpusPerNode: 4,
      choices: KUEUE_CHOICES,
      log: (l: string) => lines.push(l),
    };
    const plan: AddonPlan = { waves: [['cluster-autoscaler']], added: [], left: [] };
    const t0 = Date.now();
    const addons = await startKindAddons(plan, ctx);
    const started = ((Date.now() - t0) / 1000).toFixed(1);
    expect(lines.join('\n')).to.match(/addon cluster-autoscaler: ready in/);
    expect(await processesBelow(dir), 'kwok and Karpenter run, named by the run').to.have.length(2);

    const core = kc.makeApiClient(k8s.CoreV1Api);
    const name = 'kaic-autoscale-probe';
    await core.createNamespacedPod({
      namespace: 'default',
      body: {
        // Karpenter may replace an underutilised node at once (consolidateAfter 0s), which
        // would evict this bare pod for good; it must stay while the test looks at it.
        metadata: { name, annotations: { 'karpenter.sh/do-not-disrupt': 'true' } },
        spec: {
          nodeSelector: { [NODE_GROUP_LABEL]: NODE_POOL },
          tolerations: [
            { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
            { ...SIMULATED_NODE_TOLERATION },
          ],
          containers: [
            {
              name: 'c',
              image: 'probe',
              resources: { requests: { 'nvidia.com/gpu': '1' }, limits: { 'nvidia.com/gpu': '1' } },
            },
          ],
        },
      },
    });
    const p0 = Date.now();
    let pod: k8s.V1Pod | undefined;
    await waitFor(
      'the GPU pod Running on a node the pool launched',
      async () => {
        pod = await core.readNamespacedPod({ name, namespace: 'default' });
        return pod.status?.phase === 'Running';
      },
      180_000,
      1_000,
    );
    const scaledUp = ((Date.now() - p0) / 1000).toFixed(1);
    const node = await core.readNode({ name: pod!.spec!.nodeName! });
    expect(node.metadata!.labels![NODE_GROUP_LABEL]).to.equal(NODE_POOL);
    expect(node.metadata!.annotations![KWOK_NODE_ANNOTATION]).to.equal('fake');
    expect(node.status!.conditions!.find((c) => c.type === 'Ready')?.status).to.equal('True');
    expect(node.status!.allocatable!['nvidia.com/gpu']).to.equal('1');
    // The cluster's own nodes stay with the cluster's controller.
    const own = (await core.listNode()).items.filter((n) =>
      n.metadata!.name!.startsWith('chart-node'),
    );
    expect(own.map((n) => n.metadata!.annotations![KWOK_NODE_ANNOTATION])).to.deep.equal([
      'cluster',
      'cluster',
    ]);

    const again = await startKindAddons(plan, ctx);
    expect(lines.join('\n')).to.include(
      'addon cluster-autoscaler: already present (CRD nodepools.karpenter.sh); left as it is',
    );
    await again.stop();

    await core.deleteNamespacedPod({ name, namespace: 'default', gracePeriodSeconds: 0 });
    const s0 = Date.now();
    await addons.stop();
    process.stdout.write(
      `      cluster-autoscaler: ready in ${started} s, GPU pod on a new node in ${scaledUp} s, removed in ${((Date.now() - s0) / 1000).toFixed(1)} s\n`,
    );
    expect(
      (await core.listNode({ labelSelector: `${NODE_GROUP_LABEL}=${NODE_POOL}` })).items,
    ).to.deep.equal([]);
    const ext = kc.makeApiClient(k8s.ApiextensionsV1Api);
    await waitFor(
      'the Karpenter CRDs gone',
      async () =>
        (await ext.listCustomResourceDefinition()).items.every(
          (c) => !c.spec.group.includes('karpenter'),
        ),
      60_000,
      1_000,
    );
    expect(await processesBelow(dir)).to.deep.equal([]);
  });
});
