/**
 * gpu_sharing (SHOULD, KAR-0003): one physical accelerator exposed as several allocatable ones,
 * shown by allocation results, not by configuration. Each strategy is an optional defining check
 * (it decides where the platform offers it; where it does not, the others decide):
 *  - partitions (MIG) of one physical GPU, through DRA: two pods each hold a different partition
 *    whose parent is the same GPU;
 *  - shared replicas through the device plugin (time-slicing or MPS: a `.shared` resource, or a
 *    replicas label above 1): one pod more than the node's physical devices each hold a replica
 *    and all run, so two share a device (pigeonhole); where the node runs containers, the
 *    devices they see are recorded.
 * One ResourceClaim shared by two pods, both on the one device the claim holds, is core DRA for
 * any driver: recorded (supporting), it proves no sharing strategy.
 */
import { expect } from 'chai';

import {
  extendedResourcesOf,
  probeListScript,
  type AcceleratorSetup,
} from '../src/accelerators/profiles.js';
import { DraObjects, claimTemplate } from '../src/k8s/dra-objects.js';
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
  waitFor,
  abortIfDevicesRefused,
  claimOfPod,
  type AllocatedClaim,
} from './lib/cluster.js';
import { optional, recordEvidence, requirementTag, skipBecause, supporting } from './lib/index.js';
import { planReplicaSharing } from './lib/sharing.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one physical device: shared by two pods, or cut into their two partitions. */
export const budget: SuiteBudget = { devices: 1, typicalSeconds: 7 };

