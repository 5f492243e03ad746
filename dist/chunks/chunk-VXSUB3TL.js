import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  isHttpUrl
} from "./chunk-OYMJ6T6V.js";
import {
  JOBSET,
  KARPENTER,
  KUEUE,
  PROMETHEUS,
  PROMETHEUS_ADAPTER,
  TRAEFIK
} from "./chunk-D7LEWTPI.js";
import {
  LEVELS
} from "./chunk-NKKDUV5A.js";
import {
  GPU_PROFILES,
  MAX_GPUS_PER_NODE
} from "./chunk-7RGGNZCI.js";
import {
  DEFAULT_TEST_MINOR,
  KUBERNETES_MINORS,
  isKubeconfigText,
  parseKubernetesMinor
} from "./chunk-4YPQNTGN.js";
import {
  KubeConfig
} from "./chunk-BRNWYLLV.js";
import {
  UsageError
} from "./chunk-WWHORE4U.js";

// src/version.ts
var KAIC_VERSION = "0.1.0";

// src/config/run-config.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";

// src/addons/plan.ts
var ADDON_IDS = [
  "fake-gpu",
  "gpu-metrics",
  "prometheus",
  "custom-metrics-adapter",
  "cluster-autoscaler",
  "gang-scheduler",
  "gateway",
  "ai-operator"
];
var FAKE_GPU_DRIVERS = ["kaic", "dra-example-driver", "fake-gpu-operator"];
var ADDONS = [
  {
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
  {
    id: "gpu-metrics",
    component: "kaic's DCGM-style exporter",
    version: KAIC_VERSION,
    needs: ["fake-gpu"],
    enables: ["accelerator_metrics"],
    realNode: "published as a cluster Service through a pod on the real node"
  },
  {
    id: "prometheus",
    component: "Prometheus",
    version: PROMETHEUS.version,
    needs: [],
    enables: ["accelerator_metrics", "ai_service_metrics", "pod_autoscaling"],
    realNode: "published as a cluster Service through a pod on the real node"
  },
  {
    id: "custom-metrics-adapter",
    component: "prometheus-adapter",
    version: PROMETHEUS_ADAPTER.version,
    needs: ["prometheus"],
    enables: ["pod_autoscaling"]
  },
  {
    id: "cluster-autoscaler",
    component: "Karpenter's kwok provider",
    version: KARPENTER.version,
    needs: ["fake-gpu"],
    enables: ["cluster_autoscaling"]
  },
  {
    id: "gang-scheduler",
    component: "Kueue",
    version: KUEUE.version,
    needs: [],
    enables: ["gang_scheduling"],
    chart: "kueue"
  },
  {
    id: "gateway",
    component: "Gateway API CRDs + Traefik",
    version: TRAEFIK.version,
    needs: [],
    enables: ["ai_inference", "advanced_inference_ingress"]
  },
  {
    id: "ai-operator",
    component: "JobSet",
    version: JOBSET.version,
    needs: [],
    enables: ["robust_controller"],
    chart: "jobset"
  }
];
var CHART_ADDONS = ADDONS.filter((a) => a.chart).map((a) => a.id);
function addonSpec(id) {
  return ADDONS.find((a) => a.id === id);
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
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new UsageError(`${r.source} ${r.value}: no such file`);
  }
  return path;
}
function outputDirectory(r) {
  const path = resolve(r.value);
  let probe = path;
  while (!existsSync(probe)) probe = dirname(probe);
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
  KAIC_VERSION,
  CHART_ADDONS,
  addonSpec,
  resolveAddonPlan,
  reportAddonPlan,
  collectRunInputs,
  validateRunConfig,
  runUsage
};
