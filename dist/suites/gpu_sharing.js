import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  acceleratorPod,
  containerNodes,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  deviceAttribute,
  exec,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning
} from "../chunks/chunk-JBT426HI.js";
import {
  probeListScript,
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects,
  claimTemplate
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/gpu_sharing.ts
var budget = { devices: 1, typicalSeconds: 7 };
describe(`${requirementTag("gpu_sharing", "SHOULD")} GPU sharing`, function() {
  this.timeout(24e4);
  let setup;
  let objects;
  let api;
  let ns = "";
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  beforeEach(async function() {
    if (setup.mode !== "dra") {
      skipBecause(
        this,
        `the accelerator is allocated through the device plugin (${setup.reason}); kaic shows sharing with DRA claims`
      );
    }
    api = setup.draApi;
    objects = new DraObjects(suiteCluster().kc, api);
    ns = await createNamespace("kaic-sharing");
  });
  afterEach(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
    ns = "";
  });
  async function claimOf(pod) {
    const p = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: pod });
    const name = p.status?.resourceClaimStatuses?.[0]?.resourceClaimName ?? p.spec?.resourceClaims?.[0]?.resourceClaimName;
    return await objects.read("ResourceClaim", name, ns);
  }
  it("runs two pods on the one device a shared ResourceClaim holds", async function() {
    const request = claimTemplate(api, ns, "x", {
      deviceClassName: setup.profile.deviceClass,
      count: 1
    });
    await objects.create({
      apiVersion: api,
      kind: "ResourceClaim",
      metadata: { name: "shared", namespace: ns },
      spec: request.spec.spec
    });
    const real = await containerNodes(setup);
    const node = real[0] ?? setup.nodes[0];
    for (const name of ["first", "second"]) {
      await createPod(
        acceleratorPod({
          namespace: ns,
          name,
          node,
          setup,
          claimName: "shared",
          containers: [{ name: "main", accelerator: true }]
        })
      );
    }
    const pods = [await waitRunning(ns, "first"), await waitRunning(ns, "second")];
    const claim = await objects.read("ResourceClaim", "shared", ns);
    const results = claim.status?.allocation?.devices?.results ?? [];
    expect(results, "one device allocated").to.have.length(1);
    expect(claim.status?.reservedFor?.map((r) => r.uid)).to.have.members(
      pods.map((p) => p.metadata?.uid)
    );
    expect(pods[0]?.spec?.nodeName).to.equal(pods[1]?.spec?.nodeName);
    recordEvidence(
      this,
      "observed",
      `claim shared holds ${results[0]?.pool}/${results[0]?.device}, reserved for first and second on ${pods[0]?.spec?.nodeName}`
    );
    if (real.length > 0) {
      const list = probeListScript(setup.profile.probe);
      const seen = [
        await exec(ns, "first", "main", list),
        await exec(ns, "second", "main", list)
      ].map((r) => r.stdout.trim());
      recordEvidence(
        this,
        "observed",
        `inside the containers: first sees ${seen[0]}, second sees ${seen[1]}`
      );
      expect(seen[0]).to.not.equal("");
      expect(seen[0]).to.equal(seen[1]);
    }
  });
  it("gives two pods two partitions (MIG) of one physical GPU", async function() {
    const partitions = setup.profile.partitions;
    if (!partitions)
      skipBecause(this, `accelerator ${setup.profile.kind} has no partitions kaic knows of`);
    const classExists = await objects.read("DeviceClass", partitions.deviceClass).then(
      () => true,
      () => false
    );
    if (!classExists)
      skipBecause(this, `no DeviceClass ${partitions.deviceClass}: no partitions are offered`);
    const node = setup.nodes[0];
    const domain = setup.profile.draDriver;
    await createClaimTemplate(setup, ns, "any-partition", { deviceClass: partitions.deviceClass });
    await createPod(
      acceleratorPod({
        namespace: ns,
        name: "first",
        node,
        setup,
        claimTemplate: "any-partition",
        containers: [{ name: "main", accelerator: true }]
      })
    );
    await waitRunning(ns, "first");
    const first = (await claimOf("first")).status?.allocation?.devices?.results?.[0];
    expect(first, "first partition allocated").to.not.equal(void 0);
    const slices = await objects.list(
      "ResourceSlice",
      void 0,
      `spec.nodeName=${node}`
    );
    const parentOf = (device) => {
      for (const s of slices) {
        if (s.spec?.pool?.name !== first?.pool) continue;
        const d = s.spec?.devices?.find((x) => x.name === device);
        const value = deviceAttribute(d, domain, partitions.parentAttribute);
        if (value?.string) return value.string;
      }
      return void 0;
    };
    const parent = parentOf(first?.device);
    expect(parent, `${partitions.parentAttribute} of ${first?.device}`).to.be.a("string");
    await createClaimTemplate(setup, ns, "same-gpu", {
      deviceClass: partitions.deviceClass,
      selectors: [`device.attributes['${domain}'].${partitions.parentAttribute} == '${parent}'`]
    });
    await createPod(
      acceleratorPod({
        namespace: ns,
        name: "second",
        node,
        setup,
        claimTemplate: "same-gpu",
        containers: [{ name: "main", accelerator: true }]
      })
    );
    await waitRunning(ns, "second");
    const second = (await claimOf("second")).status?.allocation?.devices?.results?.[0];
    recordEvidence(
      this,
      "observed",
      `first holds ${first?.device}, second holds ${second?.device}; both cut from ${parent} on ${node}`
    );
    expect(second?.device).to.be.a("string");
    expect(second?.device).to.not.equal(first?.device);
    expect(parentOf(second?.device)).to.equal(parent);
  });
});
export {
  budget
};
