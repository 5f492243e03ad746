/**
 * The files kaic's kind node base image adds to its Debian root filesystem: what kind expects of
 * a node (systemd as init, containerd and the kubelet as units, kubeadm's kubelet drop-in, a
 * containerd config it can patch, crictl's endpoint) and an entrypoint that makes a privileged
 * container fit for systemd on cgroup v1 and v2 hosts. Written for kaic from kind's documented
 * node contract and kubeadm's documented kubelet drop-in.
 */
import { LOCAL_NODE_IMAGES } from '../versions/images.js';

export interface NodeFile {
  /** Absolute path in the node. */
  path: string;
  content: string;
  mode: number;
}

/** Where the Debian package puts the CNI plugins, and where kind's manifests expect them. */
const CNI_BIN_DIRS = ['/opt/cni/bin', '/usr/lib/cni'];

const ENTRYPOINT = `#!/bin/bash
# kaic kind node entrypoint: make a privileged container fit for systemd and the kubelet, then
# hand over to init (the container's command).
set -euo pipefail
log() { echo "kaic-node: $*" >&2; }

# Docker can mount /sys read-only; the kubelet and kube-proxy write below it.
mount -o remount,rw /sys 2>/dev/null || true
# Mounts the kubelet makes for pods must propagate into their containers.
mount --make-rshared /

if [[ -f /sys/fs/cgroup/cgroup.controllers ]]; then
  # cgroup v2: a cgroup with processes cannot delegate controllers, so every process moves to a
  # leaf before the root's controllers are enabled for the subtree systemd manages.
  mkdir -p /sys/fs/cgroup/init.scope
  while read -r pid; do
    echo "$pid" > /sys/fs/cgroup/init.scope/cgroup.procs 2>/dev/null || true
  done < /sys/fs/cgroup/cgroup.procs
  sed -e 's/ / +/g' -e 's/^/+/' < /sys/fs/cgroup/cgroup.controllers \\
    > /sys/fs/cgroup/cgroup.subtree_control
  log "cgroup v2"
else
  # cgroup v1 (the kubelet needs failCgroupV1: false from 1.35; kaic sets it on such hosts).
  # kind's kubelet runs under the cgroup root /kubelet (kubelet.slice with systemd) and wants it
  # in every hierarchy, but systemd creates slices only in the controllers it manages (not in a
  # cpuacct mounted apart from cpu, nor cpuset, blkio, freezer, …). Made here in each, and
  # bind-mounted onto itself so nothing removes it while the kubelet runs.
  for dir in /sys/fs/cgroup/*; do
    [[ -L $dir || ! -d $dir || $dir == /sys/fs/cgroup/unified ]] && continue
    mountpoint -q "$dir" || continue
    for root in kubelet kubelet.slice; do
      mkdir -p "$dir/$root"
      if [[ -f $dir/cpuset.cpus ]]; then
        cat "$dir/cpuset.cpus" > "$dir/$root/cpuset.cpus"
        cat "$dir/cpuset.mems" > "$dir/$root/cpuset.mems"
      fi
      mountpoint -q "$dir/$root" || mount --bind "$dir/$root" "$dir/$root"
    done
  done
  log "detected cgroup v1"
fi

# Without CAP_SYS_RESOURCE (rootless Docker, or a host that lacks it) nothing here may lower an
# OOM score, and runc fails every container containerd asks to: containerd is told not to.
bounding=$((16#$(awk '/^CapBnd/ {print $2}' /proc/self/status)))
if (( ((bounding >> 24) & 1) == 0 )); then
  sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' /etc/containerd/config.toml
  log "no CAP_SYS_RESOURCE: containerd keeps OOM scores at or above its own"
fi

# Docker's resolver on a user-defined network (127.0.0.11) answers only inside this container's
# network namespace; a pod that inherits it queries its own loopback, where CoreDNS finds itself
# (its loop plugin stops it). The node's own address takes its place: DNS queries to it, from pods
# and from the node, are sent on to Docker's resolver, and resolv.conf names it.
if grep -q '^nameserver 127\\.0\\.0\\.11$' /etc/resolv.conf; then
  node_ip=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
  rules=$(iptables-save -t nat)
  for proto in udp tcp; do
    port=$(echo "$rules" | grep -- '-A DOCKER_OUTPUT' | grep -- "-p $proto" \\
      | grep -o 'to-destination 127\\.0\\.0\\.11:[0-9]*' | cut -d: -f2)
    [[ -n $port && -n $node_ip ]] || continue
    for chain in PREROUTING OUTPUT; do
      iptables -t nat -A "$chain" -d "$node_ip" -p "$proto" --dport 53 \\
        -j DNAT --to-destination "127.0.0.11:$port"
    done
  done
  if [[ -n $node_ip ]]; then
    sysctl -q -w net.ipv4.conf.all.route_localnet=1
    # resolv.conf is a file Docker mounts: rewritten in place, not replaced.
    resolv=$(sed "s/^nameserver 127\\.0\\.0\\.11$/nameserver $node_ip/" /etc/resolv.conf)
    echo "$resolv" > /etc/resolv.conf
    log "DNS: pods reach Docker's resolver through $node_ip"
  fi
fi

# Each node its own identity: systemd writes a fresh machine-id into an empty file at boot.
: > /etc/machine-id
exec "$@"
`;

