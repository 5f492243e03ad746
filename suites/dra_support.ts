/**
 * dra_support: "Support Dynamic Resource Allocation (DRA) APIs to enable more flexible and
 * fine-grained resource requests beyond simple counts."
 *
 * API: the four resource.k8s.io kinds are served (v1, or v1beta1 where the minor has only that)
 * and can be created, read, listed, updated and deleted. Behaviour, with the cluster's
 * accelerator: a claim made from a template is allocated, reserved for the pod and the pod runs;
 * deleting the pod releases the claim; a CEL selector on the device's capacity allocates, and one
 * no device satisfies leaves the pod unschedulable.
 *
 * KAR-0051 defines the requirement by the API: the API checks decide the verdict. The behaviour
 * checks are supporting (recorded, not deciding): they need a DRA driver, which the requirement
 * does not.
 */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import type { AcceleratorSetup } from '../src/accelerators/profiles.js';
import { DraObjects, type DraObject } from '../src/k8s/dra-objects.js';
import { servedDraApi } from '../src/k8s/discovery.js';
import type { DraApiVersion } from '../src/versions/kubernetes.js';
import {
  acceleratorPod,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  requireAcceleratorSetup,
  suiteCluster,
  waitFor,
  waitRunning,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, supporting } from './lib/index.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one pod holds a device at a time. */
export const budget: SuiteBudget = { devices: 1, typicalSeconds: 5 };

const KINDS = ['deviceclasses', 'resourceclaims', 'resourceclaimtemplates', 'resourceslices'];

type Claim = DraObject & {
  status?: {
    allocation?: {
      devices?: {
        results?: Array<{ request: string; driver: string; pool: string; device: string }>;
      };
    };
    reservedFor?: Array<{ resource: string; name: string; uid: string }>;
  };
};

/** The served DRA API, or a failure that says the API is off. */
async function requireDraApi(): Promise<DraApiVersion> {
  const api = await servedDraApi(suiteCluster().kc);
  if (!api) {
    throw new Error(
      'the server serves no resource.k8s.io API version (v1 or v1beta1): DRA is switched off',
    );
  }
  return api;
}

/** The accelerator, or ENVIRONMENT ERROR: DRA behaviour cannot be shown without a DRA driver. */
async function requireDraAccelerator(): Promise<AcceleratorSetup> {
  const setup = await requireAcceleratorSetup();
  if (setup.mode !== 'dra' || !setup.draApi) {
    throw new Error(
      `ENVIRONMENT ERROR: the accelerator is allocated through the device plugin (${setup.reason}); DRA behaviour needs a DRA driver's ResourceSlices`,
    );
  }
  return setup;
}

