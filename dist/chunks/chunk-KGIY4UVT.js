import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  DraObjects,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  NVLINK_DOMAIN_LABEL,
  PROFILE_LABEL,
  checkGpuCount,
  deviceClasses,
  gpuCounterSet,
  httpStatus,
  poolContent,
  poolSlices,
  sliceContent
} from "./chunk-FCORZ63V.js";
import {
  ObjectCoreV1Api,
  Watch
} from "./chunk-ETKQSHAL.js";
import {
  InputError
} from "./chunk-WWHORE4U.js";

// src/fakegpu/mig.ts
var PublisherError = class extends InputError {
  name = "PublisherError";
};
var MIG_REQUESTS = ["off", "auto", "partitionable", "static"];
function resolveMigLayout(choice, profile, gpusPerNode, minorMode) {
  if (!MIG_REQUESTS.includes(choice.request)) {
    throw new PublisherError(
      `MIG mode "${choice.request}" is not one of ${MIG_REQUESTS.join(", ")}`
    );
  }
  if (choice.request === "off") return { mode: "off" };
  if (choice.request === "auto" && !profile.migProfiles.length) return { mode: "off" };
  const mode = choice.request === "auto" ? minorMode ?? "static" : choice.request;
  if (!profile.migProfiles.length) {
    throw new PublisherError(`GPU profile ${profile.name} has no MIG; publish it without MIG`);
  }
  if (mode === "partitionable") return { mode };
  const migName = choice.profileName ?? profile.migProfiles[0]?.name;
  const mig = profile.migProfiles.find((m) => m.name === migName);
  if (!mig) {
    throw new PublisherError(
      `MIG profile "${migName}" is not one of ${profile.name}'s: ` + profile.migProfiles.map((m) => m.name).join(", ")
    );
  }
  return { mode, gpus: choice.gpus ?? Math.ceil(gpusPerNode / 2), profile: mig };
}
function checkMigLayout(options) {
  const layout = options.mig ?? { mode: "off" };
  if (layout.mode === "off") return;
  const { profile } = options;
  if (!profile.migProfiles.length) {
    throw new PublisherError(`GPU profile ${profile.name} has no MIG; publish it without MIG`);
  }
  if (layout.mode === "partitionable" && options.api !== "resource.k8s.io/v1") {
    throw new PublisherError(
      `partitionable MIG devices need resource.k8s.io/v1 as Kubernetes 1.35+ serves it; the cluster speaks ${options.api}: publish static MIG devices instead`
    );
  }
  if (layout.mode === "static") {
    if (!Number.isInteger(layout.gpus) || layout.gpus < 1 || layout.gpus > options.gpusPerNode) {
      throw new PublisherError(
        `MIG GPUs per node must be a whole number from 1 to the node's ${options.gpusPerNode} GPUs, got ${layout.gpus}`
      );
    }
    if (!profile.migProfiles.includes(layout.profile)) {
      throw new PublisherError(
        `MIG profile ${layout.profile.name} is not one of ${profile.name}'s`
      );
    }
  }
}

