/** Prometheus as kaic pins it: the release and how it is built from its module. */
import { prometheusDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';
import { programImage } from '../../images/addon-images.js';
import { prometheusReleaseFile } from '../../versions/downloads.js';

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
 * Prometheus and promtool with Kubernetes service discovery as the only discovery compiled in
 * (the module's own build tags), which halves the build; the web UI's assets are left out (the
 * HTTP API, which the suites query, is all there).
 */
export const PROMETHEUS_RECIPE: GoModuleRecipe = {
  component: 'prometheus',
  module: PROMETHEUS.module,
  version: PROMETHEUS.version,
  outDir: (root) => prometheusDir(PROMETHEUS.version, root),
  binaries: ['prometheus', 'promtool'],
  packages: [`${PROMETHEUS.module}/cmd/prometheus`, `${PROMETHEUS.module}/cmd/promtool`],
  tags: ['remove_all_sd', 'enable_kubernetes_sd'],
  // The release's build has every discovery; the suites use Kubernetes discovery only.
  release: () => [prometheusReleaseFile(PROMETHEUS.release)],
  ldflags: [
    `-X github.com/prometheus/common/version.Version=${PROMETHEUS.release}`,
    `-X github.com/prometheus/common/version.Branch=module-${PROMETHEUS.version}`,
  ],
  verify: [
    {
      versionOutput: { binary: 'prometheus', args: ['--version'], expect: PROMETHEUS.release },
    },
  ],
};

/** Prometheus as its release image has it (/bin/prometheus, user nobody, in /prometheus). */
export const PROMETHEUS_IMAGE = programImage({
  upstream: PROMETHEUS.image,
  recipe: PROMETHEUS_RECIPE,
  binary: 'prometheus',
  path: '/bin/prometheus',
  entrypoint: ['/bin/prometheus'],
  user: '65534',
  workingDir: '/prometheus',
});
