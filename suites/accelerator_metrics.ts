/**
 * accelerator_metrics (MUST): the platform exposes per-accelerator metrics in Prometheus format.
 * Measured, not inferred from an installed exporter:
 *  - the endpoint (configured, or found by the profile's exporter Service labels) is scraped
 *    through port-forward, every exporter pod behind it, and every accelerator the cluster
 *    advertises (ResourceSlices, or the extended resource's allocatable) must have utilization
 *    and memory samples keyed by a device label; temperature, power and interconnect are SHOULD
 *    sub-checks, reported and never failing;
 *  - a pod that loads its accelerator moves that accelerator's utilization, and only that one
 *    (devices whose series name other pods are theirs, and left out).
 *
 * Configuration:
 *   KAIC_ACCELERATOR_METRICS   http(s)://…/metrics (scraped from the runner), or
 *                              <namespace>/<service>:<port>[/path] (its pods, port-forwarded)
 *   KAIC_ACCELERATOR_LOAD_IMAGE, KAIC_ACCELERATOR_LOAD_COMMAND
 *                              a container that loads the GPU it holds (e.g. a CUDA sample in a
 *                              loop), or
 *   KAIC_ACCELERATOR_LOAD_ANNOTATIONS
 *                              annotations that tell a simulated accelerator's driver to report
 *                              the pod's device busy (kaic sets them for the simulators it runs)
 *   KAIC_METRICS_TIMEOUT_SECONDS  how long to wait for a reading to move (default 180)
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import {
  REQUIRED_METRIC_KINDS,
  METRIC_KINDS,
  acceleratorSeries,
  parseMetrics,
  utilizationOf,
  type Sample,
} from '../src/accelerators/metrics.js';
import { physicalDevicesPerNode } from '../src/accelerators/capacity.js';
import type { AcceleratorSetup } from '../src/accelerators/profiles.js';
import { DraObjects, type DraObject } from '../src/k8s/dra-objects.js';
import { getFromPod, servicePods } from '../src/k8s/port-forward.js';
import {
  acceleratorPod,
  createClaimTemplate,
  createNamespace,
  createPod,
  deleteNamespace,
  deviceAttributeText,
  requireAcceleratorSetup,
  suiteCluster,
  waitFor,
  type SliceDevice,
  suiteImage,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { metricsTimeoutMs } from './lib/monitoring.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one pod loads the device it holds. */
export const budget: SuiteBudget = { devices: 1, typicalSeconds: 9 };

/** A utilization rise this large (percentage points) counts as "moved". */
const LOAD_DELTA = 30;

interface Endpoint {
  describe: string;
  scrape: () => Promise<string>;
}

/** `<ns>/<service>:<port>[/path]` */
function parseServiceRef(ref: string) {
  const match = /^([a-z0-9-]+)\/([a-z0-9-]+):([0-9]+|[a-z0-9-]+)(\/.*)?$/.exec(ref);
  if (!match) {
    throw new Error(
      `KAIC_ACCELERATOR_METRICS="${ref}": give http(s)://host:port/path or <namespace>/<service>:<port>[/path]`,
    );
  }
  return { namespace: match[1]!, name: match[2]!, port: match[3]!, path: match[4] ?? '/metrics' };
}

/**
 * Every ready exporter pod behind the Service, each reached through port-forward (a per-node
 * DaemonSet answers for its own node only).
 */
async function serviceEndpoints(
  namespace: string,
  name: string,
  port: string,
  path: string,
): Promise<Endpoint[]> {
  const { kc } = suiteCluster();
  const pods = await servicePods(kc, namespace, name, port);
  if (pods.length === 0) throw new Error(`service ${namespace}/${name} has no ready pod`);
  return pods.map((target) => ({
    describe: `pod ${target.namespace}/${target.pod}:${target.port}${path}`,
    scrape: () => getFromPod(kc, target, path),
  }));
}