const CONTAINERD_SERVICE = `[Unit]
Description=containerd (kaic kind node)
After=network.target local-fs.target

[Service]
ExecStartPre=-/sbin/modprobe overlay
ExecStart=/usr/local/bin/containerd
Type=notify
Delegate=yes
KillMode=process
Restart=always
RestartSec=1
LimitNPROC=infinity
LimitCORE=infinity
LimitNOFILE=infinity
TasksMax=infinity
OOMScoreAdjust=-999

[Install]
WantedBy=multi-user.target
`;

const KUBELET_SERVICE = `[Unit]
Description=kubelet (kaic kind node)
Wants=containerd.service
After=containerd.service

[Service]
ExecStart=/usr/bin/kubelet
Restart=always
# kubeadm writes the kubelet's configuration after the node boots; until then it restarts.
StartLimitInterval=0
RestartSec=1s
Slice=kubelet.slice

[Install]
WantedBy=multi-user.target
`;

/** kubeadm's documented drop-in: the kubelet reads what kubeadm init/join writes. */
const KUBEADM_DROP_IN = `[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`;

/** kind's kubeadm configuration puts pods under cgroupRoot /kubelet: the systemd slice. */
const KUBELET_SLICE = `[Unit]
Description=slice for the kubelet and its pods (kaic kind node)
Before=slices.target
`;

/** containerd 2.x (config version 3): CRI with CDI on, systemd cgroups, the local pause image. */
const CONTAINERD_CONFIG = `version = 3

[plugins.'io.containerd.cri.v1.images']
  snapshotter = 'overlayfs'
  [plugins.'io.containerd.cri.v1.images'.pinned_images]
    sandbox = '${LOCAL_NODE_IMAGES.pause}'

[plugins.'io.containerd.cri.v1.runtime']
  # Turned on by the entrypoint where the node may not lower OOM scores.
  restrict_oom_score_adj = false
  enable_cdi = true
  cdi_spec_dirs = ['/etc/cdi', '/var/run/cdi']
  [plugins.'io.containerd.cri.v1.runtime'.containerd]
    default_runtime_name = 'runc'
    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
      runtime_type = 'io.containerd.runc.v2'
      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
        SystemdCgroup = true
  [plugins.'io.containerd.cri.v1.runtime'.cni]
    bin_dirs = [${CNI_BIN_DIRS.map((d) => `'${d}'`).join(', ')}]
    conf_dir = '/etc/cni/net.d'
`;

const CRICTL_CONFIG = `runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
`;

/** Forwarding for pod traffic, and room for the kubelet's inotify watches. */
const SYSCTL = `net.ipv4.ip_forward = 1
net.ipv4.conf.all.rp_filter = 0
fs.inotify.max_user_watches = 524288
fs.inotify.max_user_instances = 512
`;

export const NODE_BASE_FILES: readonly NodeFile[] = [
  { path: '/usr/local/bin/entrypoint', content: ENTRYPOINT, mode: 0o755 },
  { path: '/etc/systemd/system/containerd.service', content: CONTAINERD_SERVICE, mode: 0o644 },
  { path: '/etc/systemd/system/kubelet.service', content: KUBELET_SERVICE, mode: 0o644 },
  {
    path: '/etc/systemd/system/kubelet.service.d/10-kubeadm.conf',
    content: KUBEADM_DROP_IN,
    mode: 0o644,
  },
  { path: '/etc/systemd/system/kubelet.slice', content: KUBELET_SLICE, mode: 0o644 },
  { path: '/etc/containerd/config.toml', content: CONTAINERD_CONFIG, mode: 0o644 },
  { path: '/etc/crictl.yaml', content: CRICTL_CONFIG, mode: 0o644 },
  { path: '/etc/sysctl.d/10-kaic-node.conf', content: SYSCTL, mode: 0o644 },
  { path: '/etc/default/kubelet', content: 'KUBELET_EXTRA_ARGS=\n', mode: 0o644 },
];

/**
 * Shell run in the root filesystem (mmdebstrap's customize hook, `$1` the root) after the files
 * are copied in: only kaic's units start at boot, nothing that needs a real machine does.
 */
export const NODE_BASE_CUSTOMIZE = [
  'rm -f "$1"/lib/systemd/system/multi-user.target.wants/* "$1"/etc/systemd/system/*.wants/*',
  'rm -f "$1"/lib/systemd/system/local-fs.target.wants/* "$1"/lib/systemd/system/basic.target.wants/*',
  'rm -f "$1"/lib/systemd/system/sockets.target.wants/*udev* "$1"/lib/systemd/system/sockets.target.wants/*initctl*',
  'rm -f "$1"/lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service',
  'echo ReadKMsg=no >> "$1"/etc/systemd/journald.conf',
  'chroot "$1" systemctl enable containerd.service kubelet.service',
  'chroot "$1" systemctl mask systemd-binfmt.service',
  'mkdir -p "$1"/etc/kubernetes/manifests "$1"/opt/cni/bin "$1"/etc/cni/net.d "$1"/kind',
] as const;
