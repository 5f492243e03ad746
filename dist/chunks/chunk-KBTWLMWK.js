import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  fakegpuManifests
} from "./chunk-W6DAHXTN.js";
import {
  isHttpUrl
} from "./chunk-OYMJ6T6V.js";
import {
  INSTALL_LABEL,
  JOBSET,
  JOBSET_RECIPE,
  KUEUE,
  KUEUE_RECIPE,
  MODULE_COPIES,
  RECIPES,
  buildRecipe,
  chartCopy,
  chartDir,
  chartInstall,
  copyFromModule,
  defaultRouteAddress,
  execa,
  freePort,
  gatewayApiDir,
  installLabelled,
  installOptions,
  issueCertificate,
  jobsetDir,
  karpenterDir,
  kueueDir,
  kwokBinDir,
  prometheusAdapterDir,
  prometheusDir,
  removeChart,
  singleContainerDeployment,
  traefikDir
} from "./chunk-DM634JXI.js";
import {
  KAIC_VERSION
} from "./chunk-ETTCBZFC.js";
import {
  require_dist
} from "./chunk-3YTTDGIJ.js";
import {
  assertPortFree
} from "./chunk-M32DOC7A.js";
import {
  DcgmExporter
} from "./chunk-OEEHFPHV.js";
import {
  DraObjects,
  GPU_PROFILES,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  MAX_GPUS_PER_NODE,
  PROFILE_LABEL,
  gpuProfile
} from "./chunk-FCORZ63V.js";
import {
  ApiError,
  applyJson,
  getJson,
  postJson
} from "./chunk-ARFH6SL4.js";
import {
  KWOK_NODE_ANNOTATION,
  SIMULATED_NODE_TAINT,
  WaitAborted,
  waitFor
} from "./chunk-DW5F3YJO.js";
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  KWOK_VERSION,
  isKubeconfigText,
  parseKubernetesMinor
} from "./chunk-J4JJAD2Y.js";
import {
  KubeConfig,
  KubernetesObjectApi,
  ObjectAdmissionregistrationV1Api,
  ObjectApiextensionsV1Api,
  ObjectApiregistrationV1Api,
  ObjectCoreV1Api,
  ObjectCustomObjectsApi
} from "./chunk-ETKQSHAL.js";
import {
  LEVELS
} from "./chunk-NKKDUV5A.js";
import {
  UsageError,
  __toESM
} from "./chunk-WWHORE4U.js";

// src/config/run-config.ts
import { existsSync as existsSync7, readFileSync, statSync } from "node:fs";
import { dirname as dirname2, resolve } from "node:path";
import { parseArgs } from "node:util";

// src/addons/ai-operator/index.ts
import { join as join3 } from "node:path";

// src/addons/types.ts
function defineAddon(addon) {
  return addon;
}

// src/addons/ai-operator/beside-cluster.ts
import { existsSync } from "node:fs";
import { mkdir, readFile as readFile3, readdir as readdir2, writeFile } from "node:fs/promises";
import { join as join2 } from "node:path";
var import_yaml2 = __toESM(require_dist(), 1);

// src/k8s/crds.ts
import { readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
var import_yaml = __toESM(require_dist(), 1);
async function applyCrdDirectory(kc, dir, options) {
  const names = [];
  const files = (await readdir(dir)).filter(
    (f) => /\.ya?ml$/.test(f) && (options.accept?.(f) ?? true)
  );
  for (const file of files.sort()) {
    for (const doc of (0, import_yaml.parseAllDocuments)(await readFile(join(dir, file), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition" || !crd.metadata?.name) continue;
      if (options.labels) crd.metadata.labels = { ...crd.metadata.labels, ...options.labels };
      await applyJson(
        kc,
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`,
        crd
      );
      names.push(crd.metadata.name);
    }
  }
  const ext = kc.makeApiClient(ObjectApiextensionsV1Api);
  await waitFor(
    `${names.length} ${options.what} CRDs Established`,
    async () => {
      for (const name of names) {
        const crd = await ext.readCustomResourceDefinition({ name });
        const established = crd.status?.conditions?.some(
          (c) => c.type === "Established" && c.status === "True"
        );
        if (!established) return void 0;
      }
      return true;
    },
    6e4
  );
  return names;
}
async function deleteCrdsByLabel(kc, labelSelector, what) {
  const ext = kc.makeApiClient(ObjectApiextensionsV1Api);
  for (const crd of (await ext.listCustomResourceDefinition({ labelSelector })).items) {
    const name = crd.metadata?.name;
    if (name) await ext.deleteCustomResourceDefinition({ name }).catch(() => void 0);
  }
  await waitFor(
    `${what} CRDs removed`,
    async () => (await ext.listCustomResourceDefinition({ labelSelector })).items.length === 0,
    12e4
  );
}
async function deleteWebhookConfigurations(kc, labelSelector) {
  const admission = kc.makeApiClient(ObjectAdmissionregistrationV1Api);
  await admission.deleteCollectionMutatingWebhookConfiguration({ labelSelector }).catch(() => void 0);
  await admission.deleteCollectionValidatingWebhookConfiguration({ labelSelector }).catch(() => void 0);
}

// src/addons/process.ts
import { readFile as readFile2 } from "node:fs/promises";
function spawnLogged(file, args, options) {
  const child = execa(file, args, {
    ...options.env ? { env: options.env } : {},
    ...options.cwd ? { cwd: options.cwd } : {},
    stdio: ["ignore", { file: options.logFile }, { file: options.logFile }],
    reject: false,
    cleanup: true
  });
  child.catch(() => void 0);
  return child;
}
async function waitProcessReady(child, name, where, logFile, ready, timeoutMs) {
  await waitFor(
    `${name} ready on ${where}`,
    async () => {
      if (child.exitCode !== null) {
        const tail = (await readFile2(logFile, "utf8").catch(() => "")).slice(-2e3);
        throw new WaitAborted(`${name} exited with ${child.exitCode}; its log ends:
${tail}`);
      }
      return await ready() ? true : void 0;
    },
    timeoutMs
  );
}
async function answersOk(url) {
  const res = await fetch(url).catch(() => null);
  return Boolean(res?.ok);
}
async function stopProcess(child, graceMs = 1e4) {
  if (!child || child.exitCode !== null) return;
  child.kill("SIGTERM");
  const exited = await Promise.race([
    child.then(() => true),
    new Promise((r) => setTimeout(() => r(false), graceMs))
  ]);
  if (!exited) child.kill("SIGKILL");
  await child;
}

// src/addons/ai-operator/beside-cluster.ts
var JobSetError = class extends Error {
  name = "JobSetError";
};
var JOBSET_OWNER_LABEL = "kaic.dev/jobset";
var UPSTREAM_NAME_PREFIX = "jobset-";
function invalidJobSet(name = "kaic-jobset-webhook-probe") {
  return {
    apiVersion: "jobset.x-k8s.io/v1alpha2",
    kind: "JobSet",
    metadata: { name },
    spec: {
      successPolicy: { operator: "All", targetReplicatedJobs: ["no-such-replicated-job"] },
      replicatedJobs: [
        {
          name: "workers",
          replicas: 1,
          template: {
            spec: {
              template: {
                spec: {
                  restartPolicy: "Never",
                  containers: [{ name: "main", image: "busybox:1.36", command: ["true"] }]
                }
              }
            }
          }
        }
      ]
    }
  };
}
var JobSetController = class {
  constructor(options) {
    this.options = options;
    this.kc.loadFromFile(options.kubeconfigPath);
  }
  options;
  process = null;
  kc = new KubeConfig();
  binDir = jobsetDir(JOBSET.version);
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join2(this.binDir, "jobset");
    if (!existsSync(binary)) {
      if (this.options.buildMissing === false) {
        throw new JobSetError(`${binary} is missing; build it with npm run k8s:build -- --addons`);
      }
      await buildRecipe(JOBSET_RECIPE, log);
    }
    const certDir = join2(dir, "certs");
    await mkdir(certDir, { recursive: true });
    await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: "/CN=kaic-jobset-webhook",
      dir: certDir,
      name: "tls",
      usage: "server",
      ipAddresses: ["127.0.0.1"]
    });
    await this.applyCrds();
    const [webhookPort, healthPort, metricsPort] = [
      await freePort("127.0.0.1"),
      await freePort("127.0.0.1"),
      await freePort("127.0.0.1")
    ];
    const config = {
      apiVersion: "config.jobset.x-k8s.io/v1alpha1",
      kind: "Configuration",
      health: { healthProbeBindAddress: `127.0.0.1:${healthPort}` },
      metrics: { bindAddress: `127.0.0.1:${metricsPort}`, certDir },
      webhook: { port: webhookPort, host: "127.0.0.1", certDir },
      leaderElection: { leaderElect: false },
      // Otherwise it would write a Secret and patch webhook configurations of its own.
      internalCertManagement: { enable: false }
    };
    await writeFile(join2(dir, "config.yaml"), (0, import_yaml2.stringify)(config));
    const logFile = join2(dir, "jobset.log");
    log(`jobset ${JOBSET.version}: starting (webhooks on 127.0.0.1:${webhookPort})`);
    this.process = spawnLogged(
      binary,
      [`--config=${join2(dir, "config.yaml")}`, "--zap-devel=false", "--zap-log-level=info"],
      { env: { KUBECONFIG: this.options.kubeconfigPath }, logFile }
    );
    try {
      await this.waitReady(logFile, healthPort, webhookPort);
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`jobset ${JOBSET.version}: ready in ${((Date.now() - t0) / 1e3).toFixed(1)} s`);
  }
  async waitReady(logFile, healthPort, webhookPort) {
    const timeoutMs = (this.options.startTimeoutSeconds ?? 120) * 1e3;
    const started = Date.now();
    await waitProcessReady(
      this.process,
      "jobset",
      `127.0.0.1:${healthPort}`,
      logFile,
      // readyz passes once the webhook server listens (JobSet's own check).
      () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
      timeoutMs
    );
    await this.registerWebhooks(webhookPort, await readFile3(this.options.caCert));
    await this.waitWebhookAnswers(Math.max(timeoutMs - (Date.now() - started), 1e4));
  }
  /**
   * Until the API server has picked up the registration, a dry run of an invalid JobSet is
   * accepted; once the validating webhook is called, it is denied.
   */
  async waitWebhookAnswers(timeoutMs) {
    let last = "";
    await waitFor(
      "JobSet's validating webhook denying an invalid JobSet",
      async () => {
        const outcome = await postJson(
          this.kc,
          "/apis/jobset.x-k8s.io/v1alpha2/namespaces/default/jobsets?dryRun=All",
          invalidJobSet()
        ).then(
          () => "accepted",
          (error) => error.message
        );
        last = outcome;
        return /admission webhook .* denied the request/.test(outcome) ? true : void 0;
      },
      timeoutMs
    ).catch((error) => {
      throw new JobSetError(`${error.message}; the last dry run answered: ${last}`);
    });
  }
  /** Unregisters the webhooks first (they would block JobSets once nothing answers), then stops. */
  async stop() {
    await this.unregisterWebhooks();
    await stopProcess(this.process);
    this.process = null;
  }
  async applyCrds() {
    await applyCrdDirectory(this.kc, join2(this.binDir, "crds"), {
      accept: (file) => file.startsWith("jobset.x-k8s.io_"),
      labels: { [JOBSET_OWNER_LABEL]: "true" },
      what: "JobSet"
    });
  }
  /**
   * JobSet's webhook configurations from its module, with upstream's kustomize patches applied
   * (they narrow the pod webhooks to pods carrying the jobset-name label; without them every pod
   * creation in the cluster would pass through JobSet), pointed at 127.0.0.1 by URL.
   */
  async registerWebhooks(port, caBundle) {
    const patched = await this.upstreamWebhookPatches();
    await this.unregisterWebhooks();
    const text = await readFile3(join2(this.binDir, "webhook.yaml"), "utf8");
    const api = KubernetesObjectApi.makeApiClient(this.kc);
    for (const doc of (0, import_yaml2.parseAllDocuments)(text)) {
      const config = doc.toJS();
      if (!config?.webhooks) continue;
      config.metadata = {
        name: `${UPSTREAM_NAME_PREFIX}${config.metadata.name}`,
        labels: { [JOBSET_OWNER_LABEL]: "true" }
      };
      config.webhooks = config.webhooks.map((original) => {
        const w = patched.get(original.name) ?? original;
        return {
          ...w,
          clientConfig: {
            url: `https://127.0.0.1:${port}${w.clientConfig.service?.path ?? ""}`,
            caBundle: caBundle.toString("base64")
          }
        };
      });
      await api.create(config);
    }
  }
  /** The webhooks upstream's patches replace, by webhook name (JSON-patch `replace` values). */
  async upstreamWebhookPatches() {
    const dir = join2(this.binDir, "webhook-patches");
    const byName = /* @__PURE__ */ new Map();
    for (const file of (await readdir2(dir)).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      for (const doc of (0, import_yaml2.parseAllDocuments)(await readFile3(join2(dir, file), "utf8"))) {
        const ops = doc.toJS();
        for (const op of ops ?? []) {
          if (op.op === "replace" && op.value?.name) byName.set(op.value.name, op.value);
        }
      }
    }
    if (byName.size === 0) throw new JobSetError(`no webhook patches in ${dir}`);
    return byName;
  }
  async unregisterWebhooks() {
    await deleteWebhookConfigurations(this.kc, `${JOBSET_OWNER_LABEL}=true`);
  }
  /**
   * Removes every JobSet (their Jobs, pods and Services first), then JobSet's CRD. Deleting the
   * CRD alone would orphan child Jobs: once the JobSet kind is gone, the garbage collector can no
   * longer resolve their owner references and leaves them.
   */
  async uninstall() {
    await this.deleteAllJobSets();
    await this.stop();
    await deleteCrdsByLabel(this.kc, `${JOBSET_OWNER_LABEL}=true`, "JobSet");
  }
  /** Foreground deletion: a JobSet is gone only once the garbage collector removed its children. */
  async deleteAllJobSets() {
    const api = this.kc.makeApiClient(ObjectCustomObjectsApi);
    const kind = { group: "jobset.x-k8s.io", version: "v1alpha2", plural: "jobsets" };
    const list2 = async () => (await api.listClusterCustomObject(kind).catch(() => ({ items: [] }))).items;
    for (const { metadata } of await list2()) {
      await api.deleteNamespacedCustomObject({
        ...kind,
        namespace: metadata.namespace,
        name: metadata.name,
        propagationPolicy: "Foreground"
      }).catch(() => void 0);
    }
    await waitFor("every JobSet deleted", async () => (await list2()).length === 0, 12e4);
  }
};

