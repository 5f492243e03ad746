/** The files of kaic's kind node image: shell that parses, units and config that say what kind needs. */
import { expect } from 'chai';
import { execa } from 'execa';

import { NODE_BASE_CUSTOMIZE, NODE_BASE_FILES } from '../../src/images/kind-node-files.js';
import { LOCAL_NODE_IMAGES } from '../../src/versions/images.js';

const file = (path: string) => {
  const found = NODE_BASE_FILES.find((f) => f.path === path);
  if (!found) throw new Error(`no ${path} in NODE_BASE_FILES`);
  return found;
};

describe("kind node image files (kaic's local node image)", function () {
  it('the entrypoint is bash that parses, executable, and hands over to its arguments', async function () {
    const entrypoint = file('/usr/local/bin/entrypoint');
    expect(entrypoint.mode).to.equal(0o755);
    expect(entrypoint.content.startsWith('#!/bin/bash\n')).to.equal(true);
    const parsed = await execa('bash', ['-n'], { input: entrypoint.content, reject: false });
    expect(parsed.exitCode, parsed.stderr).to.equal(0);
    expect(entrypoint.content.trimEnd().endsWith('exec "$@"')).to.equal(true);
  });

  it('logs the line kind waits for on a cgroup v1 host ("detected cgroup v1")', function () {
    expect(file('/usr/local/bin/entrypoint').content).to.include('detected cgroup v1');
  });

  it("containerd: CDI on, systemd cgroups, the local pause image, the entrypoint's OOM switch", function () {
    const config = file('/etc/containerd/config.toml').content;
    expect(config).to.match(/^version = 3$/m);
    expect(config).to.include('enable_cdi = true');
    expect(config).to.include('SystemdCgroup = true');
    expect(config).to.include(`sandbox = '${LOCAL_NODE_IMAGES.pause}'`);
    // The entrypoint flips exactly this line.
    expect(config).to.include('restrict_oom_score_adj = false');
    expect(file('/usr/local/bin/entrypoint').content).to.include(
      's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/',
    );
  });

  it("the kubelet reads what kubeadm writes (kubeadm's drop-in) and runs in kubelet.slice", function () {
    const dropIn = file('/etc/systemd/system/kubelet.service.d/10-kubeadm.conf').content;
    expect(dropIn).to.include('--config=/var/lib/kubelet/config.yaml');
    expect(dropIn).to.include('EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env');
    expect(file('/etc/systemd/system/kubelet.service').content).to.include('Slice=kubelet.slice');
  });

  it('the customize hook enables containerd and the kubelet, and makes the directories kind writes to', function () {
    const hook = NODE_BASE_CUSTOMIZE.join('\n');
    expect(hook).to.include('systemctl enable containerd.service kubelet.service');
    expect(hook).to.include('"$1"/kind');
    expect(hook).to.include('"$1"/etc/kubernetes/manifests');
  });
});
