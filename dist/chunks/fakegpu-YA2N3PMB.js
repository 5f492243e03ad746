import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  MIG_REQUESTS,
  PublisherError,
  SlicePublisher,
  checkMigLayout,
  resolveMigLayout
} from "./chunk-KGIY4UVT.js";
import {
  DEFAULT_NAMESPACE,
  SelectorError,
  fakegpuManifests
} from "./chunk-W6DAHXTN.js";
import {
  CDI_DIR,
  KUBELET_REGISTRY_DIR,
  STATE_DIR
} from "./chunk-MHHI76D7.js";
import {
  require_dist
} from "./chunk-3YTTDGIJ.js";
import {
  onTerminationSignal
} from "./chunk-M32DOC7A.js";
import {
  DcgmExporter
} from "./chunk-OEEHFPHV.js";
import {
  servedDraApi,
  serverMinor
} from "./chunk-4DKCGVH3.js";
import {
  GPU_PROFILES,
  checkGpuCount,
  gpuProfile
} from "./chunk-FCORZ63V.js";
import {
  kubernetesRelease,
  loadKubeConfig
} from "./chunk-J4JJAD2Y.js";
import "./chunk-ETKQSHAL.js";
import {
  UsageError,
  __toESM
} from "./chunk-WWHORE4U.js";