// src/addons/ai-operator/index.ts
var ENV = { KAIC_AI_OPERATOR: "jobset" };
var aiOperator = defineAddon({
  spec: {
    id: "ai-operator",
    component: "JobSet",
    version: JOBSET.version,
    needs: [],
    enables: ["robust_controller"],
    chart: "jobset"
  },
  async prepare(log) {
    await buildRecipe(JOBSET_RECIPE, log);
    await copyFromModule(chartCopy("jobset"), log);
  },
  async besideCluster(ctx) {
    const jobset = new JobSetController({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      dir: join3(ctx.dir, "jobset"),
      log: ctx.log
    });
    await jobset.start();
    return { summary: "webhooks served from this machine", env: ENV, stop: () => jobset.stop() };
  },
  inCluster: (ctx) => chartInstall(ctx, "ai-operator", "jobset", "jobsets.jobset.x-k8s.io", ENV)
});

// src/addons/cluster-autoscaler/index.ts
import { join as join6 } from "node:path";

// src/addons/cluster-autoscaler/beside-cluster.ts
import { existsSync as existsSync2 } from "node:fs";
import { mkdir as mkdir2, rm, symlink, writeFile as writeFile2 } from "node:fs/promises";
import { join as join4 } from "node:path";

// src/addons/cluster-autoscaler/pin.ts
var KARPENTER = { module: "sigs.k8s.io/karpenter", version: "v1.14.0" };
var KARPENTER_RECIPE = {
  component: "karpenter",
  module: KARPENTER.module,
  version: KARPENTER.version,
  outDir: (root) => karpenterDir(KARPENTER.version, root),
  binaries: ["karpenter-kwok"],
  packages: [`${KARPENTER.module}/kwok`],
  renames: { kwok: "karpenter-kwok" },
  moduleFiles: [
    ["kwok/charts/crds", "crds"],
    [
      "kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml",
      "crds/karpenter.kwok.sh_kwoknodeclasses.yaml"
    ]
  ],
  // Go's flag package prints one dash.
  verify: [{ helpMentions: { binary: "karpenter-kwok", flag: "-instance-types-file-path" } }]
};

