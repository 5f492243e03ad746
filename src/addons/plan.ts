/**
 * The addon plan: the one list of components kaic can put into a cluster before the suites run,
 * with their pinned versions, what each needs first, which requirements it lets a suite verify,
 * and whether it needs the real node (to run pods, or to publish a process on this machine as a
 * cluster Service). Resolving a request orders the components into waves: each wave starts only
 * when the one before is ready, its members in parallel.
 */
import { KAIC_VERSION } from '../version.js';
import {
  JOBSET,
  KARPENTER,
  KUEUE,
  PROMETHEUS,
  PROMETHEUS_ADAPTER,
  TRAEFIK,
} from '../versions/addons.js';

export const ADDON_IDS = [
  'fake-gpu',
  'gpu-metrics',
  'prometheus',
  'custom-metrics-adapter',
  'cluster-autoscaler',
  'gang-scheduler',
  'gateway',
  'ai-operator',
] as const;
export type AddonId = (typeof ADDON_IDS)[number];

/** Simulated-GPU drivers a run can use; only kaic's own runs without container images. */
export const FAKE_GPU_DRIVERS = ['kaic', 'dra-example-driver', 'fake-gpu-operator'] as const;
export type FakeGpuDriver = (typeof FAKE_GPU_DRIVERS)[number];

export interface AddonSpec {
  id: AddonId;
  /** What is installed, as a user knows it. */
  component: string;
  version: string;
  /** Addons that must be ready first. */
  needs: readonly AddonId[];
  /** Requirement ids whose suites use it. */
  enables: readonly string[];
  /**
   * Why it needs the real node, when it does: its process is published to the cluster through a
   * stand-in pod on the real node, or it is only useful with pods that run.
   */
  realNode?: string;
  /**
   * The Helm chart (of the component's own module) kaic installs it from into clusters it does
   * not run it beside as a process: kind, and an existing cluster when the addon is named.
   */
  chart?: 'kueue' | 'jobset';
}

export const ADDONS: readonly AddonSpec[] = [
  {
    id: 'fake-gpu',
    component: "kaic's fake-GPU DRA driver (ResourceSlices; kubelet plugin on the real node)",
    version: KAIC_VERSION,
    needs: [],
    enables: [
      'dra_support',
      'gpu_sharing',
      'virtualized_accelerator',
      'secure_accelerator_access',
      'driver_runtime_management',
    ],
  },
  {
    id: 'gpu-metrics',
    component: "kaic's DCGM-style exporter",
    version: KAIC_VERSION,
    needs: ['fake-gpu'],
    enables: ['accelerator_metrics'],
    realNode: 'published as a cluster Service through a pod on the real node',
  },
  {
    id: 'prometheus',
    component: 'Prometheus',
    version: PROMETHEUS.version,
    needs: [],
    enables: ['accelerator_metrics', 'ai_service_metrics', 'pod_autoscaling'],
    realNode: 'published as a cluster Service through a pod on the real node',
  },
  {
    id: 'custom-metrics-adapter',
    component: 'prometheus-adapter',
    version: PROMETHEUS_ADAPTER.version,
    needs: ['prometheus'],
    enables: ['pod_autoscaling'],
  },
  {
    id: 'cluster-autoscaler',
    component: "Karpenter's kwok provider",
    version: KARPENTER.version,
    needs: ['fake-gpu'],
    enables: ['cluster_autoscaling'],
  },
  {
    id: 'gang-scheduler',
    component: 'Kueue',
    version: KUEUE.version,
    needs: [],
    enables: ['gang_scheduling'],
    chart: 'kueue',
  },
  {
    id: 'gateway',
    component: 'Gateway API CRDs + Traefik',
    version: TRAEFIK.version,
    needs: [],
    enables: ['ai_inference', 'advanced_inference_ingress'],
  },
  {
    id: 'ai-operator',
    component: 'JobSet',
    version: JOBSET.version,
    needs: [],
    enables: ['robust_controller'],
    chart: 'jobset',
  },
];

/** Addons kaic can install from a chart into a cluster it did not create (when named). */
export const CHART_ADDONS: readonly AddonId[] = ADDONS.filter((a) => a.chart).map((a) => a.id);

