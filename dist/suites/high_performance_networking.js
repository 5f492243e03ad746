import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  nodesRunningContainers
} from "../chunks/chunk-GHGEUTGR.js";
import {
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  expect,
  suiteCluster,
  suiteSettings,
  waitRunning,
  workloadImage
} from "../chunks/chunk-JBT426HI.js";
import {
  recordEvidence,
  requirementTag,
  skipBecause
} from "../chunks/chunk-YGNZEI5B.js";
import {
  servedDraApi
} from "../chunks/chunk-4DKCGVH3.js";
import {
  DraObjects,
  claimTemplate
} from "../chunks/chunk-FCORZ63V.js";
import "../chunks/chunk-ARFH6SL4.js";
import "../chunks/chunk-62PC7QP5.js";
import "../chunks/chunk-DW5F3YJO.js";
import "../chunks/chunk-J4JJAD2Y.js";
import {
  ObjectCustomObjectsApi
} from "../chunks/chunk-ETKQSHAL.js";
import "../chunks/chunk-NKKDUV5A.js";
import "../chunks/chunk-WWHORE4U.js";

// suites/high_performance_networking.ts
var budget = { devices: 0, typicalSeconds: 5 };
var NETWORK_ATTRIBUTES = ["ifName", "interfaceName", "rdma", "macAddress", "mac", "ipv4", "ipv6"];
function attributeNames(device) {
  const attributes = device.attributes ?? device.basic?.attributes ?? {};
  return Object.keys(attributes).map((k) => k.slice(k.lastIndexOf("/") + 1));
}
async function networkDrivers(api) {
  const slices = await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).listClusterCustomObject({
    group: api.split("/")[0],
    version: api.split("/")[1],
    plural: "resourceslices"
  });
  const configured = suiteSettings().networkDraDriver;
  const found = /* @__PURE__ */ new Map();
  for (const slice of slices.items) {
    const { driver, nodeName, devices = [] } = slice.spec;
    const networkDevices = devices.filter(
      (d) => attributeNames(d).some((n) => NETWORK_ATTRIBUTES.includes(n))
    );
    const matches = configured ? driver === configured : networkDevices.length > 0;
    if (!matches) continue;
    const entry = found.get(driver) ?? {
      driver,
      nodes: [],
      devices: 0,
      how: configured ? "configured (KAIC_NETWORK_DRA_DRIVER)" : "devices with network attributes"
    };
    entry.devices += configured ? devices.length : networkDevices.length;
    if (nodeName && !entry.nodes.includes(nodeName)) entry.nodes.push(nodeName);
    found.set(driver, entry);
  }
  return [...found.values()];
}
describe(`${requirementTag("high_performance_networking", "SHOULD")} High-performance networking`, function() {
  this.timeout(6e5);
  let ns = "";
  after(async function() {
    if (ns) await deleteNamespace(ns, { until: "released" });
  });
  it("offers network interfaces through DRA, and a pod that claims one sees it", async function() {
    const { kc } = suiteCluster();
    const api = await servedDraApi(kc);
    if (!api) skipBecause(this, "the DRA API (resource.k8s.io) is not served");
    const drivers = await networkDrivers(api);
    if (drivers.length === 0) {
      skipBecause(
        this,
        "no DRA network driver publishes devices (no ResourceSlice device with an interface, RDMA or MAC attribute; name one with KAIC_NETWORK_DRA_DRIVER): install one (e.g. DRANET) or declare N/A"
      );
    }
    for (const d of drivers) {
      recordEvidence(
        this,
        "observed",
        `DRA network driver ${d.driver}: ${d.devices} devices on ${d.nodes.join(", ") || "no node"} (${d.how})`
      );
    }
    const containerNodes = await nodesRunningContainers();
    const driver = drivers.find((d) => d.nodes.some((n) => containerNodes.includes(n)));
    if (!driver) {
      skipBecause(
        this,
        `the network devices of ${drivers.map((d) => d.driver).join(", ")} are on no node that runs containers`
      );
    }
    const node = driver.nodes.find((n) => containerNodes.includes(n));
    ns = await createNamespace("kaic-hp-networking");
    const objects = new DraObjects(kc, api);
    const classes = await suiteCluster().kc.makeApiClient(ObjectCustomObjectsApi).listClusterCustomObject({
      group: api.split("/")[0],
      version: api.split("/")[1],
      plural: "deviceclasses"
    });
    const deviceClass = classes.items.find(
      (c) => JSON.stringify(c.spec?.selectors ?? []).includes(driver.driver)
    );
    if (!deviceClass) {
      skipBecause(this, `no DeviceClass selects the devices of ${driver.driver}`);
    }
    await objects.create(
      claimTemplate(api, ns, "network", {
        deviceClassName: deviceClass.metadata.name,
        count: 1,
        selectors: [`device.driver == "${driver.driver}"`]
      })
    );
    await createPod({
      metadata: { name: "netpod", namespace: ns },
      spec: {
        nodeSelector: { "kubernetes.io/hostname": node },
        tolerations: [{ operator: "Exists" }],
        terminationGracePeriodSeconds: 0,
        resourceClaims: [{ name: "network", resourceClaimTemplateName: "network" }],
        containers: [
          {
            name: "main",
            image: workloadImage(),
            imagePullPolicy: "IfNotPresent",
            command: ["sleep", "3600"],
            resources: { claims: [{ name: "network" }] }
          }
        ]
      }
    });
    await waitRunning(ns, "netpod");
    const links = await exec(ns, "netpod", "main", "ip -o link");
    const names = links.stdout.split("\n").map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((n) => Boolean(n));
    recordEvidence(this, "observed", `interfaces in the pod on ${node}: ${names.join(", ")}`);
    expect(
      names.filter((n) => n !== "lo" && n !== "eth0"),
      `interfaces beyond lo and eth0 in a pod holding a ${driver.driver} device`
    ).to.have.length.greaterThan(0);
  });
});
export {
  budget
};