// src/addons/cluster-autoscaler/beside-cluster.ts
var KarpenterError = class extends Error {
  name = "KarpenterError";
};
var NODE_POOL = "kaic-gpu";
var NODE_GROUP_LABEL = "kaic.dev/node-group";
function gpuInstanceTypes(resource, gpus) {
  return [
    {
      name: `gpu-${gpus}x-amd64-linux`,
      architecture: "amd64",
      operatingSystems: ["linux"],
      offerings: [
        {
          Price: 3,
          Available: true,
          Requirements: [
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
            { key: "topology.kubernetes.io/zone", operator: "In", values: ["test-zone-a"] }
          ]
        }
      ],
      resources: {
        cpu: "8",
        memory: "64Gi",
        "ephemeral-storage": "100Gi",
        pods: "110",
        [resource]: String(gpus)
      }
    }
  ];
}
var KarpenterKwok = class {
  constructor(options) {
    this.options = options;
    this.kc.loadFromFile(options.kubeconfigPath);
  }
  options;
  process = null;
  /** The CRDs start() applied (Karpenter's and its kwok provider's). */
  crds = [];
  kc = new KubeConfig();
  get resource() {
    return this.options.gpuResource ?? "nvidia.com/gpu";
  }
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const home = karpenterDir(KARPENTER.version);
    const binary = join4(home, "karpenter-kwok");
    if (!existsSync2(binary)) {
      if (this.options.buildMissing === false) {
        throw new KarpenterError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`
        );
      }
      await buildRecipe(KARPENTER_RECIPE, log);
    }
    await mkdir2(dir, { recursive: true });
    this.crds = await applyCrdDirectory(this.kc, join4(home, "crds"), { what: "Karpenter" });
    const instanceTypes = join4(dir, "instance-types.json");
    await writeFile2(
      instanceTypes,
      JSON.stringify(gpuInstanceTypes(this.resource, this.options.gpusPerNode ?? 1), null, 2)
    );
    await this.applyNodePool();
    const [metricsPort, healthPort] = [await freePort("0.0.0.0"), await freePort("0.0.0.0")];
    const logFile = join4(dir, "karpenter.log");
    log(`karpenter ${KARPENTER.version} (kwok provider): starting, NodePool ${NODE_POOL}`);
    const launcher = join4(dir, "karpenter-kwok");
    await rm(launcher, { force: true });
    await symlink(binary, launcher);
    this.process = spawnLogged(launcher, [], {
      env: {
        KUBECONFIG: this.options.kubeconfigPath,
        DISABLE_LEADER_ELECTION: "true",
        METRICS_PORT: String(metricsPort),
        HEALTH_PROBE_PORT: String(healthPort),
        INSTANCE_TYPES_FILE_PATH: instanceTypes
      },
      logFile
    });
    try {
      await waitProcessReady(
        this.process,
        "karpenter",
        `:${healthPort}`,
        logFile,
        () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
        (this.options.startTimeoutSeconds ?? 60) * 1e3
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`karpenter ${KARPENTER.version}: ready in ${((Date.now() - t0) / 1e3).toFixed(1)} s`);
  }
  async applyNodePool() {
    await applyJson(this.kc, "/apis/karpenter.kwok.sh/v1alpha1/kwoknodeclasses/default", {
      apiVersion: "karpenter.kwok.sh/v1alpha1",
      kind: "KWOKNodeClass",
      metadata: { name: "default" }
    });
    const gpus = this.options.gpusPerNode ?? 1;
    await applyJson(this.kc, `/apis/karpenter.sh/v1/nodepools/${NODE_POOL}`, {
      apiVersion: "karpenter.sh/v1",
      kind: "NodePool",
      metadata: { name: NODE_POOL },
      spec: {
        template: {
          metadata: { labels: { [NODE_GROUP_LABEL]: NODE_POOL } },
          spec: {
            nodeClassRef: { group: "karpenter.kwok.sh", kind: "KWOKNodeClass", name: "default" },
            requirements: [
              {
                key: "node.kubernetes.io/instance-type",
                operator: "In",
                values: [`gpu-${gpus}x-amd64-linux`]
              },
              { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] }
            ],
            // Simulated like the provider's nodes: tainted, so only pods that opt in land there.
            taints: [
              { ...SIMULATED_NODE_TAINT },
              { key: this.resource, value: "present", effect: "NoSchedule" }
            ],
            expireAfter: "Never"
          }
        },
        limits: { [this.resource]: String(this.options.gpuLimit ?? 4) },
        disruption: {
          consolidationPolicy: "WhenEmptyOrUnderutilized",
          consolidateAfter: "0s",
          budgets: [{ nodes: "100%" }]
        }
      }
    });
  }
  /** Nodes the pool launched (by its label). */
  async poolNodes() {
    const core = this.kc.makeApiClient(ObjectCoreV1Api);
    const nodes = await core.listNode({ labelSelector: `${NODE_GROUP_LABEL}=${NODE_POOL}` });
    return nodes.items.map((n) => n.metadata?.name);
  }
  /** NodeClaims still there (only this pool's: kaic runs Karpenter only where none was). */
  async poolClaims() {
    const custom = this.kc.makeApiClient(ObjectCustomObjectsApi);
    const list2 = await custom.listClusterCustomObject({
      group: "karpenter.sh",
      version: "v1",
      plural: "nodeclaims"
    }).catch(() => ({ items: [] }));
    return list2.items.length;
  }
  /**
   * Stops the autoscaler but leaves the NodePool declared: the fault of a platform that says it
   * autoscales and does not.
   */
  async stopProcessOnly() {
    await stopProcess(this.process);
    this.process = null;
  }
  /**
   * Deletes the NodePool and the KWOKNodeClass while Karpenter runs (its nodes go with them), then
   * stops. It waits for the NodeClaims and for those two objects themselves: each can be gone
   * from view while still carrying a Karpenter finalizer, which nothing would lift once Karpenter
   * stops (and their CRDs could then not be deleted).
   */
  async stop() {
    const custom = this.kc.makeApiClient(ObjectCustomObjectsApi);
    const nodePool = { group: "karpenter.sh", version: "v1", plural: "nodepools", name: NODE_POOL };
    const nodeClass = {
      group: "karpenter.kwok.sh",
      version: "v1alpha1",
      plural: "kwoknodeclasses",
      name: "default"
    };
    await custom.deleteClusterCustomObject(nodePool).catch(() => void 0);
    if (this.process && this.process.exitCode === null) {
      const exists = (object) => custom.getClusterCustomObject(object).then(
        () => true,
        () => false
      );
      await waitFor(
        `nodes, NodeClaims and NodePool ${NODE_POOL} removed`,
        async () => (await this.poolNodes()).length === 0 && await this.poolClaims() === 0 && !await exists(nodePool),
        6e4,
        1e3
      ).catch((error) => this.options.log(`karpenter: ${error.message}`));
      await custom.deleteClusterCustomObject(nodeClass).catch(() => void 0);
      await waitFor(
        "KWOKNodeClass default removed",
        async () => !await exists(nodeClass),
        3e4,
        500
      ).catch((error) => this.options.log(`karpenter: ${error.message}`));
    }
    await this.stopProcessOnly();
  }
};

// src/addons/cluster-autoscaler/in-cluster.ts
import { copyFile, mkdir as mkdir3 } from "node:fs/promises";
import { join as join5 } from "node:path";
var KWOK_NODE_SELECTOR = `${KWOK_NODE_ANNOTATION}=fake`;
async function startKindAutoscaler(options) {
  const { dir, log } = options;
  await mkdir3(dir, { recursive: true });
  await buildRecipe(RECIPES.kwok, log);
  const stageDir = await copyFromModule(MODULE_COPIES.kwokStages, log);
  const stages = MODULE_COPIES.kwokStages.files.map((file) => join5(stageDir, file));
  const kubeconfig = join5(dir, "kubeconfig");
  await copyFile(options.kubeconfigPath, kubeconfig);
  const port = await freePort("127.0.0.1");
  const logFile = join5(dir, "kwok.log");
  log(`kwok ${KWOK_VERSION}: starting for the nodes Karpenter launches (${KWOK_NODE_SELECTOR})`);
  const kwok = spawnLogged(
    join5(kwokBinDir(KWOK_VERSION), "kwok"),
    [
      `--kubeconfig=${kubeconfig}`,
      ...stages.map((file) => `--config=${file}`),
      "--manage-all-nodes=false",
      `--manage-nodes-with-annotation-selector=${KWOK_NODE_SELECTOR}`,
      `--server-address=127.0.0.1:${port}`,
      "--node-ip=127.0.0.1",
      "--node-lease-duration-seconds=40"
    ],
    { logFile }
  );
  const karpenter = new KarpenterKwok({
    kubeconfigPath: kubeconfig,
    dir: join5(dir, "karpenter"),
    log,
    ...options.gpuResource ? { gpuResource: options.gpuResource } : {}
  });
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const stop = async () => {
    await karpenter.stop();
    await stopProcess(kwok);
    const ext = kc.makeApiClient(ObjectApiextensionsV1Api);
    for (const name of karpenter.crds) {
      await ext.deleteCustomResourceDefinition({ name }).catch(() => void 0);
    }
  };
  try {
    await waitProcessReady(
      kwok,
      "kwok",
      `127.0.0.1:${port}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${port}/healthz`),
      6e4
    );
    await karpenter.start();
  } catch (error) {
    await stop();
    throw error;
  }
  return { karpenter, stop };
}

// src/addons/cluster-autoscaler/index.ts
var clusterAutoscaler = defineAddon({
  spec: {
    id: "cluster-autoscaler",
    component: "Karpenter's kwok provider",
    version: KARPENTER.version,
    needs: ["fake-gpu"],
    enables: ["cluster_autoscaling"]
  },
  async prepare(log) {
    await buildRecipe(KARPENTER_RECIPE, log);
  },
  async besideCluster(ctx) {
    const karpenter = new KarpenterKwok({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join6(ctx.dir, "karpenter"),
      gpuResource: ctx.shared.gpuProfile?.extendedResourceName ?? "nvidia.com/gpu",
      log: ctx.log
    });
    await karpenter.start();
    return { summary: "NodePool of GPU nodes", stop: () => karpenter.stop() };
  },
  inCluster: (ctx) => ({
    present: () => ctx.crdPresent("nodepools.karpenter.sh"),
    install: async () => {
      const autoscaler = await startKindAutoscaler({
        kubeconfigPath: ctx.kubeconfigPath,
        dir: join6(ctx.dir, "autoscaler"),
        gpuResource: gpuProfile(ctx.gpuProfile).extendedResourceName ?? "nvidia.com/gpu",
        log: ctx.log
      });
      return { stop: autoscaler.stop, env: {} };
    }
  })
});

// src/addons/custom-metrics-adapter/index.ts
import { join as join9 } from "node:path";

// src/addons/prometheus/in-cluster.ts
var import_yaml4 = __toESM(require_dist(), 1);

// src/addons/prometheus/beside-cluster.ts
var import_yaml3 = __toESM(require_dist(), 1);
import { existsSync as existsSync3 } from "node:fs";
import { mkdir as mkdir4, rm as rm2, writeFile as writeFile3 } from "node:fs/promises";
import { join as join7 } from "node:path";

// src/addons/prometheus/pin.ts
var PROMETHEUS = {
  module: "github.com/prometheus/prometheus",
  version: "v0.316.0",
  /** The release the module version stands for (`prometheus --version`). */
  release: "3.16.0",
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: "prom/prometheus:v3.16.0"
};
var PROMETHEUS_RECIPE = {
  component: "prometheus",
  module: PROMETHEUS.module,
  version: PROMETHEUS.version,
  outDir: (root) => prometheusDir(PROMETHEUS.version, root),
  binaries: ["prometheus", "promtool"],
  packages: [`${PROMETHEUS.module}/cmd/prometheus`, `${PROMETHEUS.module}/cmd/promtool`],
  tags: ["remove_all_sd", "enable_kubernetes_sd"],
  ldflags: [
    `-X github.com/prometheus/common/version.Version=${PROMETHEUS.release}`,
    `-X github.com/prometheus/common/version.Branch=module-${PROMETHEUS.version}`
  ],
  verify: [
    {
      versionOutput: { binary: "prometheus", args: ["--version"], expect: PROMETHEUS.release }
    }
  ]
};

// src/addons/prometheus/beside-cluster.ts
var PrometheusError = class extends Error {
  name = "PrometheusError";
};
function prometheusConfig(options) {
  const annotation = (name) => `__meta_kubernetes_pod_annotation_prometheus_io_${name}`;
  return {
    global: {
      scrape_interval: `${options.scrapeIntervalSeconds}s`,
      evaluation_interval: `${options.scrapeIntervalSeconds}s`
    },
    scrape_configs: [
      {
        job_name: "kubernetes-pods",
        kubernetes_sd_configs: [
          {
            role: "pod",
            ...options.kubeconfigPath ? { kubeconfig_file: options.kubeconfigPath } : {},
            ...options.namespaces ? { namespaces: { names: options.namespaces } } : {}
          }
        ],
        relabel_configs: [
          { source_labels: [annotation("scrape")], action: "keep", regex: "true" },
          {
            source_labels: ["__meta_kubernetes_pod_phase"],
            action: "drop",
            regex: "Pending|Succeeded|Failed|Unknown"
          },
          {
            source_labels: [annotation("path")],
            action: "replace",
            target_label: "__metrics_path__",
            regex: "(.+)"
          },
          {
            source_labels: ["__meta_kubernetes_pod_ip", annotation("port")],
            action: "replace",
            regex: "(.+);(\\d+)",
            replacement: "$1:$2",
            target_label: "__address__"
          },
          { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
          { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" }
        ]
      }
    ]
  };
}
var PrometheusServer = class {
  constructor(options) {
    this.options = options;
  }
  options;
  process = null;
  listenPort = 0;
  /** Where this machine reaches it. */
  get url() {
    return `http://127.0.0.1:${this.listenPort}`;
  }
  get port() {
    return this.listenPort;
  }
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join7(prometheusDir(PROMETHEUS.version), "prometheus");
    if (!existsSync3(binary)) {
      if (this.options.buildMissing === false) {
        throw new PrometheusError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`
        );
      }
      await buildRecipe(PROMETHEUS_RECIPE, log);
    }
    await mkdir4(join7(dir, "data"), { recursive: true });
    const configFile = join7(dir, "prometheus.yml");
    await writeFile3(
      configFile,
      (0, import_yaml3.stringify)(
        prometheusConfig({
          kubeconfigPath: this.options.kubeconfigPath,
          scrapeIntervalSeconds: this.options.scrapeIntervalSeconds ?? 5,
          ...this.options.namespaces ? { namespaces: this.options.namespaces } : {}
        })
      )
    );
    this.listenPort = await freePort("0.0.0.0");
    const logFile = join7(dir, "prometheus.log");
    log(
      `prometheus ${PROMETHEUS.release}: starting on :${this.listenPort}` + (this.options.namespaces ? ` (namespaces ${this.options.namespaces.join(", ")})` : "")
    );
    this.process = spawnLogged(
      binary,
      [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join7(dir, "data")}`,
        `--web.listen-address=0.0.0.0:${this.listenPort}`,
        "--storage.tsdb.retention.time=2h"
      ],
      { logFile }
    );
    try {
      await waitProcessReady(
        this.process,
        "prometheus",
        `:${this.listenPort}`,
        logFile,
        () => answersOk(`${this.url}/-/ready`),
        (this.options.startTimeoutSeconds ?? 60) * 1e3
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`prometheus ${PROMETHEUS.release}: ready in ${((Date.now() - t0) / 1e3).toFixed(1)} s`);
  }
  async stop() {
    await stopProcess(this.process);
    this.process = null;
    await rm2(join7(this.options.dir, "data"), { recursive: true, force: true });
  }
};

// src/addons/prometheus/in-cluster.ts
var PROMETHEUS_NAMESPACE = "kaic-monitoring";
var PORT = 9090;
var labels = { [INSTALL_LABEL]: "prometheus" };
function prometheusObjects() {
  const meta = (name, namespaced = true, extra = {}) => ({
    name,
    ...namespaced ? { namespace: PROMETHEUS_NAMESPACE } : {},
    labels: { ...labels, ...extra }
  });
  const app = { "app.kubernetes.io/name": "prometheus" };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("prometheus") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("kaic-prometheus", false),
      rules: [
        {
          apiGroups: [""],
          resources: ["pods", "services", "endpoints", "nodes"],
          verbs: ["get", "list", "watch"]
        }
      ]
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta("kaic-prometheus", false),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "kaic-prometheus"
      },
      subjects: [{ kind: "ServiceAccount", name: "prometheus", namespace: PROMETHEUS_NAMESPACE }]
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("prometheus"),
      data: { "prometheus.yml": (0, import_yaml4.stringify)(prometheusConfig({ scrapeIntervalSeconds: 5 })) }
    },
    singleContainerDeployment({
      name: "prometheus",
      namespace: PROMETHEUS_NAMESPACE,
      app,
      serviceAccount: "prometheus",
      image: PROMETHEUS.image,
      args: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        `--web.listen-address=:${PORT}`
      ],
      ports: [{ name: "web", containerPort: PORT }],
      readiness: { path: "/-/ready", port: PORT },
      configDir: "/etc/prometheus",
      scratchDir: "/prometheus"
    }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("prometheus", true, app),
      spec: { selector: app, ports: [{ name: "web", port: PORT, targetPort: PORT }] }
    }
  ];
}
async function findPrometheusService(kc) {
  const core = kc.makeApiClient(ObjectCoreV1Api);
  const services = (await core.listServiceForAllNamespaces({ labelSelector: "app.kubernetes.io/name=prometheus" })).items;
  for (const svc of services) {
    const port = svc.spec?.ports?.find((p) => /web|http/.test(p.name ?? "") || p.port === PORT);
    if (!port) continue;
    const { namespace, name } = svc.metadata;
    return { namespace, name, url: `http://${name}.${namespace}.svc:${port.port}/` };
  }
  return null;
}
async function installPrometheus(kc, options) {
  const { stop } = await installLabelled(
    kc,
    "prometheus",
    PROMETHEUS_NAMESPACE,
    prometheusObjects(),
    options
  );
  return { env: { KAIC_PROMETHEUS: `${PROMETHEUS_NAMESPACE}/prometheus:${PORT}` }, stop };
}

// src/addons/custom-metrics-adapter/beside-cluster.ts
import { existsSync as existsSync4 } from "node:fs";
import { mkdir as mkdir5, readFile as readFile4, writeFile as writeFile4 } from "node:fs/promises";
import { request } from "node:https";
import { join as join8 } from "node:path";
var import_yaml5 = __toESM(require_dist(), 1);

// src/addons/custom-metrics-adapter/pin.ts
var PROMETHEUS_ADAPTER = {
  module: "sigs.k8s.io/prometheus-adapter",
  version: "v0.12.0",
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0"
};
var PROMETHEUS_ADAPTER_RECIPE = {
  component: "prometheus-adapter",
  module: PROMETHEUS_ADAPTER.module,
  version: PROMETHEUS_ADAPTER.version,
  outDir: (root) => prometheusAdapterDir(PROMETHEUS_ADAPTER.version, root),
  binaries: ["prometheus-adapter"],
  packages: [`${PROMETHEUS_ADAPTER.module}/cmd/adapter`],
  renames: { adapter: "prometheus-adapter" },
  verify: [{ helpMentions: { binary: "prometheus-adapter", flag: "--metrics-relist-interval" } }]
};