// src/fakegpu/publisher.ts
var sleep = (ms) => new Promise((r) => setTimeout(r, ms));
var RESYNC_CONCURRENCY = 16;
var NODE_PAGE = 200;
async function inBatches(items, size, work) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
var SlicePublisher = class {
  constructor(kc, options) {
    this.kc = kc;
    this.options = options;
    checkGpuCount(options.gpusPerNode);
    checkMigLayout(options);
    this.objects = new DraObjects(kc, options.api);
    this.core = kc.makeApiClient(ObjectCoreV1Api);
    this.log = options.log ?? (() => void 0);
  }
  kc;
  options;
  objects;
  core;
  log;
  watchRequest = null;
  stopped = false;
  queue = Promise.resolve();
  /** Nodes whose pool is known to be current, by name → poolKey (node heartbeats change nothing). */
  current = /* @__PURE__ */ new Map();
  stats = {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    deviceClassesWritten: 0
  };
  get sliceSelector() {
    return `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${this.options.profile.name}`;
  }
  get layout() {
    return this.options.mig ?? { mode: "off" };
  }
  /** Publishes the DeviceClasses, converges all slices once, then follows node changes. */
  async start() {
    this.stopped = false;
    if (this.layout.mode === "partitionable") await this.checkServerKeepsCounters();
    await this.ensureDeviceClasses();
    const resourceVersion = await this.resyncAll();
    await this.watchNodes(resourceVersion);
  }
  stop() {
    this.stopped = true;
    this.watchRequest?.abort();
    this.watchRequest = null;
  }
  /** Resolves when every queued reconcile has finished. */
  async idle() {
    let current;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }
  enqueue(work) {
    this.queue = this.queue.then(work).catch((error) => {
      this.log(`fakegpu: reconcile failed: ${error.message}`);
    });
  }
  /** The MIG class only where MIG devices are published. */
  deviceClasses() {
    return deviceClasses(this.options.api, this.options.profile).filter(
      (cls) => this.layout.mode !== "off" || cls.metadata.name !== this.options.profile.migDeviceClass
    );
  }
  async ensureDeviceClasses() {
    for (const cls of this.deviceClasses()) {
      await this.upsert(cls, (existing) => {
        const got = { ...existing.spec };
        const want = { ...cls.spec };
        if (!("extendedResourceName" in got)) delete want.extendedResourceName;
        return canonicalJson(got) === canonicalJson(want);
      });
    }
  }
  /**
   * A server whose DRAPartitionableDevices gate is off silently drops shared counters, and the
   * scheduler would then hand out a GPU and its MIG devices together. Ask it first (dry run).
   */
  async checkServerKeepsCounters() {
    const probe = poolSlices(
      this.options.api,
      this.options.profile,
      { name: "kaic-fakegpu-probe", uid: "00000000-0000-0000-0000-000000000000" },
      { devices: [], counterSets: [gpuCounterSet(this.options.profile, 0)] },
      1
    )[0];
    const answer = await this.objects.create(
      { ...probe, metadata: { name: probe.metadata.name } },
      { dryRun: true }
    );
    if (!answer.spec.sharedCounters?.length) {
      throw new PublisherError(
        "the cluster drops ResourceSlice shared counters, so MIG cannot be published as partitionable devices: turn on the DRAPartitionableDevices feature gate (kube-apiserver, kube-scheduler, kube-controller-manager) or publish static MIG devices"
      );
    }
  }
  /** Lists nodes and slices and makes them agree; returns the node list's resourceVersion. */
  async resyncAll() {
    this.current.clear();
    const slices = await this.objects.list("ResourceSlice", this.sliceSelector);
    const byNode = /* @__PURE__ */ new Map();
    for (const slice of slices) {
      const nodeName = slice.spec?.nodeName ?? "";
      byNode.set(nodeName, [...byNode.get(nodeName) ?? [], slice]);
    }
    slices.length = 0;
    let resourceVersion;
    let next;
    do {
      const page = await this.core.listNode({
        labelSelector: this.options.nodeSelector,
        limit: NODE_PAGE,
        ...next ? { _continue: next } : {}
      });
      await inBatches(page.items, RESYNC_CONCURRENCY, async (node) => {
        const name = node.metadata?.name;
        const known = byNode.get(name) ?? [];
        byNode.delete(name);
        await this.reconcileNode(node, known);
      });
      resourceVersion = page.metadata?.resourceVersion;
      next = page.metadata?._continue;
    } while (next);
    for (const orphans of byNode.values()) {
      for (const slice of orphans) await this.deleteSlice(slice.metadata?.name);
    }
    return resourceVersion;
  }
  async watchNodes(resourceVersion) {
    if (this.stopped) return;
    const watch = new Watch(this.kc);
    this.watchRequest = await watch.watch(
      "/api/v1/nodes",
      {
        labelSelector: this.options.nodeSelector,
        allowWatchBookmarks: true,
        ...resourceVersion ? { resourceVersion } : {}
      },
      (type, node) => {
        if (type === "ADDED" || type === "MODIFIED") this.enqueue(() => this.reconcileNode(node));
        if (type === "DELETED") {
          const name = node.metadata?.name;
          this.current.delete(name);
          this.enqueue(() => this.deleteNodeSlices(name));
        }
      },
      (error) => {
        if (this.stopped) return;
        this.log(
          `fakegpu: node watch ended${error ? ` (${error.message})` : ""}; resyncing`
        );
        this.enqueue(async () => {
          await sleep(500);
          if (this.stopped) return;
          const rv = await this.resyncAll();
          await this.watchNodes(rv);
        });
      }
    );
  }
  nodeSlices(nodeName) {
    return this.objects.list("ResourceSlice", this.sliceSelector, `spec.nodeName=${nodeName}`);
  }
  async deleteNodeSlices(nodeName) {
    for (const slice of await this.nodeSlices(nodeName)) {
      await this.deleteSlice(slice.metadata?.name);
    }
  }
  /** `known`: the node's slices as a recent list saw them, saving a read; undefined: list them. */
  async reconcileNode(node, known) {
    const name = node.metadata?.name;
    const uid = node.metadata?.uid;
    if (node.metadata?.deletionTimestamp) {
      this.current.delete(name);
      return this.deleteNodeSlices(name);
    }
    const poolKey = `${uid}/${node.metadata?.labels?.[NVLINK_DOMAIN_LABEL] ?? ""}`;
    if (this.current.get(name) === poolKey) return;
    const content = poolContent(
      this.options.profile,
      { name, labels: node.metadata?.labels ?? {} },
      this.options.gpusPerNode,
      this.layout
    );
    const desired = (generation) => poolSlices(this.options.api, this.options.profile, { name, uid }, content, generation);
    for (let attempt = 1; ; attempt++) {
      const existing = attempt === 1 && known ? known : await this.nodeSlices(name);
      try {
        await this.writePool(desired, existing, uid);
        break;
      } catch (error) {
        const status = httpStatus(error);
        if ((status === 409 || status === 404) && attempt < 5) continue;
        throw error;
      }
    }
    this.current.set(name, poolKey);
  }
  /** Leaves a pool that already matches alone; else rewrites it whole under a new generation. */
  async writePool(desired, existing, uid) {
    const byName = new Map(existing.map((s) => [s.metadata?.name, s]));
    const generations = existing.map(
      (s) => s.spec.pool?.generation ?? 0
    );
    const wanted = desired(generations[0] ?? 1);
    const matches = (want) => {
      const have = byName.get(want.metadata.name);
      if (!have) return false;
      const api = this.options.api;
      return canonicalJson(sliceContent(api, have)) === canonicalJson(sliceContent(api, want)) && canonicalJson(have.spec.pool) === canonicalJson(want.spec.pool) && (have.metadata?.ownerReferences ?? []).some((o) => o.uid === uid);
    };
    if (existing.length === wanted.length && wanted.every(matches)) {
      this.stats.unchanged += wanted.length;
      return;
    }
    const next = desired(Math.max(0, ...generations) + 1);
    for (const slice of next) {
      const have = byName.get(slice.metadata.name);
      if (have) {
        slice.metadata = { ...slice.metadata, resourceVersion: have.metadata?.resourceVersion };
        await this.objects.replace(slice);
        this.stats.updated++;
      } else {
        await this.objects.create(slice);
        this.stats.created++;
      }
    }
    const keep = new Set(next.map((s) => s.metadata.name));
    for (const name of byName.keys()) if (!keep.has(name)) await this.deleteSlice(name);
  }
  /**
   * Creates the DeviceClass `object`, or replaces the existing one when `isCurrent` says it differs. A conflict
   * (another writer got there first) is read again and retried, never duplicated.
   */
  async upsert(object, isCurrent, replacement = () => object, known) {
    for (let attempt = 1; ; attempt++) {
      let existing = null;
      if (attempt === 1 && known !== void 0) {
        existing = known;
      } else {
        try {
          existing = await this.objects.read(object.kind, object.metadata.name);
        } catch (error) {
          if (httpStatus(error) !== 404) throw error;
        }
      }
      try {
        if (!existing) {
          await this.objects.create(object);
          this.stats.deviceClassesWritten++;
          return;
        }
        if (isCurrent(existing)) return;
        const next = replacement(existing);
        next.metadata = { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion };
        await this.objects.replace(next);
        this.stats.deviceClassesWritten++;
        return;
      } catch (error) {
        const status = httpStatus(error);
        if ((status === 409 || status === 404) && attempt < 5) continue;
        throw error;
      }
    }
  }
  async deleteSlice(name) {
    try {
      await this.objects.delete("ResourceSlice", name);
      this.stats.deleted++;
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
  }
  /** Removes everything this profile published (slices and DeviceClasses). */
  async removeAll() {
    for (const slice of await this.objects.list("ResourceSlice", this.sliceSelector)) {
      await this.deleteSlice(slice.metadata?.name);
    }
    for (const cls of deviceClasses(this.options.api, this.options.profile)) {
      await this.objects.delete("DeviceClass", cls.metadata.name).catch((error) => {
        if (httpStatus(error) !== 404) throw error;
      });
    }
  }
};

export {
  PublisherError,
  MIG_REQUESTS,
  resolveMigLayout,
  checkMigLayout,
  SlicePublisher
};
