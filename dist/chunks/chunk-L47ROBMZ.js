import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import{ImageBuildError,buildKindNodeBinaries,buildKubelet,buildKubernetes,findStaticBusybox,makeBusyboxRootfs,pinnedStandInNames,standInImageSpecs,writeImageArchive}from"./chunk-GB5LUJ3N.js";import{RECIPES,buildRecipe,cacheDir,containerdBinDir,corednsBinDir,corednsRecipe,criToolsBinDir,etcdBinDir,etcdRecipe,execa,formatSeconds,kindImagesDir,kindNodeBinDir,kubeletBinDir,kubernetesBinDir}from"./chunk-VWKFJVEE.js";import{CONTAINERD_VERSION,CRI_TOOLS_VERSION,KIND_LOCAL_IMAGES,LOCAL_NODE_IMAGES,LOCAL_NODE_IMAGE_ALIASES,kubernetesRelease,qualifiedImageName}from"./chunk-LD57DUJM.js";import{InputError,UsageError}from"./chunk-KEXT53TB.js";import{createHash as createHash2}from"node:crypto";import{createReadStream}from"node:fs";import{copyFile,mkdir as mkdir2,mkdtemp,realpath,rm,writeFile as writeFile2}from"node:fs/promises";import{tmpdir}from"node:os";import{dirname as dirname2,join as join2}from"node:path";import{createHash}from"node:crypto";import{mkdir,readFile,rename,writeFile}from"node:fs/promises";import{dirname,join}from"node:path";async function requireDocker(env,what,alternative){let info=await execa("docker",["info","--format","{{.ServerVersion}}"],{reject:!1,all:!0,env}).catch(error=>({exitCode:127,all:error.message}));if(info.exitCode!==0){let host=env.DOCKER_HOST?` at DOCKER_HOST=${env.DOCKER_HOST}`:"",said=String(info.all).split(`
`).find(l=>l.trim())??`exit ${info.exitCode}`;throw new UsageError(`${what} needs Docker, and Docker${host} does not answer (${said}); start Docker (or set DOCKER_HOST)${alternative?`, or ${alternative}`:""}`)}}async function docker(args,env,options={}){let result=await execa("docker",args,{env,reject:!1,all:!0,...options});if(result.exitCode!==0)throw new ImageBuildError(`docker ${args.slice(0,3).join(" ")} failed (exit ${result.exitCode}): ${String(result.all).trim()}`);return result.stdout.trim()}async function imageLabel(name,key,env){let result=await execa("docker",["image","inspect","--format",`{{ index .Config.Labels "${key}" }}`,name],{env,reject:!1});return result.exitCode===0?result.stdout.trim():null}function imageId(name,env){return docker(["image","inspect","--format","{{.Id}}",name],env)}function inputsHash(parts){return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0,16)}async function recordBuiltImage(root,name,entry){let file=join(kindImagesDir(root),"images.json"),record={};try{record=JSON.parse(await readFile(file,"utf8"))}catch{}record[name]={...entry,builtAt:new Date().toISOString()},await mkdir(dirname(file),{recursive:!0}),await writeFile(`${file}.partial`,`${JSON.stringify(record,null,2)}
`),await rename(`${file}.partial`,file)}var NODE_USER=1e3;async function fileHash(path){let hash=createHash2("sha256");for await(let chunk of createReadStream(path))hash.update(chunk);return hash.digest("hex")}async function linkedLibraries(binary){let ldd=await execa("ldd",[binary],{reject:!1,all:!0});if(ldd.exitCode!==0){if(/not a dynamic executable|statically linked/.test(String(ldd.all)))return[];throw new ImageBuildError(`ldd ${binary} failed (exit ${ldd.exitCode}): ${String(ldd.all)}`)}return parseLdd(ldd.stdout,binary)}function parseLdd(output,binary){let paths=[];for(let line of output.split(`
`)){let linked=/=>\s+(\/\S+)\s+\(/.exec(line)?.[1]??/^\s*(\/\S+)\s+\(/.exec(line)?.[1];if(linked)paths.push(linked);else if(/=>\s+not found/.test(line))throw new ImageBuildError(`${binary} needs a library this machine lacks: ${line.trim()}`)}return paths}async function buildAddonImage(id,options){if(id==="node-runtime")return buildNodeRuntimeImage(options)}async function buildNodeRuntimeImage(options){let env={...process.env,...options.env},root=options.root??cacheDir();await requireDocker(env,"kaic images");let name=KIND_LOCAL_IMAGES.nodeRuntimeImage(process.version),node=await realpath(process.execPath),libraries=await linkedLibraries(node),busybox=await findStaticBusybox(),inputs=inputsHash(["node-runtime/1",process.version,await fileHash(node),...await Promise.all(libraries.map(async l=>`${l}:${await fileHash(l)}`)),await fileHash(busybox)]),previous=await imageLabel(name,"dev.kaic.inputs",env);if(previous===inputs){let id=await imageId(name,env);return options.log(`${name}: cached (${id.slice(0,19)})`),{name,id,cached:!0}}let previousId=previous===null?null:await imageId(name,env),t0=Date.now();options.log(`${name}: Node.js ${process.version} of this machine and ${libraries.length} libraries on busybox`);let work=await mkdtemp(join2(tmpdir(),"kaic-addon-image-"));try{let base=join2(work,"busybox");await makeBusyboxRootfs(base,busybox);let layer=join2(work,"node"),copies=[[node,"/usr/local/bin/node"],...libraries.map(l=>[l,l])];for(let[source,target]of copies)await mkdir2(dirname2(join2(layer,target)),{recursive:!0}),await copyFile(source,join2(layer,target));await mkdir2(join2(layer,"etc"),{recursive:!0}),await mkdir2(join2(layer,"home","node"),{recursive:!0}),await writeFile2(join2(layer,"etc","passwd"),`root:x:0:0:root:/root:/bin/sh
node:x:${NODE_USER}:${NODE_USER}:node:/home/node:/bin/sh
nobody:x:65534:65534:nobody:/home:/bin/false
`),await writeFile2(join2(layer,"etc","group"),`root:x:0:
node:x:${NODE_USER}:
nobody:x:65534:
`);let archive=join2(work,"node-runtime.tar");await writeImageArchive([{name,layers:[base,layer],cmd:["node"],description:`kaic local build: Node.js ${process.version} of the machine that built it, on busybox, for the fake-GPU driver`,labels:{"dev.kaic.inputs":inputs}}],archive),await docker(["load","-i",archive],env);let id=await imageId(name,env);return previousId&&previousId!==id&&await execa("docker",["image","rm",previousId],{env,reject:!1}),await recordBuiltImage(root,name,{id,inputs,from:`Node.js ${process.version} (${node}) and ${libraries.join(", ")} on busybox`}),options.log(`${name}: built in ${formatSeconds(Date.now()-t0)} (${id.slice(0,19)})`),{name,id,cached:!1}}finally{await rm(work,{recursive:!0,force:!0})}}import{randomBytes}from"node:crypto";import{existsSync}from"node:fs";import{chmod,copyFile as copyFile2,mkdir as mkdir3,mkdtemp as mkdtemp2,readdir,rename as rename2,rm as rm2,writeFile as writeFile3}from"node:fs/promises";import{tmpdir as tmpdir2}from"node:os";import{dirname as dirname3,join as join3}from"node:path";var CNI_BIN_DIRS=["/opt/cni/bin","/usr/lib/cni"],ENTRYPOINT=`#!/bin/bash
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
`,mode:420}],NODE_BASE_CUSTOMIZE=['rm -f "$1"/lib/systemd/system/multi-user.target.wants/* "$1"/etc/systemd/system/*.wants/*','rm -f "$1"/lib/systemd/system/local-fs.target.wants/* "$1"/lib/systemd/system/basic.target.wants/*','rm -f "$1"/lib/systemd/system/sockets.target.wants/*udev* "$1"/lib/systemd/system/sockets.target.wants/*initctl*','rm -f "$1"/lib/systemd/system/sysinit.target.wants/systemd-tmpfiles-setup.service','echo ReadKMsg=no >> "$1"/etc/systemd/journald.conf','chroot "$1" systemctl enable containerd.service kubelet.service','chroot "$1" systemctl mask systemd-binfmt.service','mkdir -p "$1"/etc/kubernetes/manifests "$1"/opt/cni/bin "$1"/etc/cni/net.d "$1"/kind'];function localControlPlaneImages(release,corednsVersion){return{repository:KIND_LOCAL_IMAGES.repository,etcdTag:release.etcdVersion,corednsTag:corednsVersion}}async function debianRootfs(name,variant,packages,customize,options,inputs){let root=options.root??cacheDir(),stable=customize.map(line=>line.replaceAll(tmpdir2(),"<tmp>").replace(/kaic-kind-images-\w+/g,"<work>")),key=inputsHash([KIND_LOCAL_IMAGES.debianSuite,variant,...packages,...stable,...inputs]),out=join3(kindImagesDir(root),`${name}-${KIND_LOCAL_IMAGES.debianSuite}-${key}.tar`);if(existsSync(out))return options.log(`${name} root filesystem: cached (${out})`),out;let which=await execa("mmdebstrap",["--version"],{reject:!1}).catch(()=>null);if(!which||which.exitCode!==0)throw new InputError("kaic images makes the node root filesystem with mmdebstrap, which is not installed (apt-get install mmdebstrap)");await mkdir3(dirname3(out),{recursive:!0});let t0=Date.now();options.log(`${name} root filesystem: mmdebstrap ${KIND_LOCAL_IMAGES.debianSuite} (${variant}, ${packages.length} packages)`);let args=[`--variant=${variant}`,`--include=${packages.join(",")}`,...customize.map(line=>`--customize-hook=${line}`),KIND_LOCAL_IMAGES.debianSuite,`${out}.partial.tar`,...options.debianMirror?[options.debianMirror]:[]],result=await execa("mmdebstrap",args,{env:{...process.env,...options.env,SOURCE_DATE_EPOCH:"0"},reject:!1,all:!0});if(result.exitCode!==0)throw await rm2(`${out}.partial.tar`,{force:!0}),new ImageBuildError(`mmdebstrap ${name} failed (exit ${result.exitCode}):
${String(result.all).trim().split(`
`).slice(-8).join(`
`)}`);await rename2(`${out}.partial.tar`,out),options.log(`${name} root filesystem: built in ${formatSeconds(Date.now()-t0)}`);for(let entry of await readdir(dirname3(out))){let path=join3(dirname3(out),entry);path!==out&&entry.startsWith(`${name}-`)&&entry.endsWith(".tar")&&await rm2(path,{force:!0})}return out}async function stageFiles(dir,files){for(let[source,path,mode]of files){let target=join3(dir,path);await mkdir3(dirname3(target),{recursive:!0}),await copyFile2(source,target),await chmod(target,mode)}return dir}async function kubeadmCorednsVersion(kubeadm,release){let listed=await execa(kubeadm,["config","images","list","--kubernetes-version",release.version]),line=listed.stdout.split(`
`).find(l=>/\/coredns:/.test(l)),tag=line?.slice(line.lastIndexOf(":")+1);if(!tag)throw new ImageBuildError(`kubeadm ${release.version} lists no CoreDNS image:
${listed.stdout}`);return tag}async function buildKindImages(options){let env={...process.env,...options.env},root=options.root??cacheDir(),log=options.log,release=kubernetesRelease(options.minor);await requireDocker(env,"kaic images"),log(`binaries for ${release.version} (cached after the first build)`),await buildKubernetes(release,log,root),await buildKubelet(release,log,root),await buildKindNodeBinaries(release,log,root),await buildRecipe(etcdRecipe(release.etcdVersion),log,root),await buildRecipe(RECIPES.containerd,log,root),await buildRecipe(RECIPES.criTools,log,root);let kubeadm=join3(kindNodeBinDir(release,root),"kubeadm"),corednsVersion=await kubeadmCorednsVersion(kubeadm,release);await buildRecipe(corednsRecipe(corednsVersion),log,root);let nodeImage=KIND_LOCAL_IMAGES.nodeImage(release.version),planes=localControlPlaneImages(release,corednsVersion),component=(name,tag)=>`${planes.repository}/${name}:${tag}`,preloaded=[component("kube-apiserver",release.version),component("kube-controller-manager",release.version),component("kube-scheduler",release.version),component("kube-proxy",release.version),component("etcd",planes.etcdTag),component("coredns",planes.corednsTag),...Object.values(LOCAL_NODE_IMAGES).map(qualifiedImageName)],fileInputs=NODE_BASE_FILES.map(f=>`${f.path}:${f.mode}:${f.content}`),inputs=inputsHash([release.version,release.etcdVersion,corednsVersion,CONTAINERD_VERSION,CRI_TOOLS_VERSION,...KIND_LOCAL_IMAGES.nodePackages,...KIND_LOCAL_IMAGES.kubeProxyPackages,...NODE_BASE_CUSTOMIZE,...fileInputs,...preloaded,...Object.entries(LOCAL_NODE_IMAGE_ALIASES).flat()]);if(await imageLabel(nodeImage,"dev.kaic.inputs",env)===inputs){let id=await imageId(nodeImage,env);return log(`${nodeImage}: cached (${id.slice(0,19)})`),await recordBuiltImage(root,nodeImage,{id,inputs,preloaded}),{nodeImage,id,preloaded,controlPlane:planes,cached:!0}}let work=await mkdtemp2(join3(tmpdir2(),"kaic-kind-images-")),builder=`kaic-build-${randomBytes(4).toString("hex")}`;try{let staged=join3(work,"node-files");for(let file of NODE_BASE_FILES){let target=join3(staged,file.path);await mkdir3(dirname3(target),{recursive:!0}),await writeFile3(target,file.content,{mode:file.mode}),await chmod(target,file.mode)}let baseTar=await debianRootfs("kind-node-base","minbase",KIND_LOCAL_IMAGES.nodePackages,[`cp -a ${staged}/. "$1"/`,...NODE_BASE_CUSTOMIZE],options,fileInputs),baseImage=`${KIND_LOCAL_IMAGES.repository}/kind-base:${inputsHash([baseTar])}`;await imageLabel(baseImage,"dev.kaic.local-image",env)===null&&(log(`${baseImage}: importing the root filesystem into Docker`),await docker(["import","--change","ENV container=docker","--change","LABEL dev.kaic.local-image=true","--change",'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',baseTar,baseImage],env));let proxyTar=await debianRootfs("kube-proxy-base","essential",KIND_LOCAL_IMAGES.kubeProxyPackages,[],options,[]),busybox=join3(work,"busybox");await makeBusyboxRootfs(busybox,await findStaticBusybox());let k8sBin=kubernetesBinDir(release,root),binLayer=async(name,source,path=`/usr/local/bin/${name}`)=>stageFiles(join3(work,`layer-${name}`),[[source,path,493]]),localBuild=what=>`kaic local build of ${what} from its Go module, for kind nodes without a registry`,images=[];for(let name of["kube-apiserver","kube-controller-manager","kube-scheduler"])images.push({name:component(name,release.version),layers:[busybox,await binLayer(name,join3(k8sBin,name))],description:localBuild(`${name} ${release.version}`)});images.push({name:component("kube-proxy",release.version),layers:[{tar:proxyTar},await binLayer("kube-proxy",join3(kindNodeBinDir(release,root),"kube-proxy"))],description:localBuild(`kube-proxy ${release.version}`)}),images.push({name:component("etcd",planes.etcdTag),layers:[busybox,await binLayer("etcd",join3(etcdBinDir(release.etcdVersion,root),"etcd"))],description:localBuild(`etcd ${release.etcdVersion}`)}),images.push({name:component("coredns",planes.corednsTag),layers:[busybox,await binLayer("coredns",join3(corednsBinDir(corednsVersion,root),"coredns"),"/coredns")],entrypoint:["/coredns"],description:localBuild(`CoreDNS ${corednsVersion}`)});for(let spec of standInImageSpecs())images.push({name:qualifiedImageName(spec.name),layers:[busybox],...spec.entrypoint?{entrypoint:spec.entrypoint}:{},cmd:spec.cmd??["sh"],description:spec.description});let archive=join3(work,"preloaded.tar"),t0=Date.now();await writeImageArchive(images,archive),log(`${images.length} images packed in ${formatSeconds(Date.now()-t0)}`),log(`${nodeImage}: assembling in build container ${builder}`),await docker(["run","-d","--name",builder,"--label",`${BUILDER_LABEL}=${process.pid}`,"--entrypoint","sleep",baseImage,"infinity"],env);let copies=[[join3(kubeletBinDir(release,root),"kubelet"),"/usr/bin/kubelet"],[kubeadm,"/usr/bin/kubeadm"],[join3(k8sBin,"kubectl"),"/usr/bin/kubectl"],...["containerd","containerd-shim-runc-v2","ctr"].map(b=>[join3(containerdBinDir(CONTAINERD_VERSION,root),b),`/usr/local/bin/${b}`]),[join3(criToolsBinDir(CRI_TOOLS_VERSION,root),"crictl"),"/usr/local/bin/crictl"]];for(let[source,target]of copies)await docker(["cp",source,`${builder}:${target}`],env);await docker(["exec","-i",builder,"sh","-c","cat > /kind/version"],env,{input:release.version}),await docker(["exec","-d",builder,"containerd"],env);let deadline=Date.now()+6e4;for(;(await execa("docker",["exec",builder,"ctr","version"],{env,reject:!1})).exitCode!==0;){if(Date.now()>deadline)throw new ImageBuildError(`containerd in ${builder} did not start in 60 s`);await new Promise(r=>setTimeout(r,500))}await docker(["exec","-i",builder,"ctr","--namespace=k8s.io","images","import","--label=io.cri-containerd.pinned=pinned","--no-unpack","--digests","-"],env,{inputFile:archive});for(let{standIn,qualified}of pinnedStandInNames())await docker(["exec",builder,"ctr","--namespace=k8s.io","images","tag","--force",qualifiedImageName(standIn),qualified],env);let listed=await docker(["exec",builder,"ctr","--namespace=k8s.io","images","list","-q"],env);await docker(["exec",builder,"sh","-c","pkill -x containerd; while pgrep -x containerd >/dev/null; do sleep 0.2; done"],env);let missing=preloaded.filter(name=>!listed.split(`
`).includes(name));if(missing.length)throw new ImageBuildError(`${missing.join(", ")} not in the node's containerd after the import:
${listed}`);await docker(["commit","--change",'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]',"--change","CMD []","--change",`LABEL dev.kaic.inputs=${inputs}`,"--change",`LABEL org.opencontainers.image.description="kaic local kind node image, Kubernetes ${release.version}"`,builder,nodeImage],env);let id=await imageId(nodeImage,env);log(`${nodeImage}: built (${id.slice(0,19)})`);let stale=await execa("docker",["image","ls","-q","--no-trunc","--filter","label=dev.kaic.local-image=true"],{env,reject:!1});for(let old of stale.stdout.split(`
`).filter(i=>i&&i!==id)){let tags=await execa("docker",["image","inspect","--format",'{{join .RepoTags " "}}',old],{env,reject:!1});(tags.stdout.trim()===""||tags.stdout.split(" ").every(t=>t!==baseImage&&t.startsWith(`${KIND_LOCAL_IMAGES.repository}/kind-base:`)))&&await execa("docker",["image","rm",old],{env,reject:!1})}return await recordBuiltImage(root,nodeImage,{id,inputs,preloaded}),{nodeImage,id,preloaded,controlPlane:planes,cached:!1}}finally{await execa("docker",["rm","-f","-v",builder],{env,reject:!1}),await rm2(work,{recursive:!0,force:!0})}}var BUILDER_LABEL="dev.kaic.image-build";async function removeImageBuilders(env){let listed=await execa("docker",["ps","-a","-q","--filter",`label=${BUILDER_LABEL}=${process.pid}`],{env:{...process.env,...env},reject:!1});for(let id of listed.stdout.split(`
`).filter(Boolean))await execa("docker",["rm","-f","-v",id],{env:{...process.env,...env},reject:!1})}export{requireDocker,buildAddonImage,buildKindImages,removeImageBuilders};