async function findEndpoints(
  setup: AcceleratorSetup,
): Promise<{ endpoints: Endpoint[]; how: string }> {
  const configured = suiteSettings().acceleratorMetrics;
  if (configured && /^https?:\/\//.test(configured)) {
    return {
      how: `configured (KAIC_ACCELERATOR_METRICS=${configured})`,
      endpoints: [
        {
          describe: configured,
          scrape: async () => {
            const res = await fetch(configured, { signal: AbortSignal.timeout(30_000) });
            if (!res.ok) throw new Error(`GET ${configured}: ${res.status} ${res.statusText}`);
            return res.text();
          },
        },
      ],
    };
  }
  if (configured) {
    const ref = parseServiceRef(configured);
    return {
      how: `configured (KAIC_ACCELERATOR_METRICS=${configured})`,
      endpoints: await serviceEndpoints(ref.namespace, ref.name, ref.port, ref.path),
    };
  }
  const { core } = suiteCluster();
  const selectors = setup.profile.metricsExporters;
  for (const selector of selectors) {
    const services = (await core.listServiceForAllNamespaces({ labelSelector: selector })).items;
    const endpoints: Endpoint[] = [];
    for (const svc of services) {
      const ports = svc.spec?.ports ?? [];
      const port = ports.find((p) => /metric/.test(p.name ?? '')) ?? ports[0];
      if (!port) continue;
      endpoints.push(
        ...(await serviceEndpoints(
          svc.metadata?.namespace as string,
          svc.metadata?.name as string,
          String(port.port),
          '/metrics',
        )),
      );
    }
    if (endpoints.length > 0) return { how: `found by Service label ${selector}`, endpoints };
  }
  throw new Error(
    'no accelerator metrics endpoint: ' +
      (selectors.length
        ? `no Service labelled ${selectors.join(' or ')}; `
        : `kaic knows no exporter convention of ${setup.profile.kind} accelerators; `) +
      'name yours with KAIC_ACCELERATOR_METRICS=<namespace>/<service>:<port>[/path] or an http(s) URL',
  );
}

async function scrapeAll(endpoints: Endpoint[]): Promise<Sample[]> {
  const texts = await Promise.all(
    endpoints.map((e) =>
      e.scrape().catch((error: Error) => {
        throw new Error(`scraping ${e.describe}: ${error.message}`, { cause: error });
      }),
    ),
  );
  return texts.flatMap(parseMetrics);
}

type Slice = DraObject & { spec?: { driver?: string; nodeName?: string; devices?: SliceDevice[] } };

/**
 * The accelerators the cluster advertises, as physical devices (a partition stands for its
 * parent, by the profile's attributes): their UUIDs where the profile's identity is a UUID (what
 * exporters label series with), else a count; on the device-plugin path, a count of the whole-
 * device extended resource.
 */
async function advertised(
  setup: AcceleratorSetup,
): Promise<{ uuids: string[] | null; count: number; source: string }> {
  const { kc } = suiteCluster();
  if (setup.mode === 'dra' && setup.draApi) {
    const driver = setup.profile.draDriver;
    const { partitions, identityAttribute } = setup.profile;
    const slices = (await new DraObjects(kc, setup.draApi).list('ResourceSlice')) as Slice[];
    const physical = new Set<string>();
    let devices = 0;
    for (const slice of slices) {
      if (slice.spec?.driver !== driver || !setup.nodes.includes(slice.spec.nodeName ?? '')) {
        continue;
      }
      for (const device of slice.spec.devices ?? []) {
        devices++;
        const text = (name: string) => deviceAttributeText(device, driver, name);
        const id =
          (partitions ? text(partitions.parentAttribute) : undefined) ??
          (identityAttribute ? text(identityAttribute) : undefined);
        // A UUID names one device cluster-wide; other identities only within their node.
        if (id) physical.add(identityAttribute === 'uuid' ? id : `${slice.spec.nodeName}/${id}`);
      }
    }
    if (devices > 0 && physical.size > 0) {
      return identityAttribute === 'uuid'
        ? {
            uuids: [...physical].sort(),
            count: physical.size,
            source: `${physical.size} GPU UUIDs in ${driver} ResourceSlices`,
          }
        : {
            uuids: null,
            count: physical.size,
            source: `${physical.size} physical ${driver} devices (by ${identityAttribute})`,
          };
    }
    return {
      uuids: null,
      count: devices,
      source: `${devices} ${driver} devices (no identity attribute)`,
    };
  }
  // Physical devices: shared replicas (time-slicing, MPS) count as the device behind them.
  const resource = setup.profile.extendedResource as string;
  const perNode = await physicalDevicesPerNode(suiteCluster().kc, setup);
  const count = [...perNode.values()].reduce((sum, n) => sum + n, 0);
  return {
    uuids: null,
    count,
    source:
      `${count} physical devices behind ${resource} on ${perNode.size} nodes` +
      (setup.sharedReplicas ? ' (its units are shared replicas)' : ''),
  };
}

