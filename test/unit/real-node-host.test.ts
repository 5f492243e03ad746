/** Pure pieces of the kwok provider and the real node: argument ordering and rule parsing. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { expect } from 'chai';

import { extraArgsFlags } from '../../src/providers/kwok.js';
import {
  isContainedProcess,
  removeIdleContainerdRunDir,
  splitRule,
} from '../../src/providers/real-node/host.js';

describe('real node helpers', function () {
  it('orders kwokctl --extra-args so each component first appears at its own index', function () {
    const flags = extraArgsFlags({
      a: [
        ['x', '1'],
        ['y', '2'],
      ],
      b: [
        ['p', 'k=v'],
        ['q', '3'],
        ['r', '4'],
      ],
    });
    const values = flags.filter((_, i) => i % 2 === 1);
    expect(flags.filter((_, i) => i % 2 === 0)).to.deep.equal(Array(5).fill('--extra-args'));
    expect(values).to.deep.equal(['a=x=1', 'b=p=k=v', 'a=y=2', 'b=q=3', 'b=r=4']);
    // kwokctl v0.8.0 keeps the flag index of a component's first entry as its patch index.
    const firstIndex = new Map<string, number>();
    values.forEach((v, i) => {
      const c = v.split('=')[0] as string;
      if (!firstIndex.has(c)) firstIndex.set(c, i);
    });
    expect([...firstIndex.values()]).to.deep.equal([0, 1]);
  });

  it('splits an iptables-save rule into arguments, keeping quoted comments whole', function () {
    expect(
      splitRule(
        '-A INPUT -m comment --comment "kubernetes firewall for \\"dropping\\" packets" -j KUBE-FIREWALL',
      ),
    ).to.deep.equal([
      '-A',
      'INPUT',
      '-m',
      'comment',
      '--comment',
      'kubernetes firewall for "dropping" packets',
      '-j',
      'KUBE-FIREWALL',
    ]);
    expect(splitRule('-A OUTPUT -j KUBE-FIREWALL')).to.deep.equal([
      '-A',
      'OUTPUT',
      '-j',
      'KUBE-FIREWALL',
    ]);
  });

  it('counts a kind node’s kubelet as contained, and a kubelet of this machine as not', function () {
    const own = 'mnt:[4026531832]';
    // As read from a kind node's kubelet here: some controllers at the container's own cgroup.
    const kindV1 = [
      '9:name=systemd:/docker/5da37cd371/kubelet.slice/kubelet.service',
      '8:pids:/docker/5da37cd371/kubelet.slice/kubelet.service',
      '6:freezer:/docker/5da37cd371',
      '0::/docker/5da37cd371/kubelet.slice/kubelet.service',
      '',
    ].join('\n');
    expect(isContainedProcess(own, 'mnt:[4026532320]', kindV1)).to.equal(true);
    const kindV2 = '0::/system.slice/docker-5da37cd371.scope/kubelet.slice/kubelet.service\n';
    expect(isContainedProcess(own, 'mnt:[4026532320]', kindV2)).to.equal(true);
    // The same cgroups in this machine's mount namespace: its directories are this machine's.
    expect(isContainedProcess(own, own, kindV1)).to.equal(false);
    // Another mount namespace, but a cgroup at the machine's top level.
    expect(isContainedProcess(own, 'mnt:[4026532320]', '0::/kubelet.service\n')).to.equal(false);
    expect(
      isContainedProcess(own, 'mnt:[4026532320]', '9:name=systemd:/docker/5da37cd371\n1:cpu:/\n'),
    ).to.equal(false);
    expect(isContainedProcess(own, '', kindV1)).to.equal(false);
    expect(isContainedProcess(own, 'mnt:[4026532320]', '')).to.equal(false);
  });

  it("removes containerd's state directory only while no containerd has anything in it", async function () {
    const root = await mkdtemp(join(tmpdir(), 'kaic-containerd-run-'));
    try {
      const idle = join(root, 'idle');
      await mkdir(join(idle, 'runc', 'k8s.io'), { recursive: true });
      await mkdir(join(idle, 's'), { recursive: true });
      expect(await removeIdleContainerdRunDir(idle)).to.equal(true);
      expect(existsSync(idle)).to.equal(false);
      // A shim's socket (any file) left there: another containerd is still using it.
      const busy = join(root, 'busy');
      await mkdir(join(busy, 's'), { recursive: true });
      await writeFile(join(busy, 's', '3f9a'), '');
      expect(await removeIdleContainerdRunDir(busy)).to.equal(false);
      expect(existsSync(join(busy, 's', '3f9a'))).to.equal(true);
      expect(await removeIdleContainerdRunDir(join(root, 'absent'))).to.equal(false);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
