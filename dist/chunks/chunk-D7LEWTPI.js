import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/versions/addons.ts
var KUEUE = { module: "sigs.k8s.io/kueue", version: "v0.17.0" };
var PROMETHEUS = {
  module: "github.com/prometheus/prometheus",
  version: "v0.316.0",
  /** The release the module version stands for (`prometheus --version`). */
  release: "3.16.0",
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: "prom/prometheus:v3.16.0"
};
var PROMETHEUS_ADAPTER = {
  module: "sigs.k8s.io/prometheus-adapter",
  version: "v0.12.0",
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: "registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0"
};
var KARPENTER = { module: "sigs.k8s.io/karpenter", version: "v1.14.0" };
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
var JOBSET = { module: "sigs.k8s.io/jobset", version: "v0.11.0" };
var HELM = { module: "helm.sh/helm/v3", version: "v3.22.0" };
var KIND_CHARTS = {
  jobset: {
    ...JOBSET,
    chartDir: "charts/jobset",
    image: { repository: "registry.k8s.io/jobset/jobset", tag: JOBSET.version, values: "image" }
  },
  kueue: {
    ...KUEUE,
    chartDir: "charts/kueue",
    image: {
      repository: "registry.k8s.io/kueue/kueue",
      tag: KUEUE.version,
      values: "controllerManager.manager.image"
    }
  }
};

export {
  KUEUE,
  PROMETHEUS,
  PROMETHEUS_ADAPTER,
  KARPENTER,
  GATEWAY_API,
  TRAEFIK,
  JOBSET,
  HELM,
  KIND_CHARTS
};
