/**
 * secure_accelerator_access: "Ensure that access to accelerators from within containers is
 * properly isolated and mediated by the Kubernetes resource management framework (device plugin
 * or DRA) and container runtime, including accelerator device isolation."
 *
 * The working group's checks (KAR-0049), with the same probe and marker
 * (`RESULT: ACCELERATOR_COUNT=<n>`): a container holding the accelerator sees it; a pod without a
 * request on the same node sees none; a second container of the holding pod sees none. A
 * container without the accelerator also sees none of the vendor's control devices (nvidiactl,
 * kfd, …): reaching the driver is a leak too. Added: two pods holding one whole device each hold
 * two different physical devices (by the profile's identity attribute, not by a /dev name) and see
 * different ones (optional: a node with one device cannot show it, and the other checks decide),
 * and a pod without a request that sets NVIDIA_VISIBLE_DEVICES=all still sees none.
 * These look inside containers, so they run on accelerator nodes that run containers.
 */
import { expect } from 'chai';

import {
  parseProbe,
  probeListScript,
  probeScript,
  wholeDeviceSelectors,
  type AcceleratorSetup,
} from '../src/accelerators/profiles.js';
import { physicalDevicesPerNode } from '../src/accelerators/capacity.js';
import { DraObjects } from '../src/k8s/dra-objects.js';
import type { DraApiVersion } from '../src/versions/kubernetes.js';
import {
  acceleratorPod,
  containerNodes,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  claimOfPod,
  deviceAttributeText,
  exec,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning,
  type ContainerSpec,
  type SliceDevice,
} from './lib/cluster.js';
import { optional, recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): two pods hold a device each at once (never the same device). */
export const budget: SuiteBudget = { devices: 2, typicalSeconds: 30 };

