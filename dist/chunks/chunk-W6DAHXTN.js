import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  CDI_DIR,
  KUBELET_PLUGINS_DIR,
  KUBELET_REGISTRY_DIR,
  STATE_DIR
} from "./chunk-MHHI76D7.js";
import {
  NODE_RUNTIME_IMAGE
} from "./chunk-J4JJAD2Y.js";

// src/fakegpu/manifests.ts
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join as join2 } from "node:path";
import { gzipSync } from "node:zlib";

// src/util/installation.ts
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
var HERE = fileURLToPath(import.meta.url);
var RUNS_FROM_SOURCE = HERE.endsWith(".ts");
function installationPath(relative) {
  let dir = dirname(HERE);
  for (; ; ) {
    const candidate = join(dir, relative);
    if (existsSync(join(dir, "package.json")) && existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${relative} not found above ${HERE}; run "npm run build"`);
    dir = parent;
  }
}

// src/fakegpu/manifests.ts
var DEFAULT_NAMESPACE = "kaic-fakegpu";
var BUNDLE_FILE = "fakegpu.js";
var BUNDLE_KEY = "fakegpu.mjs.gz";
var APP_LABEL = "app.kubernetes.io/name";
var PART_LABEL = "app.kubernetes.io/component";
var RUN_AS_USER = 1e3;
function installedBundlePath() {
  return installationPath(join2("dist", BUNDLE_FILE));
}
function installedBundle() {
  return readFileSync(installedBundlePath());
}
var sh = (subcommand) => (
  // $0 is "--", "$@" the container's args.
  `gunzip -c /opt/kaic/${BUNDLE_KEY} > /tmp/fakegpu.mjs && exec node /tmp/fakegpu.mjs ${subcommand} "$@"`
);
function fakegpuManifests(options) {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const port = options.exporterPort ?? 9400;
  const image = options.image ?? NODE_RUNTIME_IMAGE;
  const gz = gzipSync(options.bundle ?? installedBundle(), { level: 9 });
  const bundleHash = createHash("sha256").update(gz).digest("hex").slice(0, 16);
  const labels = (part) => ({
    [APP_LABEL]: "kaic-fakegpu",
    [PART_LABEL]: part,
    "app.kubernetes.io/managed-by": "kaic"
  });
  const name = (part) => `kaic-fakegpu-${part}`;
  const bundleVolumes = [
    { name: "bundle", configMap: { name: name("bundle") } },
    { name: "tmp", emptyDir: { sizeLimit: "64Mi" } }
  ];
  const bundleMounts = [
    { name: "bundle", mountPath: "/opt/kaic", readOnly: true },
    { name: "tmp", mountPath: "/tmp" }
  ];
  const deployment = (part, subcommand, args, ports) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: name(part), namespace, labels: labels(part) },
    spec: {
      replicas: 1,
      // Never two publishers at once, even for a moment.
      strategy: { type: "Recreate" },
      selector: { matchLabels: { [APP_LABEL]: "kaic-fakegpu", [PART_LABEL]: part } },
      template: {
        metadata: { labels: labels(part), annotations: { "fakegpu.kaic.dev/bundle": bundleHash } },
        spec: {
          serviceAccountName: "kaic-fakegpu",
          priorityClassName: "system-cluster-critical",
          tolerations: [
            {
              key: "node-role.kubernetes.io/control-plane",
              operator: "Exists",
              effect: "NoSchedule"
            }
          ],
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS_USER,
            runAsGroup: RUN_AS_USER,
            seccompProfile: { type: "RuntimeDefault" }
          },
          containers: [
            {
              name: part,
              image,
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "-c", sh(subcommand), "--"],
              args,
              ports,
              resources: { requests: { cpu: "50m", memory: "96Mi" }, limits: { memory: "384Mi" } },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] }
              },
              volumeMounts: bundleMounts
            }
          ],
          volumes: bundleVolumes
        }
      }
    }
  });
  const hostDirs = {
    registry: KUBELET_REGISTRY_DIR,
    plugin: `${KUBELET_PLUGINS_DIR}/${options.driver}`,
    cdi: CDI_DIR,
    state: STATE_DIR
  };
  const pluginDaemonSet = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: name("plugin"), namespace, labels: labels("plugin") },
    spec: {
      selector: { matchLabels: { [APP_LABEL]: "kaic-fakegpu", [PART_LABEL]: "plugin" } },
      template: {
        metadata: {
          labels: labels("plugin"),
          annotations: { "fakegpu.kaic.dev/bundle": bundleHash }
        },
        spec: {
          serviceAccountName: "kaic-fakegpu",
          priorityClassName: "system-node-critical",
          affinity: { nodeAffinity: nodeAffinity(options.nodeSelector) },
          tolerations: [{ operator: "Exists" }],
          securityContext: { seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "plugin",
              image,
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "-c", sh("plugin"), "--"],
              args: [
                "--profile",
                options.profile,
                "--registry-dir",
                hostDirs.registry,
                "--plugin-dir",
                hostDirs.plugin,
                "--cdi-dir",
                hostDirs.cdi,
                "--state-dir",
                hostDirs.state
              ],
              env: [{ name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } }],
              resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { memory: "256Mi" } },
              securityContext: {
                runAsUser: 0,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] }
              },
              volumeMounts: [
                ...bundleMounts,
                ...Object.entries(hostDirs).map(([key, path]) => ({ name: key, mountPath: path }))
              ]
            }
          ],
          volumes: [
            ...bundleVolumes,
            ...Object.entries(hostDirs).map(([key, path]) => ({
              name: key,
              hostPath: { path, type: "DirectoryOrCreate" }
            }))
          ]
        }
      }
    }
  };
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: namespace, labels: labels("namespace") }
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "kaic-fakegpu", namespace, labels: labels("rbac") }
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "kaic-fakegpu", labels: labels("rbac") },
      rules: [
        { apiGroups: [""], resources: ["nodes", "pods"], verbs: ["get", "list", "watch"] },
        {
          apiGroups: ["resource.k8s.io"],
          resources: ["resourceslices", "deviceclasses"],
          verbs: ["get", "list", "watch", "create", "update", "delete"]
        },
        {
          apiGroups: ["resource.k8s.io"],
          resources: ["resourceclaims"],
          verbs: ["get", "list", "watch"]
        }
      ]
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "kaic-fakegpu", labels: labels("rbac") },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kaic-fakegpu" },
      subjects: [{ kind: "ServiceAccount", name: "kaic-fakegpu", namespace }]
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: {
        name: name("bundle"),
        namespace,
        labels: labels("bundle"),
        annotations: { "fakegpu.kaic.dev/bundle": bundleHash }
      },
      binaryData: { [BUNDLE_KEY]: gz.toString("base64") }
    },
    deployment("publisher", "publish", options.publishArgs, []),
    pluginDaemonSet,
    deployment(
      "exporter",
      "exporter",
      ["--profile", options.profile, "--port", String(port)],
      [{ name: "metrics", containerPort: port }]
    ),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: name("exporter"),
        namespace,
        labels: labels("exporter"),
        annotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(port) }
      },
      spec: {
        selector: { [APP_LABEL]: "kaic-fakegpu", [PART_LABEL]: "exporter" },
        ports: [{ name: "metrics", port, targetPort: "metrics" }]
      }
    }
  ];
}
var SelectorError = class extends Error {
  constructor(message) {
    super(message);
    this.name = "SelectorError";
  }
};
function nodeAffinity(selector) {
  const terms = selector.match(/[^,(]+(\([^)]*\))?/g)?.map((t) => t.trim()).filter(Boolean) ?? [];
  if (!terms.length) throw new SelectorError(`node selector "${selector}" selects nothing`);
  const key = "([A-Za-z0-9][-A-Za-z0-9_./]*)";
  const matchExpressions = terms.map((term) => {
    let m;
    if (m = new RegExp(`^${key}\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`).exec(term)) {
      return { key: m[1], operator: m[2] === "!=" ? "NotIn" : "In", values: [m[3]] };
    }
    if (m = new RegExp(`^${key}\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(term)) {
      const values = (m[3] ?? "").split(",").map((v) => v.trim()).filter(Boolean);
      return { key: m[1], operator: m[2] === "in" ? "In" : "NotIn", values };
    }
    if (m = new RegExp(`^!\\s*${key}$`).exec(term))
      return { key: m[1], operator: "DoesNotExist" };
    if (m = new RegExp(`^${key}$`).exec(term)) return { key: m[1], operator: "Exists" };
    throw new SelectorError(`node selector "${selector}": cannot read "${term}"`);
  });
  return {
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] }
  };
}

export {
  RUNS_FROM_SOURCE,
  installationPath,
  DEFAULT_NAMESPACE,
  installedBundlePath,
  fakegpuManifests,
  SelectorError
};
