import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  BuildError,
  RECIPES,
  binaryPaths,
  buildRecipe,
  buildWrapper,
  cacheDir,
  defaultRouteAddress,
  definedFeatureGates,
  downloadModule,
  downloadRelease,
  etcdBinDir,
  etcdRecipe,
  etcdReleaseFile,
  execa,
  findOnPath,
  freePort,
  goEnv,
  goVersion,
  isComplete,
  isExecutable,
  issueCertificate,
  kubeletBinDir,
  kubernetesBinDir,
  kubernetesReleaseFiles,
  kwokBinDir,
  kwokReleaseFiles,
  nodeBinaryPaths,
  parseGoMod,
  runChecks,
  writeStamp
} from "./chunk-DM634JXI.js";
import {
  require_dist
} from "./chunk-3YTTDGIJ.js";
import {
  assertPortFree,
  isProcessAlive,
  processCommandLine,
  sleep,
  terminateProcess,
  withLockFile
} from "./chunk-M32DOC7A.js";
import {
  RUN_ID_LABEL
} from "./chunk-62PC7QP5.js";
import {
  KWOK_NODE_ANNOTATION,
  SIMULATED_NODE_TAINT,
  waitFor
} from "./chunk-DW5F3YJO.js";
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  KWOK_VERSION,
  LOCAL_NODE_IMAGES,
  featureGatesFlag,
  isKubeconfigText,
  isKubernetesMinor,
  kubernetesRelease,
  runtimeConfigFlag,
  stagingVersion
} from "./chunk-J4JJAD2Y.js";
import {
  KubeConfig,
  ObjectCoreV1Api,
  ObjectVersionApi
} from "./chunk-ETKQSHAL.js";
import {
  UsageError,
  __toESM
} from "./chunk-WWHORE4U.js";

// src/providers/existing.ts
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
async function removeRunNamespaces(kc, runId, log, answerTimeoutMs = 15e3) {
  const core = kc.makeApiClient(ObjectCoreV1Api);
  const selector = `${RUN_ID_LABEL}=${runId}`;
  const later = `remove them later with kubectl delete namespaces -l ${selector}`;
  const left = await withTimeout(core.listNamespace({ labelSelector: selector }), answerTimeoutMs).then((l) => l.items.map((n) => n.metadata.name)).catch((error) => {
    log(`existing: cannot list this run's namespaces: ${error.message}; ${later}`);
    return [];
  });
  if (!left.length) return [];
  log(`existing: removing namespaces this run left: ${left.join(", ")}`);
  await Promise.all(
    left.map(
      (name) => withTimeout(core.deleteNamespace({ name }), answerTimeoutMs).catch(() => void 0)
    )
  );
  await waitFor(
    `namespaces ${left.join(", ")} to be deleted`,
    async () => (await core.listNamespace({ labelSelector: selector })).items.length === 0,
    18e4,
    1e3
  ).catch((error) => log(`existing: ${error.message}; ${later}`));
  return left;
}
var ExistingProvider = class {
  constructor(options) {
    this.options = options;
  }
  options;
  name = "existing";
  dir = null;
  kc = null;
  source() {
    const k = this.options.kubeconfig;
    const file = !k ? process.env.KUBECONFIG ? `KUBECONFIG ${process.env.KUBECONFIG}` : "the default kubeconfig" : isKubeconfigText(k) ? "the kubeconfig text given" : `--kubeconfig ${k}`;
    return this.options.context ? `${file}, context ${this.options.context}` : file;
  }
  async up() {
    const kc = new KubeConfig();
    const k = this.options.kubeconfig;
    try {
      if (!k) kc.loadFromDefault();
      else if (isKubeconfigText(k)) kc.loadFromString(k);
      else kc.loadFromFile(k);
    } catch (error) {
      throw new UsageError(`${this.source()}: not a kubeconfig: ${error.message}`);
    }
    if (this.options.context) {
      if (!kc.getContextObject(this.options.context)) {
        throw new UsageError(
          `${this.source()}: no context "${this.options.context}"; contexts: ${kc.getContexts().map((c) => c.name).join(", ")}`
        );
      }
      kc.setCurrentContext(this.options.context);
    }
    const cluster = kc.getCurrentCluster();
    if (!cluster) {
      throw new UsageError(
        `${this.source()}: no cluster to talk to (no current context); pass --kubeconfig and --context`
      );
    }
    let gitVersion;
    let minorText;
    try {
      const version = await withTimeout(
        kc.makeApiClient(ObjectVersionApi).getCode(),
        this.options.connectTimeoutMs ?? 15e3
      );
      gitVersion = version.gitVersion;
      minorText = `${version.major}.${version.minor.replace(/\D+$/, "")}`;
    } catch (error) {
      throw new UsageError(
        `${this.source()}: the API server ${cluster.server} does not answer (${error.message}); check that the cluster runs and that the kubeconfig names its address, or pass another --kubeconfig/--context`
      );
    }
    if (!isKubernetesMinor(minorText)) {
      throw new UsageError(
        `${this.source()}: the cluster runs Kubernetes ${gitVersion}; kaic knows ${KUBERNETES_MINORS.join(", ")}`
      );
    }
    this.kc = kc;
    this.dir = await mkdtemp(join(tmpdir(), "kaic-existing-"));
    const kubeconfigPath = join(this.dir, "kubeconfig");
    await writeFile(kubeconfigPath, kc.exportConfig(), { mode: 384 });
    this.options.onCreated?.({ type: "directory", path: this.dir });
    this.options.onCreated?.({ type: "run-namespaces", kubeconfigPath, runId: this.options.runId });
    const nodes = (await kc.makeApiClient(ObjectCoreV1Api).listNode()).items;
    const names = nodes.map((n) => n.metadata.name);
    const realContainerNodes = nodes.filter((n) => !n.metadata?.annotations?.[KWOK_NODE_ANNOTATION]).map((n) => n.metadata.name);
    this.options.log(
      `existing cluster ${kc.getCurrentContext()} (${cluster.server}): ${gitVersion}, ${names.length} nodes`
    );
    return {
      provider: "existing",
      name: kc.getCurrentContext(),
      kubeconfigPath,
      serverVersion: gitVersion,
      minor: minorText,
      nodes: names,
      capabilities: {
        realContainers: realContainerNodes.length === names.length,
        realContainerNodes,
        disposable: false,
        simulatedNodesTainted: false
      }
    };
  }
  /** Removes the namespaces this run's suites left, then the kubeconfig copy. */
  async down() {
    const kc = this.kc;
    this.kc = null;
    if (kc) await removeRunNamespaces(kc, this.options.runId, this.options.log);
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
    this.dir = null;
  }
};
function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${ms / 1e3} s`)), ms);
    })
  ]).finally(() => clearTimeout(timer));
}

// src/providers/kwok.ts
import { randomBytes } from "node:crypto";
import { existsSync as existsSync5 } from "node:fs";
import { cp, mkdir as mkdir4, readFile as readFile4, readdir as readdir2, rm as rm4, stat as stat2, writeFile as writeFile5 } from "node:fs/promises";
import { tmpdir as tmpdir3 } from "node:os";
import { basename, delimiter, dirname as dirname2, join as join7 } from "node:path";

// src/binaries/kubernetes.ts
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join as join2 } from "node:path";
async function buildKubernetes(release, log, root = cacheDir()) {
  return buildFromKubernetesModule(
    release,
    "kubernetes",
    kubernetesBinDir(release, root),
    ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl"],
    log,
    root
  );
}
async function buildKubelet(release, log, root = cacheDir()) {
  return buildFromKubernetesModule(
    release,
    "kubelet",
    kubeletBinDir(release, root),
    ["kubelet"],
    log,
    root
  );
}
async function buildFromKubernetesModule(release, component, outDir, binaries, log, root) {
  const env = goEnv(root);
  await mkdir(root, { recursive: true });
  if (await isComplete(outDir, binaries)) {
    log(`${component} ${release.version}: cached (${outDir})`);
    return false;
  }
  log(`${component} ${release.version}: reading k8s.io/kubernetes's go.mod from the module proxy`);
  const info = await downloadModule("k8s.io/kubernetes", release.version, env);
  const facts = parseGoMod(await readFile(info.GoMod, "utf8"));
  if (facts.stagingModules.length === 0) {
    throw new BuildError(`k8s.io/kubernetes ${release.version} go.mod lists no staging modules`);
  }
  const staging = stagingVersion(release);
  const apiserverInfo = await downloadModule("k8s.io/apiserver", staging, env);
  const apiInfo = await downloadModule("k8s.io/api", staging, env);
  const gates = await definedFeatureGates([
    join2(info.Dir, "pkg", "features"),
    join2(apiserverInfo.Dir, "pkg", "features")
  ]);
  const unknownGates = Object.keys(release.featureGates).filter((g) => !gates.has(g));
  if (unknownGates.length) {
    throw new BuildError(
      `the version table gives ${release.minor} feature gates that ${release.version} does not define: ${unknownGates.join(", ")} (src/versions/kubernetes.ts)`
    );
  }
  for (const groupVersion of Object.keys(release.runtimeConfig)) {
    const [group, version] = groupVersion.split("/");
    const dir = join2(apiInfo.Dir, (group ?? "").replace(/\.k8s\.io$/, ""), version ?? "");
    if (!existsSync(dir)) {
      throw new BuildError(
        `the version table enables ${groupVersion} on ${release.minor}, but k8s.io/api ${staging} has no such API version (src/versions/kubernetes.ts)`
      );
    }
  }
  log(
    `${component} ${release.version}: ${facts.stagingModules.length} staging modules pinned to ${staging}; gates ${Object.keys(release.featureGates).join(",") || "(none)"} exist`
  );
  const [, minorNumber] = release.minor.split(".");
  const versionVars = (pkg) => [
    `-X ${pkg}.gitVersion=${release.version}`,
    `-X ${pkg}.gitMajor=1`,
    `-X ${pkg}.gitMinor=${minorNumber}`,
    `-X ${pkg}.gitTreeState=clean`,
    `-X ${pkg}.buildDate=${(/* @__PURE__ */ new Date()).toISOString().replace(/\.\d+Z$/, "Z")}`
  ];
  return buildWrapper(
    {
      component,
      version: release.version,
      outDir,
      binaries,
      goDirective: facts.go,
      godebug: facts.godebug,
      requires: [["k8s.io/kubernetes", release.version]],
      replaces: facts.stagingModules.map((m) => [m, m, staging]),
      packages: binaries.map((b) => `k8s.io/kubernetes/cmd/${b}`),
      ldflags: [
        ...versionVars("k8s.io/component-base/version"),
        ...versionVars("k8s.io/client-go/pkg/version")
      ],
      tags: ["selinux", "notest"],
      verify: (dir) => runChecks(
        binaries.map((b) => ({
          versionOutput: {
            binary: b,
            args: b === "kubectl" ? ["version", "--client"] : ["--version"],
            expect: b === "kubectl" ? `Client Version: ${release.version}` : `Kubernetes ${release.version}`
          }
        })),
        dir
      )
    },
    root,
    log
  );
}
var CONTROL_PLANE_BINARIES = [
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kubectl"
];
async function downloadControlPlane(release, log, root, env) {
  const kwokFiles = kwokReleaseFiles(KWOK_VERSION);
  const sets = [
    {
      component: "kubernetes",
      version: release.version,
      dir: kubernetesBinDir(release, root),
      files: kubernetesReleaseFiles(release.version, CONTROL_PLANE_BINARIES)
    },
    {
      component: "etcd",
      version: release.etcdVersion,
      dir: etcdBinDir(release.etcdVersion, root),
      files: [etcdReleaseFile(release.etcdVersion)]
    },
    ...kwokFiles ? [
      {
        component: "kwok",
        version: KWOK_VERSION,
        dir: kwokBinDir(KWOK_VERSION, root),
        files: kwokFiles
      }
    ] : []
  ];
  for (const set of sets) {
    if (await isComplete(
      set.dir,
      set.files.map((f) => f.name)
    ))
      continue;
    const outcome = await downloadRelease(set.files, set.dir, { log, env });
    if ("skipped" in outcome) {
      log(`${set.component} ${set.version}: not downloaded (${outcome.skipped}); building it`);
      continue;
    }
    await writeStamp(set.dir, {
      component: set.component,
      version: set.version,
      builtAt: (/* @__PURE__ */ new Date()).toISOString(),
      goVersion: "none (downloaded)",
      seconds: Math.round(outcome.seconds),
      downloadedFrom: set.files.map((f) => f.url)
    });
  }
}
async function ensureBinaries(release, log, root = cacheDir(), options = {}) {
  if (options.download) await downloadControlPlane(release, log, root, options.env ?? process.env);
  const paths = binaryPaths(release, KWOK_VERSION, root);
  if (!Object.values(paths).every((path) => existsSync(path))) await goVersion();
  await buildKubernetes(release, log, root);
  await buildRecipe(etcdRecipe(release.etcdVersion), log, root);
  await buildRecipe(RECIPES.kwok, log, root);
  return paths;
}
async function ensureNodeBinaries(release, log, root = cacheDir()) {
  await goVersion();
  await buildKubelet(release, log, root);
  await buildRecipe(RECIPES.containerd, log, root);
  await buildRecipe(RECIPES.criTools, log, root);
  return nodeBinaryPaths(release, root);
}