// src/addons/custom-metrics-adapter/beside-cluster.ts
var PrometheusAdapterError = class extends Error {
  name = "PrometheusAdapterError";
};
var NAMESPACE = "kaic-metrics";
var SERVICE = "kaic-prometheus-adapter";
var VERSIONS = ["v1beta1", "v1beta2"];
var ADAPTER_OWNER_LABEL = "kaic.dev/prometheus-adapter";
var ADAPTER_RULES = {
  rules: [
    {
      seriesQuery: '{namespace!="",pod!=""}',
      resources: { overrides: { namespace: { resource: "namespace" }, pod: { resource: "pod" } } },
      name: { matches: "^(.*)$", as: "${1}" },
      metricsQuery: "max(<<.Series>>{<<.LabelMatchers>>}) by (<<.GroupBy>>)"
    }
  ]
};
function healthy(port, ca) {
  return new Promise((resolve2) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path: "/healthz",
        ca,
        servername: `${SERVICE}.${NAMESPACE}.svc`,
        timeout: 5e3
      },
      (res) => {
        res.resume();
        resolve2(res.statusCode === 200);
      }
    );
    req.on("error", () => resolve2(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}
var PrometheusAdapter = class {
  constructor(options) {
    this.options = options;
    this.kc.loadFromFile(options.kubeconfigPath);
  }
  options;
  process = null;
  kc = new KubeConfig();
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join8(prometheusAdapterDir(PROMETHEUS_ADAPTER.version), "prometheus-adapter");
    if (!existsSync4(binary)) {
      if (this.options.buildMissing === false) {
        throw new PrometheusAdapterError(
          `${binary} is missing; build it with npm run k8s:build -- --addons`
        );
      }
      await buildRecipe(PROMETHEUS_ADAPTER_RECIPE, log);
    }
    await mkdir5(join8(dir, "certs"), { recursive: true });
    const serving = await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: `/CN=${SERVICE}`,
      dir: join8(dir, "certs"),
      name: "serving",
      usage: "server",
      dnsNames: [`${SERVICE}.${NAMESPACE}.svc`]
    });
    const rules = join8(dir, "rules.yaml");
    await writeFile4(rules, (0, import_yaml5.stringify)(ADAPTER_RULES));
    const port = await freePort("127.0.0.1");
    const ca = await readFile4(this.options.caCert);
    const logFile = join8(dir, "prometheus-adapter.log");
    log(
      `prometheus-adapter ${PROMETHEUS_ADAPTER.version}: starting on 127.0.0.1:${port} (Prometheus ${this.options.prometheusUrl})`
    );
    this.process = spawnLogged(
      binary,
      [
        `--prometheus-url=${this.options.prometheusUrl}`,
        `--config=${rules}`,
        `--metrics-relist-interval=${this.options.relistIntervalSeconds ?? 5}s`,
        "--bind-address=127.0.0.1",
        `--secure-port=${port}`,
        `--tls-cert-file=${serving.cert}`,
        `--tls-private-key-file=${serving.key}`,
        `--lister-kubeconfig=${this.options.kubeconfigPath}`,
        `--authentication-kubeconfig=${this.options.kubeconfigPath}`,
        `--authorization-kubeconfig=${this.options.kubeconfigPath}`,
        // The aggregator's client certificate is signed by the cluster CA.
        "--authentication-skip-lookup",
        `--client-ca-file=${this.options.caCert}`
      ],
      { cwd: dir, logFile }
    );
    try {
      await waitProcessReady(
        this.process,
        "prometheus-adapter",
        `127.0.0.1:${port}`,
        logFile,
        () => healthy(port, ca),
        (this.options.startTimeoutSeconds ?? 60) * 1e3
      );
      await this.register(port, ca);
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(
      `prometheus-adapter ${PROMETHEUS_ADAPTER.version}: custom.metrics.k8s.io available in ${((Date.now() - t0) / 1e3).toFixed(1)} s`
    );
  }
  async register(port, caBundle) {
    const labels4 = { [ADAPTER_OWNER_LABEL]: "true" };
    await applyJson(this.kc, `/api/v1/namespaces/${NAMESPACE}`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: NAMESPACE, labels: labels4 }
    });
    await applyJson(this.kc, `/api/v1/namespaces/${NAMESPACE}/services/${SERVICE}`, {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: SERVICE, namespace: NAMESPACE, labels: labels4 },
      spec: { type: "ExternalName", externalName: "localhost", ports: [{ name: "https", port }] }
    });
    for (const version of VERSIONS) {
      const name = `${version}.custom.metrics.k8s.io`;
      await applyJson(this.kc, `/apis/apiregistration.k8s.io/v1/apiservices/${name}`, {
        apiVersion: "apiregistration.k8s.io/v1",
        kind: "APIService",
        metadata: { name, labels: labels4 },
        spec: {
          group: "custom.metrics.k8s.io",
          version,
          service: { namespace: NAMESPACE, name: SERVICE, port },
          caBundle: caBundle.toString("base64"),
          groupPriorityMinimum: 100,
          versionPriority: version === "v1beta2" ? 200 : 100
        }
      });
    }
    const registration = this.kc.makeApiClient(ObjectApiregistrationV1Api);
    await waitFor(
      "APIServices of custom.metrics.k8s.io Available",
      async () => {
        for (const version of VERSIONS) {
          const svc = await registration.readAPIService({
            name: `${version}.custom.metrics.k8s.io`
          });
          const available = svc.status?.conditions?.find((c) => c.type === "Available");
          if (available?.status !== "True") {
            throw new Error(`${version}: ${available?.reason ?? ""} ${available?.message ?? ""}`);
          }
        }
        return true;
      },
      6e4,
      500
    );
  }
  /** Unregisters first (an unanswering API group blocks namespace deletion), then stops. */
  async stop() {
    const registration = this.kc.makeApiClient(ObjectApiregistrationV1Api);
    for (const version of VERSIONS) {
      await registration.deleteAPIService({ name: `${version}.custom.metrics.k8s.io` }).catch(() => void 0);
    }
    const core = this.kc.makeApiClient(ObjectCoreV1Api);
    await core.deleteNamespace({ name: NAMESPACE }).catch(() => void 0);
    await stopProcess(this.process);
    this.process = null;
  }
};

// src/addons/custom-metrics-adapter/in-cluster.ts
var import_yaml6 = __toESM(require_dist(), 1);
var ADAPTER_NAMESPACE = "kaic-custom-metrics";
var PORT2 = 6443;
var labels2 = { [INSTALL_LABEL]: "custom-metrics-adapter" };
var VERSIONS2 = ["v1beta1", "v1beta2"];
function adapterObjects(prometheusUrl) {
  const meta = (name, namespace = ADAPTER_NAMESPACE) => ({
    name,
    ...namespace ? { namespace } : {},
    labels: labels2
  });
  const sa = [{ kind: "ServiceAccount", name: "prometheus-adapter", namespace: ADAPTER_NAMESPACE }];
  const binding = (kind, name, role, ns, subjects = sa) => ({
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind,
    metadata: meta(name, ns),
    roleRef: {
      apiGroup: "rbac.authorization.k8s.io",
      kind: kind === "RoleBinding" ? "Role" : "ClusterRole",
      name: role
    },
    subjects
  });
  const app = { "app.kubernetes.io/name": "kaic-prometheus-adapter" };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("prometheus-adapter") },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("kaic-prometheus-adapter", null),
      rules: [
        {
          apiGroups: [""],
          resources: ["namespaces", "pods", "services", "nodes"],
          verbs: ["get", "list", "watch"]
        }
      ]
    },
    binding("ClusterRoleBinding", "kaic-prometheus-adapter", "kaic-prometheus-adapter", null),
    // An aggregated API server checks who calls it with the API server's help.
    binding(
      "ClusterRoleBinding",
      "kaic-prometheus-adapter:auth-delegator",
      "system:auth-delegator",
      null
    ),
    binding(
      "RoleBinding",
      "kaic-prometheus-adapter:auth-reader",
      "extension-apiserver-authentication-reader",
      "kube-system"
    ),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta("kaic-custom-metrics-reader", null),
      rules: [
        { apiGroups: ["custom.metrics.k8s.io"], resources: ["*"], verbs: ["get", "list", "watch"] }
      ]
    },
    binding(
      "ClusterRoleBinding",
      "kaic-custom-metrics-reader:hpa",
      "kaic-custom-metrics-reader",
      null,
      [{ kind: "ServiceAccount", name: "horizontal-pod-autoscaler", namespace: "kube-system" }]
    ),
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("prometheus-adapter"),
      data: { "rules.yaml": (0, import_yaml6.stringify)(ADAPTER_RULES) }
    },
    singleContainerDeployment({
      name: "prometheus-adapter",
      namespace: ADAPTER_NAMESPACE,
      app,
      serviceAccount: "prometheus-adapter",
      image: PROMETHEUS_ADAPTER.image,
      args: [
        `--prometheus-url=${prometheusUrl}`,
        "--config=/etc/adapter/rules.yaml",
        "--metrics-relist-interval=5s",
        `--secure-port=${PORT2}`,
        "--cert-dir=/tmp/cert"
      ],
      ports: [{ name: "https", containerPort: PORT2 }],
      readiness: { path: "/readyz", port: PORT2, scheme: "HTTPS" },
      configDir: "/etc/adapter",
      scratchDir: "/tmp/cert"
    }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("prometheus-adapter"),
      spec: { selector: app, ports: [{ name: "https", port: 443, targetPort: PORT2 }] }
    },
    ...VERSIONS2.map((version) => ({
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: meta(`${version}.custom.metrics.k8s.io`, null),
      spec: {
        group: "custom.metrics.k8s.io",
        version,
        service: { namespace: ADAPTER_NAMESPACE, name: "prometheus-adapter", port: 443 },
        insecureSkipTLSVerify: true,
        groupPriorityMinimum: 100,
        versionPriority: version === "v1beta2" ? 200 : 100
      }
    }))
  ];
}
async function installPrometheusAdapter(kc, prometheusUrl, options) {
  const { stop } = await installLabelled(
    kc,
    "custom-metrics-adapter",
    ADAPTER_NAMESPACE,
    adapterObjects(prometheusUrl),
    options
  );
  if (options.awaitApiService ?? true) {
    const generic = KubernetesObjectApi.makeApiClient(kc);
    await waitFor(
      "custom-metrics-adapter: APIService v1beta2.custom.metrics.k8s.io Available",
      async () => {
        const api = await generic.read({
          apiVersion: "apiregistration.k8s.io/v1",
          kind: "APIService",
          metadata: { name: "v1beta2.custom.metrics.k8s.io" }
        });
        return api.status?.conditions?.some((c) => c.type === "Available" && c.status === "True");
      },
      options.readyTimeoutMs ?? 3e5,
      2e3
    ).catch(async (error) => {
      await stop();
      throw new Error(`addon custom-metrics-adapter: ${error.message}`, { cause: error });
    });
  }
  return { stop };
}

// src/addons/custom-metrics-adapter/index.ts
var customMetricsAdapter = defineAddon({
  spec: {
    id: "custom-metrics-adapter",
    component: "prometheus-adapter",
    version: PROMETHEUS_ADAPTER.version,
    needs: ["prometheus"],
    enables: ["pod_autoscaling"]
  },
  async prepare(log) {
    await buildRecipe(PROMETHEUS_ADAPTER_RECIPE, log);
  },
  async besideCluster(ctx) {
    const adapter = new PrometheusAdapter({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      prometheusUrl: ctx.shared.prometheusUrl,
      dir: join9(ctx.dir, "prometheus-adapter"),
      log: ctx.log
    });
    await adapter.start();
    return { summary: "custom.metrics.k8s.io registered", stop: () => adapter.stop() };
  },
  inCluster: (ctx) => ({
    present: () => KubernetesObjectApi.makeApiClient(ctx.kubeConfig).read({
      apiVersion: "apiregistration.k8s.io/v1",
      kind: "APIService",
      metadata: { name: "v1beta2.custom.metrics.k8s.io" }
    }).then(() => "custom.metrics.k8s.io served").catch(() => null),
    install: async () => {
      const svc = await findPrometheusService(ctx.kubeConfig);
      if (!svc) {
        throw new Error(
          "addon custom-metrics-adapter: no Prometheus Service (app.kubernetes.io/name=prometheus) to read"
        );
      }
      ctx.log(`addon custom-metrics-adapter: reading Prometheus ${svc.url}`);
      const { stop } = await installPrometheusAdapter(ctx.kubeConfig, svc.url, installOptions(ctx));
      return { stop, env: {} };
    }
  })
});

// src/fakegpu/driver.ts
var FAKE_GPU_DRIVER_NAME = "gpu.nvidia.com";
var FAKE_GPU_NODE_LABEL = "kaic.dev/fake-gpu";

// src/addons/fake-gpu/index.ts
var fakeGpu = defineAddon({
  spec: {
    id: "fake-gpu",
    component: "kaic's fake-GPU DRA driver (ResourceSlices; kubelet plugin on the real node)",
    version: KAIC_VERSION,
    needs: [],
    enables: [
      "dra_support",
      "gpu_sharing",
      "virtualized_accelerator",
      "secure_accelerator_access",
      "driver_runtime_management"
    ]
  },
  async besideCluster(ctx) {
    const gpus = await ctx.startSimulatedGpus();
    ctx.shared.gpuProfile = gpus.profile;
    return { summary: gpus.summary, stop: () => gpus.stop() };
  },
  inCluster: (ctx) => ({
    present: async () => null,
    install: async () => {
      const selector = `${FAKE_GPU_NODE_LABEL}=true`;
      const objects = fakegpuManifests({
        publishArgs: [
          "--profile",
          ctx.gpuProfile,
          "--gpus-per-node",
          String(ctx.gpusPerNode),
          "--node-selector",
          selector,
          "--mig",
          "auto"
        ],
        profile: ctx.gpuProfile,
        nodeSelector: selector,
        driver: FAKE_GPU_DRIVER_NAME
      });
      const generic = KubernetesObjectApi.makeApiClient(ctx.kubeConfig);
      const created = [];
      const stop = async () => {
        for (const object of created.reverse()) {
          await generic.delete(object).catch(() => void 0);
        }
        created.length = 0;
      };
      ctx.log(`addon fake-gpu: applying ${objects.length} objects (kaic fakegpu manifests)`);
      try {
        for (const object of objects) {
          await generic.create(object);
          created.push(object);
        }
        const draObjects = new DraObjects(ctx.kubeConfig, ctx.release.draApiVersion);
        await waitFor(
          "the fake-GPU publisher to publish ResourceSlices",
          async () => (await draObjects.list(
            "ResourceSlice",
            `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${ctx.gpuProfile}`
          )).length > 0,
          ctx.readyTimeoutMs ?? 3e5,
          2e3
        );
      } catch (error) {
        await stop();
        throw error;
      }
      return { env: {}, stop };
    }
  })
});