export function addonSpec(id: AddonId): AddonSpec {
  return ADDONS.find((a) => a.id === id)!;
}

export class AddonPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddonPlanError';
  }
}

/**
 * Parses an addon list: `all`, `none`, or comma-separated ids. `source` names the input in
 * messages (e.g. `--addons`).
 */
export function parseAddonList(value: string, source: string): AddonId[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === 'all') return [...ADDON_IDS];
  if (items.length === 1 && items[0] === 'none') return [];
  const unknown = items.filter((i) => !(ADDON_IDS as readonly string[]).includes(i));
  if (unknown.length || items.length === 0) {
    throw new AddonPlanError(
      `${source} "${value}" is not an addon list; use all, none, or a comma list of ${ADDON_IDS.join(', ')}`,
    );
  }
  return [...new Set(items)] as AddonId[];
}

export interface AddonPlan {
  /** Start order: each wave after the one before, its members in parallel. */
  waves: AddonId[][];
  /** Addons added because a requested one needs them, with the one that needs each. */
  added: Array<{ id: AddonId; neededBy: AddonId }>;
  /** Requested addons left out, with the reason. */
  left: Array<{ id: AddonId; reason: string }>;
}

/**
 * Orders the requested addons and the ones they need. Without a real node, addons that need one
 * are left out (and so is whatever needs them), each with the reason.
 */
export function resolveAddonPlan(
  requested: readonly AddonId[],
  options: { realNode: boolean; specs?: readonly AddonSpec[] } = { realNode: true },
): AddonPlan {
  const specs = options.specs ?? ADDONS;
  const spec = (id: AddonId) => {
    const found = specs.find((s) => s.id === id);
    if (!found) throw new AddonPlanError(`no addon "${id}" in the plan`);
    return found;
  };
  const chosen = new Set<AddonId>();
  const added: AddonPlan['added'] = [];
  const visit = (id: AddonId, neededBy: AddonId | null, path: AddonId[]) => {
    if (path.includes(id)) {
      throw new AddonPlanError(`addons need each other in a cycle: ${[...path, id].join(' → ')}`);
    }
    for (const need of spec(id).needs) visit(need, id, [...path, id]);
    if (!chosen.has(id)) {
      chosen.add(id);
      if (neededBy && !requested.includes(id)) added.push({ id, neededBy });
    }
  };
  for (const id of requested) visit(id, null, []);
  const left: AddonPlan['left'] = [];
  if (!options.realNode) {
    // Drop what needs the real node, then what needs a dropped addon, until nothing changes.
    let changed = true;
    while (changed) {
      changed = false;
      for (const id of [...chosen]) {
        const s = spec(id);
        const reason = s.realNode
          ? `needs the real node (${s.realNode})`
          : s.needs.find((n) => !chosen.has(n))
            ? `needs ${s.needs.find((n) => !chosen.has(n))}, which is left out`
            : null;
        if (reason) {
          chosen.delete(id);
          left.push({ id, reason });
          changed = true;
        }
      }
    }
  }
  const waves: AddonId[][] = [];
  const placed = new Set<AddonId>();
  while (placed.size < chosen.size) {
    const wave = [...chosen].filter(
      (id) => !placed.has(id) && spec(id).needs.every((n) => placed.has(n)),
    );
    // visit() has ruled out cycles, so every round places at least one addon.
    for (const id of wave) placed.add(id);
    waves.push(wave);
  }
  return {
    waves,
    added: added.filter((a) => chosen.has(a.id)),
    left: left.filter((l) => requested.includes(l.id) || added.some((a) => a.id === l.id)),
  };
}

/** Says, one line each, what the plan added for a requested addon and what it left out, and why. */
export function reportAddonPlan(
  plan: AddonPlan,
  alsoLeft: ReadonlyArray<{ id: AddonId; reason: string }>,
  log: (line: string) => void,
): void {
  for (const a of plan.added) log(`addon ${a.id}: added, ${a.neededBy} needs it`);
  for (const l of [...plan.left, ...alsoLeft]) log(`addon ${l.id}: left out, ${l.reason}`);
}
