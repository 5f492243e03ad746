/** Karpenter's kwok provider as kaic pins it: the release and how it is built from its module. */
import { karpenterDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';

/**
 * Karpenter with its kwok cloud provider: the cluster autoscaler of the test cluster (nodes it
 * launches are kwok nodes). cluster-autoscaler is not served by the module proxy. v1.14.0 is the
 * newest release whose go directive the Go in use here accepts (v1.15.0 asks for 1.26.9).
 */
export const KARPENTER = { module: 'sigs.k8s.io/karpenter', version: 'v1.14.0' } as const;

/**
 * Karpenter's kwok provider (launches kwok nodes), with the CRDs it needs (crds/) from the same
 * module: NodePool, NodeClaim, NodeOverlay, CapacityBuffer and the KWOKNodeClass.
 */
export const KARPENTER_RECIPE: GoModuleRecipe = {
  component: 'karpenter',
  module: KARPENTER.module,
  version: KARPENTER.version,
  outDir: (root) => karpenterDir(KARPENTER.version, root),
  binaries: ['karpenter-kwok'],
  packages: [`${KARPENTER.module}/kwok`],
  renames: { kwok: 'karpenter-kwok' },
  moduleFiles: [
    ['kwok/charts/crds', 'crds'],
    [
      'kwok/apis/crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
      'crds/karpenter.kwok.sh_kwoknodeclasses.yaml',
    ],
  ],
  // Go's flag package prints one dash.
  verify: [{ helpMentions: { binary: 'karpenter-kwok', flag: '-instance-types-file-path' } }],
};
