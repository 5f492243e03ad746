/**
 * high_performance_networking (SHOULD from 1.36): network devices are offered through DRA, so a
 * workload claims a secondary interface the way it claims an accelerator. Detected from the
 * ResourceSlices: a driver named in KAIC_NETWORK_DRA_DRIVER, or one whose devices carry network
 * attributes (interface name, RDMA, MAC). Where one exists, a pod claims one of its devices on a
 * node that runs containers and must see an interface beyond `lo` and its pod network's own;
 * where none exists, the result is Unknown with the reason.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { DraObjects, claimTemplate } from '../src/k8s/dra-objects.js';
import { servedDraApi } from '../src/k8s/discovery.js';
import {
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  suiteCluster,
  waitRunning,
  workloadImage,
  type SliceDevice,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { nodesRunningContainers } from './lib/monitoring.js';
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

async function networkDrivers(api: string): Promise<NetworkDriver[]> {
  const slices = (await suiteCluster()
    .kc.makeApiClient(k8s.CustomObjectsApi)
    .listClusterCustomObject({
      group: api.split('/')[0] as string,
      version: api.split('/')[1] as string,
      plural: 'resourceslices',
    })) as {
    items: Array<{ spec: { driver: string; nodeName?: string; devices?: SliceDevice[] } }>;
  };
  const configured = suiteSettings().networkDraDriver;
  const found = new Map<string, NetworkDriver>();
  for (const slice of slices.items) {
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
    const node = driver.nodes.find((n) => containerNodes.includes(n)) as string;
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
    await createPod({
      metadata: { name: 'netpod', namespace: ns },
      spec: {
        nodeSelector: { 'kubernetes.io/hostname': node },
        terminationGracePeriodSeconds: 0,
        resourceClaims: [{ name: 'network', resourceClaimTemplateName: 'network' }],
        containers: [
          {
            name: 'main',
            image: workloadImage(),
            imagePullPolicy: 'IfNotPresent',
            command: ['sleep', '3600'],
            resources: { claims: [{ name: 'network' }] },
          },
        ],
      },
    });
    await waitRunning(ns, 'netpod');
    const links = await exec(ns, 'netpod', 'main', 'ip -o link');
    const names = links.stdout
      .split('\n')
      .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
      .filter((n): n is string => Boolean(n));
    recordEvidence(this, 'observed', `interfaces in the pod on ${node}: ${names.join(', ')}`);
    expect(
      names.filter((n) => n !== 'lo' && n !== 'eth0'),
      `interfaces beyond lo and eth0 in a pod holding a ${driver.driver} device`,
    ).to.have.length.greaterThan(0);
  });
});
