import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  acceleratorPod,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag
} from "../chunks/chunk-YGNZEI5B.js";
import {
  servedDraApi
} from "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-62PC7QP5.js";
import {
  waitFor
} from "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import {
  ObjectResourceV1Api,
  ObjectResourceV1beta1Api
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/dra_support.ts
import { randomBytes } from "node:crypto";
var budget = { devices: 1, typicalSeconds: 5 };
var KINDS = ["deviceclasses", "resourceclaims", "resourceclaimtemplates", "resourceslices"];
async function requireDraApi() {
  const api = await servedDraApi(suiteCluster().kc);
  if (!api) {
    throw new Error(
      "the server serves no resource.k8s.io API version (v1 or v1beta1): DRA is switched off"
    );
  }
  return api;
}
async function requireDraAccelerator() {
  const setup = await requireAcceleratorSetup();
  if (setup.mode !== "dra" || !setup.draApi) {
    throw new Error(
      `ENVIRONMENT ERROR: the accelerator is allocated through the device plugin (${setup.reason}); DRA behaviour needs a DRA driver's ResourceSlices`
    );
  }
  return setup;
}
describe(`${requirementTag("dra_support", "MUST")} Dynamic Resource Allocation`, function() {
  this.timeout(18e4);
  describe("API", function() {
    it("serves DeviceClass, ResourceClaim, ResourceClaimTemplate and ResourceSlice", async function() {
      const api = await requireDraApi();
      const { kc } = suiteCluster();
      const resources = api === "resource.k8s.io/v1" ? await kc.makeApiClient(ObjectResourceV1Api).getAPIResources() : await kc.makeApiClient(ObjectResourceV1beta1Api).getAPIResources();
      const served = resources.resources.map((r) => r.name);
      recordEvidence(this, "observed", `${api} serves ${served.join(", ")}`);
      expect(served).to.include.members(KINDS);
    });
    it("creates, reads, lists, updates and deletes each kind", async function() {
      const api = await requireDraApi();
      const objects = new DraObjects(suiteCluster().kc, api);
      const ns = await createNamespace("kaic-dra-crud");
      const suffix = randomBytes(3).toString("hex");
      const driver = `crud-${suffix}.conformance.kaic.dev`;
      const exactly = (count) => api === "resource.k8s.io/v1" ? { name: "req", exactly: { deviceClassName: `crud-${suffix}`, count } } : { name: "req", deviceClassName: `crud-${suffix}`, count };
      const bodies = [
        {
          apiVersion: api,
          kind: "DeviceClass",
          metadata: { name: `crud-${suffix}` },
          spec: { selectors: [{ cel: { expression: `device.driver == '${driver}'` } }] }
        },
        {
          apiVersion: api,
          kind: "ResourceSlice",
          metadata: { name: `crud-${suffix}` },
          spec: {
            driver,
            allNodes: true,
            pool: { name: "crud", generation: 1, resourceSliceCount: 1 },
            devices: [{ name: "dev-0" }]
          }
        },
        {
          apiVersion: api,
          kind: "ResourceClaimTemplate",
          metadata: { name: "crud", namespace: ns },
          spec: { spec: { devices: { requests: [exactly(1)] } } }
        },
        {
          apiVersion: api,
          kind: "ResourceClaim",
          metadata: { name: "crud", namespace: ns },
          spec: { devices: { requests: [exactly(1)] } }
        }
      ];
      try {
        for (const body of bodies) {
          const kind = body.kind;
          const name = body.metadata?.name;
          const namespace = body.metadata?.namespace;
          await objects.create(body);
          const read = await objects.read(kind, name, namespace);
          expect(read.metadata?.uid, `${kind} read back`).to.be.a("string");
          const listed = await objects.list(kind, void 0, `metadata.name=${name}`);
          expect(
            listed.map((o) => o.metadata?.name),
            `${kind} listed`
          ).to.include(name);
          read.metadata = { ...read.metadata, labels: { "conformance.kaic.dev/updated": "yes" } };
          const updated = await objects.replace(read);
          expect(updated.metadata?.labels, `${kind} updated`).to.include({
            "conformance.kaic.dev/updated": "yes"
          });
          await objects.delete(kind, name, namespace);
          await waitFor(
            `${kind} ${name} deleted`,
            async () => objects.read(kind, name, namespace).then(
              () => false,
              () => true
            )
          );
          recordEvidence(this, "observed", `${kind} ${name}: create, get, list, update, delete`);
        }
      } finally {
        for (const body of bodies.slice(0, 2)) {
          await objects.delete(body.kind, body.metadata?.name).catch(() => void 0);
        }
        await deleteNamespace(ns, { until: "released" });
      }
    });
  });
  describe("allocation", function() {
    let setup;
    let objects;
    let ns = "";
    beforeEach(async function() {
      setup = await requireDraAccelerator();
      objects = new DraObjects(suiteCluster().kc, setup.draApi);
      ns = await createNamespace("kaic-dra");
    });
    afterEach(async function() {
      if (ns) await deleteNamespace(ns, { until: "released" });
      ns = "";
    });
    it("allocates a claim from a template, reserves it for the pod, runs the pod, and releases it when the pod goes", async function() {
      await createClaimTemplate(setup, ns, "one");
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: "holder",
          setup,
          claimTemplate: "one",
          containers: [{ name: "main", accelerator: true }]
        })
      );
      const pod = await waitRunning(ns, "holder");
      const claimName = pod.status?.resourceClaimStatuses?.[0]?.resourceClaimName;
      expect(claimName, "pod.status.resourceClaimStatuses names the generated claim").to.be.a(
        "string"
      );
      const claim = await objects.read("ResourceClaim", claimName, ns);
      const results = claim.status?.allocation?.devices?.results ?? [];
      expect(results, "allocation results").to.have.length(1);
      expect(results[0]).to.include({ request: "gpu", driver: setup.profile.draDriver });
      expect(results[0]?.pool).to.be.a("string");
      expect(results[0]?.device).to.be.a("string");
      expect(
        claim.status?.reservedFor?.map((r) => r.uid),
        "reservedFor"
      ).to.include(pod.metadata?.uid);
      recordEvidence(
        this,
        "observed",
        `claim ${claimName} allocated ${results[0]?.driver}/${results[0]?.pool}/${results[0]?.device}, reserved for pod ${pod.metadata?.uid}, pod on ${pod.spec?.nodeName}`
      );
      await suiteCluster().core.deleteNamespacedPod({
        namespace: ns,
        name: "holder",
        gracePeriodSeconds: 0
      });
      await waitFor(
        `claim ${claimName} released (deleted with its pod)`,
        async () => objects.read("ResourceClaim", claimName, ns).then(
          () => false,
          () => true
        )
      );
      recordEvidence(this, "observed", `claim ${claimName} deleted after its pod`);
    });
    it("allocates by a CEL selector on device capacity, and leaves a pod no device satisfies unschedulable", async function() {
      const driver = setup.profile.draDriver;
      const memory = (op, quantity) => `has(device.capacity['${driver}'].memory) && device.capacity['${driver}'].memory.compareTo(quantity('${quantity}')) ${op} 0`;
      await createClaimTemplate(setup, ns, "big-memory", { selectors: [memory(">=", "1Gi")] });
      await createClaimTemplate(setup, ns, "impossible", { selectors: [memory(">=", "1Pi")] });
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: "fits",
          setup,
          claimTemplate: "big-memory",
          containers: [{ name: "main", accelerator: true }]
        })
      );
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: "never",
          setup,
          claimTemplate: "impossible",
          containers: [{ name: "main", accelerator: true }]
        })
      );
      const fits = await waitRunning(ns, "fits");
      recordEvidence(
        this,
        "observed",
        `pod fits (memory >= 1Gi) Running on ${fits.spec?.nodeName}`
      );
      const { core } = suiteCluster();
      const unschedulable = await waitFor("pod never to be reported Unschedulable", async () => {
        const p = await core.readNamespacedPod({ namespace: ns, name: "never" });
        return p.status?.conditions?.find(
          (c) => c.type === "PodScheduled" && c.status === "False" && c.reason === "Unschedulable"
        );
      });
      await new Promise((r) => setTimeout(r, 3e3));
      const never = await core.readNamespacedPod({ namespace: ns, name: "never" });
      expect(never.spec?.nodeName, "pod never bound").to.equal(void 0);
      expect(never.status?.phase).to.equal("Pending");
      recordEvidence(
        this,
        "observed",
        `pod never (memory >= 1Pi) Pending: ${unschedulable.message ?? "Unschedulable"}`
      );
    });
  });
});
export {
  budget
};
