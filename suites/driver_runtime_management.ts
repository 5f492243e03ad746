/**
 * driver_runtime_management (SHOULD): "Provide a verifiable mechanism for ensuring that
 * compatible accelerator drivers and corresponding container runtime configurations are correctly
 * installed and maintained on nodes with accelerators."
 *
 * The version the platform advertises (the DRA driver's driverVersion attribute, else the node
 * labels of NVIDIA's feature discovery) must be what a container holding the accelerator observes
 * (nvidia-smi, the real tool or kaic's fake). An accelerator kaic cannot read a version from is
 * reported Unknown, not failed.
 */
import { expect } from 'chai';

import type { AcceleratorSetup } from '../src/accelerators/profiles.js';
import { semver } from '../src/util/semver.js';
import { DraObjects } from '../src/k8s/dra-objects.js';
import type { DraApiVersion } from '../src/versions/kubernetes.js';
import {
  acceleratorPod,
  containerNodes,
  createClaimTemplate,
  createNamespace,
  deviceAttribute,
  type SliceDevice,
  createPod,
  deleteNamespace,
  exec,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one pod holds a device. */
export const budget: SuiteBudget = { devices: 1, typicalSeconds: 7 };

/** NVIDIA GPU feature discovery's label for the full driver version. */
const GFD_DRIVER_LABEL = 'nvidia.com/cuda.driver-version.full';
/** The same, split into parts, from older feature discovery releases. */
const GFD_OLD_DRIVER_LABELS = ['major', 'minor', 'rev'].map((p) => `nvidia.com/cuda.driver.${p}`);

/**
 * Cloud driver managers whose node labels name a channel or an install mode, not a version:
 * recognised, so the reason says why there is nothing to compare.
 */
const CLOUD_DRIVER_LABELS: Record<string, string> = {
  'cloud.google.com/gke-gpu-driver-version': "GKE's GPU driver installer",
};

/** A node's advertised driver version from its labels, or null. */
function labelledVersion(labels: Record<string, string> | undefined): string | null {
  if (labels?.[GFD_DRIVER_LABEL]) return labels[GFD_DRIVER_LABEL];
  const parts = GFD_OLD_DRIVER_LABELS.map((l) => labels?.[l]);
  return parts.every(Boolean) ? parts.join('.') : null;
}

/** Advertised driver version of each accelerator node: DRA attribute first, then node label. */
async function advertisedVersions(setup: AcceleratorSetup): Promise<Map<string, string>> {
  const versions = new Map<string, string>();
  const attribute = setup.profile.driverVersionAttribute;
  if (setup.mode === 'dra' && attribute) {
    const slices = await new DraObjects(suiteCluster().kc, setup.draApi as DraApiVersion).list(
      'ResourceSlice',
    );
    for (const slice of slices as Array<{
      spec?: { driver?: string; nodeName?: string; devices?: SliceDevice[] };
    }>) {
      if (slice.spec?.driver !== setup.profile.draDriver || !slice.spec.nodeName) continue;
      for (const device of slice.spec.devices ?? []) {
        const value = deviceAttribute(device, setup.profile.draDriver, attribute);
        const text = value?.version ?? value?.string;
        if (text) versions.set(slice.spec.nodeName, text);
      }
    }
  }
  if (versions.size === 0) {
    const nodes = await suiteCluster().core.listNode();
    for (const node of nodes.items) {
      const label = labelledVersion(node.metadata?.labels);
      if (label && setup.nodes.includes(node.metadata?.name as string)) {
        versions.set(node.metadata?.name as string, label);
      }
    }
  }
  return versions;
}

describe(`${requirementTag('driver_runtime_management', 'SHOULD')} Driver and runtime management`, function () {
  this.timeout(180_000);
  let setup: AcceleratorSetup;

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  it('advertises the accelerator driver version on every accelerator node', async function () {
    if (!setup.profile.driverVersionAttribute) {
      skipBecause(
        this,
        `accelerator ${setup.profile.kind}: kaic knows no driver-version attribute for it`,
      );
    }
    const versions = await advertisedVersions(setup);
    // Nothing advertised anywhere (a cloud's own driver management, whose labels name a channel,
    // not a version): the check cannot run, which is not a failure.
    if (versions.size === 0) {
      const labels = (await suiteCluster().core.listNode()).items
        .filter((n) => setup.nodes.includes(n.metadata?.name as string))
        .flatMap((n) => Object.entries(n.metadata?.labels ?? {}))
        .filter(([key]) => CLOUD_DRIVER_LABELS[key]);
      const cloud = [...new Set(labels.map(([k, v]) => `${CLOUD_DRIVER_LABELS[k]} (${k}=${v})`))];
      skipBecause(
        this,
        `no accelerator node advertises a driver version (DRA attribute ${setup.profile.driverVersionAttribute}, labels ${GFD_DRIVER_LABEL} or ${GFD_OLD_DRIVER_LABELS.join('/')})` +
          (cloud.length ? `; ${cloud.join(', ')} names a channel, not a version` : ''),
      );
    }
    recordEvidence(
      this,
      'observed',
      `advertised driver versions: ${[...versions].map(([n, v]) => `${n}=${v}`).join(', ') || 'none'}`,
    );
    // Every accelerator node the run found advertises one; a node that joined since (an
    // autoscaler's) may too, and is no failure.
    expect(
      setup.nodes.filter((n) => !versions.has(n)),
      'accelerator nodes advertising no driver version',
    ).to.deep.equal([]);
  });

  it('runs the driver version it advertises, as seen from a container holding the accelerator', async function () {
    const command = setup.profile.driverVersionCommand;
    if (!command) {
      skipBecause(
        this,
        `accelerator ${setup.profile.kind}: no way known to read its driver version inside a container`,
      );
    }
    const nodes = await containerNodes(setup);
    if (nodes.length === 0) {
      skipBecause(
        this,
        `no ${setup.profile.kind} accelerator node runs containers (all are simulated)`,
      );
    }
    const node = nodes[0] as string;
    const advertised = (await advertisedVersions(setup)).get(node);
    if (!advertised) {
      skipBecause(this, `node ${node} advertises no driver version: nothing to compare with`);
    }
    const ns = await createNamespace('kaic-driver');
    try {
      await createClaimTemplate(setup, ns, 'one');
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: 'driver',
          node,
          setup,
          claimTemplate: 'one',
          containers: [{ name: 'main', accelerator: true }],
        }),
      );
      await waitRunning(ns, 'driver');
      const result = await exec(ns, 'driver', 'main', command as string);
      const observed = result.stdout.trim();
      recordEvidence(
        this,
        'observed',
        `on ${node}: advertised ${advertised}, container sees "${observed}"`,
      );
      expect(observed, `driver version inside the container (${result.stderr.trim()})`).to.match(
        /^\d+(\.\d+)*$/,
      );
      expect(semver(observed)).to.equal(semver(advertised as string));
    } finally {
      await deleteNamespace(ns, { until: 'released' });
    }
  });
});