// src/providers/real-node/real-node.ts
import { constants, existsSync as existsSync4 } from "node:fs";
import { access, mkdir as mkdir3, open, readFile as readFile3, rm as rm3, writeFile as writeFile4 } from "node:fs/promises";
import { join as join5 } from "node:path";
var import_yaml = __toESM(require_dist(), 1);

// src/providers/real-node/host.ts
import { existsSync as existsSync2 } from "node:fs";
import { readFile as readFile2, readdir, rmdir, stat, writeFile as writeFile2 } from "node:fs/promises";
import { join as join3 } from "node:path";
var RealNodeError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "RealNodeError";
  }
};
async function readMounts() {
  const text = await readFile2("/proc/self/mountinfo", "utf8");
  return text.trim().split("\n").map((line) => {
    const [left = "", right = ""] = line.split(" - ");
    const fields = left.split(" ");
    const [fsType = "", , superOptions = ""] = right.split(" ");
    const mountPoint = (fields[4] ?? "").replace(
      /\\(\d{3})/g,
      (_, o) => String.fromCharCode(parseInt(o, 8))
    );
    return { mountPoint, fsType, superOptions };
  });
}
async function cgroupMounts() {
  const mounts = await readMounts();
  const root = mounts.find((m) => m.mountPoint === "/sys/fs/cgroup");
  if (root?.fsType === "cgroup2") return { version: 2, mounts: ["/sys/fs/cgroup"] };
  const v1 = mounts.filter((m) => m.fsType === "cgroup").map((m) => m.mountPoint);
  const unified = mounts.filter((m) => m.fsType === "cgroup2").map((m) => m.mountPoint);
  return { version: 1, mounts: [...v1, ...unified] };
}
var V1_CONTROLLERS = ["cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer"];
async function findExecutable(names, dirs) {
  for (const name of names) {
    for (const dir of dirs) {
      if (existsSync2(join3(dir, name))) return join3(dir, name);
    }
  }
  return null;
}
var PATH_DIRS = () => (process.env.PATH ?? "").split(":").filter(Boolean);
async function checkHost(options = {}) {
  const problems = [];
  if (process.getuid?.() !== 0) {
    problems.push(
      "not root: kubelet and containerd manage mounts, cgroups and network namespaces (run as root, or start the cluster without the real node)"
    );
  }
  const filesystems = await readFile2("/proc/filesystems", "utf8").catch(() => "");
  if (!/\boverlay\b/.test(filesystems)) {
    problems.push(
      "the kernel offers no overlay filesystem, which containerd unpacks images onto (modprobe overlay)"
    );
  }
  if (!existsSync2("/dev/kmsg")) {
    problems.push("/dev/kmsg is missing: kubelet watches it for OOM kills");
  }
  const cgroups = await cgroupMounts();
  if (cgroups.version === 1) {
    const present = new Set(cgroups.mounts.flatMap((m) => m.split("/").pop()?.split(",") ?? []));
    const missing = V1_CONTROLLERS.filter((c) => !present.has(c));
    if (missing.length) {
      problems.push(
        `cgroup v1 controllers not mounted under /sys/fs/cgroup: ${missing.join(", ")}`
      );
    }
  }
  const runc = await findExecutable(
    ["runc"],
    ["/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin", ...PATH_DIRS()]
  );
  if (!runc) problems.push("runc is not installed (apt-get install runc)");
  let cniBinDir = "";
  for (const dir of ["/usr/lib/cni", "/opt/cni/bin"]) {
    if (["bridge", "host-local", "loopback"].every((p) => existsSync2(join3(dir, p)))) {
      cniBinDir = dir;
      break;
    }
  }
  if (!cniBinDir) {
    problems.push(
      "the CNI plugins bridge, host-local and loopback are not in /usr/lib/cni or /opt/cni/bin (apt-get install containernetworking-plugins)"
    );
  }
  for (const tool of ["ip", "iptables-save", "openssl", "tar", "umount"]) {
    if (!await findExecutable([tool], ["/usr/sbin", "/usr/bin", "/sbin", "/bin", ...PATH_DIRS()])) {
      problems.push(
        `${tool} is not installed (apt-get install iproute2 iptables openssl tar mount)`
      );
    }
  }
  problems.push(...await foreignKubelet(cgroups.mounts));
  if (problems.length) {
    throw new RealNodeError(
      `this machine cannot run the real test node:
  - ${problems.join("\n  - ")}`
    );
  }
  const status = await readFile2("/proc/self/status", "utf8");
  const capEff = BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(status)?.[1] ?? "0"}`);
  const CAP_SYS_RESOURCE = 24n;
  return {
    cgroupVersion: cgroups.version,
    cgroupMounts: cgroups.mounts,
    runc,
    cniBinDir,
    canLowerOomScore: (capEff >> CAP_SYS_RESOURCE & 1n) === 1n,
    nodeIp: options.nodeIp ?? await defaultRouteAddress().catch((error) => {
      throw new RealNodeError(
        `${error.message}: the API server reaches the kubelet on the node address. Bring up a network interface, or pass nodeIp.`
      );
    })
  };
}
async function foreignKubelet(mounts) {
  for (const entry of await readdir("/proc").catch(() => [])) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = (await readFile2(`/proc/${entry}/comm`, "utf8").catch(() => "")).trim();
    if (comm !== "kubelet") continue;
    const cmdline = await readFile2(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (!cmdline || !isProcessAlive(Number(entry))) continue;
    if (!cmdline.includes("/real-node/")) {
      return [
        `a kubelet that is not kaic's runs here (pid ${entry}): this machine is a Kubernetes node, and a second kubelet would share its cgroups and directories`
      ];
    }
  }
  if (!existsSync2(REAL_NODE_LOCK)) {
    const stray = mounts.map((m) => join3(m, PODS_CGROUP)).find((d) => existsSync2(d));
    if (stray) {
      return [
        `${stray} exists but no kaic real node owns it: another kubelet's pods may live there (remove it only if you know it is stale)`
      ];
    }
  }
  return [];
}
var REAL_NODE_LOCK = "/run/kaic-real-node.lock";
var REAL_NODE_BRIDGE = "kaic0";
var PODS_CGROUP = "kubepods";
var FIXED_HOST_PATHS = [
  "/var/lib/kubelet",
  "/var/log/containers",
  "/var/log/pods",
  "/run/containerd"
];
var KUBELET_SYSCTLS = ["vm/overcommit_memory", "kernel/panic", "kernel/panic_on_oops"];
async function readSysctls() {
  const values = {};
  for (const key of KUBELET_SYSCTLS) {
    values[key] = (await readFile2(`/proc/sys/${key}`, "utf8").catch(() => "")).trim();
  }
  return values;
}
async function restoreSysctls(values) {
  const changed = [];
  for (const [key, value] of Object.entries(values)) {
    if (!value) continue;
    const now = (await readFile2(`/proc/sys/${key}`, "utf8").catch(() => "")).trim();
    if (now !== value) {
      await writeFile2(`/proc/sys/${key}`, value).catch(() => void 0);
      changed.push(`${key.replace("/", ".")} ${now} \u2192 ${value}`);
    }
  }
  return changed;
}
var IPTABLES = ["iptables", "ip6tables"];
async function iptablesChains() {
  const chains = [];
  for (const tool of IPTABLES) {
    const result = await execa(`${tool}-save`, [], { reject: false });
    let table = "";
    for (const line of result.stdout.split("\n")) {
      if (line.startsWith("*")) table = line.slice(1);
      const chain = /^:(\S+)/.exec(line)?.[1];
      if (chain) chains.push(`${tool}/${table}/${chain}`);
    }
  }
  return chains;
}
function splitRule(rule) {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(
    (m) => m[1] !== void 0 ? m[1].replace(/\\(.)/g, "$1") : m[2]
  );
}
async function removeIptablesChains(chains) {
  for (const entry of chains) {
    const [tool, table, chain] = entry.split("/");
    const saved = await execa(`${tool}-save`, ["-t", table], { reject: false });
    for (const line of saved.stdout.split("\n")) {
      const args = splitRule(line);
      if (args[0] !== "-A" || !args.includes(chain) || args[1] === chain) continue;
      await execa(tool, ["-t", table, "-D", ...args.slice(1)], { reject: false });
    }
    await execa(tool, ["-t", table, "-F", chain], { reject: false });
    await execa(tool, ["-t", table, "-X", chain], { reject: false });
  }
}
async function unmountBelow(prefix) {
  const under = (await readMounts()).map((m) => m.mountPoint).filter((p) => p === prefix || p.startsWith(`${prefix}/`)).sort((a, b) => b.length - a.length);
  for (const mountPoint of under) {
    const result = await execa("umount", [mountPoint], { reject: false });
    if (result.exitCode !== 0) await execa("umount", ["--lazy", mountPoint], { reject: false });
  }
  return under;
}
async function cgroupPids(dir) {
  const pids = [];
  const own = await readFile2(join3(dir, "cgroup.procs"), "utf8").catch(() => "");
  pids.push(...own.split("\n").filter(Boolean).map(Number));
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) pids.push(...await cgroupPids(join3(dir, entry.name)));
  }
  return pids;
}
async function removeCgroupTree(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory()) await removeCgroupTree(join3(dir, entry.name));
  }
  await rmdir(dir).catch(() => void 0);
}
async function removeCgroups(mounts, name) {
  const roots = mounts.map((m) => join3(m, name)).filter((d) => existsSync2(d));
  for (const root of roots) {
    for (const pid of await cgroupPids(root)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
      }
    }
  }
  const left = [];
  for (const root of roots) {
    for (let attempt = 0; attempt < 20 && existsSync2(root); attempt++) {
      await removeCgroupTree(root);
      if (existsSync2(root)) await new Promise((r) => setTimeout(r, 100));
    }
    if (existsSync2(root)) left.push(root);
  }
  return left;
}
async function netnsSince(since) {
  const dir = "/run/netns";
  const names = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const info = await stat(join3(dir, name)).catch(() => null);
    if (info && info.mtimeMs >= since - 1e3 && name.startsWith("cni-"))
      names.push(join3(dir, name));
  }
  return names;
}