// src/cli/fakegpu.ts
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
var import_yaml = __toESM(require_dist(), 1);
function log(line) {
  process.stdout.write(`[kaic fakegpu ${(/* @__PURE__ */ new Date()).toISOString().slice(11, 19)}] ${line}
`);
}
var CLUSTER_OPTIONS = {
  kubeconfig: { type: "string" },
  context: { type: "string" }
};
function profileFlag(name) {
  try {
    return gpuProfile(name);
  } catch (error) {
    throw new UsageError(`${error.message} (--profile)`);
  }
}
var PUBLISH_OPTIONS = {
  profile: { type: "string", default: "nvidia-h100-80gb" },
  "gpus-per-node": { type: "string", default: "8" },
  "node-selector": { type: "string" },
  mig: { type: "string", default: "off" },
  "mig-gpus": { type: "string" },
  "mig-profile": { type: "string" }
};
function publishFlags(values) {
  const profile = profileFlag(values.profile);
  let count;
  try {
    count = checkGpuCount(Number(values["gpus-per-node"]));
  } catch (error) {
    throw new UsageError(`${error.message} (--gpus-per-node)`);
  }
  const nodeSelector = values["node-selector"];
  if (!nodeSelector) {
    throw new UsageError(
      "--node-selector is required (a label selector of the GPU nodes, e.g. type=kwok)"
    );
  }
  const migRequest = values.mig;
  if (!MIG_REQUESTS.includes(migRequest)) {
    throw new UsageError(`--mig must be one of ${MIG_REQUESTS.join(", ")}, got "${values.mig}"`);
  }
  if ((values["mig-gpus"] || values["mig-profile"]) && !["static", "auto"].includes(migRequest)) {
    throw new UsageError("--mig-gpus and --mig-profile apply to --mig static (or auto)");
  }
  const migChoice = {
    request: migRequest,
    ...values["mig-gpus"] ? { gpus: Number(values["mig-gpus"]) } : {},
    ...values["mig-profile"] ? { profileName: values["mig-profile"] } : {}
  };
  try {
    const layout = resolveMigLayout(migChoice, profile, count, "static");
    checkMigLayout({ profile, gpusPerNode: count, mig: layout, api: "resource.k8s.io/v1" });
  } catch (error) {
    if (error instanceof PublisherError) {
      throw new UsageError(`${error.message} (--mig / --mig-gpus / --mig-profile)`);
    }
    throw error;
  }
  const args = [
    "--profile",
    profile.name,
    "--gpus-per-node",
    String(count),
    "--node-selector",
    nodeSelector,
    "--mig",
    migRequest,
    ...values["mig-gpus"] ? ["--mig-gpus", values["mig-gpus"]] : [],
    ...values["mig-profile"] ? ["--mig-profile", values["mig-profile"]] : []
  ];
  return { profile, count, nodeSelector, migRequest, migChoice, args };
}
async function publish(args) {
  const { values } = parseArgs({
    args,
    options: {
      ...PUBLISH_OPTIONS,
      ...CLUSTER_OPTIONS,
      once: { type: "boolean", default: false },
      cleanup: { type: "boolean", default: false }
    },
    strict: true
  });
  const { profile, count, nodeSelector, migChoice } = publishFlags(values);
  const kc = loadKubeConfig(values.kubeconfig, values.context);
  const api = await requireDraApi(kc);
  const minor = await serverMinor(kc);
  const mig = resolveMigLayout(
    migChoice,
    profile,
    count,
    minor ? kubernetesRelease(minor).mig : null
  );
  const publisher = new SlicePublisher(kc, {
    profile,
    gpusPerNode: count,
    nodeSelector,
    api,
    mig,
    log
  });
  const stop = async () => {
    publisher.stop();
    if (values.cleanup) await publisher.removeAll();
  };
  const removeHandlers = onTerminationSignal(stop);
  const t0 = Date.now();
  await publisher.start();
  await publisher.idle();
  log(
    `${profile.name} \xD7 ${count} per node on "${nodeSelector}" (${api}, ${describeMig(mig)}): ${publisher.stats.created} slices created, ${publisher.stats.updated} updated, ${publisher.stats.deleted} removed, ${publisher.stats.deviceClassesWritten} DeviceClasses written in ${((Date.now() - t0) / 1e3).toFixed(1)}s`
  );
  if (values.once) {
    await stop();
    removeHandlers();
    return 0;
  }
  log("following node changes; Ctrl-C stops" + (values.cleanup ? " and removes the slices" : ""));
  setInterval(() => void 0, 6e4);
  return new Promise(() => void 0);
}
async function exporter(args) {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: "string", default: "nvidia-h100-80gb" },
      port: { type: "string", default: "9400" },
      host: { type: "string", default: "0.0.0.0" },
      ...CLUSTER_OPTIONS
    },
    strict: true
  });
  const profile = profileFlag(values.profile);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`--port must be 0 to 65535, got "${values.port}"`);
  }
  const kc = loadKubeConfig(values.kubeconfig, values.context);
  const api = await requireDraApi(kc);
  const server = new DcgmExporter(kc, profile, api);
  const bound = await server.listen(port, values.host).catch((error) => {
    throw new UsageError(
      error.code === "EADDRINUSE" ? `--port ${port} on ${values.host} is already in use; choose another` : `cannot listen on ${values.host}:${port}: ${error.message}`
    );
  });
  log(
    `DCGM-style metrics for ${profile.name} on http://${values.host}:${bound}/metrics; Ctrl-C stops`
  );
  onTerminationSignal(() => server.close());
  return new Promise(() => void 0);
}
async function plugin(args) {
  const { values } = parseArgs({
    args,
    options: {
      profile: { type: "string", default: "nvidia-h100-80gb" },
      "node-name": { type: "string", default: process.env.NODE_NAME },
      "registry-dir": { type: "string", default: KUBELET_REGISTRY_DIR },
      "plugin-dir": { type: "string" },
      "cdi-dir": { type: "string", default: CDI_DIR },
      "state-dir": { type: "string", default: STATE_DIR },
      ...CLUSTER_OPTIONS
    },
    strict: true
  });
  const profile = profileFlag(values.profile);
  const nodeName = values["node-name"];
  if (!nodeName) {
    throw new UsageError("--node-name (or NODE_NAME) is required: the node this plugin serves");
  }
  const kc = loadKubeConfig(values.kubeconfig, values.context);
  const api = await requireDraApi(kc);
  const { KubeletPlugin } = await import("./kubelet-plugin-3WCAOUKA.js");
  const server = new KubeletPlugin({
    kubeConfig: kc,
    nodeName,
    profile,
    api,
    registryDir: values["registry-dir"],
    ...values["plugin-dir"] ? { pluginDir: values["plugin-dir"] } : {},
    cdiDir: values["cdi-dir"],
    stateDir: values["state-dir"],
    log
  });
  await server.start();
  onTerminationSignal(() => server.stop());
  return new Promise(() => void 0);
}
async function manifests(args) {
  const { values } = parseArgs({
    args,
    options: {
      ...PUBLISH_OPTIONS,
      namespace: { type: "string", default: DEFAULT_NAMESPACE },
      port: { type: "string", default: "9400" },
      output: { type: "string" }
    },
    strict: true
  });
  const flags = publishFlags(values);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--port must be 1 to 65535, got "${values.port}"`);
  }
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(values.namespace)) {
    throw new UsageError(`--namespace "${values.namespace}" is not a valid namespace name`);
  }
  let objects;
  try {
    objects = fakegpuManifests({
      publishArgs: flags.args,
      profile: flags.profile.name,
      nodeSelector: flags.nodeSelector,
      driver: flags.profile.driver,
      namespace: values.namespace,
      exporterPort: port
    });
  } catch (error) {
    if (error instanceof SelectorError) throw new UsageError(`${error.message} (--node-selector)`);
    throw error;
  }
  const text = objects.map((o) => (0, import_yaml.stringify)(o, { lineWidth: 0 })).join("---\n");
  if (values.output) {
    await writeFile(values.output, text);
    log(`${objects.length} objects written to ${values.output}; apply them with kubectl apply -f`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
function describeMig(mig) {
  if (mig.mode === "off") return "MIG off";
  if (mig.mode === "partitionable") return "MIG partitionable";
  return `MIG static: ${mig.gpus} GPUs per node as ${mig.profile.name}`;
}
async function requireDraApi(kc) {
  const api = await servedDraApi(kc);
  if (!api) {
    throw new UsageError(
      `the cluster at ${kc.getCurrentCluster()?.server} serves no DRA API (resource.k8s.io v1 or v1beta1); on Kubernetes 1.33 turn on the DynamicResourceAllocation gate and resource.k8s.io/v1beta1`
    );
  }
  return api;
}
function profiles() {
  for (const p of GPU_PROFILES) {
    process.stdout.write(
      `${p.name.padEnd(22)} ${p.productName.padEnd(30)} driver ${p.driver}, class ${p.deviceClass}${p.migDeviceClass ? `, MIG ${p.migProfiles.map((m) => m.name).join(" ")}` : ""}
`
    );
  }
  return 0;
}
async function fakegpuCommand(args) {
  const [sub, ...rest] = args;
  if (sub === "publish") return publish(rest);
  if (sub === "profiles") return profiles();
  if (sub === "exporter") return exporter(rest);
  if (sub === "manifests") return manifests(rest);
  if (sub === "plugin") return plugin(rest);
  throw new UsageError(
    `fakegpu needs a subcommand: publish, exporter, plugin, manifests or profiles${sub ? ` (got "${sub}")` : ""}`
  );
}
export {
  fakegpuCommand
};