// src/addons/gang-scheduler/index.ts
import { join as join11 } from "node:path";

// src/addons/gang-scheduler/beside-cluster.ts
import { existsSync as existsSync5 } from "node:fs";
import { mkdir as mkdir6, readFile as readFile5, rm as rm3, writeFile as writeFile5 } from "node:fs/promises";
import { join as join10 } from "node:path";
var import_yaml7 = __toESM(require_dist(), 1);
var KueueError = class extends Error {
  name = "KueueError";
};
var KUEUE_OWNER_LABEL = "kaic.dev/kueue";
var WEBHOOK_PREFIX = "kaic-kueue";
var KUEUE_NAMESPACE = "kueue-system";
function webhookPathFilter(frameworks) {
  const patterns = [
    /^\/(mutate|validate)-kueue-x-k8s-io-v[0-9a-z]+-[a-z]+$/,
    ...frameworks.map((framework) => {
      const [group, kind] = framework.includes("/") ? framework.split("/") : ["", framework];
      const g = (group ?? "").replace(/\./g, "-");
      return new RegExp(`^/(mutate|validate)-${g}-v[0-9a-z]+-${kind}$`);
    })
  ];
  return (path) => patterns.some((re) => re.test(path));
}
var KueueController = class {
  constructor(options) {
    this.options = options;
    this.kc.loadFromFile(options.kubeconfigPath);
  }
  options;
  process = null;
  kc = new KubeConfig();
  binDir = kueueDir(KUEUE.version);
  get frameworks() {
    return this.options.frameworks ?? ["batch/job"];
  }
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join10(this.binDir, "kueue");
    if (!existsSync5(binary)) {
      if (this.options.buildMissing === false) {
        throw new KueueError(`${binary} is missing; build it with npm run k8s:build -- --kueue`);
      }
      await buildRecipe(KUEUE_RECIPE, log);
    }
    await mkdir6(join10(dir, "certs"), { recursive: true });
    const serving = await issueCertificate({
      caCert: this.options.caCert,
      caKey: this.options.caKey,
      subject: "/CN=kaic-kueue-webhook",
      dir: join10(dir, "certs"),
      name: "tls",
      usage: "server",
      ipAddresses: ["127.0.0.1"]
    });
    const metricsCerts = join10(dir, "etc-upper", "kueue", "metrics", "certs");
    await mkdir6(metricsCerts, { recursive: true });
    await mkdir6(join10(dir, "etc-work"), { recursive: true });
    await writeFile5(join10(metricsCerts, "tls.crt"), await readFile5(serving.cert));
    await writeFile5(join10(metricsCerts, "tls.key"), await readFile5(serving.key), { mode: 384 });
    await this.applyCrds();
    await this.ensureNamespace();
    const [webhookPort, healthPort, metricsPort] = [
      await freePort("127.0.0.1"),
      await freePort("127.0.0.1"),
      await freePort("127.0.0.1")
    ];
    const config = {
      apiVersion: "config.kueue.x-k8s.io/v1beta2",
      kind: "Configuration",
      namespace: KUEUE_NAMESPACE,
      health: { healthProbeBindAddress: `127.0.0.1:${healthPort}` },
      metrics: { bindAddress: `127.0.0.1:${metricsPort}` },
      webhook: { port: webhookPort, host: "127.0.0.1", certDir: join10(dir, "certs") },
      leaderElection: { leaderElect: false },
      internalCertManagement: { enable: false },
      manageJobsWithoutQueueName: false,
      integrations: { frameworks: this.frameworks }
    };
    await writeFile5(join10(dir, "config.yaml"), (0, import_yaml7.stringify)(config));
    const logFile = join10(dir, "kueue.log");
    log(`kueue ${KUEUE.version}: starting (webhooks on 127.0.0.1:${webhookPort})`);
    const script = 'mount -t overlay kaic-kueue-etc -o "lowerdir=/etc,upperdir=$1,workdir=$2" /etc && shift 2 && exec "$@"';
    this.process = spawnLogged(
      "unshare",
      [
        "--mount",
        "--propagation",
        "private",
        "--",
        "sh",
        "-c",
        script,
        "kaic-kueue",
        join10(dir, "etc-upper"),
        join10(dir, "etc-work"),
        binary,
        `--config=${join10(dir, "config.yaml")}`,
        // The on-demand visibility API would need its own APIService and port; not used here.
        "--feature-gates=VisibilityOnDemand=false"
      ],
      { env: { KUBECONFIG: this.options.kubeconfigPath }, logFile }
    );
    try {
      await this.waitReady(logFile, healthPort, webhookPort);
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(
      `kueue ${KUEUE.version}: ready in ${((Date.now() - t0) / 1e3).toFixed(1)} s (integrations: ${this.frameworks.join(", ") || "none"})`
    );
  }
  async waitReady(logFile, healthPort, webhookPort) {
    await waitProcessReady(
      this.process,
      "kueue",
      `127.0.0.1:${healthPort}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${healthPort}/readyz`),
      (this.options.startTimeoutSeconds ?? 120) * 1e3
    );
    await this.registerWebhooks(webhookPort, await readFile5(this.options.caCert));
  }
  /** Unregisters the webhooks first (they would block Jobs once nothing answers), then stops. */
  async stop() {
    await this.unregisterWebhooks();
    await stopProcess(this.process);
    this.process = null;
  }
  async applyCrds() {
    await applyCrdDirectory(this.kc, join10(this.binDir, "crds"), {
      accept: (file) => file.startsWith("kueue.x-k8s.io_"),
      labels: { [KUEUE_OWNER_LABEL]: "true" },
      what: "Kueue"
    });
  }
  async ensureNamespace() {
    const core = this.kc.makeApiClient(ObjectCoreV1Api);
    try {
      await core.createNamespace({
        body: { metadata: { name: KUEUE_NAMESPACE, labels: { [KUEUE_OWNER_LABEL]: "true" } } }
      });
    } catch (error) {
      if (error.code !== 409) throw error;
    }
  }
  /**
   * Kueue's webhook configurations from its module, narrowed to Kueue's own kinds and the enabled
   * integrations (a webhook for a disabled one would answer 404 and, failing closed, block those
   * objects cluster-wide), pointed at 127.0.0.1 by URL.
   */
  async registerWebhooks(port, caBundle) {
    const text = await readFile5(join10(this.binDir, "webhook.yaml"), "utf8");
    const api = KubernetesObjectApi.makeApiClient(this.kc);
    const served = webhookPathFilter(this.frameworks);
    for (const doc of (0, import_yaml7.parseAllDocuments)(text)) {
      const config = doc.toJS();
      if (!config?.webhooks) continue;
      config.metadata = {
        name: `${WEBHOOK_PREFIX}-${config.metadata.name}`,
        labels: { [KUEUE_OWNER_LABEL]: "true" }
      };
      config.webhooks = config.webhooks.filter((w) => served(w.clientConfig.service?.path ?? "")).map((w) => ({
        ...w,
        clientConfig: {
          url: `https://127.0.0.1:${port}${w.clientConfig.service?.path ?? ""}`,
          caBundle: caBundle.toString("base64")
        }
      }));
      if (config.webhooks.length) await api.create(config);
    }
  }
  async unregisterWebhooks() {
    await deleteWebhookConfigurations(this.kc, `${KUEUE_OWNER_LABEL}=true`);
  }
  /** Removes Kueue's CRDs (and with them every Kueue object) and its namespace. */
  async uninstall() {
    await this.stop();
    await deleteCrdsByLabel(this.kc, `${KUEUE_OWNER_LABEL}=true`, "Kueue");
    await this.kc.makeApiClient(ObjectCoreV1Api).deleteNamespace({ name: KUEUE_NAMESPACE }).catch(() => void 0);
    await rm3(join10(this.options.dir, "etc-work"), { recursive: true, force: true });
  }
};

// src/addons/gang-scheduler/index.ts
var ENV2 = { KAIC_GANG_SCHEDULER: "kueue" };
var gangScheduler = defineAddon({
  spec: {
    id: "gang-scheduler",
    component: "Kueue",
    version: KUEUE.version,
    needs: [],
    enables: ["gang_scheduling"],
    chart: "kueue"
  },
  async prepare(log) {
    await buildRecipe(KUEUE_RECIPE, log);
    await copyFromModule(chartCopy("kueue"), log);
  },
  async besideCluster(ctx) {
    const kueue = new KueueController({
      kubeconfigPath: ctx.kubeconfigPath,
      caCert: ctx.ca.cert,
      caKey: ctx.ca.key,
      dir: join11(ctx.dir, "kueue"),
      log: ctx.log
    });
    await kueue.start();
    return { summary: "webhooks served from this machine", env: ENV2, stop: () => kueue.stop() };
  },
  inCluster: (ctx) => chartInstall(ctx, "gang-scheduler", "kueue", "workloads.kueue.x-k8s.io", ENV2)
});

// src/addons/gateway/index.ts
import { join as join14 } from "node:path";

// src/addons/gateway/beside-cluster.ts
import { existsSync as existsSync6 } from "node:fs";
import { mkdir as mkdir7, writeFile as writeFile6 } from "node:fs/promises";
import { join as join12 } from "node:path";
var import_yaml8 = __toESM(require_dist(), 1);