describe(`${requirementTag('dra_support', 'MUST')} Dynamic Resource Allocation`, function () {
  this.timeout(180_000);

  describe('API', function () {
    it('serves DeviceClass, ResourceClaim, ResourceClaimTemplate and ResourceSlice', async function () {
      const api = await requireDraApi();
      const { kc } = suiteCluster();
      const resources =
        api === 'resource.k8s.io/v1'
          ? await kc.makeApiClient(k8s.ResourceV1Api).getAPIResources()
          : await kc.makeApiClient(k8s.ResourceV1beta1Api).getAPIResources();
      const served = resources.resources.map((r) => r.name);
      recordEvidence(this, 'observed', `${api} serves ${served.join(', ')}`);
      expect(served).to.include.members(KINDS);
    });

    it('creates, reads, lists, updates and deletes each kind', async function () {
      const api = await requireDraApi();
      const objects = new DraObjects(suiteCluster().kc, api);
      const ns = await createNamespace('kaic-dra-crud');
      const suffix = randomBytes(3).toString('hex');
      const driver = `crud-${suffix}.conformance.kaic.dev`;
      const exactly = (count: number) =>
        api === 'resource.k8s.io/v1'
          ? { name: 'req', exactly: { deviceClassName: `crud-${suffix}`, count } }
          : { name: 'req', deviceClassName: `crud-${suffix}`, count };
      const bodies: DraObject[] = [
        {
          apiVersion: api,
          kind: 'DeviceClass',
          metadata: { name: `crud-${suffix}` },
          spec: { selectors: [{ cel: { expression: `device.driver == '${driver}'` } }] },
        },
        {
          apiVersion: api,
          kind: 'ResourceSlice',
          metadata: { name: `crud-${suffix}` },
          spec: {
            driver,
            allNodes: true,
            pool: { name: 'crud', generation: 1, resourceSliceCount: 1 },
            devices: [{ name: 'dev-0' }],
          },
        },
        {
          apiVersion: api,
          kind: 'ResourceClaimTemplate',
          metadata: { name: 'crud', namespace: ns },
          spec: { spec: { devices: { requests: [exactly(1)] } } },
        },
        {
          apiVersion: api,
          kind: 'ResourceClaim',
          metadata: { name: 'crud', namespace: ns },
          spec: { devices: { requests: [exactly(1)] } },
        },
      ];
      try {
        for (const body of bodies) {
          const kind = body.kind as string;
          const name = body.metadata?.name as string;
          const namespace = body.metadata?.namespace;
          await objects.create(body);
          const read = await objects.read(kind, name, namespace);
          expect(read.metadata?.uid, `${kind} read back`).to.be.a('string');
          const listed = await objects.list(kind, undefined, `metadata.name=${name}`);
          expect(
            listed.map((o) => o.metadata?.name),
            `${kind} listed`,
          ).to.include(name);
          read.metadata = { ...read.metadata, labels: { 'conformance.kaic.dev/updated': 'yes' } };
          const updated = await objects.replace(read);
          expect(updated.metadata?.labels, `${kind} updated`).to.include({
            'conformance.kaic.dev/updated': 'yes',
          });
          await objects.delete(kind, name, namespace);
          await waitFor(`${kind} ${name} deleted`, async () =>
            objects.read(kind, name, namespace).then(
              () => false,
              () => true,
            ),
          );
          recordEvidence(this, 'observed', `${kind} ${name}: create, get, list, update, delete`);
        }
      } finally {
        for (const body of bodies.slice(0, 2)) {
          await objects
            .delete(body.kind as string, body.metadata?.name as string)
            .catch(() => undefined);
        }
        await deleteNamespace(ns, { until: 'released' });
      }
    });
  });

  describe('allocation', function () {
    let setup: AcceleratorSetup;
    let objects: DraObjects;
    let ns = '';

    beforeEach(async function () {
      setup = await requireDraAccelerator();
      objects = new DraObjects(suiteCluster().kc, setup.draApi as DraApiVersion);
      ns = await createNamespace('kaic-dra');
    });

    afterEach(async function () {
      if (ns) await deleteNamespace(ns, { until: 'released' });
      ns = '';
    });

    supporting(
      it('allocates a claim from a template, reserves it for the pod, runs the pod, and releases it when the pod goes', async function () {
        await createClaimTemplate(setup, ns, 'one');
        await createPod(
          acceleratorPod({
            namespace: ns,
            name: 'holder',
            setup,
            claimTemplate: 'one',
            containers: [{ name: 'main', accelerator: true }],
          }),
        );
        const pod = await waitRunning(ns, 'holder');
        const claimName = pod.status?.resourceClaimStatuses?.[0]?.resourceClaimName;
        expect(claimName, 'pod.status.resourceClaimStatuses names the generated claim').to.be.a(
          'string',
        );
        const claim = (await objects.read('ResourceClaim', claimName as string, ns)) as Claim;
        const results = claim.status?.allocation?.devices?.results ?? [];
        expect(results, 'allocation results').to.have.length(1);
        expect(results[0]).to.include({ request: 'gpu', driver: setup.profile.draDriver });
        expect(results[0]?.pool).to.be.a('string');
        expect(results[0]?.device).to.be.a('string');
        expect(
          claim.status?.reservedFor?.map((r) => r.uid),
          'reservedFor',
        ).to.include(pod.metadata?.uid);
        recordEvidence(
          this,
          'observed',
          `claim ${claimName} allocated ${results[0]?.driver}/${results[0]?.pool}/${results[0]?.device}, reserved for pod ${pod.metadata?.uid}, pod on ${pod.spec?.nodeName}`,
        );
        await suiteCluster().core.deleteNamespacedPod({
          namespace: ns,
          name: 'holder',
          gracePeriodSeconds: 0,
        });
        await waitFor(`claim ${claimName} released (deleted with its pod)`, async () =>
          objects.read('ResourceClaim', claimName as string, ns).then(
            () => false,
            () => true,
          ),
        );
        recordEvidence(this, 'observed', `claim ${claimName} deleted after its pod`);
      }),
    );

    supporting(
      it('allocates by a CEL selector on device capacity, and leaves a pod no device satisfies unschedulable', async function () {
        const driver = setup.profile.draDriver;
        const memory = (op: string, quantity: string) =>
          `has(device.capacity['${driver}'].memory) && device.capacity['${driver}'].memory.compareTo(quantity('${quantity}')) ${op} 0`;
        await createClaimTemplate(setup, ns, 'big-memory', { selectors: [memory('>=', '1Gi')] });
        await createClaimTemplate(setup, ns, 'impossible', { selectors: [memory('>=', '1Pi')] });
        await createPod(
          acceleratorPod({
            namespace: ns,
            name: 'fits',
            setup,
            claimTemplate: 'big-memory',
            containers: [{ name: 'main', accelerator: true }],
          }),
        );
        await createPod(
          acceleratorPod({
            namespace: ns,
            name: 'never',
            setup,
            claimTemplate: 'impossible',
            containers: [{ name: 'main', accelerator: true }],
          }),
        );
        const fits = await waitRunning(ns, 'fits');
        recordEvidence(
          this,
          'observed',
          `pod fits (memory >= 1Gi) Running on ${fits.spec?.nodeName}`,
        );
        const { core } = suiteCluster();
        const unschedulable = await waitFor('pod never to be reported Unschedulable', async () => {
          const p = await core.readNamespacedPod({ namespace: ns, name: 'never' });
          return p.status?.conditions?.find(
            (c) =>
              c.type === 'PodScheduled' && c.status === 'False' && c.reason === 'Unschedulable',
          );
        });
        // Still not placed a while later: the selector, not a slow scheduler, keeps it out.
        await new Promise((r) => setTimeout(r, 3000));
        const never = await core.readNamespacedPod({ namespace: ns, name: 'never' });
        expect(never.spec?.nodeName, 'pod never bound').to.equal(undefined);
        expect(never.status?.phase).to.equal('Pending');
        recordEvidence(
          this,
          'observed',
          `pod never (memory >= 1Pi) Pending: ${unschedulable.message ?? 'Unschedulable'}`,
        );
      }),
    );
  });
});
