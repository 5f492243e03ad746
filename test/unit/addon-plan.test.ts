/** The addon plan: dependency order in waves, what a request pulls in, what a missing real node leaves out. */
import { expect } from 'chai';

import {
  ADDONS,
  ADDON_IDS,
  AddonPlanError,
  addonsFor,
  parseAddonList,
  resolveAddonPlan,
  type AddonId,
} from '../../src/addons/plan.js';
import type { AddonSpec } from '../../src/addons/types.js';
import { localImageName } from '../../src/images/addon-images.js';
import { inClusterAddonImages } from '../../src/providers/kind-addons.js';
import { KIND_LOCAL_IMAGES } from '../../src/versions/images.js';
import { CONFORMANCE_VERSIONS, requirementsFor } from '../../src/requirements/catalog.js';

describe('addon plan', function () {
  it('lists every addon once, each with a version and only known needs', function () {
    expect(ADDONS.map((a) => a.id)).to.deep.equal([...ADDON_IDS]);
    for (const a of ADDONS) {
      expect(a.version, a.id).to.match(/^v?\d+\.\d+\.\d+/);
      for (const need of a.needs) expect(ADDON_IDS, a.id).to.include(need);
    }
  });

  it('names only requirement ids of the catalog as what an addon enables', function () {
    const ids = new Set(CONFORMANCE_VERSIONS.flatMap((v) => requirementsFor(v).map((r) => r.id)));
    for (const a of ADDONS)
      for (const id of a.enables) expect(ids.has(id), `${a.id}: ${id}`).to.equal(true);
  });

  it('starts everything in two waves: what needs nothing, then what needs those', function () {
    const plan = resolveAddonPlan(ADDON_IDS, { realNode: true });
    expect(plan.waves).to.deep.equal([
      ['fake-gpu', 'prometheus', 'gang-scheduler', 'gateway', 'ai-operator'],
      ['gpu-metrics', 'custom-metrics-adapter', 'cluster-autoscaler'],
    ]);
    expect(plan.added).to.deep.equal([]);
    expect(plan.left).to.deep.equal([]);
  });

  it('adds what a requested addon needs, and says so', function () {
    const plan = resolveAddonPlan(['custom-metrics-adapter'], { realNode: true });
    expect(plan.waves).to.deep.equal([['prometheus'], ['custom-metrics-adapter']]);
    expect(plan.added).to.deep.equal([{ id: 'prometheus', neededBy: 'custom-metrics-adapter' }]);
  });

  it('without a real node leaves out what needs it and what needs that, with the reasons', function () {
    const plan = resolveAddonPlan(ADDON_IDS, { realNode: false });
    expect(plan.waves.flat()).to.not.include.members(['gpu-metrics', 'prometheus']);
    expect(plan.waves.flat()).to.not.include('custom-metrics-adapter');
    expect(plan.left.map((l) => l.id).sort()).to.deep.equal([
      'custom-metrics-adapter',
      'gpu-metrics',
      'prometheus',
    ]);
    expect(plan.left.find((l) => l.id === 'custom-metrics-adapter')?.reason).to.equal(
      'needs prometheus, which is left out',
    );
    expect(plan.waves.flat()).to.include.members(['fake-gpu', 'cluster-autoscaler', 'gateway']);
  });

  it('refuses a cycle, naming it', function () {
    const specs: AddonSpec[] = [
      { id: 'gateway', component: 'a', version: '1.0.0', needs: ['ai-operator'], enables: [] },
      { id: 'ai-operator', component: 'b', version: '1.0.0', needs: ['gateway'], enables: [] },
    ];
    expect(() => resolveAddonPlan(['gateway'], { realNode: true, specs })).to.throw(
      AddonPlanError,
      'addons need each other in a cycle: gateway → ai-operator → gateway',
    );
  });

  it('parses all, none and comma lists, and names a bad one', function () {
    expect(parseAddonList('all', '--addons')).to.deep.equal([...ADDON_IDS]);
    expect(parseAddonList('none', '--addons')).to.deep.equal([]);
    expect(parseAddonList('gateway,gateway, fake-gpu', '--addons')).to.deep.equal([
      'gateway',
      'fake-gpu',
    ]);
    expect(() => parseAddonList('gateway,istio', 'KAIC_ADDONS')).to.throw(
      AddonPlanError,
      /KAIC_ADDONS "gateway,istio" is not an addon list/,
    );
    expect(() => parseAddonList(',', '--addons')).to.throw(AddonPlanError);
  });

  it('addonsFor: a selection gets the addons its suites need, and resolving adds what those need', function () {
    const ids = (requirements: string[]) => addonsFor(requirements).map((a) => a.id);
    expect(ids(['dra_support'])).to.deep.equal(['fake-gpu']);
    expect(ids(['gang_scheduling'])).to.deep.equal(['gang-scheduler']);
    expect(ids(['ai_inference', 'robust_controller']).sort()).to.deep.equal([
      'ai-operator',
      'gateway',
    ]);
    const podAutoscaling = resolveAddonPlan(ids(['pod_autoscaling']));
    expect(podAutoscaling.waves.flat().sort()).to.deep.equal([
      'custom-metrics-adapter',
      'fake-gpu',
      'prometheus',
    ]);
    expect(
      addonsFor(['accelerator_metrics']).find((a) => a.id === 'gpu-metrics')?.for,
    ).to.deep.equal(['accelerator_metrics']);
    expect(ids(['disaggregated_inference'])).to.deep.equal([]);
    // Every requirement's addons together are every addon.
    expect(ids(requirementsFor('1.35').map((r) => r.id)).sort()).to.deep.equal(
      [...ADDON_IDS].sort(),
    );
  });
});

describe('addon images a kind run preloads', function () {
  const base = { fakeGpuDriver: 'kaic', gpuPartitions: 0 } as const;
  const names = (ids: AddonId[], gangScheduler: 'kueue' | 'volcano') =>
    inClusterAddonImages(ids, { ...base, gangScheduler }).map(localImageName);

  it('are the images of the addons asked for and of what they need, with the run’s gang scheduler', function () {
    expect(names(['gpu-metrics'], 'kueue')).to.deep.equal([
      KIND_LOCAL_IMAGES.nodeRuntimeImage(process.version),
    ]);
    const kueue = names([...ADDON_IDS], 'kueue');
    const volcano = names([...ADDON_IDS], 'volcano');
    expect(kueue.some((n) => /\/kueue:/.test(n))).to.equal(true);
    expect(kueue.some((n) => /\/vc-/.test(n))).to.equal(false);
    expect(volcano.filter((n) => /\/vc-/.test(n))).to.have.length(2);
    expect(volcano.some((n) => /\/kueue:/.test(n))).to.equal(false);
    expect(names([], 'kueue')).to.deep.equal([]);
  });
});