describe(`${requirementTag('accelerator_metrics', 'MUST')} Accelerator metrics`, function () {
  this.timeout(300_000);
  let setup: AcceleratorSetup;
  let endpoints: Endpoint[];
  let ns = '';

  before(async function () {
    setup = await requireAcceleratorSetup();
  });

  beforeEach(async function () {
    const found = await findEndpoints(setup);
    endpoints = found.endpoints;
    recordEvidence(
      this,
      'observed',
      `metrics endpoint ${found.how}: ${endpoints.map((e) => e.describe).join(', ')}`,
    );
  });

  afterEach(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
    ns = '';
  });

  it('exposes utilization and memory for every advertised accelerator, keyed by a device label', async function () {
    const samples = await scrapeAll(endpoints);
    const series = acceleratorSeries(samples);
    const wanted = await advertised(setup);
    recordEvidence(
      this,
      'observed',
      `${samples.length} samples; ${series.size} accelerators with a device label; advertised: ${wanted.source}`,
    );
    expect(wanted.count, 'accelerators the cluster advertises').to.be.greaterThan(0);
    const missing: string[] = [];
    const keys = wanted.uuids ?? [...series.keys()];
    for (const key of keys) {
      const entry = series.get(key);
      for (const kind of REQUIRED_METRIC_KINDS) {
        if (!entry?.kinds[kind]) missing.push(`${key}: no ${kind} series`);
      }
    }
    expect(
      missing.length,
      `${missing.length} gaps in the required series: ${missing.slice(0, 4).join('; ')}` +
        (missing.length > 4 ? '; …' : ''),
    ).to.equal(0);
    if (!wanted.uuids) {
      // Without UUIDs, the count of labelled devices must reach what is advertised.
      expect(series.size, `devices with series (advertised: ${wanted.source})`).to.be.at.least(
        wanted.count,
      );
    }
    for (const kind of METRIC_KINDS.filter((k) => !REQUIRED_METRIC_KINDS.includes(k))) {
      const having = keys.filter((k) => series.get(k)?.kinds[kind]).length;
      const names = [...new Set(keys.flatMap((k) => series.get(k)?.kinds[kind]?.names ?? []))];
      recordEvidence(
        this,
        'observed',
        `SHOULD ${kind}: ${having}/${keys.length} accelerators` +
          (names.length ? ` (${names.join(', ')})` : ' (not exposed)'),
      );
    }
    const first = series.get(keys[0] as string);
    recordEvidence(
      this,
      'observed',
      `required series per accelerator: ${REQUIRED_METRIC_KINDS.map((k) => `${k} ${first?.kinds[k]?.names.join('/')}`).join(', ')}`,
    );
  });

  it('a pod that loads its accelerator moves that accelerator utilization, and only that one', async function () {
    const loadImage = suiteSettings().acceleratorLoadImage;
    const loadCommand = suiteSettings().acceleratorLoadCommand;
    const loadAnnotations = suiteSettings().acceleratorLoadAnnotations;
    if (!loadImage && Object.keys(loadAnnotations).length === 0) {
      skipBecause(
        this,
        'no accelerator load to run: set KAIC_ACCELERATOR_LOAD_IMAGE (and KAIC_ACCELERATOR_LOAD_COMMAND) to a container that keeps the accelerator it holds busy, or KAIC_ACCELERATOR_LOAD_ANNOTATIONS for a simulated one',
      );
    }
    const before = await scrapeAll(endpoints);
    const keys = [...acceleratorSeries(before).keys()];
    const baseline = new Map(keys.map((k) => [k, utilizationOf(before, k) ?? 0]));
    ns = await createNamespace('kaic-accel-metrics');
    await createClaimTemplate(setup, ns, 'one');
    const pod = acceleratorPod({
      namespace: ns,
      name: 'load',
      setup,
      claimTemplate: 'one',
      containers: [{ name: 'load', accelerator: true }],
    });
    pod.metadata = {
      ...pod.metadata,
      annotations: { ...pod.metadata?.annotations, ...loadAnnotations },
    };
    if (loadImage) {
      const container = pod.spec?.containers[0] as k8s.V1Container;
      container.image = suiteImage(loadImage);
      if (loadCommand) container.command = ['sh', '-c', loadCommand];
      else delete container.command;
    }
    await createPod(pod);
    const allocated = await waitFor(
      `pod ${ns}/load scheduled with its accelerator`,
      async () => {
        const p = await suiteCluster().core.readNamespacedPod({ namespace: ns, name: 'load' });
        return p.spec?.nodeName ? p : undefined;
      },
      120_000,
    );
    const node = allocated.spec?.nodeName as string;
    // A device whose series name only other pods is another workload's (a live cluster, or a
    // suite running beside this one): its load is not this pod's doing and is left out.
    const ours = `${ns}/load`;
    const othersOf = (series: Map<string, { pods: string[] }>, key: string) => {
      const pods = series.get(key)?.pods ?? [];
      return pods.length > 0 && !pods.includes(ours) ? pods : null;
    };
    const moved = await waitFor(
      `a utilization series to rise ${LOAD_DELTA} points above its baseline`,
      async () => {
        const now = await scrapeAll(endpoints);
        const series = acceleratorSeries(now);
        const risen = keys.filter(
          (k) => (utilizationOf(now, k) ?? 0) - (baseline.get(k) ?? 0) >= LOAD_DELTA,
        );
        const rising = risen.filter((k) => !othersOf(series, k));
        const elsewhere = risen.filter((k) => othersOf(series, k));
        return rising.length > 0 ? { rising, elsewhere, now, series } : undefined;
      },
      metricsTimeoutMs(),
      2_000,
    );
    const { series } = moved;
    recordEvidence(
      this,
      'observed',
      `pod ${ns}/load on ${node}: ${moved.rising
        .map(
          (k) =>
            `${k} ${baseline.get(k)} → ${utilizationOf(moved.now, k)}` +
            (series.get(k)?.pods.length ? ` (pod label ${series.get(k)?.pods.join(', ')})` : ''),
        )
        .join('; ')}` +
        (moved.elsewhere.length
          ? `; also risen, held by other pods: ${moved.elsewhere.map((k) => `${k} (${othersOf(series, k)?.join(', ')})`).join('; ')}`
          : ''),
    );
    expect(moved.rising, 'accelerators whose utilization moved').to.have.length(1);
    const labelled = keys.filter((k) => series.get(k)?.pods.includes(ours));
    if (labelled.length > 0) {
      expect(moved.rising, 'the accelerator whose series name the pod').to.deep.equal(labelled);
    }
    if (setup.mode === 'dra' && setup.draApi) {
      const uuid = await allocatedUuid(setup, ns);
      if (uuid && keys.includes(uuid)) {
        expect(moved.rising, 'the accelerator the pod holds').to.deep.equal([uuid]);
      }
    }
  });
});

