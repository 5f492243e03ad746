/**
 * kind-configs/ is generated from the version table and must not drift from it; the configuration
 * and pod network of clusters on kaic's local node image.
 */
import { existsSync, readFileSync } from 'node:fs';

import { expect } from 'chai';
import { parse } from 'yaml';

import { FAKE_GPU_NODE_LABEL } from '../../src/fakegpu/driver.js';
import { KIND_CONFIG_MINORS, kindConfig, kindConfigFile } from '../../src/providers/kind-config.js';
import { nodeCniConfig, nodeRoutes } from '../../src/providers/kind-network.js';
import { kubernetesRelease } from '../../src/versions/kubernetes.js';
import { isPinnedByDigest, qualifiedImageName } from '../../src/versions/images.js';

describe('kind configs', function () {
  for (const minor of KIND_CONFIG_MINORS) {
    it(`kind-configs/${minor}.yaml matches the version table (npm run kind-configs regenerates it)`, function () {
      const path = `kind-configs/${minor}.yaml`;
      expect(existsSync(path), path).to.equal(true);
      expect(readFileSync(path, 'utf8')).to.equal(kindConfigFile(minor));
      const config = parse(readFileSync(path, 'utf8')) as {
        featureGates?: Record<string, boolean>;
        containerdConfigPatches: string[];
        nodes: Array<{ role: string; image: string; labels?: Record<string, string> }>;
      };
      const release = kubernetesRelease(minor);
      expect(config.featureGates ?? {}).to.deep.equal(release.featureGates);
      for (const node of config.nodes)
        expect(isPinnedByDigest(node.image), node.image).to.equal(true);
      expect(config.nodes.filter((n) => n.labels?.[FAKE_GPU_NODE_LABEL] === 'true')).to.have.length(
        2,
      );
      expect(config.containerdConfigPatches.join('\n')).to.include('enable_cdi = true');
    });
  }
});

describe('kind config on the local node image', function () {
  const local = {
    nodeImage: 'kaic.local/kind-node:v1.35.4',
    repository: 'kaic.local',
    etcdTag: 'v3.6.16',
    corednsTag: 'v1.13.1',
    cgroupV1: false,
  };
  type Config = {
    networking?: { disableDefaultCNI?: boolean };
    kubeadmConfigPatches?: string[];
    nodes: Array<{ image: string }>;
  };

  it('uses the local image on every node, disables kind CNI, and points kubeadm at the preloaded images', function () {
    const config = kindConfig('1.35', { local }) as Config;
    expect(config.nodes.map((n) => n.image)).to.deep.equal(Array(3).fill(local.nodeImage));
    expect(config.networking).to.deep.equal({ disableDefaultCNI: true });
    const patches = (config.kubeadmConfigPatches ?? []).map((p) => parse(p) as object);
    expect(patches).to.deep.equal([
      {
        kind: 'ClusterConfiguration',
        imageRepository: 'kaic.local',
        etcd: { local: { imageTag: 'v3.6.16' } },
        dns: { imageTag: 'v1.13.1' },
      },
    ]);
  });

  it('tells the kubelet to accept cgroup v1 only on a cgroup v1 Docker host', function () {
    const config = kindConfig('1.35', { local: { ...local, cgroupV1: true } }) as Config;
    const patches = (config.kubeadmConfigPatches ?? []).map((p) => parse(p) as object);
    expect(patches).to.deep.include({ kind: 'KubeletConfiguration', failCgroupV1: false });
  });

  it('the registry configuration has no local settings', function () {
    const config = kindConfig('1.35') as Config;
    expect(config.networking).to.equal(undefined);
    expect(config.kubeadmConfigPatches).to.equal(undefined);
  });
});

describe('routed pod network (kind on the local image)', function () {
  const node = (name: string, podCIDR?: string, address?: string) => ({
    metadata: { name },
    spec: podCIDR ? { podCIDR } : {},
    status: address ? { addresses: [{ type: 'InternalIP', address }] } : {},
  });

  it("reads each node's pod CIDR and internal address", function () {
    expect(
      nodeRoutes([
        node('cp', '10.244.0.0/24', '172.18.0.2'),
        node('w1', '10.244.1.0/24', '172.18.0.3'),
      ]),
    ).to.deep.equal([
      { node: 'cp', podCidr: '10.244.0.0/24', address: '172.18.0.2' },
      { node: 'w1', podCidr: '10.244.1.0/24', address: '172.18.0.3' },
    ]);
  });

  it('names a node without a pod CIDR', function () {
    expect(() => nodeRoutes([node('w2', undefined, '172.18.0.4')])).to.throw(
      'node w2 has no pod CIDR yet',
    );
  });

  it("gives a node's pods addresses from its own CIDR through ptp, with port mappings", function () {
    const config = JSON.parse(nodeCniConfig('10.244.1.0/24')) as {
      plugins: Array<{ type: string; ipam?: { ranges: Array<Array<{ subnet: string }>> } }>;
    };
    expect(config.plugins.map((p) => p.type)).to.deep.equal(['ptp', 'portmap']);
    expect(config.plugins[0]?.ipam?.ranges).to.deep.equal([[{ subnet: '10.244.1.0/24' }]]);
  });
});

describe('qualifiedImageName', function () {
  it('qualifies as containerd stores names, leaving a registry host alone', function () {
    expect(qualifiedImageName('busybox:1.36')).to.equal('docker.io/library/busybox:1.36');
    expect(qualifiedImageName('org/app:1')).to.equal('docker.io/org/app:1');
    expect(qualifiedImageName('kaic.local/pause:3.10.1')).to.equal('kaic.local/pause:3.10.1');
    expect(qualifiedImageName('localhost/x:1')).to.equal('localhost/x:1');
  });
});