// src/providers/real-node/oci-image.ts
import { createHash } from "node:crypto";
import { existsSync as existsSync3 } from "node:fs";
import { chmod, copyFile, mkdir as mkdir2, mkdtemp as mkdtemp2, rename, rm as rm2, symlink, writeFile as writeFile3 } from "node:fs/promises";
import { tmpdir as tmpdir2 } from "node:os";
import { dirname, join as join4 } from "node:path";
import { gzipSync } from "node:zlib";
var ImageBuildError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "ImageBuildError";
  }
};
var OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
var OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
var OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
function sha256(data) {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}
async function findStaticBusybox() {
  for (const candidate of ["/bin/busybox", "/usr/bin/busybox"]) {
    if (!existsSync3(candidate)) continue;
    const file = await execa("file", ["-L", candidate], { reject: false });
    if (file.exitCode !== 0 || /statically linked|static-pie/.test(file.stdout)) return candidate;
  }
  throw new ImageBuildError(
    "no static busybox found (looked at /bin/busybox, /usr/bin/busybox): the real node builds its images from it. Install it: apt-get install busybox-static"
  );
}
async function makeRootfs(dir, busybox) {
  await mkdir2(join4(dir, "bin"), { recursive: true });
  await copyFile(busybox, join4(dir, "bin", "busybox"));
  await chmod(join4(dir, "bin", "busybox"), 493);
  const applets = (await execa(busybox, ["--list-full"])).stdout.split("\n").filter(Boolean);
  for (const applet of applets) {
    const path = join4(dir, applet);
    if (existsSync3(path)) continue;
    await mkdir2(dirname(path), { recursive: true });
    await symlink("/bin/busybox", path);
  }
  for (const d of ["dev", "proc", "sys", "etc", "root", "var", "run", "home"]) {
    await mkdir2(join4(dir, d), { recursive: true });
  }
  await mkdir2(join4(dir, "tmp"), { recursive: true });
  await chmod(join4(dir, "tmp"), 1023);
  await writeFile3(
    join4(dir, "etc", "passwd"),
    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"
  );
  await writeFile3(join4(dir, "etc", "group"), "root:x:0:\nnobody:x:65534:\n");
}
async function packLayer(dir) {
  const result = await execa(
    "tar",
    [
      "--sort=name",
      "--mtime=@0",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "--format=posix",
      "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
      "-C",
      dir,
      "-cf",
      "-",
      "."
    ],
    { encoding: "buffer", reject: false }
  );
  if (result.exitCode !== 0) {
    throw new ImageBuildError(
      `tar failed packing ${dir}: ${Buffer.from(result.stderr).toString()}`
    );
  }
  const tar = Buffer.from(result.stdout);
  return { tar, gz: gzipSync(tar, { level: 9 }) };
}
function architecture() {
  const map = { x64: "amd64", arm64: "arm64" };
  const arch = map[process.arch];
  if (!arch) throw new ImageBuildError(`no OCI architecture name for ${process.arch}`);
  return arch;
}
async function buildImageArchive(specs, archivePath, busybox) {
  const work = await mkdtemp2(join4(tmpdir2(), "kaic-image-"));
  try {
    const rootfs = join4(work, "rootfs");
    await makeRootfs(rootfs, busybox ?? await findStaticBusybox());
    const { tar, gz } = await packLayer(rootfs);
    const layout = join4(work, "layout");
    const blobs = join4(layout, "blobs", "sha256");
    await mkdir2(blobs, { recursive: true });
    const putBlob = async (data) => {
      const digest = sha256(data);
      await writeFile3(join4(blobs, digest.slice("sha256:".length)), data);
      return { digest, size: Buffer.byteLength(data) };
    };
    const layer = await putBlob(gz);
    const diffId = sha256(tar);
    const manifests = [];
    const digests = {};
    for (const spec of specs) {
      const config = JSON.stringify({
        architecture: architecture(),
        os: "linux",
        created: "1970-01-01T00:00:00Z",
        config: {
          Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
          ...spec.entrypoint ? { Entrypoint: spec.entrypoint } : {},
          Cmd: spec.cmd ?? ["sh"],
          Labels: {
            "dev.kaic.local-image": "true",
            "org.opencontainers.image.description": spec.description
          }
        },
        rootfs: { type: "layers", diff_ids: [diffId] }
      });
      const configBlob = await putBlob(config);
      const manifest = JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: OCI_CONFIG, ...configBlob },
        layers: [{ mediaType: OCI_LAYER_GZIP, ...layer }]
      });
      const manifestBlob = await putBlob(manifest);
      digests[spec.name] = manifestBlob.digest;
      manifests.push({
        mediaType: OCI_MANIFEST,
        ...manifestBlob,
        annotations: {
          "io.containerd.image.name": spec.name,
          "org.opencontainers.image.ref.name": spec.name.slice(spec.name.lastIndexOf(":") + 1)
        }
      });
    }
    await writeFile3(join4(layout, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile3(
      join4(layout, "index.json"),
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.index.v1+json",
        manifests
      })
    );
    const archive = await packLayer(layout);
    await mkdir2(dirname(archivePath), { recursive: true });
    const partial = `${archivePath}.partial`;
    await writeFile3(partial, archive.tar);
    await rename(partial, archivePath);
    return digests;
  } finally {
    await rm2(work, { recursive: true, force: true });
  }
}

