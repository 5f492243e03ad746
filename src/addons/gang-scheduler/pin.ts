/** The gang schedulers as kaic pins them: the releases, how they are built from their modules, their charts. */
import { kueueDir, volcanoDir } from '../../cache.js';
import type { GoModuleRecipe } from '../../binaries/build.js';
import { programImage } from '../../images/addon-images.js';

/** The gang schedulers a run can install (`--gang-scheduler`). */
export const GANG_SCHEDULERS = ['kueue', 'volcano'] as const;
export type GangScheduler = (typeof GANG_SCHEDULERS)[number];

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

/** Volcano: the gang scheduler a large share of conformance submissions cite. */
export const VOLCANO = { module: 'volcano.sh/volcano', version: 'v1.15.1' } as const;

/**
 * Volcano's API module at the release the proxy serves next to it. v1.15.1 takes its API module
 * from a directory of its repository (`volcano.sh/apis => ./staging/...`) that a module zip leaves
 * out, and no proxy here serves volcano.sh/apis v1.15.x; v1.14.0 lacks one constant the scheduler
 * uses, given with its published value (Volcano's gate-controlled scheduling design).
 */
const VOLCANO_APIS = { module: 'volcano.sh/apis', version: 'v1.14.0' } as const;

/**
 * Volcano's scheduler and controller manager (vc-scheduler, vc-controller-manager), with its CRDs
 * (crds/) and its chart's scheduler configuration (volcano-scheduler.conf) from the same module.
 * The webhook manager is not built: it validates and defaults Volcano's objects, which kaic's
 * suites create complete.
 */
export const VOLCANO_RECIPE: GoModuleRecipe = {
  component: 'volcano',
  module: VOLCANO.module,
  version: VOLCANO.version,
  outDir: (root) => volcanoDir(VOLCANO.version, root),
  binaries: ['vc-scheduler', 'vc-controller-manager'],
  packages: [`${VOLCANO.module}/cmd/scheduler`, `${VOLCANO.module}/cmd/controller-manager`],
  renames: { scheduler: 'vc-scheduler', 'controller-manager': 'vc-controller-manager' },
  ldflags: [`-X ${VOLCANO.module}/pkg/version.Version=${VOLCANO.version}`],
  moduleFiles: [
    ['installer/helm/chart/volcano/crd/bases', 'crds'],
    ['installer/helm/chart/volcano/config/volcano-scheduler.conf', 'volcano-scheduler.conf'],
  ],
  moduleReplaces: {
    local: {
      [VOLCANO_APIS.module]: {
        base: VOLCANO_APIS,
        files: {
          'pkg/apis/scheduling/v1beta1/kaic_v1_15.go': [
            '// Written by kaic: the one v1.15 constant Volcano v1.15.1 needs beyond this module',
            "// (see VOLCANO_APIS in kaic's src/addons/gang-scheduler/pin.ts).",
            '',
            'package v1beta1',
            '',
            '// QueueAllocationGateKey names the scheduling gate Volcano puts on pods until their queue admits them.',
            'const QueueAllocationGateKey = GroupName + "/queue-allocation-gate"',
            '',
          ].join('\n'),
        },
      },
    },
  },
  verify: [
    {
      versionOutput: {
        binary: 'vc-scheduler',
        args: ['--version'],
        expect: `Version: ${VOLCANO.version}`,
      },
    },
  ],
};

/** Kueue's controller as its release image has it (distroless: /manager, user 65532). */
export const KUEUE_IMAGE = programImage({
  upstream: `${KUEUE_CHART.image.repository}:${KUEUE_CHART.image.tag}`,
  recipe: KUEUE_RECIPE,
  binary: 'kueue',
  path: '/manager',
  entrypoint: ['/manager'],
  user: '65532:65532',
});

/**
 * Volcano's chart in its module (for kind and existing clusters; see KIND_CHARTS), with the release
 * images of VOLCANO. The chart names an image as `<registry>/<name>:<tag>` from separate values.
 */
export const VOLCANO_CHART = {
  ...VOLCANO,
  chartDir: 'installer/helm/chart/volcano',
} as const;

/** Volcano's release images: alpine with the binary at the root as the entrypoint, user root. */
export const VOLCANO_SCHEDULER_IMAGE = programImage({
  upstream: `volcanosh/vc-scheduler:${VOLCANO.version}`,
  recipe: VOLCANO_RECIPE,
  binary: 'vc-scheduler',
  path: '/vc-scheduler',
  entrypoint: ['/vc-scheduler'],
});

export const VOLCANO_CONTROLLER_IMAGE = programImage({
  upstream: `volcanosh/vc-controller-manager:${VOLCANO.version}`,
  recipe: VOLCANO_RECIPE,
  binary: 'vc-controller-manager',
  path: '/vc-controller-manager',
  entrypoint: ['/vc-controller-manager'],
});
