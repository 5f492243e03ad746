import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  createNamespace,
  deleteNamespace,
  exec,
  expect,
  suiteCluster,
  waitRunning,
  workloadImage
} from "../chunks/chunk-JBT426HI.js";
import {
  parseProbe,
  probeScript,
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import {
  servedDraApi
} from "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/virtualized_accelerator.ts
var budget = { devices: 1, typicalSeconds: 2 };
var VGPU_LABELS = ["nvidia.com/vgpu.present", "nvidia.com/vgpu.host-driver-version"];
var VIRTUAL_CLASSES = ["vfio.gpu.nvidia.com", "vgpu.nvidia.com"];
describe(`${requirementTag("virtualized_accelerator", "SHOULD")} Virtualized accelerators`, function() {
  this.timeout(18e4);
  it("offers a virtualized accelerator that a pod can hold and see", async function() {
    const { core, kc } = suiteCluster();
    const nodes = (await core.listNode()).items;
    const labelled = nodes.filter(
      (n) => VGPU_LABELS.some((l) => n.metadata?.labels?.[l] !== void 0)
    );
    const api = await servedDraApi(kc);
    const classes = api ? (await new DraObjects(kc, api).list("DeviceClass")).map((c) => c.metadata?.name).filter((n) => VIRTUAL_CLASSES.includes(n)) : [];
    recordEvidence(
      this,
      "observed",
      `vGPU node labels on ${labelled.length} node(s); virtual DeviceClasses: ${classes.join(", ") || "none"}`
    );
    if (labelled.length === 0 && classes.length === 0) {
      skipBecause(
        this,
        `no virtualized accelerator found (node labels ${VGPU_LABELS.join(", ")}; DeviceClasses ${VIRTUAL_CLASSES.join(", ")})`
      );
    }
    const resource = "nvidia.com/gpu";
    const node = labelled[0];
    if (!node || Number(node.status?.allocatable?.[resource] ?? 0) === 0) {
      skipBecause(
        this,
        "a virtualized accelerator is advertised, but kaic can only exercise vGPU nodes with nvidia.com/gpu allocatable so far"
      );
    }
    const ns = await createNamespace("kaic-vgpu");
    try {
      await core.createNamespacedPod({
        namespace: ns,
        body: {
          metadata: { name: "vgpu" },
          spec: {
            nodeSelector: { "kubernetes.io/hostname": node.metadata?.name },
            tolerations: [{ operator: "Exists" }],
            containers: [
              {
                name: "main",
                image: workloadImage(),
                command: ["sleep", "3600"],
                resources: { limits: { [resource]: "1" } }
              }
            ]
          }
        }
      });
      await waitRunning(ns, "vgpu");
      const out = await exec(
        ns,
        "vgpu",
        "main",
        probeScript({ kind: "devnodes", pattern: "^nvidia[0-9]+$" })
      );
      recordEvidence(this, "observed", out.stdout.trim());
      expect(parseProbe(out.stdout)).to.equal(1);
    } finally {
      await deleteNamespace(ns, { until: "released" });
    }
  });
});
export {
  budget
};