// src/providers/real-node/real-node.ts
var REAL_NODE_LABEL = "kaic.dev/real-node";
function realNodeDir(clusterDir) {
  return join5(clusterDir, "real-node");
}
var RealNode = class {
  constructor(cluster, options = {}) {
    this.cluster = cluster;
    this.options = options;
    this.dir = realNodeDir(cluster.clusterDir);
    this.log = (line) => cluster.log(`real node: ${line}`);
  }
  cluster;
  options;
  dir;
  log;
  containerd = null;
  kubelet = null;
  stopPromise = null;
  started = false;
  get name() {
    return this.options.name ?? "real-node-0";
  }
  async start() {
    if (this.started) throw new RealNodeError(`real node ${this.name} is already started`);
    this.started = true;
    const t0 = Date.now();
    const host = await checkHost(this.options.nodeIp ? { nodeIp: this.options.nodeIp } : {});
    if (this.options.ociRuntime !== void 0) await requireExecutable(this.options.ociRuntime);
    const bin = await this.binaries();
    await this.takeMachineLock();
    await mkdir3(join5(this.dir, "logs"), { recursive: true });
    const state = {
      ownerPid: process.pid,
      startedAt: Date.now(),
      name: this.name,
      bridge: REAL_NODE_BRIDGE,
      sysctls: await readSysctls(),
      iptablesChainsBefore: await iptablesChains(),
      createdHostPaths: FIXED_HOST_PATHS.filter((p) => !existsSync4(p)),
      cgroupMounts: host.cgroupMounts
    };
    await writeFile4(join5(this.dir, "state.json"), `${JSON.stringify(state, null, 2)}
`);
    if (existsSync4(`/sys/class/net/${REAL_NODE_BRIDGE}`)) {
      throw new RealNodeError(
        `network interface ${REAL_NODE_BRIDGE} already exists: a real node from another run may still be up, or something else uses the name (remove it: ip link del ${REAL_NODE_BRIDGE})`
      );
    }
    const longestSocket = join5(
      this.dir,
      "kubelet",
      "plugins_registry",
      `${"d".repeat(16)}-reg.sock`
    );
    if (Buffer.byteLength(longestSocket) > 107) {
      throw new RealNodeError(
        `the real node's directory ${this.dir} is too long for the kubelet's plugin sockets (${Buffer.byteLength(longestSocket)} bytes with a driver's registration socket; the limit is 107): set KAIC_KWOK_WORKDIR (or TMPDIR) to a shorter path`
      );
    }
    const podCidr = this.options.podCidr ?? "10.244.0.0/24";
    await this.checkCidrFree(podCidr);
    const kubeletPort = await freePort(host.nodeIp);
    const info = {
      name: this.name,
      dir: this.dir,
      nodeIp: host.nodeIp,
      kubeletPort,
      containerdSocket: join5(this.dir, "containerd.sock"),
      kubeletRootDir: join5(this.dir, "kubelet"),
      pluginsRegistryDir: join5(this.dir, "kubelet", "plugins_registry"),
      pluginsDir: join5(this.dir, "kubelet", "plugins"),
      cdiDir: join5(this.dir, "cdi"),
      cgroupVersion: host.cgroupVersion,
      images: {},
      startSeconds: 0
    };
    this.log(
      `starting ${this.name} (${host.nodeIp}, cgroup v${host.cgroupVersion}, pods ${podCidr}) in ${this.dir}`
    );
    await this.startContainerd(bin, host, info, podCidr);
    info.images = await this.importImages(bin, info);
    await this.startKubelet(bin, host, info);
    await this.waitReady();
    info.startSeconds = (Date.now() - t0) / 1e3;
    this.log(`${this.name} Ready in ${info.startSeconds.toFixed(1)}s`);
    return info;
  }
  async stop() {
    if (!this.started) return;
    this.stopPromise ??= (async () => {
      const t0 = Date.now();
      await cleanupRealNode(this.cluster.clusterDir, this.log, {
        binaries: { ...nodeBinaryPaths(this.cluster.release), ...this.options.binaries }
      });
      this.log(`stopped and cleaned up in ${((Date.now() - t0) / 1e3).toFixed(1)}s`);
    })();
    return this.stopPromise;
  }
  async binaries() {
    const paths = { ...nodeBinaryPaths(this.cluster.release), ...this.options.binaries };
    const missing = Object.entries(paths).filter(([, p]) => !existsSync4(p));
    if (missing.length === 0) return paths;
    if (this.options.buildMissing === false) {
      throw new RealNodeError(
        `the real node's binaries are not built (missing ${missing.map(([k]) => k).join(", ")}); run: npm run k8s:build -- --node ${this.cluster.release.minor}`
      );
    }
    this.log("building kubelet, containerd and crictl (first run only; cached after)");
    const built = await ensureNodeBinaries(this.cluster.release, (l) => this.log(`  ${l}`));
    return { ...built, ...this.options.binaries };
  }
  async takeMachineLock() {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(REAL_NODE_LOCK, "wx");
        await handle.writeFile(`${JSON.stringify({ pid: process.pid, dir: this.dir })}
`);
        await handle.close();
        return;
      } catch (error) {
        if (error.code !== "EEXIST") throw error;
      }
      const holder = await lockHolder();
      if (holder && isProcessAlive(holder.pid)) throw realNodeTaken(holder);
      if (holder?.dir && existsSync4(join5(holder.dir, "state.json"))) {
        this.log(`cleaning up a real node whose owner (pid ${holder.pid}) is gone: ${holder.dir}`);
        await cleanupRealNode(join5(holder.dir, ".."), this.log, {
          binaries: nodeBinaryPaths(this.cluster.release)
        });
      }
      await rm3(REAL_NODE_LOCK, { force: true });
    }
    throw new RealNodeError(`could not take ${REAL_NODE_LOCK}`);
  }
  async checkCidrFree(cidr) {
    const result = await execa("ip", ["-j", "-4", "route", "show"], { reject: false });
    const routes = JSON.parse(result.stdout || "[]");
    const [net] = cidr.split("/");
    const prefix = (net ?? "").split(".").slice(0, 3).join(".");
    const clash = routes.find((r) => r.dst !== "default" && r.dst.startsWith(`${prefix}.`));
    if (clash) {
      throw new RealNodeError(
        `pod range ${cidr} overlaps the route ${clash.dst} (dev ${clash.dev ?? "?"}) on this machine; choose another with podCidr`
      );
    }
  }
  async startContainerd(bin, host, info, podCidr) {
    const d = this.dir;
    const runtime = this.options.ociRuntime ?? host.runc;
    for (const sub of ["containerd/root", "containerd/state", "cni/net.d", "cni/ipam", "cdi"]) {
      await mkdir3(join5(d, sub), { recursive: true });
    }
    await writeFile4(
      join5(d, "cni", "net.d", "10-kaic-bridge.conflist"),
      `${JSON.stringify(
        {
          cniVersion: "1.0.0",
          name: "kaic-real-node",
          plugins: [
            {
              type: "bridge",
              bridge: REAL_NODE_BRIDGE,
              isGateway: true,
              ipMasq: false,
              hairpinMode: true,
              ipam: {
                type: "host-local",
                ranges: [[{ subnet: podCidr }]],
                routes: [{ dst: "0.0.0.0/0" }],
                dataDir: join5(d, "cni", "ipam")
              }
            }
          ]
        },
        null,
        2
      )}
`
    );
    const config = [
      "version = 3",
      `root = '${d}/containerd/root'`,
      `state = '${d}/containerd/state'`,
      "",
      "[grpc]",
      `  address = '${info.containerdSocket}'`,
      "[ttrpc]",
      `  address = '${info.containerdSocket}.ttrpc'`,
      "",
      "[plugins.'io.containerd.cri.v1.images']",
      "  snapshotter = 'overlayfs'",
      "  [plugins.'io.containerd.cri.v1.images'.pinned_images]",
      `    sandbox = '${LOCAL_NODE_IMAGES.pause}'`,
      "",
      "[plugins.'io.containerd.cri.v1.runtime']",
      "  enable_cdi = true",
      `  cdi_spec_dirs = ['${info.cdiDir}']`,
      `  restrict_oom_score_adj = ${!host.canLowerOomScore}`,
      "  [plugins.'io.containerd.cri.v1.runtime'.containerd]",
      "    default_runtime_name = 'runc'",
      "    [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]",
      "      runtime_type = 'io.containerd.runc.v2'",
      "      [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]",
      `        BinaryName = '${runtime}'`,
      `        SystemdCgroup = false`,
      "  [plugins.'io.containerd.cri.v1.runtime'.cni]",
      `    bin_dirs = ['${host.cniBinDir}']`,
      `    conf_dir = '${d}/cni/net.d'`,
      "",
      "[plugins.'io.containerd.grpc.v1.cri']",
      "  stream_server_address = '127.0.0.1'",
      "  stream_server_port = '0'",
      ""
    ].join("\n");
    await writeFile4(join5(d, "containerd.toml"), config);
    if (!host.canLowerOomScore) {
      this.log(
        "no CAP_SYS_RESOURCE here: containerd keeps container oom_score_adj at or above its own"
      );
    }
    const logFile = join5(d, "logs", "containerd.log");
    this.containerd = execa(bin.containerd, ["--config", join5(d, "containerd.toml")], {
      // The runc shim is found on PATH.
      env: { PATH: `${join5(bin.containerdShim, "..")}:${process.env.PATH ?? ""}` },
      stdio: ["ignore", { file: logFile }, { file: logFile }],
      reject: false,
      cleanup: false
    });
    this.containerd.catch(() => void 0);
    await writeFile4(join5(d, "containerd.pid"), `${this.containerd.pid}
`);
    await this.waitFor(
      async () => {
        if (this.containerd?.exitCode !== null) {
          throw new RealNodeError(
            `containerd exited during start-up (exit ${this.containerd?.exitCode}):
${await logTail(logFile)}`
          );
        }
        const probe = await execa(bin.ctr, ["--address", info.containerdSocket, "version"], {
          reject: false
        });
        return probe.exitCode === 0;
      },
      "containerd to answer on its socket",
      logFile
    );
  }
  /** Builds the stand-in images and imports them under the names containerd's CRI looks up. */
  async importImages(bin, info) {
    const archive = join5(this.dir, "images.tar");
    const specs = [
      {
        name: LOCAL_NODE_IMAGES.pause,
        // Sleeps until stopped; exits at once on TERM (PID 1 gets no default signal handling).
        entrypoint: [
          "/bin/sh",
          "-c",
          'trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'
        ],
        description: "kaic local pause stand-in (busybox sh), not the upstream pause image"
      },
      ...Object.entries(LOCAL_NODE_IMAGES).filter(([role]) => role !== "pause").map(([, name]) => ({
        name,
        description: `kaic local stand-in named ${name}: a static busybox root filesystem`
      }))
    ];
    const digests = await buildImageArchive(specs, archive);
    const ctr = [bin.ctr, "--address", info.containerdSocket, "-n", "k8s.io"];
    const imported = await execa(ctr[0], [...ctr.slice(1), "images", "import", archive], {
      reject: false,
      all: true
    });
    if (imported.exitCode !== 0) {
      throw new RealNodeError(`ctr images import ${archive} failed:
${imported.all ?? ""}`);
    }
    const listed = await this.crictl(bin, info.containerdSocket, ["images", "-o", "json"]);
    const images = JSON.parse(listed).images;
    for (const spec of specs) {
      const short = spec.name;
      const qualified = images.flatMap((i) => i.repoTags).find(
        (t) => t === short || t.endsWith(`/${short.includes("/") ? short : `library/${short}`}`)
      );
      if (qualified && qualified !== short) {
        await execa(ctr[0], [
          ...ctr.slice(1),
          "images",
          "tag",
          "--force",
          short,
          qualified
        ]);
      }
      const check = await execa(
        bin.crictl,
        ["--runtime-endpoint", `unix://${info.containerdSocket}`, "inspecti", short],
        { reject: false }
      );
      if (check.exitCode !== 0) {
        throw new RealNodeError(
          `image ${short} is not visible to containerd's CRI after import: ${check.stderr.trim()}`
        );
      }
    }
    this.log(`images imported: ${specs.map((s) => s.name).join(", ")}`);
    return digests;
  }
  async crictl(bin, socket, args) {
    const result = await execa(bin.crictl, ["--runtime-endpoint", `unix://${socket}`, ...args], {
      reject: false,
      timeout: 6e4
    });
    if (result.exitCode !== 0) {
      throw new RealNodeError(`crictl ${args.join(" ")} failed: ${result.stderr.trim()}`);
    }
    return result.stdout;
  }
  async startKubelet(bin, host, info) {
    const d = this.dir;
    const pki = join5(this.cluster.clusterDir, "pki");
    await mkdir3(join5(d, "pki"), { recursive: true });
    await mkdir3(info.kubeletRootDir, { recursive: true });
    await this.issueClientCertificate(pki, join5(d, "pki"));
    const clusterKc = new KubeConfig();
    clusterKc.loadFromFile(this.cluster.kubeconfigPath);
    const server = clusterKc.getCurrentCluster()?.server;
    if (!server) throw new RealNodeError(`${this.cluster.kubeconfigPath} names no server`);
    await writeFile4(
      join5(d, "kubelet.kubeconfig"),
      (0, import_yaml.stringify)({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "kwok", cluster: { server, "certificate-authority": join5(pki, "ca.crt") } }
        ],
        users: [
          {
            name: this.name,
            user: {
              "client-certificate": join5(d, "pki", "node.crt"),
              "client-key": join5(d, "pki", "node.key")
            }
          }
        ],
        contexts: [{ name: "node", context: { cluster: "kwok", user: this.name } }],
        "current-context": "node"
      })
    );
    const config = {
      apiVersion: "kubelet.config.k8s.io/v1beta1",
      kind: "KubeletConfiguration",
      address: info.nodeIp,
      port: info.kubeletPort,
      readOnlyPort: 0,
      healthzPort: 0,
      containerRuntimeEndpoint: `unix://${info.containerdSocket}`,
      cgroupDriver: "cgroupfs",
      // cgroup v1 is in maintenance from 1.31 and refused by default from 1.35; this machine has it.
      failCgroupV1: false,
      failSwapOn: false,
      authentication: {
        anonymous: { enabled: false },
        webhook: { enabled: true },
        x509: { clientCAFile: join5(pki, "ca.crt") }
      },
      authorization: { mode: "Webhook" },
      // A test node on a shared disk: evict only when truly out of room, never GC our images.
      evictionHard: {
        "memory.available": "50Mi",
        "nodefs.available": "1%",
        "nodefs.inodesFree": "1%",
        "imagefs.available": "1%"
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      podLogsDir: join5(d, "pod-logs"),
      volumePluginDir: join5(d, "volume-plugins"),
      resolvConf: "",
      serializeImagePulls: false,
      nodeStatusUpdateFrequency: "4s",
      featureGates: this.cluster.release.featureGates
    };
    await writeFile4(join5(d, "kubelet.yaml"), (0, import_yaml.stringify)(config));
    const labels = {
      [REAL_NODE_LABEL]: "true",
      ...this.options.labels
    };
    const args = [
      `--config=${join5(d, "kubelet.yaml")}`,
      `--kubeconfig=${join5(d, "kubelet.kubeconfig")}`,
      `--root-dir=${info.kubeletRootDir}`,
      `--cert-dir=${join5(d, "kubelet-pki")}`,
      `--hostname-override=${this.name}`,
      `--node-ip=${info.nodeIp}`,
      `--node-labels=${Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",")}`,
      "--v=2"
    ];
    const logFile = join5(d, "logs", "kubelet.log");
    this.kubelet = execa(bin.kubelet, args, {
      stdio: ["ignore", { file: logFile }, { file: logFile }],
      reject: false,
      cleanup: false
    });
    this.kubelet.catch(() => void 0);
    await writeFile4(join5(d, "kubelet.pid"), `${this.kubelet.pid}
`);
  }
  /** A client certificate for system:node:<name> in system:nodes, signed by the cluster CA. */
  async issueClientCertificate(clusterPki, out) {
    try {
      await issueCertificate({
        caCert: join5(clusterPki, "ca.crt"),
        caKey: join5(clusterPki, "ca.key"),
        subject: `/O=system:nodes/CN=system:node:${this.name}`,
        dir: out,
        name: "node",
        usage: "client"
      });
    } catch (error) {
      throw new RealNodeError(error.message);
    }
  }
  async waitReady() {
    const kc = new KubeConfig();
    kc.loadFromFile(this.cluster.kubeconfigPath);
    const core = kc.makeApiClient(ObjectCoreV1Api);
    const logFile = join5(this.dir, "logs", "kubelet.log");
    await this.waitFor(
      async () => {
        if (this.kubelet?.exitCode !== null) {
          throw new RealNodeError(
            `kubelet exited during start-up (exit ${this.kubelet?.exitCode}):
${await logTail(logFile, 20)}`
          );
        }
        const node = await core.readNode({ name: this.name }).catch(() => null);
        return Boolean(
          node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !node.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/"))
        );
      },
      `node ${this.name} to turn Ready`,
      logFile
    );
  }
  async waitFor(check, what, logFile) {
    const timeoutMs = (this.options.startTimeoutSeconds ?? 120) * 1e3;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check()) return;
      await sleep(250);
    }
    throw new RealNodeError(
      `timed out after ${timeoutMs / 1e3}s waiting for ${what}; last lines of ${logFile}:
${await logTail(logFile, 15)}`
    );
  }
};
async function logTail(file, lines = 10) {
  const text = await readFile3(file, "utf8").catch(() => "");
  return text.trim().split("\n").slice(-lines).join("\n") || "(empty log)";
}
async function stopByPidFile(pidFile, expect, graceMs) {
  const pid = Number((await readFile3(pidFile, "utf8").catch(() => "")).trim());
  if (!pid) return;
  const cmdline = await processCommandLine(pid);
  if (cmdline?.includes(expect)) await terminateProcess(pid, graceMs);
}
async function shimPids(socket) {
  const pids = [];
  const { readdir: readdir3 } = await import("node:fs/promises");
  for (const entry of await readdir3("/proc")) {
    const pid = Number(entry);
    if (!pid) continue;
    const cmdline = await processCommandLine(pid);
    if (cmdline?.includes("containerd-shim") && cmdline.includes(socket)) pids.push(pid);
  }
  return pids;
}
async function cleanupRealNode(clusterDir, log, options) {
  const dir = realNodeDir(clusterDir);
  const statePath = join5(dir, "state.json");
  if (!existsSync4(statePath)) {
    await rm3(dir, { recursive: true, force: true });
    return;
  }
  const state = JSON.parse(await readFile3(statePath, "utf8"));
  const socket = join5(dir, "containerd.sock");
  await stopByPidFile(join5(dir, "kubelet.pid"), dir, 1e4);
  if (existsSync4(socket)) {
    const result = await execa(
      options.binaries.crictl,
      ["--runtime-endpoint", `unix://${socket}`, "--timeout", "20s", "rmp", "--all", "--force"],
      { reject: false, timeout: 9e4, all: true }
    );
    if (result.exitCode !== 0)
      log(`crictl rmp --all failed (cleaning up by hand): ${result.all ?? ""}`);
  }
  await stopByPidFile(join5(dir, "containerd.pid"), dir, 1e4);
  for (const pid of await shimPids(socket)) await terminateProcess(pid, 2e3);
  const leftovers = [];
  const mounts = state.cgroupMounts.length ? state.cgroupMounts : (await cgroupMounts()).mounts;
  leftovers.push(...await removeCgroups(mounts, PODS_CGROUP));
  for (const netns of await netnsSince(state.startedAt)) {
    await execa("umount", [netns], { reject: false });
    await rm3(netns, { force: true });
  }
  const unmounted = await unmountBelow(dir);
  if (unmounted.length) log(`unmounted ${unmounted.length} leftover mounts under ${dir}`);
  if (existsSync4(`/sys/class/net/${state.bridge}`)) {
    await execa("ip", ["link", "del", state.bridge], { reject: false });
  }
  const before = new Set(state.iptablesChainsBefore);
  const added = (await iptablesChains()).filter((c) => !before.has(c) && /\/KUBE-[^/]*$/.test(c));
  await removeIptablesChains(added);
  for (const path of state.createdHostPaths) {
    await unmountBelow(path);
    await rm3(path, { recursive: true, force: true });
  }
  const restored = await restoreSysctls(state.sysctls);
  if (restored.length) log(`sysctls restored: ${restored.join(", ")}`);
  const stillMounted = await unmountBelow(dir);
  if (stillMounted.length) leftovers.push(...stillMounted.map((m) => `mount ${m}`));
  await rm3(dir, { recursive: true, force: true }).catch((error) => {
    leftovers.push(`${dir}: ${error.message}`);
  });
  const lock = await readFile3(REAL_NODE_LOCK, "utf8").catch(() => "");
  if (lock.includes(dir)) await rm3(REAL_NODE_LOCK, { force: true });
  if (leftovers.length) {
    throw new RealNodeError(`real node cleanup left: ${leftovers.join("; ")}`);
  }
}
async function requireExecutable(path) {
  try {
    await access(path, constants.X_OK);
  } catch {
    throw new RealNodeError(`ociRuntime ${path} is not an executable file`);
  }
}
function lockHolder() {
  return readFile3(REAL_NODE_LOCK, "utf8").then((t) => JSON.parse(t)).catch(() => null);
}
function realNodeTaken(holder) {
  return new RealNodeError(
    `another real node is running on this machine (owner pid ${holder.pid}, ${holder.dir}); only one fits, because kubelet and containerd use machine-wide paths and cgroups`
  );
}
async function assertRealNodeFree() {
  const holder = await lockHolder();
  if (holder && isProcessAlive(holder.pid)) throw realNodeTaken(holder);
}

