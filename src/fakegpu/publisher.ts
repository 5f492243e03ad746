/**
 * The ResourceSlice publisher: a small controller that keeps one slice (one pool) per selected
 * node, describing that node's simulated GPUs. Slice names are derived from node and driver, so a
 * restarted publisher finds its own slices and converges instead of adding more; a changed device
 * list bumps the pool generation; slices of nodes that are gone or no longer selected are removed.
 */
import * as k8s from '@kubernetes/client-node';

import { DraObjects, httpStatus, type DraObject } from '../k8s/dra-objects.js';
import type { DraApiVersion } from '../versions/kubernetes.js';
import { checkGpuCount, type GpuProfile } from './profiles.js';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  PROFILE_LABEL,
  deviceClasses,
  devicesOf,
  gpuDevices,
  resourceSlice,
  sliceName,
} from './slices.js';

export interface PublisherOptions {
  profile: GpuProfile;
  gpusPerNode: number;
  /** Label selector of the nodes that carry GPUs, e.g. "type=kwok". */
  nodeSelector: string;
  api: DraApiVersion;
  log?: (line: string) => void;
}

export interface PublisherStats {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const RESYNC_CONCURRENCY = 16;

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
  /** Nodes whose slice is known to be current, by name → uid (node heartbeats change nothing). */
  private readonly current = new Map<string, string>();
  readonly stats: PublisherStats = { created: 0, updated: 0, deleted: 0, unchanged: 0 };

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly options: PublisherOptions,
  ) {
    checkGpuCount(options.gpusPerNode);
    this.objects = new DraObjects(kc, options.api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.log = options.log ?? (() => undefined);
  }

  private get sliceSelector(): string {
    return `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${this.options.profile.name}`;
  }

  /** Publishes the DeviceClasses, converges all slices once, then follows node changes. */
  async start(): Promise<void> {
    this.stopped = false;
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

  private async ensureDeviceClasses(): Promise<void> {
    for (const cls of deviceClasses(this.options.api, this.options.profile)) {
      // A server without DRAExtendedResource drops extendedResourceName; that is not a difference.
      await this.upsert(cls, (existing) => {
        const got = { ...(existing.spec as Record<string, unknown>) };
        const want = { ...cls.spec };
        if (!('extendedResourceName' in got)) delete want.extendedResourceName;
        return canonicalJson(got) === canonicalJson(want);
      });
    }
  }

  /** Lists nodes and slices and makes them agree; returns the node list's resourceVersion. */
  async resyncAll(): Promise<string | undefined> {
    this.current.clear();
    const nodes = await this.core.listNode({ labelSelector: this.options.nodeSelector });
    const wanted = new Map(nodes.items.map((n) => [n.metadata?.name as string, n]));
    // One list of our slices stands in for a read per node; reconciles run a few at a time.
    const slices = await this.objects.list('ResourceSlice', this.sliceSelector);
    const byName = new Map(slices.map((s) => [s.metadata?.name as string, s]));
    await inBatches(nodes.items, RESYNC_CONCURRENCY, (node) =>
      this.reconcileNode(
        node,
        byName.get(sliceName(this.options.profile, node.metadata?.name as string)) ?? null,
      ),
    );
    for (const slice of slices) {
      const nodeName = (slice.spec as { nodeName?: string } | undefined)?.nodeName;
      if (!nodeName || !wanted.has(nodeName))
        await this.deleteSlice(slice.metadata?.name as string);
    }
    return nodes.metadata?.resourceVersion;
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
          this.current.delete(node.metadata?.name as string);
          this.enqueue(() =>
            this.deleteSlice(sliceName(this.options.profile, node.metadata?.name as string)),
          );
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

  /** `known` is the slice as a recent list saw it (null: none), saving a read; undefined: read it. */
  private async reconcileNode(node: k8s.V1Node, known?: DraObject | null): Promise<void> {
    const name = node.metadata?.name as string;
    const uid = node.metadata?.uid as string;
    if (node.metadata?.deletionTimestamp) {
      this.current.delete(name);
      return this.deleteSlice(sliceName(this.options.profile, name));
    }
    if (this.current.get(name) === uid) return;
    const devices = gpuDevices(this.options.profile, name, this.options.gpusPerNode);
    const desired = (generation: number) =>
      resourceSlice(this.options.api, this.options.profile, { name, uid }, devices, generation);
    await this.upsert(
      desired(1),
      (existing) => {
        const same =
          canonicalJson(
            devicesOf(this.options.api, existing as { spec?: { devices?: unknown[] } }),
          ) === canonicalJson(devices) &&
          (existing.metadata?.ownerReferences ?? []).some((o) => o.uid === uid);
        return same;
      },
      (existing) => {
        const pool = (existing.spec as { pool?: { generation?: number } }).pool;
        return desired((pool?.generation ?? 0) + 1);
      },
      known,
    );
    this.current.set(name, uid);
  }

  /**
   * Creates `object`, or replaces the existing one when `isCurrent` says it differs. A conflict
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
          this.stats.created++;
          return;
        }
        if (isCurrent(existing)) {
          this.stats.unchanged++;
          return;
        }
        const next = replacement(existing);
        next.metadata = { ...next.metadata, resourceVersion: existing.metadata?.resourceVersion };
        await this.objects.replace(next);
        this.stats.updated++;
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
