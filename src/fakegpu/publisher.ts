/**
 * The ResourceSlice publisher: a small controller that keeps one pool per selected node,
 * describing that node's simulated GPUs (one slice, or several where MIG devices and counter sets
 * exceed one slice's limits). Slice names are derived from node, driver and part, so a restarted
 * publisher finds its own slices and converges instead of adding more; a changed pool is rewritten
 * with its generation bumped; slices of nodes that are gone or no longer selected are removed.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as k8s from '@kubernetes/client-node';

import { DraObjects, httpStatus, type DraObject } from '../k8s/dra-objects.js';
import type { DraApiVersion } from '../versions/kubernetes.js';
import { PublisherError, checkMigLayout } from './mig.js';
import { checkGpuCount, type GpuProfile } from './profiles.js';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  NVLINK_DOMAIN_LABEL,
  PROFILE_LABEL,
  deviceClasses,
  gpuCounterSet,
  poolContent,
  poolSlices,
  sliceContent,
  type KubeObject,
  type MigLayout,
} from './slices.js';

export interface PublisherOptions {
  profile: GpuProfile;
  gpusPerNode: number;
  /** Label selector of the nodes that carry GPUs, e.g. "type=kwok". */
  nodeSelector: string;
  api: DraApiVersion;
  /** MIG devices to offer besides (or instead of) whole GPUs; default none. */
  mig?: MigLayout;
  log?: (line: string) => void;
}

export interface PublisherStats {
  /** ResourceSlices: the DeviceClasses are counted apart, so "N slices" means N nodes' pools. */
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** DeviceClasses created or brought up to date (not slices). */
  deviceClassesWritten: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RESYNC_CONCURRENCY = 16;
const NODE_PAGE = 50;

/**
 * A full garbage collection, between pages of a resync. A page's lists, slice bodies and server
 * answers are garbage once it is done, but V8 would grow its heap for many pages before
 * collecting: at 1,000 nodes × 8 GPUs the publisher then peaked near 125 MB, against about 97 MB
 * with a collection per page of 50 nodes, at no measurable cost in publish time (npm run bench --
 * fakegpu). Node exposes gc only behind a V8 flag, which a running process can still set.
 */
let fullGc: (() => void) | null = null;
function collectGarbage(): void {
  if (!fullGc) {
    setFlagsFromString('--expose-gc');
    fullGc = runInNewContext('gc') as () => void;
  }
  fullGc();
}

async function inBatches<T>(
  items: T[],
  size: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** JSON with object keys sorted: the server returns maps in its own key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export class SlicePublisher {
  private readonly objects: DraObjects;
  private readonly core: k8s.CoreV1Api;
  private readonly log: (line: string) => void;
  private watchRequest: { abort: () => void } | null = null;
  private stopped = false;
  private queue: Promise<void> = Promise.resolve();
  /** Nodes whose pool is known to be current, by name → poolKey (node heartbeats change nothing). */
  private readonly current = new Map<string, string>();
  readonly stats: PublisherStats = {
    created: 0,
    updated: 0,
    deleted: 0,
    unchanged: 0,
    deviceClassesWritten: 0,
  };

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly options: PublisherOptions,
  ) {
    checkGpuCount(options.gpusPerNode);
    checkMigLayout(options);
    this.objects = new DraObjects(kc, options.api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.log = options.log ?? (() => undefined);
  }

  private get sliceSelector(): string {
    return `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${this.options.profile.name}`;
  }

  private get layout(): MigLayout {
    return this.options.mig ?? { mode: 'off' };
  }

  /** Publishes the DeviceClasses, converges all slices once, then follows node changes. */
  async start(): Promise<void> {
    this.stopped = false;
    if (this.layout.mode === 'partitionable') await this.checkServerKeepsCounters();
    await this.ensureDeviceClasses();
    const resourceVersion = await this.resyncAll();
    await this.watchNodes(resourceVersion);
  }

  stop(): void {
    this.stopped = true;
    this.watchRequest?.abort();
    this.watchRequest = null;
  }

  /** Resolves when every queued reconcile has finished. */
  async idle(): Promise<void> {
    let current: Promise<void>;
    do {
      current = this.queue;
      await current;
    } while (current !== this.queue);
  }

  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work).catch((error: unknown) => {
      this.log(`fakegpu: reconcile failed: ${(error as Error).message}`);
    });
  }

