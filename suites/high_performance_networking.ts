/**
 * high_performance_networking (SHOULD from 1.36, KAR-0010): network devices are offered through
 * DRA, so a workload claims a secondary interface the way it claims an accelerator. Detected from
 * the ResourceSlices: a driver named in KAIC_NETWORK_DRA_DRIVER, or one whose devices carry network
 * attributes (interface name, RDMA, MAC). Where one exists, a pod claims one of its devices, not
 * pinned to a node: the scheduler must place it where the driver's devices are. A baseline pod
 * without a claim on the same node shows which interfaces every pod there has (kernel fallback
 * devices such as tunl0 or sit0 are in every network namespace where their modules are loaded);
 * the claimant must have more, and the allocated device (by its MAC or interface name attribute)
 * among them. Where no driver exists, Unknown with the reason.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { DraObjects, claimTemplate } from '../src/k8s/dra-objects.js';
import { servedDraApi } from '../src/k8s/discovery.js';
import {
  claimOfPod,
  createNamespace,
  createPod,
  deleteNamespace,
  deviceAttributeText,
  exec,
  suiteCluster,
  waitRunning,
  workloadImage,
  type SliceDevice,
  IDLE_COMMAND,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { nodesRunningContainers } from './lib/monitoring.js';
import {
  addedInterfaces,
  findAllocated,
  parseLinks,
  type DeviceIdentity,
} from './lib/networking.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): claims a network interface, not an accelerator. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 5 };

/** Attribute names (unqualified) that mark a device as a network interface. */
const NETWORK_ATTRIBUTES = ['ifName', 'interfaceName', 'rdma', 'macAddress', 'mac', 'ipv4', 'ipv6'];

interface NetworkDriver {
  driver: string;
  nodes: string[];
  devices: number;
  how: string;
}

function attributeNames(device: SliceDevice): string[] {
  const attributes = device.attributes ?? device.basic?.attributes ?? {};
  return Object.keys(attributes).map((k) => k.slice(k.lastIndexOf('/') + 1));
}

interface NetworkSlice {
  spec: { driver: string; nodeName?: string; pool?: { name?: string }; devices?: SliceDevice[] };
}

/** Every ResourceSlice of the cluster, as this suite reads them. */
async function allSlices(api: string): Promise<NetworkSlice[]> {
  const list = (await suiteCluster()
    .kc.makeApiClient(k8s.CustomObjectsApi)
    .listClusterCustomObject({
      group: api.split('/')[0] as string,
      version: api.split('/')[1] as string,
      plural: 'resourceslices',
    })) as { items: NetworkSlice[] };
  return list.items;
}

async function networkDrivers(api: string): Promise<NetworkDriver[]> {
  const slices = await allSlices(api);
  const configured = suiteSettings().networkDraDriver;
  const found = new Map<string, NetworkDriver>();
  for (const slice of slices) {
    const { driver, nodeName, devices = [] } = slice.spec;
    const networkDevices = devices.filter((d) =>
      attributeNames(d).some((n) => NETWORK_ATTRIBUTES.includes(n)),
    );
    const matches = configured ? driver === configured : networkDevices.length > 0;
    if (!matches) continue;
    const entry = found.get(driver) ?? {
      driver,
      nodes: [],
      devices: 0,
      how: configured ? 'configured (KAIC_NETWORK_DRA_DRIVER)' : 'devices with network attributes',
    };
    entry.devices += configured ? devices.length : networkDevices.length;
    if (nodeName && !entry.nodes.includes(nodeName)) entry.nodes.push(nodeName);
    found.set(driver, entry);
  }
  return [...found.values()];
}

/** The slice device an allocation result names. */
async function sliceDevice(
  api: string,
  result: { driver: string; pool: string; device: string },
): Promise<SliceDevice | undefined> {
  const slices = await allSlices(api);
  return slices
    .filter((s) => s.spec.driver === result.driver && s.spec.pool?.name === result.pool)
    .flatMap((s) => s.spec.devices ?? [])
    .find((d) => d.name === result.device);
}

