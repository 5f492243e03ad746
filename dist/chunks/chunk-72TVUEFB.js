import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import{buildKindNodeBinaries,buildKubelet,buildKubernetes}from"./chunk-CKOQ5QAZ.js";import{ImageBuildError,RECIPES,buildRecipe,cacheDir,containerdBinDir,corednsBinDir,corednsRecipe,criToolsBinDir,docker,etcdBinDir,etcdRecipe,execa,findStaticBusybox,formatSeconds,imageId,imageLabel,inputsHash,kindImagesDir,kindNodeBinDir,kubeletBinDir,kubernetesBinDir,makeBusyboxRootfs,pinnedStandInNames,recordBuiltImage,requireDocker,standInImageSpecs,writeImageArchive}from"./chunk-YXM2LUWI.js";import{CONTAINERD_VERSION,CRI_TOOLS_VERSION,KIND_LOCAL_IMAGES,LOCAL_NODE_IMAGES,LOCAL_NODE_IMAGE_ALIASES,kubernetesRelease,qualifiedImageName}from"./chunk-KGRXWLVC.js";import{InputError}from"./chunk-STNKOIMZ.js";import{randomBytes}from"node:crypto";import{existsSync}from"node:fs";import{chmod,copyFile,mkdir,mkdtemp,readdir,rename,rm,writeFile}from"node:fs/promises";import{tmpdir}from"node:os";import{dirname,join}from"node:path";var CNI_BIN_DIRS=["/opt/cni/bin","/usr/lib/cni"],ENTRYPOINT=`#!/bin/bash
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
  # cpuacct mounted apart from cpu, nor cpuset, blkio, freezer, \u2026). Made here in each, and
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
`,CONTAINERD_SERVICE=`[Unit]
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
`,KUBELET_SERVICE=`[Unit]
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
`,KUBEADM_DROP_IN=`[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
`,KUBELET_SLICE=`[Unit]
Description=slice for the kubelet and its pods (kaic kind node)
Before=slices.target
`,CONTAINERD_CONFIG=`version = 3

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
    bin_dirs = [${CNI_BIN_DIRS.map(d=>`'${d}'`).join(", ")}]
    conf_dir = '/etc/cni/net.d'
`,CRICTL_CONFIG=`runtime-endpoint: unix:///run/containerd/containerd.sock
image-endpoint: unix:///run/containerd/containerd.sock
`,SYSCTL=`net.ipv4.ip_forward = 1
net.ipv4.conf.all.rp_filter = 0
fs.inotify.max_user_watches = 524288
fs.inotify.max_user_instances = 512
`,NODE_BASE_FILES=[{path:"/usr/local/bin/entrypoint",content:ENTRYPOINT,mode:493},{path:"/etc/systemd/system/containerd.service",content:CONTAINERD_SERVICE,mode:420},{path:"/etc/systemd/system/kubelet.service",content:KUBELET_SERVICE,mode:420},{path:"/etc/systemd/system/kubelet.service.d/10-kubeadm.conf",content:KUBEADM_DROP_IN,mode:420},{path:"/etc/systemd/system/kubelet.slice",content:KUBELET_SLICE,mode:420},{path:"/etc/containerd/config.toml",content:CONTAINERD_CONFIG,mode:420},{path:"/etc/crictl.yaml",content:CRICTL_CONFIG,mode:420},{path:"/etc/sysctl.d/10-kaic-node.conf",content:SYSCTL,mode:420},{path:"/etc/default/kubelet",content:`KUBELET_EXTRA_ARGS=
`,mode:420}],NODE_BASE_CUSTOMIZE=['rm -f "$1"/lib/systemd/system/multi-user.target.wants/* "$1"/etc/systemd/system/*.wants/*','rm -f "$1"/lib/systemd/system/local-fs.target.wants/* "$1"/lib/systemd/system/basic.target.wants/*','rm -f "$1"/lib/systemd/system/sockets.target.wants/*udev* "$1"/lib/systemd/system/sockets.target.wants/*initctl*','rm -f "$1"/lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service','echo ReadKMsg=no >> "$1"/etc/systemd/journald.conf','chroot "$1" systemctl enable containerd.service kubelet.service','chroot "$1" systemctl mask systemd-binfmt.service','mkdir -p "$1"/etc/kubernetes/manifests "$1"/opt/cni/bin "$1"/etc/cni/net.d "$1"/kind'];function localControlPlaneImages(release,corednsVersion){return{repository:KIND_LOCAL_IMAGES.repository,etcdTag:release.etcdVersion,corednsTag:corednsVersion}}async function debianRootfs(name,variant,packages,customize,options,inputs){let root=options.root??cacheDir(),stable=customize.map(line=>line.replaceAll(tmpdir(),"<tmp>").replace(/kaic-kind-images-\w+/g,"<work>")),key=inputsHash([KIND_LOCAL_IMAGES.debianSuite,variant,...packages,...stable,...inputs]),out=join(kindImagesDir(root),`${name}-${KIND_LOCAL_IMAGES.debianSuite}-${key}.tar`);if(existsSync(out))return options.log(`${name} root filesystem: cached (${out})`),out;let which=await execa("mmdebstrap",["--version"],{reject:!1}).catch(()=>null);if(!which||which.exitCode!==0)throw new InputError("kaic images makes the node root filesystem with mmdebstrap, which is not installed (apt-get install mmdebstrap)");await mkdir(dirname(out),{recursive:!0});let t0=Date.now();options.log(`${name} root filesystem: mmdebstrap ${KIND_LOCAL_IMAGES.debianSuite} (${variant}, ${packages.length} packages)`);let args=[`--variant=${variant}`,`--include=${packages.join(",")}`,...customize.map(line=>`--customize-hook=${line}`),KIND_LOCAL_IMAGES.debianSuite,`${out}.partial.tar`,...options.debianMirror?[options.debianMirror]:[]],result=await execa("mmdebstrap",args,{env:{...process.env,...options.env,SOURCE_DATE_EPOCH:"0"},reject:!1,all:!0});if(result.exitCode!==0)throw await rm(`${out}.partial.tar`,{force:!0}),new ImageBuildError(`mmdebstrap ${name} failed (exit ${result.exitCode}):
${String(result.all).trim().split(`
`).slice(-8).join(`
`)}`);await rename(`${out}.partial.tar`,out),options.log(`${name} root filesystem: built in ${formatSeconds(Date.now()-t0)}`);for(let entry of await readdir(dirname(out))){let path=join(dirname(out),entry);path!==out&&entry.startsWith(`${name}-`)&&entry.endsWith(".tar")&&await rm(path,{force:!0})}return out}async function stageFiles(dir,files){for(let[source,path,mode]of files){let target=join(dir,path);await mkdir(dirname(target),{recursive:!0}),await copyFile(source,target),await chmod(target,mode)}return dir}async function kubeadmCorednsVersion(kubeadm,release){let listed=await execa(kubeadm,["config","images","list","--kubernetes-version",release.version]),line=listed.stdout.split(`
`).find(l=>/\/coredns:/.test(l)),tag=line?.slice(line.lastIndexOf(":")+1);if(!tag)throw new ImageBuildError(`kubeadm ${release.version} lists no CoreDNS image:
${listed.stdout}`);return tag}async function buildKindImages(options){let env={...process.env,...options.env},root=options.root??cacheDir(),log=options.log,release=kubernetesRelease(options.minor);await requireDocker(env,"kaic images"),log(`binaries for ${release.version} (cached after the first build)`),await buildKubernetes(release,log,root),await buildKubelet(release,log,root),await buildKindNodeBinaries(release,log,root),await buildRecipe(etcdRecipe(release.etcdVersion),log,root),await buildRecipe(RECIPES.containerd,log,root),await buildRecipe(RECIPES.criTools,log,root);let kubeadm=join(kindNodeBinDir(release,root),"kubeadm"),corednsVersion=await kubeadmCorednsVersion(kubeadm,release);await buildRecipe(corednsRecipe(corednsVersion),log,root);let nodeImage=KIND_LOCAL_IMAGES.nodeImage(release.version),planes=localControlPlaneImages(release,corednsVersion),component=(name,tag)=>`${planes.repository}/${name}:${tag}`,preloaded=[component("kube-apiserver",release.version),component("kube-controller-manager",release.version),component("kube-scheduler",release.version),component("kube-proxy",release.version),component("etcd",planes.etcdTag),component("coredns",planes.corednsTag),...Object.values(LOCAL_NODE_IMAGES).map(qualifiedImageName)],fileInputs=NODE_BASE_FILES.map(f=>`${f.path}:${f.mode}:${f.content}`),inputs=inputsHash([release.version,release.etcdVersion,corednsVersion,CONTAINERD_VERSION,CRI_TOOLS_VERSION,...KIND_LOCAL_IMAGES.nodePackages,...KIND_LOCAL_IMAGES.kubeProxyPackages,...NODE_BASE_CUSTOMIZE,...fileInputs,...preloaded,...Object.entries(LOCAL_NODE_IMAGE_ALIASES).flat()]);if(await imageLabel(nodeImage,"dev.kaic.inputs",env)===inputs){let id=await imageId(nodeImage,env);return log(`${nodeImage}: cached (${id.slice(0,19)})`),await recordBuiltImage(root,nodeImage,{id,inputs,preloaded}),{nodeImage,id,preloaded,controlPlane:planes,cached:!0}}let work=await mkdtemp(join(tmpdir(),"kaic-kind-images-")),builder=`kaic-build-${randomBytes(4).toString("hex")}`;try{let staged=join(work,"node-files");for(let file of NODE_BASE_FILES){let target=join(staged,file.path);await mkdir(dirname(target),{recursive:!0}),await writeFile(target,file.content,{mode:file.mode}),await chmod(target,file.mode)}let baseTar=await debianRootfs("kind-node-base","minbase",KIND_LOCAL_IMAGES.nodePackages,[`cp -a ${staged}/. "$1"/`,...NODE_BASE_CUSTOMIZE],options,fileInputs),baseImage=`${KIND_LOCAL_IMAGES.repository}/kind-base:${inputsHash([baseTar])}`;await imageLabel(baseImage,"dev.kaic.local-image",env)===null&&(log(`${baseImage}: importing the root filesystem into Docker`),await docker(["import","--change","ENV container=docker","--change","LABEL dev.kaic.local-image=true","--change",'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',baseTar,baseImage],env));let proxyTar=await debianRootfs("kube-proxy-base","essential",KIND_LOCAL_IMAGES.kubeProxyPackages,[],options,[]),busybox=join(work,"busybox");await makeBusyboxRootfs(busybox,await findStaticBusybox());let k8sBin=kubernetesBinDir(release,root),binLayer=async(name,source,path=`/usr/local/bin/${name}`)=>stageFiles(join(work,`layer-${name}`),[[source,path,493]]),localBuild=what=>`kaic local build of ${what} from its Go module, for kind nodes without a registry`,images=[];for(let name of["kube-apiserver","kube-controller-manager","kube-scheduler"])images.push({name:component(name,release.version),layers:[busybox,await binLayer(name,join(k8sBin,name))],description:localBuild(`${name} ${release.version}`)});images.push({name:component("kube-proxy",release.version),layers:[{tar:proxyTar},await binLayer("kube-proxy",join(kindNodeBinDir(release,root),"kube-proxy"))],description:localBuild(`kube-proxy ${release.version}`)}),images.push({name:component("etcd",planes.etcdTag),layers:[busybox,await binLayer("etcd",join(etcdBinDir(release.etcdVersion,root),"etcd"))],description:localBuild(`etcd ${release.etcdVersion}`)}),images.push({name:component("coredns",planes.corednsTag),layers:[busybox,await binLayer("coredns",join(corednsBinDir(corednsVersion,root),"coredns"),"/coredns")],entrypoint:["/coredns"],description:localBuild(`CoreDNS ${corednsVersion}`)});for(let spec of standInImageSpecs())images.push({name:qualifiedImageName(spec.name),layers:[busybox],...spec.entrypoint?{entrypoint:spec.entrypoint}:{},cmd:spec.cmd??["sh"],description:spec.description});let archive=join(work,"preloaded.tar"),t0=Date.now();await writeImageArchive(images,archive),log(`${images.length} images packed in ${formatSeconds(Date.now()-t0)}`),log(`${nodeImage}: assembling in build container ${builder}`),await startBuilder(builder,baseImage,env);let copies=[[join(kubeletBinDir(release,root),"kubelet"),"/usr/bin/kubelet"],[kubeadm,"/usr/bin/kubeadm"],[join(k8sBin,"kubectl"),"/usr/bin/kubectl"],...["containerd","containerd-shim-runc-v2","ctr"].map(b=>[join(containerdBinDir(CONTAINERD_VERSION,root),b),`/usr/local/bin/${b}`]),[join(criToolsBinDir(CRI_TOOLS_VERSION,root),"crictl"),"/usr/local/bin/crictl"]];for(let[source,target]of copies)await docker(["cp",source,`${builder}:${target}`],env);await docker(["exec","-i",builder,"sh","-c","cat > /kind/version"],env,{input:release.version}),await startContainerd(builder,env),await importPinned(builder,archive,env);for(let{standIn,qualified}of pinnedStandInNames())await docker(["exec",builder,"ctr","--namespace=k8s.io","images","tag","--force",qualifiedImageName(standIn),qualified],env);await stopContainerdHolding(builder,preloaded,env),await commitNode(builder,nodeImage,inputs,env,[`org.opencontainers.image.description="kaic local kind node image, Kubernetes ${release.version}"`]);let id=await imageId(nodeImage,env);log(`${nodeImage}: built (${id.slice(0,19)})`);let stale=await execa("docker",["image","ls","-q","--no-trunc","--filter","label=dev.kaic.local-image=true"],{env,reject:!1});for(let old of stale.stdout.split(`
`).filter(i=>i&&i!==id)){let tags=await execa("docker",["image","inspect","--format",'{{join .RepoTags " "}}',old],{env,reject:!1});(tags.stdout.trim()===""||tags.stdout.split(" ").every(t=>t!==baseImage&&t.startsWith(`${KIND_LOCAL_IMAGES.repository}/kind-base:`)))&&await execa("docker",["image","rm",old],{env,reject:!1})}return await recordBuiltImage(root,nodeImage,{id,inputs,preloaded}),{nodeImage,id,preloaded,controlPlane:planes,cached:!1}}finally{await execa("docker",["rm","-f","-v",builder],{env,reject:!1}),await rm(work,{recursive:!0,force:!0})}}var BUILDER_LABEL="dev.kaic.image-build";async function startBuilder(builder,image,env){await docker(["run","-d","--name",builder,"--label",`${BUILDER_LABEL}=${process.pid}`,"--entrypoint","sleep",image,"infinity"],env)}async function startContainerd(builder,env){await docker(["exec","-d",builder,"containerd"],env);let deadline=Date.now()+6e4;for(;(await execa("docker",["exec",builder,"ctr","version"],{env,reject:!1})).exitCode!==0;){if(Date.now()>deadline)throw new ImageBuildError(`containerd in ${builder} did not start in 60 s`);await new Promise(r=>setTimeout(r,500))}}async function importPinned(builder,archive,env){await docker(["exec","-i",builder,"ctr","--namespace=k8s.io","images","import","--label=io.cri-containerd.pinned=pinned","--no-unpack","--digests","-"],env,{inputFile:archive})}async function stopContainerdHolding(builder,expected,env){let listed=await docker(["exec",builder,"ctr","--namespace=k8s.io","images","list","-q"],env);await stopContainerd(builder,env);let missing=expected.filter(name=>!listed.split(`
`).includes(name));if(missing.length)throw new ImageBuildError(`${missing.join(", ")} not in the node's containerd after the import:
${listed}`)}async function commitNode(builder,name,inputs,env,labels){await docker(["commit","--change",'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',"--change","CMD []","--change",`LABEL dev.kaic.inputs=${inputs}`,...labels.flatMap(label=>["--change",`LABEL ${label}`]),builder,name],env)}async function stopContainerd(builder,env){await docker(["exec",builder,"sh","-c","pkill -x containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done"],env)}async function removeImageBuilders(env){let listed=await execa("docker",["ps","-a","-q","--filter",`label=${BUILDER_LABEL}=${process.pid}`],{env:{...process.env,...env},reject:!1});for(let id of listed.stdout.split(`
`).filter(Boolean))await execa("docker",["rm","-f","-v",id],{env:{...process.env,...env},reject:!1})}var PRELOADED_FROM_LABEL="dev.kaic.preloaded-from",KEEP_PRELOADED=4;async function nodeImageWithAddons(nodeImage,images,options){let env={...process.env,...options.env},log=options.log,names=[...new Set(images)].sort(),ids=await Promise.all(names.map(name2=>imageId(name2,env))),inputs=inputsHash([await imageId(nodeImage,env),...names,...ids]),name=`${nodeImage}-addons-${inputs.slice(0,12)}`;if(await imageLabel(name,"dev.kaic.inputs",env)===inputs)return log(`${name}: cached (${names.length} addon images preloaded)`),name;let t0=Date.now();log(`${name}: ${nodeImage} with ${names.join(", ")} preloaded`);let work=await mkdtemp(join(tmpdir(),"kaic-kind-images-")),builder=`kaic-build-${randomBytes(4).toString("hex")}`;try{let archive=join(work,"addons.tar");await docker(["save","-o",archive,...names],env),await startBuilder(builder,nodeImage,env),await startContainerd(builder,env),await importPinned(builder,archive,env),await stopContainerdHolding(builder,names,env),await commitNode(builder,name,inputs,env,[`${PRELOADED_FROM_LABEL}=${nodeImage}`]),log(`${name}: built in ${formatSeconds(Date.now()-t0)}`)}finally{await execa("docker",["rm","-f","-v",builder],{env,reject:!1}),await rm(work,{recursive:!0,force:!0})}let made=await execa("docker",["image","ls","--filter",`label=${PRELOADED_FROM_LABEL}=${nodeImage}`,"--format","{{.Repository}}:{{.Tag}}"],{env,reject:!1});for(let old of made.stdout.split(`
`).filter(Boolean).slice(KEEP_PRELOADED))await execa("docker",["image","rm",old],{env,reject:!1});return name}export{buildKindImages,removeImageBuilders,nodeImageWithAddons};
