/** prometheus-adapter as kaic pins it: the release and how it is built from its module. */
import { prometheusAdapterDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';
import { programImage } from '../../images/addon-images.js';

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

/** prometheus-adapter's server (its module has no replace directives to carry over). */
export const PROMETHEUS_ADAPTER_RECIPE: GoModuleRecipe = {
  component: 'prometheus-adapter',
  module: PROMETHEUS_ADAPTER.module,
  version: PROMETHEUS_ADAPTER.version,
  outDir: (root) => prometheusAdapterDir(PROMETHEUS_ADAPTER.version, root),
  binaries: ['prometheus-adapter'],
  packages: [`${PROMETHEUS_ADAPTER.module}/cmd/adapter`],
  renames: { adapter: 'prometheus-adapter' },
  verify: [{ helpMentions: { binary: 'prometheus-adapter', flag: '--metrics-relist-interval' } }],
};

/** prometheus-adapter as its release image has it (distroless: /adapter, user 65534). */
export const PROMETHEUS_ADAPTER_IMAGE = programImage({
  upstream: PROMETHEUS_ADAPTER.image,
  recipe: PROMETHEUS_ADAPTER_RECIPE,
  binary: 'prometheus-adapter',
  path: '/adapter',
  entrypoint: ['/adapter'],
  user: '65534',
});
