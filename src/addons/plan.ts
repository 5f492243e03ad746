/**
 * The addon plan: the components kaic can put into a cluster before the suites run (the registry,
 * one folder each), what each needs first, which requirements it lets a suite verify, and whether
 * it needs the real node (to run pods, or to publish a process on this machine as a cluster
 * Service). Resolving a request orders the components into waves: each wave starts only when the
 * one before is ready, its members in parallel.
 */
import { ADDON_REGISTRY } from './registry.js';
import type { Addon, AddonSpec } from './types.js';

export type AddonId = (typeof ADDON_REGISTRY)[number]['spec']['id'];

export const ADDON_IDS: readonly AddonId[] = ADDON_REGISTRY.map((a) => a.spec.id);

export {
  FAKE_GPU_DRIVERS,
  ADDONS_ONLY_FOR_KAIC_DRIVER,
  type FakeGpuDriver,
} from './fake-gpu/drivers.js';

export const ADDONS: readonly AddonSpec<AddonId>[] = ADDON_REGISTRY.map((a) => a.spec);

/** The addon (its spec and how it is installed) of an id. */
export function addonOf(id: AddonId): Addon<AddonId> {
  return ADDON_REGISTRY.find((a) => a.spec.id === id)! as Addon<AddonId>;
}

/** Addons kaic can install from a chart into a cluster it did not create (when named). */
export const CHART_ADDONS: readonly AddonId[] = ADDONS.filter((a) => a.chart).map((a) => a.id);

export function addonSpec(id: AddonId): AddonSpec<AddonId> {
  return addonOf(id).spec;
}

/**
 * The addons that let a suite of these requirements verify something (their `enables`), each with
 * the requirements it is for; what they need comes with them when the plan is resolved.
 */
export function addonsFor(
  requirementIds: readonly string[],
): Array<{ id: AddonId; for: string[] }> {
  return ADDONS.map((a) => ({
    id: a.id,
    for: a.enables.filter((r) => requirementIds.includes(r)),
  })).filter((a) => a.for.length > 0);
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
    // Needs name ids of the registry (a unit test checks each one).
    return found as Omit<AddonSpec, 'needs'> & { needs: readonly AddonId[] };
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
