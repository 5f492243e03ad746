/**
 * secure_accelerator_access: "Ensure that access to accelerators from within containers is
 * properly isolated and mediated by the Kubernetes resource management framework (device plugin
 * or DRA) and container runtime, including accelerator device isolation."
 *
 * The working group's checks, with the same probe and marker (`RESULT: ACCELERATOR_COUNT=<n>`):
 * a container holding the accelerator sees it; a pod without a request on the same node sees
 * none; a second container of the holding pod sees none. Added: two pods never see the same
 * device, and a pod without a request that sets NVIDIA_VISIBLE_DEVICES=all still sees none.
 * These look inside containers, so they run on accelerator nodes that run containers.
 */
import { expect } from 'chai';

import {
  parseProbe,
  probeListScript,
  probeScript,
  type AcceleratorSetup,
} from '../src/accelerators/profiles.js';
import { DraObjects } from '../src/k8s/dra-objects.js';
import type { DraApiVersion } from '../src/versions/kubernetes.js';
import {
  acceleratorPod,
  containerNodes,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning,
  type ContainerSpec,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
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
    await createClaimTemplate(setup, ns, 'one');
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

  /** The names (device nodes) or values (variables) the probe matches, for comparing pods. */
  async function seen(pod: string): Promise<string[]> {
    const script = probeListScript(setup.profile.probe);
    return (await exec(ns, pod, 'main', script)).stdout.split('\n').filter(Boolean);
  }

  it('gives a container that requests an accelerator exactly that accelerator', async function () {
    await run('holder', [{ name: 'main', accelerator: true }]);
    expect(await count(this, 'holder', 'main')).to.equal(1);
  });

  it('gives a pod without a request on the same node no accelerator', async function () {
    await run('bystander', [{ name: 'main' }]);
    expect(await count(this, 'bystander', 'main')).to.equal(0);
  });

  it('gives the second container of a pod whose first container holds the accelerator none', async function () {
    await run('two-containers', [{ name: 'main', accelerator: true }, { name: 'second' }]);
    expect(await count(this, 'two-containers', 'main')).to.equal(1);
    expect(await count(this, 'two-containers', 'second')).to.equal(0);
  });

  it('never gives two pods the same device', async function () {
    const total = setup.nodes.includes(node) ? await devicesOn(node) : 0;
    if (total < 2) {
      skipBecause(this, `node ${node} has ${total} device(s); two pods need two`);
    }
    await run('first', [{ name: 'main', accelerator: true }]);
    await run('second', [{ name: 'main', accelerator: true }]);
    const [a, b] = [await seen('first'), await seen('second')];
    recordEvidence(this, 'observed', `first sees ${a.join(',')}; second sees ${b.join(',')}`);
    expect(a).to.have.length(1);
    expect(b).to.have.length(1);
    expect(a[0]).to.not.equal(b[0]);
  });

  it('gives a pod without a request that sets NVIDIA_VISIBLE_DEVICES=all no accelerator', async function () {
    await run('envvar', [{ name: 'main', env: { NVIDIA_VISIBLE_DEVICES: 'all' } }]);
    expect(await count(this, 'envvar', 'main')).to.equal(0);
  });

  /** Devices the node offers: slice devices in DRA mode, allocatable otherwise. */
  async function devicesOn(name: string): Promise<number> {
    if (setup.mode === 'dra') {
      const slices = await new DraObjects(suiteCluster().kc, setup.draApi as DraApiVersion).list(
        'ResourceSlice',
        undefined,
        `spec.nodeName=${name}`,
      );
      return slices
        .filter(
          (s) => (s as { spec?: { driver?: string } }).spec?.driver === setup.profile.draDriver,
        )
        .reduce(
          (n, s) => n + ((s as { spec?: { devices?: unknown[] } }).spec?.devices?.length ?? 0),
          0,
        );
    }
    const n = await suiteCluster().core.readNode({ name });
    return Number(n.status?.allocatable?.[setup.profile.extendedResource as string] ?? 0);
  }
});