describe(`${requirementTag('high_performance_networking', 'SHOULD')} High-performance networking`, function () {
  this.timeout(600_000);
  let ns = '';

  after(async function () {
    if (ns) await deleteNamespace(ns, { until: 'released' });
  });

  it('offers network interfaces through DRA, and a pod that claims one sees it', async function () {
    const { kc } = suiteCluster();
    const api = await servedDraApi(kc);
    if (!api) skipBecause(this, 'the DRA API (resource.k8s.io) is not served');
    const drivers = await networkDrivers(api);
    if (drivers.length === 0) {
      skipBecause(
        this,
        'no DRA network driver publishes devices (no ResourceSlice device with an interface, RDMA or MAC attribute; name one with KAIC_NETWORK_DRA_DRIVER): install one (e.g. DRANET) or declare N/A',
      );
    }
    for (const d of drivers) {
      recordEvidence(
        this,
        'observed',
        `DRA network driver ${d.driver}: ${d.devices} devices on ${d.nodes.join(', ') || 'no node'} (${d.how})`,
      );
    }
    const containerNodes = await nodesRunningContainers();
    const driver = drivers.find((d) => d.nodes.some((n) => containerNodes.includes(n)));
    if (!driver) {
      skipBecause(
        this,
        `the network devices of ${drivers.map((d) => d.driver).join(', ')} are on no node that runs containers`,
      );
    }
    ns = await createNamespace('kaic-hp-networking');
    const objects = new DraObjects(kc, api);
    // Any device of the driver: the DeviceClass is the driver's own choice, so select by driver.
    const classes = (await suiteCluster()
      .kc.makeApiClient(k8s.CustomObjectsApi)
      .listClusterCustomObject({
        group: api.split('/')[0] as string,
        version: api.split('/')[1] as string,
        plural: 'deviceclasses',
      })) as { items: Array<{ metadata: { name: string }; spec?: { selectors?: unknown[] } }> };
    const deviceClass = classes.items.find((c) =>
      JSON.stringify(c.spec?.selectors ?? []).includes(driver.driver),
    );
    if (!deviceClass) {
      skipBecause(this, `no DeviceClass selects the devices of ${driver.driver}`);
    }
    await objects.create(
      claimTemplate(api, ns, 'network', {
        deviceClassName: deviceClass.metadata.name,
        count: 1,
        selectors: [`device.driver == "${driver.driver}"`],
      }),
    );
    const container = (name: string) => ({
      name,
      image: workloadImage(),
      imagePullPolicy: 'IfNotPresent',
      command: [...IDLE_COMMAND],
    });
    // Not pinned: only nodes that run containers, and the claim, decide where it lands.
    await createPod({
      metadata: { name: 'netpod', namespace: ns },
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    { key: 'kubernetes.io/hostname', operator: 'In', values: containerNodes },
                  ],
                },
              ],
            },
          },
        },
        terminationGracePeriodSeconds: 0,
        resourceClaims: [{ name: 'network', resourceClaimTemplateName: 'network' }],
        containers: [{ ...container('main'), resources: { claims: [{ name: 'network' }] } }],
      },
    });
    const placed = await waitRunning(ns, 'netpod');
    const node = placed.spec?.nodeName as string;
    expect(
      driver.nodes,
      `the node the claimant landed on (${node}) offers the driver's devices`,
    ).to.include(node);
    await createPod({
      metadata: { name: 'baseline', namespace: ns },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': node },
        terminationGracePeriodSeconds: 0,
        containers: [container('main')],
      },
    });
    await waitRunning(ns, 'baseline');
    const [claimantLinks, baselineLinks] = await Promise.all(
      ['netpod', 'baseline'].map(async (pod) =>
        parseLinks((await exec(ns, pod, 'main', 'ip -o link')).stdout),
      ),
    );
    const added = addedInterfaces(claimantLinks!, baselineLinks!);
    recordEvidence(
      this,
      'observed',
      `on ${node}: the claimant has ${claimantLinks!.map((l) => l.name).join(', ')}; a pod without a claim ${baselineLinks!.map((l) => l.name).join(', ')}; added: ${added.map((l) => l.name).join(', ') || 'none'}`,
    );
    expect(
      added.map((l) => l.name),
      `interfaces a pod holding a ${driver.driver} device has beyond a pod without one on ${node}`,
    ).to.have.length.greaterThan(0);
    // The allocated device, as its slice describes it.
    const claim = await claimOfPod(objects, ns, 'netpod');
    const result = claim.status?.allocation?.devices?.results?.[0];
    const device = result ? await sliceDevice(api, result) : undefined;
    const identity: DeviceIdentity = {};
    const ifName =
      deviceAttributeText(device, result?.driver ?? '', 'ifName') ??
      deviceAttributeText(device, result?.driver ?? '', 'interfaceName');
    const mac =
      deviceAttributeText(device, result?.driver ?? '', 'macAddress') ??
      deviceAttributeText(device, result?.driver ?? '', 'mac');
    if (ifName) identity.ifName = ifName;
    if (mac) identity.mac = mac;
    const found = findAllocated(added, identity);
    if (found.outcome === 'missing') expect.fail(found.reason);
    recordEvidence(
      this,
      'observed',
      found.outcome === 'found'
        ? `allocated device ${result?.pool}/${result?.device} is ${found.iface.name} in the pod (by ${found.by})`
        : `allocated device ${result?.pool}/${result?.device}: ${found.reason}; an added interface is all that can be shown`,
    );
  });
});