/**
 * The identity of the physical device the namespace's one claim was allocated (a partition's
 * parent), from its ResourceSlice, as exporters label series: only where it is a UUID.
 */
async function allocatedUuid(setup: AcceleratorSetup, namespace: string): Promise<string | null> {
  const objects = new DraObjects(suiteCluster().kc, setup.draApi!);
  const claims = (await objects.list(
    'ResourceClaim',
    undefined,
    `metadata.namespace=${namespace}`,
  )) as Array<
    DraObject & {
      status?: {
        allocation?: { devices?: { results?: Array<{ pool: string; device: string }> } };
      };
    }
  >;
  const result = claims[0]?.status?.allocation?.devices?.results?.[0];
  if (!result) return null;
  const driver = setup.profile.draDriver;
  const slices = (await objects.list('ResourceSlice')) as Slice[];
  for (const slice of slices) {
    if (slice.spec?.driver !== driver) continue;
    const device = slice.spec.devices?.find((d) => d.name === result.device);
    if (device && slice.spec.nodeName === result.pool) {
      const { partitions, identityAttribute } = setup.profile;
      if (identityAttribute !== 'uuid') return null;
      return (
        (partitions
          ? deviceAttributeText(device, driver, partitions.parentAttribute)
          : undefined) ??
        deviceAttributeText(device, driver, identityAttribute) ??
        null
      );
    }
  }
  return null;
}