// src/addons/gateway/pin.ts
import { basename, dirname } from "node:path";
var GATEWAY_API = {
  module: "sigs.k8s.io/gateway-api",
  version: "v1.6.1",
  crdDir: "config/crd/standard"
};
var TRAEFIK = {
  module: "github.com/traefik/traefik/v3",
  version: "v3.7.13",
  /** Its RBAC for the kubernetesGateway provider, as Traefik publishes it in its docs. */
  rbacFile: "docs/content/reference/dynamic-configuration/kubernetes-gateway-rbac.yml",
  /** The release image of that version, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: "traefik:v3.7.13"
};
var TRAEFIK_RELEASE = TRAEFIK.version.replace(/^v/, "");
function goSource(lines) {
  return `${lines.join("\n")}
`;
}
var TRAEFIK_LOCAL_MODULES = {
  "github.com/traefik/traefik/dynamic/ext": {
    files: {
      "go.mod": "module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n",
      "ext.go": goSource([
        "// Package ext stands in for Traefik's nested module of the same path.",
        "package ext",
        "",
        "// HTTP extends dynamic.HTTP (empty in Traefik's open-source build).",
        "type HTTP struct{}",
        "",
        "// Router extends dynamic.Router (empty in Traefik's open-source build).",
        "type Router struct{}"
      ])
    }
  },
  "github.com/go-acme/lego/v5": {
    // The version Traefik's go.mod requires.
    base: { module: "github.com/go-acme/lego/v5", version: "v5.4.1" },
    drop: ["providers/dns", "cmd"],
    files: {
      "providers/dns/kaic.go": goSource([
        "// Package dns stands in for lego's DNS-01 provider registry in kaic's build.",
        "package dns",
        "",
        "import (",
        '	"fmt"',
        "",
        '	"github.com/go-acme/lego/v5/challenge"',
        ")",
        "",
        "// NewDNSChallengeProviderByName fails: no DNS provider is built in.",
        "func NewDNSChallengeProviderByName(name string) (challenge.Provider, error) {",
        '	return nil, fmt.Errorf("DNS challenge provider %q is not built into this Traefik", name)',
        "}"
      ])
    }
  },
  "github.com/abbot/go-http-auth": {
    // The newest version served (Traefik's go.mod names the fork, which is not).
    base: {
      module: "github.com/abbot/go-http-auth",
      version: "v0.4.1-0.20220112235402-e1cee1c72f2f"
    },
    files: {
      "kaic_stale.go": goSource([
        "package auth",
        "",
        'import "net/http"',
        "",
        "// RequireAuthStale is RequireAuth with stale=true in the challenge (RFC 7616):",
        "// the nonce is no longer valid, the credentials may be.",
        "func (da *DigestAuth) RequireAuthStale(w http.ResponseWriter, r *http.Request) {",
        "	da.RequireAuth(staleChallenge{w, da.Headers.V().Authenticate}, r)",
        "}",
        "",
        "type staleChallenge struct {",
        "	http.ResponseWriter",
        "	header string",
        "}",
        "",
        "func (s staleChallenge) WriteHeader(code int) {",
        '	if challenge := s.Header().Get(s.header); challenge != "" {',
        '		s.Header().Set(s.header, challenge+", stale=true")',
        "	}",
        "	s.ResponseWriter.WriteHeader(code)",
        "}"
      ])
    }
  }
};
var TRAEFIK_RECIPE = {
  component: "traefik",
  module: TRAEFIK.module,
  version: TRAEFIK.version,
  outDir: (root) => traefikDir(TRAEFIK.version, root),
  binaries: ["traefik"],
  packages: [`${TRAEFIK.module}/cmd/traefik`],
  ldflags: [`-X ${TRAEFIK.module}/pkg/version.Version=${TRAEFIK_RELEASE}`],
  moduleReplaces: { local: TRAEFIK_LOCAL_MODULES },
  verify: [
    { versionOutput: { binary: "traefik", args: ["version"], expect: TRAEFIK_RELEASE } },
    { helpMentions: { binary: "traefik", flag: "--providers.kubernetesgateway" } }
  ]
};
var GATEWAY_API_CRDS = {
  component: "gateway-api",
  module: GATEWAY_API.module,
  version: GATEWAY_API.version,
  source: GATEWAY_API.crdDir,
  outDir: (root) => gatewayApiDir(GATEWAY_API.version, root),
  target: "crds",
  pattern: /^[^/]*\.ya?ml$/
};
var TRAEFIK_RBAC = {
  component: "traefik-rbac",
  module: TRAEFIK.module,
  version: TRAEFIK.version,
  source: dirname(TRAEFIK.rbacFile),
  outDir: (root) => chartDir("traefik-rbac", TRAEFIK.version, root),
  target: "rbac",
  files: [basename(TRAEFIK.rbacFile)]
};

// src/addons/gateway/beside-cluster.ts
var TraefikError = class extends Error {
  name = "TraefikError";
};
var TRAEFIK_CONTROLLER_NAME = "traefik.io/gateway-controller";
var TRAEFIK_OWNER_LABEL = "kaic.dev/traefik";
var TRAEFIK_ENTRYPOINT = "web";
var GATEWAY_API_GROUP = "/apis/gateway.networking.k8s.io/v1";
function findCondition(object, type) {
  const status = object.status;
  return status?.conditions?.find((c) => c.type === type);
}
var TraefikGateway = class {
  constructor(options) {
    this.options = options;
    this.kc.loadFromFile(options.kubeconfigPath);
  }
  options;
  process = null;
  kc = new KubeConfig();
  entryPointPort = null;
  statusIp = null;
  /** Whether stop() deletes the GatewayClass (kaic created it, now or in an earlier run). */
  ownsGatewayClass = false;
  get gatewayClassName() {
    return this.options.gatewayClassName ?? "kaic-traefik";
  }
  /** The port of the HTTP entryPoint: every Gateway listener must use it. */
  get port() {
    if (this.entryPointPort === null) throw new TraefikError("Traefik is not started");
    return this.entryPointPort;
  }
  /** The address Gateways report in status.addresses and clients reach the entryPoint at. */
  get address() {
    if (this.statusIp === null) throw new TraefikError("Traefik is not started");
    return this.statusIp;
  }
  /** Base URL of the entryPoint, as a client on this machine or a pod would call it. */
  get url() {
    return `http://${this.address}:${this.port}`;
  }
  async start() {
    const t0 = Date.now();
    const { log, dir } = this.options;
    const binary = join12(traefikDir(TRAEFIK.version), "traefik");
    if (!existsSync6(binary)) {
      if (this.options.buildMissing === false) {
        throw new TraefikError(`${binary} is missing; build it with npm run k8s:build -- --addons`);
      }
      await buildRecipe(TRAEFIK_RECIPE, log);
    }
    await mkdir7(dir, { recursive: true });
    await applyCrdDirectory(this.kc, await copyFromModule(GATEWAY_API_CRDS, log), {
      what: `Gateway API ${GATEWAY_API.version}`
    });
    await this.ensureGatewayClass();
    try {
      await this.launch(binary);
    } catch (error) {
      await this.stop();
      throw error;
    }
    log(`traefik ${TRAEFIK.version}: ready in ${((Date.now() - t0) / 1e3).toFixed(1)} s`);
  }
  async launch(binary) {
    const { log, dir } = this.options;
    this.statusIp = this.options.statusAddress ?? await defaultRouteAddress();
    if (this.options.port !== void 0) {
      await assertPortFree(this.options.port, "0.0.0.0", "Traefik's HTTP entryPoint");
    }
    this.entryPointPort = this.options.port ?? await freePort("0.0.0.0");
    const pingPort = await freePort("127.0.0.1");
    const config = {
      // No calls home from a test machine.
      global: { checkNewVersion: false, sendAnonymousUsage: false },
      log: { level: this.options.logLevel ?? "INFO", noColor: true },
      entryPoints: {
        [TRAEFIK_ENTRYPOINT]: { address: `0.0.0.0:${this.entryPointPort}` },
        // Ping only; named, so Traefik does not open its default :8080 for it.
        traefik: { address: `127.0.0.1:${pingPort}` }
      },
      ping: { entryPoint: "traefik" },
      providers: {
        // A route change reaches the proxy this long after the event (Traefik's default: 2s).
        providersThrottleDuration: "500ms",
        // Without a status address Gateways get none; a Gateway API client waits for one.
        kubernetesGateway: { statusAddress: { ip: this.statusIp } }
      }
    };
    const configFile = join12(dir, "traefik.yaml");
    await writeFile6(configFile, (0, import_yaml8.stringify)(config));
    const logFile = join12(dir, "traefik.log");
    log(
      `traefik ${TRAEFIK.version}: starting, entryPoint ${TRAEFIK_ENTRYPOINT} on 0.0.0.0:${this.entryPointPort}, GatewayClass ${this.gatewayClassName}`
    );
    this.process = spawnLogged(binary, [`--configFile=${configFile}`], {
      env: {
        // The provider connects with this kubeconfig (it checks KUBECONFIG after the in-cluster
        // variables, which are blanked so a kaic run inside a pod does not pick its own cluster).
        KUBECONFIG: this.options.kubeconfigPath,
        KUBERNETES_SERVICE_HOST: "",
        KUBERNETES_SERVICE_PORT: ""
      },
      logFile
    });
    const timeoutMs = (this.options.startTimeoutSeconds ?? 60) * 1e3;
    await waitProcessReady(
      this.process,
      "traefik",
      `127.0.0.1:${pingPort}`,
      logFile,
      () => answersOk(`http://127.0.0.1:${pingPort}/ping`),
      timeoutMs
    );
    await this.waitGatewayClassAccepted(logFile, timeoutMs);
  }
  /**
   * Creates Traefik's GatewayClass. One that exists already is used as it is if it names Traefik's
   * controller (and deleted on stop only if kaic's label says kaic made it).
   */
  async ensureGatewayClass() {
    const path = `${GATEWAY_API_GROUP}/gatewayclasses`;
    try {
      await postJson(this.kc, path, {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "GatewayClass",
        metadata: { name: this.gatewayClassName, labels: { [TRAEFIK_OWNER_LABEL]: "true" } },
        spec: { controllerName: TRAEFIK_CONTROLLER_NAME }
      });
      this.ownsGatewayClass = true;
      return;
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 409)) {
        throw new TraefikError(
          `could not create GatewayClass ${this.gatewayClassName}: ${error.message}`
        );
      }
    }
    const existing = await getJson(this.kc, `${path}/${this.gatewayClassName}`);
    const controller = existing.spec.controllerName;
    if (controller !== TRAEFIK_CONTROLLER_NAME) {
      throw new TraefikError(
        `GatewayClass ${this.gatewayClassName} exists with controllerName ${controller}, not Traefik's ${TRAEFIK_CONTROLLER_NAME}; choose another gatewayClassName`
      );
    }
    const labels4 = existing.metadata.labels;
    this.ownsGatewayClass = labels4?.[TRAEFIK_OWNER_LABEL] === "true";
  }
  async waitGatewayClassAccepted(logFile, timeoutMs) {
    const path = `${GATEWAY_API_GROUP}/gatewayclasses/${this.gatewayClassName}`;
    let last = "no condition";
    try {
      await waitFor(
        `GatewayClass ${this.gatewayClassName} Accepted by Traefik`,
        async () => {
          const gc = await getJson(this.kc, path);
          const generation = gc.metadata.generation;
          const accepted = findCondition(gc, "Accepted");
          if (accepted) last = `${accepted.status} (${accepted.reason}: ${accepted.message})`;
          return accepted?.status === "True" && accepted.observedGeneration === generation;
        },
        timeoutMs
      );
    } catch (error) {
      throw new TraefikError(
        `${error.message}; Accepted: ${last}; see ${logFile} (the provider waits for every Gateway API informer: a missing CRD stalls it)`
      );
    }
  }
  /** Deletes the GatewayClass kaic created, then stops Traefik. */
  async stop() {
    if (this.ownsGatewayClass) {
      const custom = this.kc.makeApiClient(ObjectCustomObjectsApi);
      await custom.deleteClusterCustomObject({
        group: "gateway.networking.k8s.io",
        version: "v1",
        plural: "gatewayclasses",
        name: this.gatewayClassName
      }).catch(
        (error) => this.options.log(
          `traefik: could not delete GatewayClass ${this.gatewayClassName}: ${error.message}`
        )
      );
      this.ownsGatewayClass = false;
    }
    await stopProcess(this.process);
    this.process = null;
  }
};

// src/addons/gateway/in-cluster.ts
import { readFile as readFile6 } from "node:fs/promises";
import { join as join13 } from "node:path";
var import_yaml9 = __toESM(require_dist(), 1);
var GATEWAY_NAMESPACE = "kaic-gateway";
var GATEWAY_CLASS = "kaic-traefik";
var GATEWAY_LISTENER_PORT = 8e3;
var PING_PORT = 8082;
var labels3 = { [INSTALL_LABEL]: "gateway" };
function traefikObjects(rbacYaml, statusIp) {
  const meta = (name, namespaced = true) => ({
    name,
    ...namespaced ? { namespace: GATEWAY_NAMESPACE } : {},
    labels: labels3
  });
  const roles = (0, import_yaml9.parseAllDocuments)(rbacYaml).map((d) => d.toJS()).filter((d) => d?.kind === "ClusterRole");
  if (roles.length !== 1) {
    throw new Error(`Traefik's RBAC file has ${roles.length} ClusterRoles, expected 1`);
  }
  const config = {
    // No calls home from a test cluster.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: "INFO", noColor: true },
    entryPoints: {
      [TRAEFIK_ENTRYPOINT]: { address: `:${GATEWAY_LISTENER_PORT}` },
      traefik: { address: `:${PING_PORT}` }
    },
    ping: { entryPoint: "traefik" },
    providers: {
      providersThrottleDuration: "500ms",
      kubernetesGateway: { statusAddress: { ip: statusIp } }
    }
  };
  const app = { "app.kubernetes.io/name": "kaic-traefik" };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: meta("traefik") },
    { ...roles[0], metadata: meta("kaic-traefik-gateway", false) },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta("kaic-traefik-gateway", false),
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "kaic-traefik-gateway"
      },
      subjects: [{ kind: "ServiceAccount", name: "traefik", namespace: GATEWAY_NAMESPACE }]
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: meta("traefik"),
      data: { "traefik.yaml": JSON.stringify(config, null, 2) }
    },
    singleContainerDeployment({
      name: "traefik",
      namespace: GATEWAY_NAMESPACE,
      app,
      serviceAccount: "traefik",
      image: TRAEFIK.image,
      args: ["--configFile=/config/traefik.yaml"],
      ports: [
        { name: "web", containerPort: GATEWAY_LISTENER_PORT },
        { name: "ping", containerPort: PING_PORT }
      ],
      readiness: { path: "/ping", port: PING_PORT },
      configDir: "/config"
    }),
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: meta(GATEWAY_CLASS, false),
      spec: { controllerName: TRAEFIK_CONTROLLER_NAME }
    }
  ];
}
async function installGateway(kc, options) {
  const { log } = options;
  const stop = () => removeChart(kc, "gateway", log);
  try {
    const crdDir = await copyFromModule(GATEWAY_API_CRDS, log);
    await applyCrdDirectory(kc, crdDir, { labels: labels3, what: "Gateway API" });
    await applyJson(kc, `/api/v1/namespaces/${GATEWAY_NAMESPACE}`, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: GATEWAY_NAMESPACE, labels: labels3 }
    });
    const service = await applyJson(
      kc,
      `/api/v1/namespaces/${GATEWAY_NAMESPACE}/services/traefik`,
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "traefik", namespace: GATEWAY_NAMESPACE, labels: labels3 },
        spec: {
          selector: { "app.kubernetes.io/name": "kaic-traefik" },
          ports: [{ name: "web", port: GATEWAY_LISTENER_PORT, targetPort: GATEWAY_LISTENER_PORT }]
        }
      }
    );
    const clusterIp = service.spec?.clusterIP;
    if (!clusterIp) throw new Error("the Traefik Service got no cluster IP");
    const rbacDir = await copyFromModule(TRAEFIK_RBAC, log);
    const [rbacFile] = TRAEFIK_RBAC.files;
    const objects = traefikObjects(await readFile6(join13(rbacDir, rbacFile), "utf8"), clusterIp);
    await installLabelled(kc, "gateway", GATEWAY_NAMESPACE, objects, options);
  } catch (error) {
    await stop();
    throw new Error(`addon gateway: ${error.message}`, { cause: error });
  }
  return {
    env: {
      KAIC_GATEWAY_CLASS: GATEWAY_CLASS,
      KAIC_GATEWAY_LISTENER_PORT: String(GATEWAY_LISTENER_PORT)
    },
    stop
  };
}