// src/providers/kwok-binaries.ts
import { join as join6 } from "node:path";
var BINARY_FILES = {
  etcd: "etcd",
  kubeApiserver: "kube-apiserver",
  kubeControllerManager: "kube-controller-manager",
  kubeScheduler: "kube-scheduler",
  kubectl: "kubectl",
  kwok: "kwok",
  kwokctl: "kwokctl"
};
var BIN_DIR_VARIABLE = "KAIC_KUBERNETES_BIN_DIR";
async function kubeApiserverMinor(file) {
  const result = await execa(file, ["--version"], { reject: false, timeout: 3e4 });
  const match = /v(\d+\.\d+)\.\d+/.exec(result.stdout ?? "");
  return match ? match[1] : null;
}
async function binariesFromDir(dir, release, source = BIN_DIR_VARIABLE) {
  const paths = Object.fromEntries(
    Object.entries(BINARY_FILES).map(([key, file]) => [key, join6(dir, file)])
  );
  const missing = Object.values(BINARY_FILES).filter((f) => !isExecutable(join6(dir, f)));
  if (missing.length) {
    throw new UsageError(
      `${source}=${dir} lacks ${missing.join(", ")} (it must hold ${Object.values(BINARY_FILES).join(", ")}); unset it to use kaic's cache and builds`
    );
  }
  const minor = await kubeApiserverMinor(paths.kubeApiserver);
  if (minor !== release.minor) {
    throw new UsageError(
      `${source}=${dir}: its kube-apiserver is ${minor ? `Kubernetes ${minor}` : "of unknown version"}, the run asks for ${release.minor}; point it at ${release.minor} binaries or pass --kubernetes-version ${minor ?? "<minor>"}`
    );
  }
  return paths;
}
async function binariesFromPath(release, pathVariable = process.env.PATH ?? "") {
  const found = {};
  for (const [key, file] of Object.entries(BINARY_FILES)) {
    const path = findOnPath(file, pathVariable);
    if (!path) return { reason: `${file} is not on PATH` };
    found[key] = path;
  }
  const paths = found;
  const minor = await kubeApiserverMinor(paths.kubeApiserver);
  if (minor !== release.minor) {
    return {
      reason: `${paths.kubeApiserver} is ${minor ? `Kubernetes ${minor}` : "of unknown version"}, not ${release.minor}`
    };
  }
  return { paths };
}

