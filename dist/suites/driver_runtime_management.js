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
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects,
  semver
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/driver_runtime_management.ts
var budget = { devices: 1, typicalSeconds: 7 };
var GFD_DRIVER_LABEL = "nvidia.com/cuda.driver-version.full";
async function advertisedVersions(setup) {
  const versions = /* @__PURE__ */ new Map();
  const attribute = setup.profile.driverVersionAttribute;
  if (setup.mode === "dra" && attribute) {
    const slices = await new DraObjects(suiteCluster().kc, setup.draApi).list(
      "ResourceSlice"
    );
    for (const slice of slices) {
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
      const label = node.metadata?.labels?.[GFD_DRIVER_LABEL];
      if (label && setup.nodes.includes(node.metadata?.name)) {
        versions.set(node.metadata?.name, label);
      }
    }
  }
  return versions;
}
describe(`${requirementTag("driver_runtime_management", "SHOULD")} Driver and runtime management`, function() {
  this.timeout(18e4);
  let setup;
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  it("advertises the accelerator driver version on every accelerator node", async function() {
    if (!setup.profile.driverVersionAttribute) {
      skipBecause(
        this,
        `accelerator ${setup.profile.kind}: kaic knows no driver-version attribute for it`
      );
    }
    const versions = await advertisedVersions(setup);
    recordEvidence(
      this,
      "observed",
      `advertised driver versions: ${[...versions].map(([n, v]) => `${n}=${v}`).join(", ") || "none"}`
    );
    expect([...versions.keys()].sort(), "nodes advertising a driver version").to.deep.equal(
      [...setup.nodes].sort()
    );
  });
  it("runs the driver version it advertises, as seen from a container holding the accelerator", async function() {
    const command = setup.profile.driverVersionCommand;
    if (!command) {
      skipBecause(
        this,
        `accelerator ${setup.profile.kind}: no way known to read its driver version inside a container`
      );
    }
    const nodes = await containerNodes(setup);
    if (nodes.length === 0) {
      skipBecause(
        this,
        `no ${setup.profile.kind} accelerator node runs containers (all are simulated)`
      );
    }
    const node = nodes[0];
    const advertised = (await advertisedVersions(setup)).get(node);
    expect(advertised, `driver version advertised for ${node}`).to.be.a("string");
    const ns = await createNamespace("kaic-driver");
    try {
      await createClaimTemplate(setup, ns, "one");
      await createPod(
        acceleratorPod({
          namespace: ns,
          name: "driver",
          node,
          setup,
          claimTemplate: "one",
          containers: [{ name: "main", accelerator: true }]
        })
      );
      await waitRunning(ns, "driver");
      const result = await exec(ns, "driver", "main", command);
      const observed = result.stdout.trim();
      recordEvidence(
        this,
        "observed",
        `on ${node}: advertised ${advertised}, container sees "${observed}"`
      );
      expect(observed, `driver version inside the container (${result.stderr.trim()})`).to.match(
        /^\d+(\.\d+)*$/
      );
      expect(semver(observed)).to.equal(semver(advertised));
    } finally {
      await deleteNamespace(ns, { until: "released" });
    }
  });
});
export {
  budget
};
