import { expect } from 'chai';

import {
  KUBERNETES_MINORS,
  featureGatesFlag,
  kubernetesRelease,
  parseKubernetesMinor,
  runtimeConfigFlag,
  stagingVersion,
  KWOK_VERSION,
} from '../../src/versions/kubernetes.js';
import { HELM } from '../../src/versions/addons.js';
import { RECIPES, corednsRecipe, etcdRecipe } from '../../src/binaries/recipes.js';
import { PROMETHEUS, PROMETHEUS_RECIPE } from '../../src/addons/prometheus/pin.js';
import { TRAEFIK, TRAEFIK_RECIPE } from '../../src/addons/gateway/pin.js';
import {
  containerdReleaseFile,
  corednsReleaseFile,
  crictlReleaseFile,
  etcdReleaseFile,
  kwokReleaseFiles,
  mirroredUrl,
  prometheusReleaseFile,
  traefikReleaseFile,
  kubernetesReleaseFiles,
  pinnedDownload,
  pinnedDownloads,
} from '../../src/versions/downloads.js';

describe('version table', function () {
  it('accepts a minor with or without "v" and a patch', function () {
    expect(parseKubernetesMinor('1.35')).to.equal('1.35');
    expect(parseKubernetesMinor('v1.36')).to.equal('1.36');
    expect(parseKubernetesMinor('1.33.13')).to.equal('1.33');
    expect(parseKubernetesMinor(' v1.37.2 ')).to.equal('1.37');
  });

  it('rejects unsupported versions naming the input and the accepted minors', function () {
    expect(() => parseKubernetesMinor('1.32', '--kubernetes-version')).to.throw(
      /--kubernetes-version "1.32" is not supported; accepted: 1.33, 1.34, 1.35, 1.36, 1.37/,
    );
    expect(() => parseKubernetesMinor('latest')).to.throw(/"latest" is not supported/);
    expect(() => parseKubernetesMinor('1.3.5')).to.throw(/not supported/);
  });

  it('has one release per minor, whose version belongs to that minor', function () {
    for (const minor of KUBERNETES_MINORS) {
      const release = kubernetesRelease(minor);
      expect(release.minor).to.equal(minor);
      expect(release.version.startsWith(`v${minor}.`), release.version).to.equal(true);
      expect(stagingVersion(release)).to.equal(release.version.replace('v1.', 'v0.'));
      expect(release.kind.nodeImage).to.match(
        new RegExp(`^kindest/node:v${minor}\\.\\d+@sha256:[0-9a-f]{64}$`),
      );
    }
  });

  it('never shares a feature-gate list between minors (unknown gates are fatal)', function () {
    const lists = KUBERNETES_MINORS.map((m) => kubernetesRelease(m).featureGates);
    for (let i = 0; i < lists.length; i++) {
      for (let j = i + 1; j < lists.length; j++) expect(lists[i]).to.not.equal(lists[j]);
    }
  });

  it('turns DRA on behind its gate and beta APIs only on 1.33', function () {
    const r133 = kubernetesRelease('1.33');
    expect(featureGatesFlag(r133)).to.equal('DynamicResourceAllocation=true');
    expect(runtimeConfigFlag(r133)).to.equal(
      'resource.k8s.io/v1beta1=true,resource.k8s.io/v1beta2=true',
    );
    expect(r133.draApiVersion).to.equal('resource.k8s.io/v1beta1');
    for (const minor of ['1.34', '1.35', '1.36', '1.37'] as const) {
      const release = kubernetesRelease(minor);
      expect(release.draApiVersion).to.equal('resource.k8s.io/v1');
      expect(release.featureGates).to.not.have.property('DynamicResourceAllocation');
    }
  });

  it('follows the Workload API through its versions and drops GangScheduling on 1.37', function () {
    expect(kubernetesRelease('1.33').gang).to.equal(null);
    expect(kubernetesRelease('1.34').gang).to.equal(null);
    expect(kubernetesRelease('1.35').gang?.apiVersion).to.equal('scheduling.k8s.io/v1alpha1');
    expect(kubernetesRelease('1.36').gang?.apiVersion).to.equal('scheduling.k8s.io/v1alpha2');
    expect(kubernetesRelease('1.37').gang?.apiVersion).to.equal('scheduling.k8s.io/v1beta1');
    expect(featureGatesFlag(kubernetesRelease('1.35'))).to.equal(
      'DRAPartitionableDevices=true,GangScheduling=true,GenericWorkload=true',
    );
    expect(featureGatesFlag(kubernetesRelease('1.37'))).to.equal('GenericWorkload=true');
    expect(runtimeConfigFlag(kubernetesRelease('1.36'))).to.equal(
      'scheduling.k8s.io/v1alpha2=true',
    );
  });

  it('offers partitionable MIG from 1.35 (alpha gate on there, beta and on by default later)', function () {
    expect(KUBERNETES_MINORS.map((m) => kubernetesRelease(m).mig)).to.deep.equal([
      'static',
      'static',
      'partitionable',
      'partitionable',
      'partitionable',
    ]);
    expect(kubernetesRelease('1.35').featureGates).to.include({ DRAPartitionableDevices: true });
    expect(kubernetesRelease('1.36').featureGates).to.not.have.property('DRAPartitionableDevices');
  });

  it('pins a sha256 for the kind and helm releases kaic uses, at their official locations', function () {
    const kindVersions = new Set(
      KUBERNETES_MINORS.map((m) => kubernetesRelease(m).kind.kindVersion),
    );
    for (const platform of ['linux-amd64', 'linux-arm64'] as const) {
      for (const version of kindVersions) {
        expect(
          pinnedDownload('kind', version, platform),
          `kind ${version} ${platform}`,
        ).to.deep.include({
          url: `https://github.com/kubernetes-sigs/kind/releases/download/${version}/kind-${platform}`,
        });
      }
      expect(pinnedDownload('helm', HELM.version, platform)).to.deep.include({
        url: `https://get.helm.sh/helm-${HELM.version}-${platform}.tar.gz`,
        member: `${platform}/helm`,
      });
    }
    for (const pin of pinnedDownloads()) expect(pin.sha256).to.match(/^[0-9a-f]{64}$/);
    // Unpinned platforms are built, never downloaded unchecked.
    expect(pinnedDownload('kind', 'v0.33.0', 'darwin-arm64')).to.equal(null);
  });

  it("downloads the kwok provider's control plane and etcd from their releases, checked against the sums published beside them", function () {
    const release = kubernetesRelease('1.35');
    expect(
      kubernetesReleaseFiles(release.version, ['kube-apiserver'], 'linux-arm64'),
    ).to.deep.equal([
      {
        label: `kube-apiserver ${release.version}`,
        url: `https://dl.k8s.io/release/${release.version}/bin/linux/arm64/kube-apiserver`,
        sha256: {
          publishedAt: `https://dl.k8s.io/release/${release.version}/bin/linux/arm64/kube-apiserver.sha256`,
        },
        binaries: [{ name: 'kube-apiserver' }],
      },
    ]);
    const v = release.etcdVersion;
    expect(etcdReleaseFile(v, 'linux-amd64')).to.deep.equal({
      label: `etcd ${v}`,
      url: `https://github.com/etcd-io/etcd/releases/download/${v}/etcd-${v}-linux-amd64.tar.gz`,
      sha256: { publishedAt: `https://github.com/etcd-io/etcd/releases/download/${v}/SHA256SUMS` },
      binaries: [{ name: 'etcd', member: `etcd-${v}-linux-amd64/etcd` }],
    });
  });

  it('downloads kwok and kwokctl only where their sums are pinned (the release publishes none)', function () {
    const files = kwokReleaseFiles(KWOK_VERSION, 'linux-amd64');
    expect(files?.map((f) => [f.binaries[0]?.name, f.url])).to.deep.equal([
      [
        'kwok',
        `https://github.com/kubernetes-sigs/kwok/releases/download/${KWOK_VERSION}/kwok-linux-amd64`,
      ],
      [
        'kwokctl',
        `https://github.com/kubernetes-sigs/kwok/releases/download/${KWOK_VERSION}/kwokctl-linux-amd64`,
      ],
    ]);
    for (const file of files ?? []) expect(file.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(kwokReleaseFiles(KWOK_VERSION, 'darwin-arm64')).to.equal(null);
    expect(kwokReleaseFiles('v0.0.1', 'linux-amd64')).to.equal(null);
  });

  it("takes the real node's runtime, the kind node's DNS and the Prometheus and Traefik addons from their releases, checked against the sums published with them", function () {
    const gh = 'https://github.com';
    const files = [
      containerdReleaseFile('v2.2.9', 'linux-arm64'),
      crictlReleaseFile('v1.34.0', 'linux-amd64'),
      corednsReleaseFile('v1.12.1', 'linux-amd64'),
      prometheusReleaseFile('3.16.0', 'linux-amd64'),
      traefikReleaseFile('v3.7.13', 'linux-arm64'),
    ].map((f) => [f.url, f.sha256, f.binaries.map((b) => `${b.name}=${b.member}`)]);
    expect(files).to.deep.equal([
      [
        `${gh}/containerd/containerd/releases/download/v2.2.9/containerd-2.2.9-linux-arm64.tar.gz`,
        {
          publishedAt: `${gh}/containerd/containerd/releases/download/v2.2.9/containerd-2.2.9-linux-arm64.tar.gz.sha256sum`,
        },
        [
          'containerd=bin/containerd',
          'containerd-shim-runc-v2=bin/containerd-shim-runc-v2',
          'ctr=bin/ctr',
        ],
      ],
      [
        `${gh}/kubernetes-sigs/cri-tools/releases/download/v1.34.0/crictl-v1.34.0-linux-amd64.tar.gz`,
        {
          publishedAt: `${gh}/kubernetes-sigs/cri-tools/releases/download/v1.34.0/crictl-v1.34.0-linux-amd64.tar.gz.sha256`,
        },
        ['crictl=crictl'],
      ],
      [
        `${gh}/coredns/coredns/releases/download/v1.12.1/coredns_1.12.1_linux_amd64.tgz`,
        {
          publishedAt: `${gh}/coredns/coredns/releases/download/v1.12.1/coredns_1.12.1_linux_amd64.tgz.sha256`,
        },
        ['coredns=coredns'],
      ],
      [
        `${gh}/prometheus/prometheus/releases/download/v3.16.0/prometheus-3.16.0.linux-amd64.tar.gz`,
        { publishedAt: `${gh}/prometheus/prometheus/releases/download/v3.16.0/sha256sums.txt` },
        [
          'prometheus=prometheus-3.16.0.linux-amd64/prometheus',
          'promtool=prometheus-3.16.0.linux-amd64/promtool',
        ],
      ],
      [
        `${gh}/traefik/traefik/releases/download/v3.7.13/traefik_v3.7.13_linux_arm64.tar.gz`,
        {
          publishedAt: `${gh}/traefik/traefik/releases/download/v3.7.13/traefik_v3.7.13_checksums.txt`,
        },
        ['traefik=traefik'],
      ],
    ]);
  });

  it('gives every recipe with a published release the files of its own version, naming the binaries the build would', function () {
    const release = kubernetesRelease('1.35');
    const recipes = [
      RECIPES.kwok,
      RECIPES.containerd,
      RECIPES.criTools,
      etcdRecipe(release.etcdVersion),
      corednsRecipe('v1.12.1'),
      PROMETHEUS_RECIPE,
      TRAEFIK_RECIPE,
    ];
    for (const recipe of recipes) {
      const files = recipe.release?.() ?? [];
      if (recipe === RECIPES.kwok && files.length === 0) continue; // pinned for linux-amd64 only
      expect(
        files.flatMap((f) => f.binaries.map((b) => b.name)).sort(),
        recipe.component,
      ).to.deep.equal([...recipe.binaries].sort());
    }
    expect(PROMETHEUS_RECIPE.release?.()?.[0]?.label).to.equal(`prometheus ${PROMETHEUS.release}`);
    expect(TRAEFIK_RECIPE.release?.()?.[0]?.label).to.equal(`traefik ${TRAEFIK.version}`);
  });

  it('serves a release URL from KAIC_RELEASE_MIRROR as <mirror>/<host>/<path>', function () {
    const url = 'https://dl.k8s.io/release/v1.35.4/bin/linux/amd64/kubelet.sha256';
    expect(mirroredUrl(url, undefined)).to.equal(url);
    expect(mirroredUrl(url, 'http://10.0.0.5:8081/releases/')).to.equal(
      'http://10.0.0.5:8081/releases/dl.k8s.io/release/v1.35.4/bin/linux/amd64/kubelet.sha256',
    );
  });
});