// src/providers/kwok.ts
var KwokStartError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "KwokStartError";
  }
};
var PortCollisionError = class extends Error {
};
var START_LOCK = join7(tmpdir3(), "kaic-kwok-start.lock");
function defaultKwokWorkdir(env = process.env) {
  return env.KAIC_KWOK_WORKDIR || join7(tmpdir3(), "kaic-kwok");
}
var KEPT_FAILED_LOGS = 10;
var DEFAULT_ALLOCATABLE = { cpu: "32", memory: "256Gi", pods: "110" };
var KwokProvider = class {
  constructor(options) {
    this.options = options;
    const base = kubernetesRelease(options.minor);
    this.release = {
      ...base,
      featureGates: { ...base.featureGates, ...options.overrides?.featureGates },
      runtimeConfig: { ...base.runtimeConfig, ...options.overrides?.runtimeConfig }
    };
    this.workdir = options.workdir ?? defaultKwokWorkdir();
    this.log = options.log ?? (() => void 0);
    for (const group of options.nodeGroups) {
      if (!Number.isInteger(group.count) || group.count < 0) {
        throw new Error(
          `node group "${group.namePrefix}": count must be a whole number \u2265 0, got ${group.count}`
        );
      }
    }
  }
  options;
  name = "kwok";
  release;
  workdir;
  log;
  clusterName = null;
  downPromise = null;
  realNode = null;
  clusterDir(name) {
    return join7(this.workdir, "clusters", name);
  }
  ownerPath(name) {
    return join7(this.workdir, "owners", `${name}.json`);
  }
  kwokEnv() {
    return { ...process.env, KWOK_WORKDIR: this.workdir };
  }
  async up() {
    if (this.clusterName) throw new Error(`cluster ${this.clusterName} is already up`);
    const started = Date.now();
    const realNodeOptions = this.options.realNode === true ? {} : this.options.realNode || null;
    if (realNodeOptions) {
      await checkHost(realNodeOptions.nodeIp ? { nodeIp: realNodeOptions.nodeIp } : {});
    }
    const binaries = await this.binaries();
    await removeStaleClusters(this.workdir, binaries.kwokctl, this.log);
    if (this.options.apiserverPort) {
      await assertPortFree(this.options.apiserverPort, "127.0.0.1", "kube-apiserver");
    }
    let name = await this.claimName(binaries.kwokctl);
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await withLockFile(START_LOCK, () => this.createControlPlane(name, binaries), {
            onWait: (pid) => this.log(`kwok: waiting for another cluster start to finish (pid ${pid})`)
          });
          break;
        } catch (error) {
          if (!(error instanceof PortCollisionError) || attempt >= 2) throw error;
          this.log(`kwok: ${error.message}; retrying under a new name`);
          await deleteCluster(this.workdir, name, binaries.kwokctl, this.log);
          name = await this.claimName(binaries.kwokctl);
        }
      }
      const kubeconfigPath = join7(this.clusterDir(name), "kubeconfig.yaml");
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      const serverVersion = (await kc.makeApiClient(ObjectVersionApi).getCode()).gitVersion;
      this.log(
        `kwok: cluster ${name} up: kube-apiserver ${serverVersion} at ${kc.getCurrentCluster()?.server}`
      );
      const nodes = await this.createNodes(kc);
      this.log(`kwok: ${nodes.length} simulated nodes Ready`);
      let realNode;
      if (realNodeOptions) {
        this.realNode = new RealNode(
          {
            clusterDir: this.clusterDir(name),
            kubeconfigPath,
            release: this.release,
            log: this.log
          },
          realNodeOptions
        );
        realNode = await this.realNode.start();
      }
      this.log(`kwok: cluster ready in ${((Date.now() - started) / 1e3).toFixed(1)}s`);
      return {
        provider: "kwok",
        name,
        kubeconfigPath,
        serverVersion,
        minor: this.release.minor,
        nodes: realNode ? [...nodes, realNode.name] : nodes,
        ca: {
          cert: join7(this.clusterDir(name), "pki", "ca.crt"),
          key: join7(this.clusterDir(name), "pki", "ca.key")
        },
        capabilities: {
          realContainers: false,
          realContainerNodes: realNode ? [realNode.name] : [],
          disposable: true,
          simulatedNodesTainted: this.options.simulatedNodeTaint !== false
        },
        ...realNode ? { realNode } : {}
      };
    } catch (error) {
      const kept = await this.keepLogs(name);
      await this.down();
      if (kept && error instanceof Error) error.message += `
(component logs kept in ${kept})`;
      throw error;
    }
  }
  /** Copies a failed cluster's component logs out of its directory before it is deleted. */
  async keepLogs(name) {
    const from = join7(this.clusterDir(name), "logs");
    if (!existsSync5(from)) return null;
    const keptDir = join7(this.workdir, "failed-logs");
    const to = join7(keptDir, name);
    await cp(from, to, { recursive: true }).catch(() => void 0);
    const kept = await readdir2(keptDir, { withFileTypes: true });
    const byAge = await Promise.all(
      kept.map(async (d) => ({
        path: join7(keptDir, d.name),
        mtime: (await stat2(join7(keptDir, d.name))).mtimeMs
      }))
    );
    for (const old of byAge.sort((a, b) => b.mtime - a.mtime).slice(KEPT_FAILED_LOGS)) {
      await rm4(old.path, { recursive: true, force: true });
    }
    return existsSync5(to) ? to : null;
  }
  /** A fresh unique name, recorded as ours before kwokctl creates anything under it. */
  async claimName(kwokctl) {
    const name = `kaic-${this.release.minor.replace(".", "")}-${randomBytes(3).toString("hex")}`;
    this.clusterName = name;
    const owner = {
      pid: process.pid,
      name,
      minor: this.release.minor,
      createdAt: (/* @__PURE__ */ new Date()).toISOString()
    };
    await mkdir4(join7(this.workdir, "owners"), { recursive: true });
    await writeFile5(this.ownerPath(name), `${JSON.stringify(owner)}
`);
    this.options.onCreated?.({ type: "kwok-cluster", workdir: this.workdir, name, kwokctl });
    return name;
  }
  async down() {
    if (!this.clusterName) return;
    this.downPromise ??= (async () => {
      const name = this.clusterName;
      const started = Date.now();
      await this.realNode?.stop().catch((error) => this.log(`kwok: ${error.message}`));
      const kwokctl = this.options.binaries?.kwokctl ?? binaryPaths(this.release, KWOK_VERSION).kwokctl;
      await deleteCluster(this.workdir, name, kwokctl, this.log);
      this.log(`kwok: cluster ${name} deleted in ${((Date.now() - started) / 1e3).toFixed(1)}s`);
    })();
    return this.downPromise;
  }
  async binaries() {
    const binDir = process.env[BIN_DIR_VARIABLE];
    if (binDir) {
      const fromDir = await binariesFromDir(binDir, this.release);
      this.log(
        `kwok: Kubernetes ${this.release.minor} binaries from ${BIN_DIR_VARIABLE}=${binDir}`
      );
      return { ...fromDir, ...this.options.binaries };
    }
    const paths = { ...binaryPaths(this.release, KWOK_VERSION), ...this.options.binaries };
    const missing = Object.values(paths).filter((p) => !existsSync5(p));
    if (missing.length === 0) return paths;
    const onPath = await binariesFromPath(this.release);
    if ("paths" in onPath) {
      this.log(
        `kwok: Kubernetes ${this.release.minor} binaries from PATH (${dirname2(onPath.paths.kubeApiserver)})`
      );
      return { ...onPath.paths, ...this.options.binaries };
    }
    if (this.options.buildMissing === false) {
      throw new KwokStartError(
        `Kubernetes ${this.release.minor} binaries are not built yet (missing ${missing.map((p) => basename(p)).join(", ")} under ${cacheDir()}; not from PATH: ${onPath.reason}); run: npm run k8s:build -- ${this.release.minor}`
      );
    }
    this.log(
      `kwok: downloading or building Kubernetes ${this.release.minor} binaries (first run only; cached after)`
    );
    const built = await ensureBinaries(this.release, (line) => this.log(`  ${line}`), cacheDir(), {
      download: true
    });
    return { ...built, ...this.options.binaries };
  }
  async createControlPlane(name, bin) {
    const timeout = this.options.startTimeoutSeconds ?? 120;
    const args = [
      "create",
      "cluster",
      "--name",
      name,
      "--runtime",
      "binary",
      // Never touch the user's ~/.kube/config: the handle carries its own kubeconfig.
      "--kubeconfig",
      "",
      "--etcd-binary",
      bin.etcd,
      "--kube-apiserver-binary",
      bin.kubeApiserver,
      "--kube-controller-manager-binary",
      bin.kubeControllerManager,
      "--kube-scheduler-binary",
      bin.kubeScheduler,
      "--kwok-controller-binary",
      bin.kwok,
      "--disable-qps-limits",
      ...extraArgsFlags({
        // kwok simulates only the nodes we create for it (annotated), never a real kubelet's node.
        "kwok-controller": [
          ["manage-all-nodes", "false"],
          [
            "manage-nodes-with-annotation-selector",
            `${KWOK_NODE_ANNOTATION}=${this.options.kwokNodeValue ?? "fake"}`
          ]
        ],
        // The HPA acts every 5 s instead of every 15 s: an interval kaic chooses for its own
        // cluster, so pod_autoscaling decides sooner; the suite assumes no interval (docs/suites.md).
        "kube-controller-manager": [["horizontal-pod-autoscaler-sync-period", "5s"]],
        // The API server reaches kubelets (logs, exec) by node address, as a cluster admin.
        "kube-apiserver": [
          ["kubelet-preferred-address-types", "InternalIP"],
          ["kubelet-client-certificate", join7(this.clusterDir(name), "pki", "admin.crt")],
          ["kubelet-client-key", join7(this.clusterDir(name), "pki", "admin.key")]
        ]
      }),
      "--timeout",
      `${timeout}s`,
      "--wait",
      `${timeout}s`
    ];
    const gates = featureGatesFlag(this.release);
    const runtimeConfig = runtimeConfigFlag(this.release);
    if (gates) args.push("--kube-feature-gates", gates);
    if (runtimeConfig) args.push("--kube-runtime-config", runtimeConfig);
    if (this.options.apiserverPort)
      args.push("--kube-apiserver-port", String(this.options.apiserverPort));
    this.log(
      `kwok: starting control plane ${this.release.version} as ${name}` + (gates ? ` (gates ${gates}` : " (no gates") + (runtimeConfig ? `; runtime-config ${runtimeConfig})` : ")")
    );
    let output = "";
    const child = execa(bin.kwokctl, args, {
      // kwokctl runs the first kubectl on PATH to see the apiserver serve; make it ours.
      env: {
        ...this.kwokEnv(),
        PATH: `${dirname2(bin.kubectl)}${delimiter}${process.env.PATH ?? ""}`
      },
      reject: false,
      all: true,
      buffer: false,
      // kwokctl forks the components itself; keep them out of our process group's signals so
      // a Ctrl-C reaches us first and we tear down in order.
      detached: false
    });
    child.all?.on("data", (chunk) => {
      output += chunk.toString();
    });
    let deadComponent = null;
    const watcher = (async () => {
      while (child.exitCode === null && deadComponent === null) {
        await sleep(500);
        deadComponent = await this.findDeadComponent(name);
        if (deadComponent) child.kill("SIGTERM");
      }
    })();
    const result = await child;
    await watcher;
    if (result.exitCode !== 0 || deadComponent) {
      const logs = await this.componentLogTails(name, deadComponent);
      if (/address already in use/.test(logs)) {
        throw new PortCollisionError(`a port kwokctl picked for ${name} was taken meanwhile`);
      }
      const why = deadComponent ? `${deadComponent} exited during start-up` : `kwokctl create cluster failed (exit ${result.exitCode ?? result.signal})`;
      throw new KwokStartError(
        `Kubernetes ${this.release.version} control plane did not start: ${why}.
${logs}
kwokctl said:
${summariseKwokctl(output)}`
      );
    }
  }
  /** The first component whose pid file names a process that has exited. */
  async findDeadComponent(name) {
    const pidsDir = join7(this.clusterDir(name), "pids");
    if (!existsSync5(pidsDir)) return null;
    for (const file of await readdir2(pidsDir)) {
      const pid = Number((await readFile4(join7(pidsDir, file), "utf8").catch(() => "")).trim());
      if (pid && !isProcessAlive(pid)) return file.replace(/\.pid$/, "");
    }
    return null;
  }
  /** Log tails, the failed component's first and longest. */
  async componentLogTails(name, failed) {
    const logsDir = join7(this.clusterDir(name), "logs");
    if (!existsSync5(logsDir)) return "(no component logs were written)";
    const files = (await readdir2(logsDir)).sort(
      (a, b) => a.startsWith(`${failed}.`) ? -1 : b.startsWith(`${failed}.`) ? 1 : a.localeCompare(b)
    );
    const parts = [];
    for (const file of files) {
      const text = await readFile4(join7(logsDir, file), "utf8").catch(() => "");
      const lines = file.startsWith(`${failed}.`) ? 20 : 3;
      parts.push(`--- ${file} (last ${lines} lines) ---
${tailLines(text, lines)}`);
    }
    return parts.join("\n");
  }
  async createNodes(kc) {
    const core = kc.makeApiClient(ObjectCoreV1Api);
    const names = [];
    for (const group of this.options.nodeGroups) {
      const allocatable = { ...DEFAULT_ALLOCATABLE, ...group.allocatable };
      for (let i = 0; i < group.count; i++) {
        const nodeName = `${group.namePrefix}-${i}`;
        const body = {
          apiVersion: "v1",
          kind: "Node",
          metadata: {
            name: nodeName,
            labels: {
              "kubernetes.io/hostname": nodeName,
              "kubernetes.io/os": "linux",
              "kubernetes.io/arch": "amd64",
              type: "kwok",
              ...group.labels
            },
            annotations: {
              [KWOK_NODE_ANNOTATION]: this.options.kwokNodeValue ?? "fake",
              ...group.annotations
            }
          },
          spec: {
            taints: [
              ...this.options.simulatedNodeTaint === false ? [] : [{ ...SIMULATED_NODE_TAINT, value: this.options.kwokNodeValue ?? "fake" }],
              ...(group.taints ?? []).map((t) => ({ ...t }))
            ]
          },
          status: { allocatable, capacity: allocatable }
        };
        await core.createNode({ body });
        names.push(nodeName);
      }
    }
    await waitFor2(
      async () => {
        const list = await core.listNode();
        const ready = list.items.filter(
          (n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") && !n.spec?.taints?.some((t) => t.key.startsWith("node.kubernetes.io/"))
        );
        return names.every((n) => ready.some((r) => r.metadata?.name === n));
      },
      6e4,
      `kwok did not mark nodes ${names.join(", ")} Ready`
    );
    return names;
  }
};
function extraArgsFlags(byComponent) {
  const components = Object.keys(byComponent);
  const ordered = [
    ...components.flatMap((c) => (byComponent[c] ?? []).slice(0, 1).map((a) => [c, a])),
    ...components.flatMap((c) => (byComponent[c] ?? []).slice(1).map((a) => [c, a]))
  ];
  return ordered.flatMap(([component, [key, value]]) => [
    "--extra-args",
    `${component}=${key}=${value}`
  ]);
}
function parseMinorOr(minor) {
  return minor && isKubernetesMinor(minor) ? minor : DEFAULT_TEST_MINOR;
}
function summariseKwokctl(output) {
  const lines = [];
  for (const line of output.trim().split("\n")) {
    try {
      const entry = JSON.parse(line);
      if (entry.level === "WARN" || entry.level === "ERROR") {
        lines.push(`${entry.level} ${entry.msg ?? ""}${entry.err ? `: ${entry.err.trim()}` : ""}`);
      }
    } catch {
      if (line.trim()) lines.push(line);
    }
  }
  return lines.slice(-8).join("\n") || "(nothing)";
}
function tailLines(text, lines) {
  return text.trim().split("\n").slice(-lines).join("\n");
}
async function waitFor2(check, timeoutMs, message) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new KwokStartError(`${message} within ${timeoutMs / 1e3}s`);
}
async function deleteCluster(workdir, name, kwokctl, log) {
  const dir = join7(workdir, "clusters", name);
  const owner = await readFile4(join7(workdir, "owners", `${name}.json`), "utf8").then((t) => JSON.parse(t)).catch(() => null);
  await cleanupRealNode(dir, log, {
    binaries: nodeBinaryPaths(kubernetesRelease(parseMinorOr(owner?.minor)))
  }).catch((error) => log(`kwok: ${error.message}`));
  if (existsSync5(kwokctl) && existsSync5(dir)) {
    const result = await execa(
      kwokctl,
      // kwokctl insists on a kubeconfig to remove the context from; give it a throwaway one.
      [
        "delete",
        "cluster",
        "--name",
        name,
        "--kubeconfig",
        join7(workdir, "owners", `${name}.kubeconfig`)
      ],
      { env: { ...process.env, KWOK_WORKDIR: workdir }, reject: false, all: true }
    );
    if (result.exitCode !== 0) {
      log(
        `kwok: kwokctl delete cluster ${name} failed, cleaning up by hand: ${tailLines(result.all ?? "", 3)}`
      );
    }
  }
  const pidsDir = join7(dir, "pids");
  if (existsSync5(pidsDir)) {
    for (const file of await readdir2(pidsDir)) {
      const pid = Number((await readFile4(join7(pidsDir, file), "utf8").catch(() => "")).trim());
      const cmdline = pid ? await processCommandLine(pid) : null;
      if (cmdline && cmdline.includes(dir)) await terminateProcess(pid);
    }
  }
  await rm4(dir, { recursive: true, force: true });
  await rm4(join7(workdir, "owners", `${name}.json`), { force: true });
  await rm4(join7(workdir, "owners", `${name}.kubeconfig`), { force: true });
}
async function removeStaleClusters(workdir, kwokctl, log) {
  const removed = [];
  const ownersDir = join7(workdir, "owners");
  const clustersDir = join7(workdir, "clusters");
  const owned = /* @__PURE__ */ new Map();
  if (existsSync5(ownersDir)) {
    for (const file of await readdir2(ownersDir)) {
      if (!file.endsWith(".json")) continue;
      const record = await readFile4(join7(ownersDir, file), "utf8").then((t) => JSON.parse(t)).catch(() => null);
      owned.set(file.replace(/\.json$/, ""), record);
    }
  }
  const names = new Set(owned.keys());
  if (existsSync5(clustersDir)) for (const d of await readdir2(clustersDir)) names.add(d);
  for (const name of names) {
    const record = owned.get(name);
    const alive = record ? record.pid !== process.pid && isProcessAlive(record.pid) : false;
    if (alive || record?.pid === process.pid) continue;
    log(
      `kwok: removing stale cluster ${name}` + (record ? ` (its owner pid ${record.pid} is gone)` : " (no owner record)")
    );
    await deleteCluster(workdir, name, kwokctl, log);
    removed.push(name);
  }
  return removed;
}

// src/util/undo-log.ts
var UndoLog = class {
  constructor(log) {
    this.log = log;
  }
  log;
  steps = [];
  unwinding = null;
  /** Registers an undo; after unwinding began it runs at once (what a late step created goes too). */
  push(what, undo) {
    if (this.unwinding) {
      this.unwinding = this.unwinding.then(() => this.runStep({ what, undo }));
      return;
    }
    this.steps.push({ what, undo });
  }
  get size() {
    return this.steps.length;
  }
  /**
   * Runs every step newest first; a step that throws is logged and the others still run. Calling
   * it again (a signal during the teardown) waits for the same unwinding.
   */
  unwind() {
    return this.unwinding ??= (async () => {
      while (this.steps.length) await this.runStep(this.steps.pop());
    })();
  }
  async runStep(step) {
    try {
      await step.undo();
    } catch (error) {
      this.log(`${step.what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
};

export {
  removeRunNamespaces,
  ExistingProvider,
  checkHost,
  assertRealNodeFree,
  KwokProvider,
  deleteCluster,
  UndoLog
};