// src/addons/gateway/index.ts
var gateway = defineAddon({
  spec: {
    id: "gateway",
    component: "Gateway API CRDs + Traefik",
    version: TRAEFIK.version,
    needs: [],
    enables: ["ai_inference", "advanced_inference_ingress"]
  },
  async prepare(log) {
    await buildRecipe(TRAEFIK_RECIPE, log);
    await copyFromModule(GATEWAY_API_CRDS, log);
  },
  async besideCluster(ctx) {
    const traefik = new TraefikGateway({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join14(ctx.dir, "traefik"),
      log: ctx.log
    });
    await traefik.start();
    return {
      summary: `GatewayClass ${traefik.gatewayClassName}, listener port ${traefik.port}`,
      env: {
        KAIC_GATEWAY_CLASS: traefik.gatewayClassName,
        KAIC_GATEWAY_LISTENER_PORT: String(traefik.port)
      },
      stop: () => traefik.stop()
    };
  },
  inCluster: (ctx) => ({
    present: () => ctx.crdPresent("gateways.gateway.networking.k8s.io"),
    install: () => installGateway(ctx.kubeConfig, installOptions(ctx))
  })
});

// src/addons/gpu-metrics/index.ts
var gpuMetrics = defineAddon({
  spec: {
    id: "gpu-metrics",
    component: "kaic's DCGM-style exporter",
    version: KAIC_VERSION,
    needs: ["fake-gpu"],
    enables: ["accelerator_metrics"],
    realNode: "published as a cluster Service through a pod on the real node"
  },
  async besideCluster(ctx) {
    const exporter = new DcgmExporter(
      ctx.kubeConfig,
      ctx.shared.gpuProfile,
      ctx.release.draApiVersion
    );
    const port = await exporter.listen(0);
    const service = await ctx.publishService({
      namespace: "kaic-fakegpu",
      name: "kaic-fakegpu-exporter",
      labels: {
        "app.kubernetes.io/name": "kaic-fakegpu",
        "app.kubernetes.io/component": "exporter"
      },
      portName: "metrics",
      port
    }).catch(async (error) => {
      await exporter.close();
      throw error;
    });
    return {
      summary: `Service ${service.ref}`,
      async stop() {
        await service.remove();
        await exporter.close();
      }
    };
  },
  inCluster: () => ({ comesWith: "kaic's exporter comes with the fake-GPU driver's manifests" })
});

// src/addons/prometheus/index.ts
import { join as join15 } from "node:path";
var prometheus = defineAddon({
  spec: {
    id: "prometheus",
    component: "Prometheus",
    version: PROMETHEUS.version,
    needs: [],
    enables: ["accelerator_metrics", "ai_service_metrics", "pod_autoscaling"],
    realNode: "published as a cluster Service through a pod on the real node"
  },
  async prepare(log) {
    await buildRecipe(PROMETHEUS_RECIPE, log);
  },
  async besideCluster(ctx) {
    const server = new PrometheusServer({
      kubeconfigPath: ctx.kubeconfigPath,
      dir: join15(ctx.dir, "prometheus"),
      log: ctx.log
    });
    await server.start();
    const service = await ctx.publishService({
      namespace: "monitoring",
      name: "prometheus",
      labels: { "app.kubernetes.io/name": "prometheus" },
      portName: "web",
      port: server.port
    }).catch(async (error) => {
      await server.stop();
      throw error;
    });
    ctx.shared.prometheusUrl = server.url;
    return {
      summary: `${server.url}, Service ${service.ref}`,
      async stop() {
        await service.remove();
        await server.stop();
      }
    };
  },
  inCluster: (ctx) => ({
    present: async () => {
      const svc = await findPrometheusService(ctx.kubeConfig);
      return svc ? `Service ${svc.namespace}/${svc.name}` : null;
    },
    install: () => installPrometheus(ctx.kubeConfig, installOptions(ctx))
  })
});

// src/addons/registry.ts
var ADDON_REGISTRY = [
  fakeGpu,
  gpuMetrics,
  prometheus,
  customMetricsAdapter,
  clusterAutoscaler,
  gangScheduler,
  gateway,
  aiOperator
];

// src/addons/plan.ts
var ADDON_IDS = ADDON_REGISTRY.map((a) => a.spec.id);
var FAKE_GPU_DRIVERS = ["kaic", "dra-example-driver", "fake-gpu-operator"];
var ADDONS = ADDON_REGISTRY.map((a) => a.spec);
function addonOf(id) {
  return ADDON_REGISTRY.find((a) => a.spec.id === id);
}
var CHART_ADDONS = ADDONS.filter((a) => a.chart).map((a) => a.id);
function addonSpec(id) {
  return addonOf(id).spec;
}
var AddonPlanError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "AddonPlanError";
  }
};
function parseAddonList(value, source) {
  const items = value.split(",").map((v) => v.trim()).filter(Boolean);
  if (items.length === 1 && items[0] === "all") return [...ADDON_IDS];
  if (items.length === 1 && items[0] === "none") return [];
  const unknown = items.filter((i) => !ADDON_IDS.includes(i));
  if (unknown.length || items.length === 0) {
    throw new AddonPlanError(
      `${source} "${value}" is not an addon list; use all, none, or a comma list of ${ADDON_IDS.join(", ")}`
    );
  }
  return [...new Set(items)];
}
function resolveAddonPlan(requested, options = { realNode: true }) {
  const specs = options.specs ?? ADDONS;
  const spec = (id) => {
    const found = specs.find((s) => s.id === id);
    if (!found) throw new AddonPlanError(`no addon "${id}" in the plan`);
    return found;
  };
  const chosen = /* @__PURE__ */ new Set();
  const added = [];
  const visit = (id, neededBy, path) => {
    if (path.includes(id)) {
      throw new AddonPlanError(`addons need each other in a cycle: ${[...path, id].join(" \u2192 ")}`);
    }
    for (const need of spec(id).needs) visit(need, id, [...path, id]);
    if (!chosen.has(id)) {
      chosen.add(id);
      if (neededBy && !requested.includes(id)) added.push({ id, neededBy });
    }
  };
  for (const id of requested) visit(id, null, []);
  const left = [];
  if (!options.realNode) {
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of [...chosen]) {
        const s = spec(id);
        const reason = s.realNode ? `needs the real node (${s.realNode})` : s.needs.find((n) => !chosen.has(n)) ? `needs ${s.needs.find((n) => !chosen.has(n))}, which is left out` : null;
        if (reason) {
          chosen.delete(id);
          left.push({ id, reason });
          changed = true;
        }
      }
    }
  }
  const waves = [];
  const placed = /* @__PURE__ */ new Set();
  while (placed.size < chosen.size) {
    const wave = [...chosen].filter(
      (id) => !placed.has(id) && spec(id).needs.every((n) => placed.has(n))
    );
    for (const id of wave) placed.add(id);
    waves.push(wave);
  }
  return {
    waves,
    added: added.filter((a) => chosen.has(a.id)),
    left: left.filter((l) => requested.includes(l.id) || added.some((a) => a.id === l.id))
  };
}
function reportAddonPlan(plan, alsoLeft, log) {
  for (const a of plan.added) log(`addon ${a.id}: added, ${a.neededBy} needs it`);
  for (const l of [...plan.left, ...alsoLeft]) log(`addon ${l.id}: left out, ${l.reason}`);
}