describe(`${requirementTag('gpu_sharing', 'SHOULD')} GPU sharing`, function () {
  this.timeout(240_000);
  let setup: AcceleratorSetup;
  let objects: DraObjects;
  let api: DraApiVersion;
  let ns = '';

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  beforeEach(async function () {
    ns = await createNamespace('kaic-sharing');
    if (setup.mode === 'dra') {
      api = setup.draApi as DraApiVersion;
      objects = new DraObjects(suiteCluster().kc, api);
    }
  });

  /** The DRA checks: a device-plugin platform shares by replicas instead (its own check). */
  function requireDra(test: Mocha.Context): void {
    if (setup.mode !== 'dra') {
      skipBecause(
        test,
        `the accelerator is allocated through the device plugin (${setup.reason}); this check needs DRA claims`,
      );
    }
  }

  afterEach(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
    ns = '';
  });

  /** Waits until the pod runs (null) or the scheduler says it fits nowhere (its message). */
  async function runningOrUnschedulable(pod: string): Promise<string | null> {
    const { core } = suiteCluster();
    return waitFor(`pod ${ns}/${pod} Running or Unschedulable`, async () => {
      const p = await core.readNamespacedPod({ namespace: ns, name: pod });
      if (p.status?.phase === 'Running') return { message: null };
      await abortIfDevicesRefused(p);
      const cond = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
      return cond?.status === 'False' && cond.reason === 'Unschedulable'
        ? { message: cond.message ?? 'Unschedulable' }
        : undefined;
    }).then((r) => r.message);
  }

  const claimOf = (pod: string) => claimOfPod(objects, ns, pod);

  supporting(
    it('runs two pods on the one device a shared ResourceClaim holds', async function () {
      requireDra(this);
      const request = claimTemplate(api, ns, 'x', {
        deviceClassName: setup.profile.deviceClass,
        count: 1,
      });
      await objects.create({
        apiVersion: api,
        kind: 'ResourceClaim',
        metadata: { name: 'shared', namespace: ns },
        spec: (request.spec as { spec: unknown }).spec,
      });
      const real = await containerNodes(setup);
      const node = real[0] ?? setup.nodes[0];
      for (const name of ['first', 'second']) {
        await createPod(
          acceleratorPod({
            namespace: ns,
            name,
            node,
            setup,
            claimName: 'shared',
            containers: [{ name: 'main', accelerator: true }],
          }),
        );
      }
      const pods = [await waitRunning(ns, 'first'), await waitRunning(ns, 'second')];
      const claim = (await objects.read('ResourceClaim', 'shared', ns)) as AllocatedClaim;
      const results = claim.status?.allocation?.devices?.results ?? [];
      expect(results, 'one device allocated').to.have.length(1);
      expect(claim.status?.reservedFor?.map((r) => r.uid)).to.have.members(
        pods.map((p) => p.metadata?.uid),
      );
      expect(pods[0]?.spec?.nodeName).to.equal(pods[1]?.spec?.nodeName);
      recordEvidence(
        this,
        'observed',
        `claim shared holds ${results[0]?.pool}/${results[0]?.device}, reserved for first and second on ${pods[0]?.spec?.nodeName}`,
      );
      if (real.length > 0) {
        const list = probeListScript(setup.profile.probe);
        const seen = [
          await exec(ns, 'first', 'main', list),
          await exec(ns, 'second', 'main', list),
        ].map((r) => r.stdout.trim());
        recordEvidence(
          this,
          'observed',
          `inside the containers: first sees ${seen[0]}, second sees ${seen[1]}`,
        );
        expect(seen[0]).to.not.equal('');
        expect(seen[0]).to.equal(seen[1]);
      }
    }),
  );

  optional(
    it('runs one pod more than the physical devices of a node, each on a shared replica (time-slicing/MPS, device plugin)', async function () {
      if (setup.mode !== 'device-plugin') {
        skipBecause(
          this,
          'the accelerator is allocated through DRA: replicas are a device-plugin strategy',
        );
      }
      const { core } = suiteCluster();
      const nodes = (await core.listNode()).items.filter((n) =>
        setup.nodes.includes(n.metadata?.name as string),
      );
      const pods = (await core.listPodForAllNamespaces()).items.filter(
        (p) => p.spec?.nodeName && !['Succeeded', 'Failed'].includes(p.status?.phase ?? ''),
      );
      const plan = planReplicaSharing(
        nodes.map((n) => {
          const name = n.metadata?.name as string;
          const requested: Record<string, number> = {};
          for (const c of pods
            .filter((p) => p.spec?.nodeName === name)
            .flatMap((p) => p.spec?.containers ?? [])) {
            for (const [resource, q] of Object.entries(c.resources?.limits ?? {})) {
              requested[resource] = (requested[resource] ?? 0) + Number(q);
            }
          }
          return {
            node: name,
            resources: extendedResourcesOf(
              setup.profile,
              n.status?.allocatable,
              n.metadata?.labels,
            ),
            requested,
          };
        }),
      );
      if ('reason' in plan) skipBecause(this, plan.reason);
      const names = Array.from({ length: plan.pods }, (_, i) => `replica-${i}`);
      for (const name of names) {
        await createPod(
          acceleratorPod({
            namespace: ns,
            name,
            node: plan.node,
            setup,
            resource: plan.resource,
            containers: [{ name: 'main', accelerator: true }],
          }),
        );
      }
      const unschedulable: string[] = [];
      for (const name of names) {
        const message = await runningOrUnschedulable(name);
        if (message) unschedulable.push(`${name}: ${message}`);
      }
      expect(
        unschedulable,
        `pods holding one advertised ${plan.resource} replica each on ${plan.node} that did not run`,
      ).to.deep.equal([]);
      recordEvidence(
        this,
        'observed',
        `${plan.pods} pods, one ${plan.resource} each, all Running on ${plan.node}, which has ${plan.devices} physical devices split into ${plan.replicas} replicas each: two pods share a device`,
      );
      if ((await containerNodes(setup)).includes(plan.node)) {
        const list = probeListScript(setup.profile.probe);
        const seen: string[] = [];
        for (const name of names) {
          seen.push(`${name}: ${(await exec(ns, name, 'main', list)).stdout.trim() || 'none'}`);
        }
        recordEvidence(this, 'observed', `inside the containers: ${seen.join('; ')}`);
      }
    }),
  );

  optional(
    it('gives two pods two partitions (MIG) of one physical GPU', async function () {
      requireDra(this);
      const partitions = setup.profile.partitions;
      if (!partitions)
        skipBecause(this, `accelerator ${setup.profile.kind} has no partitions kaic knows of`);
      const classExists = await objects.read('DeviceClass', partitions.deviceClass).then(
        () => true,
        () => false,
      );
      if (!classExists)
        skipBecause(this, `no DeviceClass ${partitions.deviceClass}: no partitions are offered`);
      const node = setup.nodes[0] as string;
      const domain = setup.profile.draDriver;
      await createClaimTemplate(setup, ns, 'any-partition', {
        deviceClass: partitions.deviceClass,
        selectors: partitions.selectors,
      });
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: 'first',
          node,
          setup,
          claimTemplate: 'any-partition',
          containers: [{ name: 'main', accelerator: true }],
        }),
      );
      // Partitions in the whole devices' class (AMD, the example driver) may not be configured:
      // the scheduler finding none says so.
      const unschedulable = await runningOrUnschedulable('first');
      if (unschedulable) {
        skipBecause(
          this,
          `no ${partitions.deviceClass} partition on ${node} could be allocated (${unschedulable}): no partitions are offered`,
        );
      }
      const first = (await claimOf('first')).status?.allocation?.devices?.results?.[0];
      expect(first, 'first partition allocated').to.not.equal(undefined);
      const slices = (await objects.list(
        'ResourceSlice',
        undefined,
        `spec.nodeName=${node}`,
      )) as Array<{
        spec?: {
          pool?: { name: string };
          devices?: SliceDevice[];
        };
      }>;
      const parentOf = (device: string) => {
        for (const s of slices) {
          if (s.spec?.pool?.name !== first?.pool) continue;
          const d = s.spec?.devices?.find((x) => x.name === device);
          const value = deviceAttribute(d, domain, partitions.parentAttribute);
          if (value?.string) return value.string;
        }
        return undefined;
      };
      const parent = parentOf(first?.device as string);
      expect(parent, `${partitions.parentAttribute} of ${first?.device}`).to.be.a('string');
      await createClaimTemplate(setup, ns, 'same-gpu', {
        deviceClass: partitions.deviceClass,
        selectors: [
          ...partitions.selectors,
          `device.attributes['${domain}'].${partitions.parentAttribute} == '${parent}'`,
        ],
      });
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: 'second',
          node,
          setup,
          claimTemplate: 'same-gpu',
          containers: [{ name: 'main', accelerator: true }],
        }),
      );
      await waitRunning(ns, 'second');
      const second = (await claimOf('second')).status?.allocation?.devices?.results?.[0];
      recordEvidence(
        this,
        'observed',
        `first holds ${first?.device}, second holds ${second?.device}; both cut from ${parent} on ${node}`,
      );
      expect(second?.device).to.be.a('string');
      expect(second?.device).to.not.equal(first?.device);
      expect(parentOf(second?.device as string)).to.equal(parent);
    }),
  );
});