describe(`${requirementTag('secure_accelerator_access', 'MUST')} Secure accelerator access`, function () {
  this.timeout(180_000);
  let setup: AcceleratorSetup;
  let node = '';
  let ns = '';

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  beforeEach(async function () {
    const nodes = await containerNodes(setup);
    if (nodes.length === 0) {
      skipBecause(
        this,
        `no ${setup.profile.kind} accelerator node runs containers (the accelerator nodes ${setup.nodes.join(', ')} are simulated); the checks look inside containers`,
      );
    }
    node = nodes[0] as string;
    ns = await createNamespace('kaic-secure');
    // Whole devices: two partitions of one GPU are sharing, not a leak.
    await createClaimTemplate(setup, ns, 'one', { selectors: wholeDeviceSelectors(setup.profile) });
  });

  afterEach(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
    ns = '';
  });

  async function run(name: string, containers: ContainerSpec[]): Promise<void> {
    await createPod(
      acceleratorPod({ namespace: ns, name, node, setup, claimTemplate: 'one', containers }),
    );
    await waitRunning(ns, name);
  }

  /** What the probe counts in one container, recorded as evidence. */
  async function count(ctx: Mocha.Context, pod: string, container: string): Promise<number> {
    const result = await exec(ns, pod, container, probeScript(setup.profile.probe));
    const n = parseProbe(result.stdout);
    if (n === null) {
      throw new Error(
        `ACCELERATOR WORKLOAD FAILURE: the probe in ${pod}/${container} printed no count: ${result.stdout}${result.stderr}`,
      );
    }
    recordEvidence(
      ctx,
      'observed',
      `${pod}/${container} on ${node}: RESULT: ACCELERATOR_COUNT=${n}`,
    );
    return n;
  }

  /** The vendor's control devices a container can reach (none is the only right answer). */
  async function controlDevicesSeen(ctx: Mocha.Context, pod: string, container: string) {
    const control = setup.profile.controlDevices;
    if (control.length === 0) return [];
    const script = `for d in ${control.join(' ')}; do [ -e "/dev/$d" ] && echo "$d"; done; true`;
    const found = (await exec(ns, pod, container, script)).stdout.split('\n').filter(Boolean);
    recordEvidence(
      ctx,
      'observed',
      `${pod}/${container}: control devices ${found.length ? found.join(', ') : `none of ${control.join(', ')}`}`,
    );
    return found;
  }

  /** The names (device nodes) or values (variables) the probe matches, for comparing pods. */
  async function seen(pod: string): Promise<string[]> {
    const script = probeListScript(setup.profile.probe);
    return (await exec(ns, pod, 'main', script)).stdout.split('\n').filter(Boolean);
  }

  /**
   * What the holder saw (the positive control): a container that was given no device makes "a
   * pod without a request sees none" show nothing about isolation.
   */
  let holderSaw: number | null = null;
  function requireControl(ctx: Mocha.Context): void {
    if (holderSaw === 0) {
      skipBecause(
        ctx,
        `a container holding the accelerator saw none of it (probe ${JSON.stringify(setup.profile.probe)}), so seeing none here shows no isolation`,
      );
    }
  }

  it('gives a container that requests an accelerator exactly that accelerator', async function () {
    await run('holder', [{ name: 'main', accelerator: true }]);
    holderSaw = await count(this, 'holder', 'main');
    expect(holderSaw).to.equal(1);
  });

  it('gives a pod without a request on the same node no accelerator', async function () {
    requireControl(this);
    await run('bystander', [{ name: 'main' }]);
    expect(await count(this, 'bystander', 'main')).to.equal(0);
    expect(await controlDevicesSeen(this, 'bystander', 'main'), 'control devices').to.deep.equal(
      [],
    );
  });

  it('gives the second container of a pod whose first container holds the accelerator none', async function () {
    await run('two-containers', [{ name: 'main', accelerator: true }, { name: 'second' }]);
    expect(await count(this, 'two-containers', 'main')).to.equal(1);
    expect(await count(this, 'two-containers', 'second')).to.equal(0);
    expect(
      await controlDevicesSeen(this, 'two-containers', 'second'),
      'control devices',
    ).to.deep.equal([]);
  });

  optional(
    it('never gives two pods the same device', async function () {
      if (setup.sharedReplicas) {
        skipBecause(
          this,
          `${setup.profile.extendedResource} units are shared replicas (time-slicing or MPS): two pods may hold one device by design, and a pod cannot ask for an unshared one`,
        );
      }
      const total = setup.nodes.includes(node) ? await physicalDevicesOn(node) : 0;
      if (total < 2) {
        skipBecause(this, `node ${node} has ${total} physical device(s); two pods need two`);
      }
      await run('first', [{ name: 'main', accelerator: true }]);
      await run('second', [{ name: 'main', accelerator: true }]);
      const [a, b] = [await seen('first'), await seen('second')];
      recordEvidence(this, 'observed', `first sees ${a.join(',')}; second sees ${b.join(',')}`);
      expect(a).to.have.length(1);
      expect(b).to.have.length(1);
      expect(a[0]).to.not.equal(b[0]);
      const identity = setup.profile.identityAttribute;
      if (setup.mode === 'dra' && identity) {
        const [ia, ib] = [await heldIdentity('first'), await heldIdentity('second')];
        recordEvidence(this, 'observed', `first holds ${identity} ${ia}; second holds ${ib}`);
        expect(ia, `${identity} of first's device`).to.be.a('string');
        expect(ia, 'two pods hold one physical device').to.not.equal(ib);
      }
    }),
  );

  it('gives a pod without a request that sets NVIDIA_VISIBLE_DEVICES=all no accelerator', async function () {
    requireControl(this);
    await run('envvar', [{ name: 'main', env: { NVIDIA_VISIBLE_DEVICES: 'all' } }]);
    expect(await count(this, 'envvar', 'main')).to.equal(0);
  });

  /** Physical devices on the node (partitions and replicas counted as their device). */
  async function physicalDevicesOn(name: string): Promise<number> {
    return (await physicalDevicesPerNode(suiteCluster().kc, setup)).get(name) ?? 0;
  }

  /** The identity attribute of the device the pod's claim holds (DRA mode). */
  async function heldIdentity(pod: string): Promise<string | undefined> {
    const objects = new DraObjects(suiteCluster().kc, setup.draApi as DraApiVersion);
    const claim = await claimOfPod(objects, ns, pod);
    const result = claim.status?.allocation?.devices?.results?.[0];
    if (!result) return undefined;
    const slices = (await objects.list(
      'ResourceSlice',
      undefined,
      `spec.driver=${setup.profile.draDriver}`,
    )) as Array<{ spec?: { pool?: { name: string }; devices?: SliceDevice[] } }>;
    const device = slices
      .filter((s) => s.spec?.pool?.name === result.pool)
      .flatMap((s) => s.spec?.devices ?? [])
      .find((d) => d.name === result.device);
    return deviceAttributeText(
      device,
      setup.profile.draDriver,
      setup.profile.identityAttribute as string,
    );
  }
});
