import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  acceleratorPod,
  containerNodes,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  expect,
  requireAcceleratorSetup,
  suiteCluster,
  waitRunning
} from "../chunks/chunk-JBT426HI.js";
import {
  parseProbe,
  probeListScript,
  probeScript,
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/secure_accelerator_access.ts
var budget = { devices: 2, typicalSeconds: 30 };
describe(`${requirementTag("secure_accelerator_access", "MUST")} Secure accelerator access`, function() {
  this.timeout(18e4);
  let setup;
  let node = "";
  let ns = "";
  before(async function() {
    setup = await requireAcceleratorSetup();
  });
  beforeEach(async function() {
    const nodes = await containerNodes(setup);
    if (nodes.length === 0) {
      skipBecause(
        this,
        `no ${setup.profile.kind} accelerator node runs containers (the accelerator nodes ${setup.nodes.join(", ")} are simulated); the checks look inside containers`
      );
    }
    node = nodes[0];
    ns = await createNamespace("kaic-secure");
    await createClaimTemplate(setup, ns, "one");
  });
  afterEach(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
    ns = "";
  });
  async function run(name, containers) {
    await createPod(
      acceleratorPod({ namespace: ns, name, node, setup, claimTemplate: "one", containers })
    );
    await waitRunning(ns, name);
  }
  async function count(ctx, pod, container) {
    const result = await exec(ns, pod, container, probeScript(setup.profile.probe));
    const n = parseProbe(result.stdout);
    if (n === null) {
      throw new Error(
        `ACCELERATOR WORKLOAD FAILURE: the probe in ${pod}/${container} printed no count: ${result.stdout}${result.stderr}`
      );
    }
    recordEvidence(
      ctx,
      "observed",
      `${pod}/${container} on ${node}: RESULT: ACCELERATOR_COUNT=${n}`
    );
    return n;
  }
  async function seen(pod) {
    const script = probeListScript(setup.profile.probe);
    return (await exec(ns, pod, "main", script)).stdout.split("\n").filter(Boolean);
  }
  it("gives a container that requests an accelerator exactly that accelerator", async function() {
    await run("holder", [{ name: "main", accelerator: true }]);
    expect(await count(this, "holder", "main")).to.equal(1);
  });
  it("gives a pod without a request on the same node no accelerator", async function() {
    await run("bystander", [{ name: "main" }]);
    expect(await count(this, "bystander", "main")).to.equal(0);
  });
  it("gives the second container of a pod whose first container holds the accelerator none", async function() {
    await run("two-containers", [{ name: "main", accelerator: true }, { name: "second" }]);
    expect(await count(this, "two-containers", "main")).to.equal(1);
    expect(await count(this, "two-containers", "second")).to.equal(0);
  });
  it("never gives two pods the same device", async function() {
    const total = setup.nodes.includes(node) ? await devicesOn(node) : 0;
    if (total < 2) {
      skipBecause(this, `node ${node} has ${total} device(s); two pods need two`);
    }
    await run("first", [{ name: "main", accelerator: true }]);
    await run("second", [{ name: "main", accelerator: true }]);
    const [a, b] = [await seen("first"), await seen("second")];
    recordEvidence(this, "observed", `first sees ${a.join(",")}; second sees ${b.join(",")}`);
    expect(a).to.have.length(1);
    expect(b).to.have.length(1);
    expect(a[0]).to.not.equal(b[0]);
  });
  it("gives a pod without a request that sets NVIDIA_VISIBLE_DEVICES=all no accelerator", async function() {
    await run("envvar", [{ name: "main", env: { NVIDIA_VISIBLE_DEVICES: "all" } }]);
    expect(await count(this, "envvar", "main")).to.equal(0);
  });
  async function devicesOn(name) {
    if (setup.mode === "dra") {
      const slices = await new DraObjects(suiteCluster().kc, setup.draApi).list(
        "ResourceSlice",
        void 0,
        `spec.nodeName=${name}`
      );
      return slices.filter(
        (s) => s.spec?.driver === setup.profile.draDriver
      ).reduce(
        (n2, s) => n2 + (s.spec?.devices?.length ?? 0),
        0
      );
    }
    const n = await suiteCluster().core.readNode({ name });
    return Number(n.status?.allocatable?.[setup.profile.extendedResource] ?? 0);
  }
});
export {
  budget
};
