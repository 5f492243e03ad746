/**
 * Pinned versions of the components kaic installs beside a cluster (the addon plan). Each is
 * built from its Go module for the test cluster, where no image can be pulled.
 */

/** Kueue: the gang_scheduling suite drives it when it is the cluster's gang solution. */
export const KUEUE = { module: 'sigs.k8s.io/kueue', version: 'v0.17.0' } as const;

/**
 * Prometheus: scrapes the accelerator exporter and the AI service workloads with Kubernetes
 * service discovery (Debian's package is built without it). Only that discovery is compiled in.
 */
export const PROMETHEUS = {
  module: 'github.com/prometheus/prometheus',
  version: 'v0.316.0',
  /** The release the module version stands for (`prometheus --version`). */
  release: '3.16.0',
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: 'prom/prometheus:v3.16.0',
} as const;

/**
 * prometheus-adapter: serves custom.metrics.k8s.io from Prometheus queries, so the HPA controller
 * can scale on a workload's own metric (pod_autoscaling). v0.12.0 is the release the module proxy
 * serves.
 */
export const PROMETHEUS_ADAPTER = {
  module: 'sigs.k8s.io/prometheus-adapter',
  version: 'v0.12.0',
  /** Its release image, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: 'registry.k8s.io/prometheus-adapter/prometheus-adapter:v0.12.0',
} as const;

/**
 * Karpenter with its kwok cloud provider: the cluster autoscaler of the test cluster (nodes it
 * launches are kwok nodes). cluster-autoscaler is not served by the module proxy. v1.14.0 is the
 * newest release whose go directive the Go in use here accepts (v1.15.0 asks for 1.26.9).
 */
export const KARPENTER = { module: 'sigs.k8s.io/karpenter', version: 'v1.14.0' } as const;

/**
 * The Prometheus Operator's CRDs (PodMonitor, Prometheus): the suites satisfy an Operator's
 * selectors when its API is served; the test cluster applies these CRDs to check that path.
 */
export const PROMETHEUS_OPERATOR = {
  module: 'github.com/prometheus-operator/prometheus-operator',
  version: 'v0.94.1',
  crdDir: 'example/prometheus-operator-crd',
} as const;

/**
 * The Gateway API's CRDs (standard channel): the ai_inference suite's API. The version Traefik's
 * own module requires, so implementation and CRDs agree.
 */
export const GATEWAY_API = {
  module: 'sigs.k8s.io/gateway-api',
  version: 'v1.6.1',
  crdDir: 'config/crd/standard',
} as const;

/**
 * Traefik: the test cluster's Gateway API implementation (its kubernetesGateway provider),
 * proxying from this machine to backend pods on the real node.
 */
export const TRAEFIK = {
  module: 'github.com/traefik/traefik/v3',
  version: 'v3.7.13',
  /** Its RBAC for the kubernetesGateway provider, as Traefik publishes it in its docs. */
  rbacFile: 'docs/content/reference/dynamic-configuration/kubernetes-gateway-rbac.yml',
  /** The release image of that version, for kind clusters (pinned by tag; see KIND_CHARTS). */
  image: 'traefik:v3.7.13',
} as const;

/**
 * JobSet: the AI operator the test cluster runs for robust_controller (validating webhook,
 * CRD, reconciled children).
 */
export const JOBSET = { module: 'sigs.k8s.io/jobset', version: 'v0.11.0' } as const;

/**
 * The Gateway API Inference Extension's CRDs (InferencePool): applied in the test cluster to show
 * advanced_inference_ingress measuring an implementation that does not route to pools.
 */
export const GATEWAY_API_INFERENCE_EXTENSION = {
  module: 'sigs.k8s.io/gateway-api-inference-extension',
  version: 'v1.6.0',
  crdDir: 'config/crd/bases',
} as const;

/**
 * Helm: renders the charts the addons' own modules carry (JobSet, Kueue) into manifests for kind
 * clusters (`helm template`; kaic applies them itself, so no release state lives in the cluster).
 */
export const HELM = { module: 'helm.sh/helm/v3', version: 'v3.22.0' } as const;

/**
 * The charts kaic installs on kind, each from the module of the version kwok runs as a process,
 * with the release image of that version (the charts default to moving staging tags). Pinned by
 * tag: the digests cannot be read without a registry; the kind node images are pinned by digest.
 */
export const KIND_CHARTS = {
  jobset: {
    ...JOBSET,
    chartDir: 'charts/jobset',
    image: { repository: 'registry.k8s.io/jobset/jobset', tag: JOBSET.version, values: 'image' },
  },
  kueue: {
    ...KUEUE,
    chartDir: 'charts/kueue',
    image: {
      repository: 'registry.k8s.io/kueue/kueue',
      tag: KUEUE.version,
      values: 'controllerManager.manager.image',
    },
  },
} as const;
