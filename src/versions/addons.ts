/**
 * Pinned versions of what kaic uses beside the addons: Helm (renders the addons' charts for
 * kind) and CRDs the test cluster applies to check other paths. Each addon's own pin lives in its
 * folder (src/addons/<id>/pin.ts).
 */

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
