/** Kueue as kaic pins it: the release, how it is built from its module, its chart for kind. */
import { kueueDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';

/** Kueue: the gang_scheduling suite drives it when it is the cluster's gang solution. */
export const KUEUE = { module: 'sigs.k8s.io/kueue', version: 'v0.17.0' } as const;

/**
 * Kueue's manager, with its CRDs (crds/) and webhook configuration (webhook.yaml) from the same
 * module, so running it needs no Go.
 */
export const KUEUE_RECIPE: GoModuleRecipe = {
  component: 'kueue',
  module: KUEUE.module,
  version: KUEUE.version,
  outDir: (root) => kueueDir(KUEUE.version, root),
  binaries: ['kueue'],
  packages: [`${KUEUE.module}/cmd/kueue`],
  ldflags: [`-X ${KUEUE.module}/pkg/version.GitVersion=${KUEUE.version}`],
  moduleFiles: [
    ['config/components/crd/bases', 'crds'],
    ['config/components/webhook/manifests.yaml', 'webhook.yaml'],
  ],
  verify: [{ helpMentions: { binary: 'kueue', flag: '-config' } }],
};

/** Kueue's chart in its module, with the release image of KUEUE (for kind; see KIND_CHARTS). */
export const KUEUE_CHART = {
  ...KUEUE,
  chartDir: 'charts/kueue',
  image: {
    repository: 'registry.k8s.io/kueue/kueue',
    tag: KUEUE.version,
    values: 'controllerManager.manager.image',
  },
} as const;