  /** The MIG class only where MIG devices are published. */
  private deviceClasses(): KubeObject[] {
    return deviceClasses(this.options.api, this.options.profile).filter(
      (cls) =>
        this.layout.mode !== 'off' || cls.metadata.name !== this.options.profile.migDeviceClass,
    );
  }

  private async ensureDeviceClasses(): Promise<void> {
    for (const cls of this.deviceClasses()) {
      // A server without DRAExtendedResource drops extendedResourceName; that is not a difference.
      await this.upsert(cls, (existing) => {
        const got = { ...(existing.spec as Record<string, unknown>) };
        const want = { ...cls.spec };
        if (!('extendedResourceName' in got)) delete want.extendedResourceName;
        return canonicalJson(got) === canonicalJson(want);
      });
    }
  }

  /**
   * A server whose DRAPartitionableDevices gate is off silently drops shared counters, and the
   * scheduler would then hand out a GPU and its MIG devices together. Ask it first (dry run).
   */
  private async checkServerKeepsCounters(): Promise<void> {
    const probe = poolSlices(
      this.options.api,
      this.options.profile,
      { name: 'kaic-fakegpu-probe', uid: '00000000-0000-0000-0000-000000000000' },
      { devices: [], counterSets: [gpuCounterSet(this.options.profile, 0)] },
      1,
    )[0] as KubeObject;
    const answer = await this.objects.create(
      { ...probe, metadata: { name: probe.metadata.name } },
      { dryRun: true },
    );
    if (!(answer.spec as { sharedCounters?: unknown[] }).sharedCounters?.length) {
      throw new PublisherError(
        'the cluster drops ResourceSlice shared counters, so MIG cannot be published as ' +
          'partitionable devices: turn on the DRAPartitionableDevices feature gate ' +
          '(kube-apiserver, kube-scheduler, kube-controller-manager) or publish static MIG devices',
      );
    }
  }

  /** Lists nodes and slices and makes them agree; returns the node list's resourceVersion. */
  async resyncAll(): Promise<string | undefined> {
    this.current.clear();
    // One list of our slices stands in for a read per node; reconciles run a few at a time.
    const slices = await this.objects.list('ResourceSlice', this.sliceSelector);
    const byNode = new Map<string, DraObject[]>();
    for (const slice of slices) {
      const nodeName = (slice.spec as { nodeName?: string } | undefined)?.nodeName ?? '';
      byNode.set(nodeName, [...(byNode.get(nodeName) ?? []), slice]);
    }
    slices.length = 0;
    // Nodes come in pages, and each node's slices are dropped once it is done, so a large
    // cluster is never held in memory whole (all pages share one snapshot and resourceVersion).
    let resourceVersion: string | undefined;
    let next: string | undefined;
    do {
      const page = await this.core.listNode({
        labelSelector: this.options.nodeSelector,
        limit: NODE_PAGE,
        ...(next ? { _continue: next } : {}),
      });
      await inBatches(page.items, RESYNC_CONCURRENCY, async (node) => {
        const name = node.metadata?.name as string;
        const known = byNode.get(name) ?? [];
        byNode.delete(name);
        await this.reconcileNode(node, known);
      });
      resourceVersion = page.metadata?.resourceVersion;
      next = page.metadata?._continue;
      collectGarbage();
    } while (next);
    // What is left belongs to nodes that are gone or no longer selected.
    for (const orphans of byNode.values()) {
      for (const slice of orphans) await this.deleteSlice(slice.metadata?.name as string);
    }
    return resourceVersion;
  }

  private async watchNodes(resourceVersion: string | undefined): Promise<void> {
    if (this.stopped) return;
    const watch = new k8s.Watch(this.kc);
    this.watchRequest = await watch.watch(
      '/api/v1/nodes',
      {
        labelSelector: this.options.nodeSelector,
        allowWatchBookmarks: true,
        ...(resourceVersion ? { resourceVersion } : {}),
      },
      (type: string, node: k8s.V1Node) => {
        if (type === 'ADDED' || type === 'MODIFIED') this.enqueue(() => this.reconcileNode(node));
        if (type === 'DELETED') {
          const name = node.metadata?.name as string;
          this.current.delete(name);
          this.enqueue(() => this.deleteNodeSlices(name));
        }
      },
      (error: unknown) => {
        if (this.stopped) return;
        // Watches end (timeouts, expired versions): list again, then watch from there.
        this.log(
          `fakegpu: node watch ended${error ? ` (${(error as Error).message})` : ''}; resyncing`,
        );
        this.enqueue(async () => {
          await sleep(500);
          if (this.stopped) return;
          const rv = await this.resyncAll();
          await this.watchNodes(rv);
        });
      },
    );
  }