// src/config/run-config.ts
var PROVIDERS = ["kwok", "kind", "existing"];
var AVAILABLE_PROVIDERS = PROVIDERS;
var REUSE_SETTINGS = ["no", "yes"];
var REAL_NODE_SETTINGS = ["auto", "yes", "no"];
var RUN_OPTIONS = [
  {
    name: "provider",
    default: "kwok",
    help: `where the cluster comes from: kwok (local processes), kind (Docker), existing (yours)`
  },
  {
    name: "cluster-name",
    help: "kind: name of the cluster to create (default kaic-<minor>-<random>)"
  },
  {
    name: "reuse-cluster",
    default: "no",
    help: "kind: yes tests a cluster of --cluster-name that already exists (and leaves it standing)"
  },
  {
    name: "kubernetes-version",
    default: DEFAULT_TEST_MINOR,
    help: `minor of the cluster to create: ${KUBERNETES_MINORS.join(", ")}`
  },
  {
    name: "nodes",
    default: "2",
    help: "simulated nodes (0\u20131000; 0 with kwok: the real node alone), tainted so only pods that opt in land there"
  },
  {
    name: "gpus-per-node",
    default: "4",
    help: `simulated GPUs per node (1\u2013${MAX_GPUS_PER_NODE})`
  },
  {
    name: "gpu-profile",
    default: "nvidia-h100-80gb",
    help: `simulated GPU: ${GPU_PROFILES.map((p) => p.name).join(", ")}`
  },
  {
    name: "fake-gpu-driver",
    default: "kaic",
    help: `simulated-GPU driver: ${FAKE_GPU_DRIVERS.join(", ")} (kaic installs only its own so far)`
  },
  {
    name: "addons",
    help: `all, none, or a comma list of ${ADDON_IDS.join(", ")} (default: all on kwok and kind, none on existing, where only ${CHART_ADDONS.join(", ")} may be named)`
  },
  {
    name: "real-node",
    default: "auto",
    help: "kwok: a real kubelet + containerd node for pods that run: auto (when the machine running kaic can), yes, no"
  },
  {
    name: "kubeconfig",
    help: "kubeconfig of the cluster to test, a path or its text (--provider existing; default: KUBECONFIG, ~/.kube/config, in-cluster)"
  },
  { name: "context", help: "context in that kubeconfig (default: its current context)" },
  {
    name: "conformance-version",
    help: "AI conformance version (default: the cluster's minor, else the newest known)"
  },
  { name: "checklist", help: "official checklist (path or URL): its requirements, filled copy" },
  { name: "requirements", help: "comma list of requirement ids (default: all)" },
  { name: "levels", help: `comma list of levels: ${LEVELS.join(", ")} (default: all)` },
  { name: "categories", help: "comma list of checklist categories (default: all)" },
  { name: "grep", help: "only tests whose full title matches this regular expression" },
  {
    name: "spec",
    multiple: true,
    flagOnly: true,
    help: "your own Mocha spec file (repeatable); given, it runs instead of kaic's suites"
  },
  { name: "na-justifications", help: "YAML requirement_id: reason, the only source of N/A" },
  { name: "metadata", help: "checklist metadata for the filled copy (platformName, \u2026)" },
  {
    name: "results-url",
    help: "where this run's results.json will be published (e.g. the uploaded artifact's URL): listed as evidence in the filled checklist"
  },
  { name: "timeout", default: "300", help: "seconds per test" },
  {
    name: "parallel",
    default: "4",
    help: "requirements whose suites run at once, as each suite's declared budget (devices, node CPU) allows; 1: one after another"
  },
  {
    name: "verbose",
    switch: true,
    default: "false",
    help: "print the end of every component's log (control plane, real node, addons) and keep them all in <output>/logs (kept there anyway when the run fails)"
  },
  { name: "output", default: "kaic-results", help: "directory for the reports" }
];
function envName(name) {
  return `KAIC_${name.toUpperCase().replace(/-/g, "_")}`;
}
function collectRunInputs(options) {
  let flags = {};
  if (options.args) {
    try {
      flags = parseArgs({
        args: options.args,
        options: Object.fromEntries(
          RUN_OPTIONS.map((o) => [
            o.name,
            o.switch ? { type: "boolean" } : o.multiple ? { type: "string", multiple: true } : { type: "string" }
          ])
        ),
        strict: true,
        allowPositionals: false
      }).values;
    } catch (error) {
      throw new UsageError(error.message);
    }
  }
  const raw = /* @__PURE__ */ new Map();
  for (const option of RUN_OPTIONS) {
    const flag = flags[option.name];
    if (flag !== void 0) {
      const values = (Array.isArray(flag) ? flag : [flag]).map(String);
      raw.set(
        option.name,
        values.map((value) => ({ value, source: `--${option.name}` }))
      );
      continue;
    }
    if (option.flagOnly) continue;
    const input = options.inputs?.(option.name) ?? "";
    if (input !== "") {
      raw.set(option.name, [{ value: input, source: `input "${option.name}"` }]);
      continue;
    }
    const fromEnv = options.env?.[envName(option.name)];
    if (fromEnv !== void 0 && fromEnv !== "") {
      raw.set(option.name, [{ value: fromEnv, source: envName(option.name) }]);
      continue;
    }
    if (option.default !== void 0) {
      raw.set(option.name, [{ value: option.default, source: `--${option.name} (default)` }]);
    }
  }
  return raw;
}
function one(raw, name) {
  return raw.get(name)?.[0];
}
function list(value) {
  return value.split(",").map((v) => v.trim()).filter(Boolean);
}
function wholeNumber(r, min, max) {
  const n = Number(r.value);
  if (!/^\d+$/.test(r.value.trim()) || n < min || n > max) {
    throw new UsageError(
      `${r.source} must be a whole number from ${min} to ${max}, got "${r.value}"`
    );
  }
  return n;
}
function existingFile(r) {
  if (!r) return void 0;
  const path = resolve(r.value);
  if (!existsSync7(path) || !statSync(path).isFile()) {
    throw new UsageError(`${r.source} ${r.value}: no such file`);
  }
  return path;
}
function outputDirectory(r) {
  const path = resolve(r.value);
  let probe = path;
  while (!existsSync7(probe)) probe = dirname2(probe);
  if (!statSync(probe).isDirectory()) {
    throw new UsageError(`${r.source} ${r.value}: ${probe} is a file, not a directory`);
  }
  return path;
}
function checkKubeconfig(file, context) {
  const kc = new KubeConfig();
  const text = isKubeconfigText(file.value);
  const named = text ? "(text)" : file.value;
  try {
    kc.loadFromString(text ? file.value : readFileSync(resolve(file.value), "utf8"));
  } catch (error) {
    throw new UsageError(
      `${file.source} ${named} is not a kubeconfig: ${error.message}`
    );
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const wanted = context?.value ?? kc.getCurrentContext();
  if (!wanted) {
    throw new UsageError(
      `${file.source} ${named} has no current context; name one with --context (${contexts.join(", ") || "none defined"})`
    );
  }
  if (!contexts.includes(wanted)) {
    throw new UsageError(
      `${context?.source ?? "current-context"} "${wanted}" is not in ${named}; contexts: ${contexts.join(", ") || "none"}`
    );
  }
}
function validateRunConfig(raw) {
  const provider = one(raw, "provider");
  if (!PROVIDERS.includes(provider.value)) {
    throw new UsageError(
      `${provider.source} "${provider.value}" is not a provider; accepted: ${PROVIDERS.join(", ")}`
    );
  }
  const version = one(raw, "kubernetes-version");
  let kubernetesVersion;
  try {
    kubernetesVersion = parseKubernetesMinor(version.value, version.source);
  } catch (error) {
    throw new UsageError(error.message);
  }
  const nodesRaw = one(raw, "nodes");
  const nodes = wholeNumber(nodesRaw, 0, 1e3);
  const gpusPerNode = wholeNumber(one(raw, "gpus-per-node"), 1, MAX_GPUS_PER_NODE);
  const profile = one(raw, "gpu-profile");
  if (!GPU_PROFILES.some((p) => p.name === profile.value)) {
    throw new UsageError(
      `${profile.source} "${profile.value}" is not a GPU profile; accepted: ${GPU_PROFILES.map((p) => p.name).join(", ")}`
    );
  }
  const kubeconfig = one(raw, "kubeconfig");
  const context = one(raw, "context");
  if (context && !kubeconfig) {
    throw new UsageError(`${context.source} needs --kubeconfig (the file the context is in)`);
  }
  if (kubeconfig) {
    if (!isKubeconfigText(kubeconfig.value)) existingFile(kubeconfig);
    checkKubeconfig(kubeconfig, context);
  }
  const driver = one(raw, "fake-gpu-driver");
  if (!FAKE_GPU_DRIVERS.includes(driver.value)) {
    throw new UsageError(
      `${driver.source} "${driver.value}" is not a simulated-GPU driver; accepted: ${FAKE_GPU_DRIVERS.join(", ")}`
    );
  }
  const realNode = one(raw, "real-node");
  if (!REAL_NODE_SETTINGS.includes(realNode.value)) {
    throw new UsageError(
      `${realNode.source} "${realNode.value}" is not accepted; use ${REAL_NODE_SETTINGS.join(", ")}`
    );
  }
  if (provider.value === "kwok" && nodes === 0 && realNode.value === "no") {
    throw new UsageError(
      `${nodesRaw.source} 0 with ${realNode.source} no leaves the cluster without a node; ask for simulated nodes or the real node`
    );
  }
  const addonsRaw = one(raw, "addons");
  let addons;
  try {
    addons = addonsRaw ? parseAddonList(addonsRaw.value, addonsRaw.source) : provider.value === "existing" ? [] : [...ADDON_IDS];
  } catch (error) {
    if (error instanceof AddonPlanError) throw new UsageError(error.message);
    throw error;
  }
  const levelsRaw = one(raw, "levels");
  const levels = levelsRaw ? list(levelsRaw.value) : void 0;
  const badLevel = levels?.find((l) => !LEVELS.includes(l));
  if (badLevel) {
    throw new UsageError(
      `${levelsRaw.source} "${badLevel}" is not accepted; use ${LEVELS.join(", ")}`
    );
  }
  const grep = one(raw, "grep");
  if (grep) {
    try {
      new RegExp(grep.value);
    } catch (error) {
      throw new UsageError(
        `${grep.source} is not a regular expression: ${error.message}`
      );
    }
  }
  const timeout = one(raw, "timeout");
  const seconds = Number(timeout.value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(
      `${timeout.source} must be a number of seconds above 0, got "${timeout.value}"`
    );
  }
  const parallel = one(raw, "parallel");
  if (!/^[1-9][0-9]?$/.test(parallel.value)) {
    throw new UsageError(
      `${parallel.source} must be a whole number from 1 to 99, got "${parallel.value}"`
    );
  }
  const checklist = one(raw, "checklist");
  const output = outputDirectory(one(raw, "output"));
  const verbose = one(raw, "verbose");
  if (!/^(true|false|1|0)$/i.test(verbose.value)) {
    throw new UsageError(`${verbose.source} "${verbose.value}" is not accepted; use true or false`);
  }
  if (kubeconfig && provider.value !== "existing") {
    throw new UsageError(
      `${kubeconfig.source} applies to --provider existing (the cluster to test); ${provider.source} is "${provider.value}"`
    );
  }
  if (provider.value === "existing") {
    if (!version.source.endsWith("(default)")) {
      throw new UsageError(
        `${version.source} applies to the clusters kaic creates; an existing cluster's version is read from its API server`
      );
    }
    const notChart = addons.filter((a) => !CHART_ADDONS.includes(a));
    if (notChart.length) {
      throw new UsageError(
        `${addonsRaw.source} "${addonsRaw.value}": on an existing cluster kaic installs only ${CHART_ADDONS.join(", ")} (from their charts, and only when named), not ${notChart.join(", ")}; install the others yourself (docs/requirements.md says what each requirement needs), or pass none`
      );
    }
  }
  if (driver.value !== "kaic") {
    throw new UsageError(
      provider.value === "kind" ? `${driver.source} "${driver.value}": kaic cannot install it yet (its manifests are not pinned); use kaic` : `${driver.source} "${driver.value}" runs from container images, which need --provider kind; use kaic`
    );
  }
  const clusterName = one(raw, "cluster-name");
  const reuse = one(raw, "reuse-cluster");
  if (!REUSE_SETTINGS.includes(reuse.value)) {
    throw new UsageError(
      `${reuse.source} "${reuse.value}" is not accepted; use ${REUSE_SETTINGS.join(", ")}`
    );
  }
  if (clusterName && !/^[a-z0-9]([-a-z0-9]{0,48}[a-z0-9])?$/.test(clusterName.value)) {
    throw new UsageError(
      `${clusterName.source} "${clusterName.value}" is not a kind cluster name (lower-case letters, digits and "-", at most 50)`
    );
  }
  if ((clusterName || reuse.value === "yes") && provider.value !== "kind") {
    throw new UsageError(
      `${clusterName?.source ?? reuse.source} applies to --provider kind; ${provider.source} is "${provider.value}"`
    );
  }
  if (reuse.value === "yes" && !clusterName) {
    throw new UsageError(`${reuse.source} yes needs --cluster-name (the cluster to reuse)`);
  }
  if (!AVAILABLE_PROVIDERS.includes(provider.value)) {
    throw new UsageError(
      `${provider.source} "${provider.value}" is not available yet; accepted today: ${AVAILABLE_PROVIDERS.join(", ")}`
    );
  }
  return {
    provider: provider.value,
    kubernetesVersion,
    nodes,
    gpusPerNode,
    gpuProfile: profile.value,
    fakeGpuDriver: driver.value,
    clusterName: clusterName?.value,
    reuseCluster: reuse.value === "yes",
    addons,
    realNode: realNode.value,
    kubeconfig: kubeconfig ? isKubeconfigText(kubeconfig.value) ? kubeconfig.value : resolve(kubeconfig.value) : void 0,
    context: context?.value,
    conformanceVersion: one(raw, "conformance-version")?.value,
    // A URL is fetched by the checklist loader; a path must exist.
    checklist: checklist && !/^https?:\/\//.test(checklist.value) ? existingFile(checklist) : checklist?.value,
    requirements: one(raw, "requirements") ? list(one(raw, "requirements").value) : void 0,
    levels,
    categories: one(raw, "categories") ? list(one(raw, "categories").value) : void 0,
    grep: grep?.value,
    specs: (raw.get("spec") ?? []).map((r) => existingFile(r)),
    naJustifications: existingFile(one(raw, "na-justifications")),
    metadata: existingFile(one(raw, "metadata")),
    resultsUrl: httpUrl(one(raw, "results-url")),
    timeoutMs: seconds * 1e3,
    parallel: Number(parallel.value),
    output,
    verbose: /^(true|1)$/i.test(verbose.value)
  };
}
function httpUrl(raw) {
  if (!raw) return void 0;
  if (!isHttpUrl(raw.value))
    throw new UsageError(`${raw.source} "${raw.value}" is not an http(s) URL`);
  return raw.value;
}
function runUsage() {
  const width = Math.max(...RUN_OPTIONS.map((o) => o.name.length)) + 4;
  return "run options (flags; the action takes the same names as inputs; KAIC_<NAME> in the environment):\n" + RUN_OPTIONS.map(
    (o) => `  --${o.name.padEnd(width)} ${o.help}${o.default !== void 0 && !o.switch ? ` (default ${o.default})` : ""}`
  ).join("\n") + "\n";
}

export {
  FAKE_GPU_DRIVER_NAME,
  FAKE_GPU_NODE_LABEL,
  ADDON_IDS,
  addonOf,
  addonSpec,
  resolveAddonPlan,
  reportAddonPlan,
  PROVIDERS,
  AVAILABLE_PROVIDERS,
  REUSE_SETTINGS,
  REAL_NODE_SETTINGS,
  RUN_OPTIONS,
  collectRunInputs,
  validateRunConfig,
  runUsage
};
