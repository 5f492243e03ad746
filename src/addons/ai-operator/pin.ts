/** JobSet as kaic pins it: the release, how it is built from its module, its chart for kind. */
import { jobsetDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';
import { programImage } from '../../images/addon-images.js';

/**
 * JobSet: the AI operator the test cluster runs for robust_controller (validating webhook,
 * CRD, reconciled children).
 */
export const JOBSET = { module: 'sigs.k8s.io/jobset', version: 'v0.11.0' } as const;

/**
 * JobSet's controller manager (the module's root package, so Go names the binary `jobset`), with
 * its CRD (crds/) and webhook configurations (webhook.yaml, and the kustomize patches that
 * narrow its pod webhooks to JobSet's pods: webhook-patches/) from the same module.
 */
export const JOBSET_RECIPE: GoModuleRecipe = {
  component: 'jobset',
  module: JOBSET.module,
  version: JOBSET.version,
  outDir: (root) => jobsetDir(JOBSET.version, root),
  binaries: ['jobset'],
  packages: [JOBSET.module],
  ldflags: [`-X ${JOBSET.module}/pkg/version.GitVersion=${JOBSET.version}`],
  moduleFiles: [
    ['config/components/crd/bases', 'crds'],
    ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
    ['config/components/webhook/patches', 'webhook-patches'],
  ],
  verify: [{ helpMentions: { binary: 'jobset', flag: '-config' } }],
};

/** JobSet's chart in its module, with the release image of JOBSET (for kind; see KIND_CHARTS). */
export const JOBSET_CHART = {
  ...JOBSET,
  chartDir: 'charts/jobset',
  image: { repository: 'registry.k8s.io/jobset/jobset', tag: JOBSET.version, values: 'image' },
} as const;

/** JobSet's controller as its release image has it (distroless: /manager, user 65532). */
export const JOBSET_IMAGE = programImage({
  upstream: `${JOBSET_CHART.image.repository}:${JOBSET_CHART.image.tag}`,
  recipe: JOBSET_RECIPE,
  binary: 'jobset',
  path: '/manager',
  entrypoint: ['/manager'],
  user: '65532:65532',
});