  private nodeSlices(nodeName: string): Promise<DraObject[]> {
    return this.objects.list('ResourceSlice', this.sliceSelector, `spec.nodeName=${nodeName}`);
  }

  private async deleteNodeSlices(nodeName: string): Promise<void> {
    for (const slice of await this.nodeSlices(nodeName)) {
      await this.deleteSlice(slice.metadata?.name as string);
    }
  }

  /** `known`: the node's slices as a recent list saw them, saving a read; undefined: list them. */
  private async reconcileNode(node: k8s.V1Node, known?: DraObject[]): Promise<void> {
    const name = node.metadata?.name as string;
    const uid = node.metadata?.uid as string;
    if (node.metadata?.deletionTimestamp) {
      this.current.delete(name);
      return this.deleteNodeSlices(name);
    }
    // What the pool depends on; a heartbeat or an unrelated label changes none of it.
    const poolKey = `${uid}/${node.metadata?.labels?.[NVLINK_DOMAIN_LABEL] ?? ''}`;
    if (this.current.get(name) === poolKey) return;
    const content = poolContent(
      this.options.profile,
      { name, labels: node.metadata?.labels ?? {} },
      this.options.gpusPerNode,
      this.layout,
    );
    const desired = (generation: number) =>
      poolSlices(this.options.api, this.options.profile, { name, uid }, content, generation);
    for (let attempt = 1; ; attempt++) {
      const existing = attempt === 1 && known ? known : await this.nodeSlices(name);
      try {
        await this.writePool(desired, existing, uid);
        break;
      } catch (error) {
        const status = httpStatus(error);
        // Another writer got there first (409) or removed a slice (404): look again.
        if ((status === 409 || status === 404) && attempt < 5) continue;
        throw error;
      }
    }
    this.current.set(name, poolKey);
  }

  /** Leaves a pool that already matches alone; else rewrites it whole under a new generation. */
  private async writePool(
    desired: (generation: number) => KubeObject[],
    existing: DraObject[],
    uid: string,
  ): Promise<void> {
    const byName = new Map(existing.map((s) => [s.metadata?.name as string, s]));
    const generations = existing.map(
      (s) => (s.spec as { pool?: { generation?: number } }).pool?.generation ?? 0,
    );
    const wanted = desired(generations[0] ?? 1);
    const matches = (want: KubeObject) => {
      const have = byName.get(want.metadata.name);
      if (!have) return false;
      const api = this.options.api;
      return (
        canonicalJson(sliceContent(api, have)) === canonicalJson(sliceContent(api, want)) &&
        canonicalJson((have.spec as { pool?: unknown }).pool) === canonicalJson(want.spec.pool) &&
        (have.metadata?.ownerReferences ?? []).some((o) => o.uid === uid)
      );
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
        await this.objects.replace(slice as DraObject);
        this.stats.updated++;
      } else {
        await this.objects.create(slice as DraObject);
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
  private async upsert(
    object: DraObject & { metadata: { name: string } },
    isCurrent: (existing: DraObject) => boolean,
    replacement: (existing: DraObject) => DraObject = () => object,
    known?: DraObject | null,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let existing: DraObject | null = null;
      if (attempt === 1 && known !== undefined) {
        existing = known;
      } else {
        try {
          existing = await this.objects.read(object.kind as string, object.metadata.name);
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

  private async deleteSlice(name: string): Promise<void> {
    try {
      await this.objects.delete('ResourceSlice', name);
      this.stats.deleted++;
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
  }

  /** Removes everything this profile published (slices and DeviceClasses). */
  async removeAll(): Promise<void> {
    for (const slice of await this.objects.list('ResourceSlice', this.sliceSelector)) {
      await this.deleteSlice(slice.metadata?.name as string);
    }
    for (const cls of deviceClasses(this.options.api, this.options.profile)) {
      await this.objects.delete('DeviceClass', cls.metadata.name).catch((error: unknown) => {
        if (httpStatus(error) !== 404) throw error;
      });
    }
  }
}
