/**
 * Accelerator profiles: the probe and its marker, which pools count as usable, what each vendor's
 * profile names, the device-plugin resources of a node, the generic profile and detection.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import {
  ACCELERATOR_KINDS,
  ACCELERATOR_PROFILES,
  AUTO_DETECTION_ORDER,
  AcceleratorError,
  detectAccelerator,
  extendedResourcesOf,
  genericProfile,
  nodesWithCompletePools,
  parseProbe,
  probeListScript,
  probeScript,
  vgpuEvidence,
} from '../../src/accelerators/profiles.js';
import { acceleratorWantedFrom, suiteSettingsFrom } from '../../src/runner/suite-settings.js';

describe('accelerator profiles', function () {
  it('counts /dev/nvidia<N> by whole name (not nvidiactl, nvidia-uvm) and prints the WG marker', function () {
    const dir = mkdtempSync(join(tmpdir(), 'kaic-probe-'));
    try {
      for (const f of ['nvidia0', 'nvidia10', 'nvidiactl', 'nvidia-uvm', 'null']) {
        writeFileSync(join(dir, f), '');
      }
      // The probe lists /dev; point it at the directory instead.
      const script = probeScript(ACCELERATOR_PROFILES.fake.probe, dir);
      const out = execFileSync('sh', ['-c', script]).toString();
      expect(out).to.equal('RESULT: ACCELERATOR_COUNT=2\n');
      expect(parseProbe(out)).to.equal(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("counts the example driver's devices by their variable, not the variables describing them, and reads a missing marker as null", function () {
    // What its CDI edits put into a container holding gpu-0 and a partition of gpu-3.
    const env = {
      GPU_DEVICE_0: 'gpu-0',
      GPU_DEVICE_0_SHARING_STRATEGY: 'TimeSlicing',
      GPU_DEVICE_0_TIMESLICE_INTERVAL: 'Default',
      GPU_DEVICE_3_PARTITION_1: 'gpu-3-partition-1',
      GPU_DEVICE_3_PARTITION_1_MEMORY: '40Gi',
      OTHER: 'x',
      PATH: process.env.PATH,
    };
    const out = execFileSync('sh', ['-c', probeScript(ACCELERATOR_PROFILES.example.probe)], {
      env,
    }).toString();
    expect(parseProbe(out)).to.equal(2);
    const listed = execFileSync('sh', ['-c', probeListScript(ACCELERATOR_PROFILES.example.probe)], {
      env,
    }).toString();
    expect(listed.trim().split('\n')).to.deep.equal([
      'GPU_DEVICE_0=gpu-0',
      'GPU_DEVICE_3_PARTITION_1=gpu-3-partition-1',
    ]);
    expect(parseProbe('sh: nvidia-smi: not found')).to.equal(null);
  });

  it('insists that a generic profile says how to probe', function () {
    expect(() => genericProfile({ deviceClass: 'x.example.com' })).to.throw(/needs a probe/);
    expect(
      genericProfile({ deviceClass: 'x.example.com', devicePattern: '^accel[0-9]+$' }).probe,
    ).to.deep.equal({ kind: 'devnodes', pattern: '^accel[0-9]+$' });
  });

  it('uses only complete pools of the newest generation that offer devices', function () {
    const slice = (
      pool: string,
      node: string,
      generation: number,
      count: number,
      devices: number,
    ) => ({
      spec: {
        driver: 'gpu.nvidia.com',
        nodeName: node,
        pool: { name: pool, generation, resourceSliceCount: count },
        devices: Array(devices).fill({}),
      },
    });
    expect(
      nodesWithCompletePools(
        [
          slice('a', 'node-a', 1, 1, 8), // complete
          slice('b', 'node-b', 2, 2, 4), // one of two slices of generation 2: incomplete
          slice('b', 'node-b', 1, 1, 4), // older generation: ignored
          slice('c', 'node-c', 1, 1, 0), // no devices
          {
            spec: {
              driver: 'other',
              nodeName: 'node-d',
              pool: { name: 'd', generation: 1, resourceSliceCount: 1 },
              devices: [{}],
            },
          },
        ],
        'gpu.nvidia.com',
      ),
    ).to.deep.equal(['node-a']);
  });

  it('vgpuEvidence: vgpu.present=false (bare metal, written by feature discovery) is no evidence', function () {
    expect(vgpuEvidence({ 'nvidia.com/vgpu.present': 'false' })).to.equal(null);
    expect(vgpuEvidence({})).to.equal(null);
    expect(vgpuEvidence(undefined)).to.equal(null);
    expect(vgpuEvidence({ 'nvidia.com/vgpu.present': 'true' })).to.equal(
      'nvidia.com/vgpu.present=true',
    );
    expect(
      vgpuEvidence({
        'nvidia.com/vgpu.present': 'false',
        'nvidia.com/vgpu.host-driver-version': '550.90.05',
      }),
    ).to.equal('nvidia.com/vgpu.host-driver-version=550.90.05');
  });
});

/** A directory laid out like /dev on a node with a device of each vendor, for the probe. */
function fakeDev(entries: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'kaic-dev-'));
  for (const entry of entries) {
    mkdirSync(dirname(join(dir, entry)), { recursive: true });
    writeFileSync(join(dir, entry), '');
  }
  return dir;
}

/** The shells the probe must run in: the system's sh, and busybox where installed. */
const SHELLS: string[][] = [
  ['sh'],
  ...(spawnSync('busybox', ['true']).status === 0 ? [['busybox', 'sh']] : []),
];

function runIn(shell: string[], script: string): string {
  const [command, ...args] = shell as [string, ...string[]];
  return execFileSync(command, [...args, '-c', script]).toString();
}

const VENDOR_DEV = [
  ...['nvidia0', 'nvidia1', 'nvidiactl', 'nvidia-uvm', 'nvidia-caps/nvidia-cap1'],
  ...[
    'kfd',
    'dri/card0',
    'dri/renderD128',
    'dri/renderD129',
    'dri/by-path/pci-0000:03:00.0-render',
  ],
  ...['accel/accel0', 'accel/accel_controlD0', 'accel/accel1', 'accel/accel_controlD1'],
  ...['accel0', 'vfio/0', 'vfio/1', 'vfio/vfio'],
  ...['neuron0', 'neuron12', 'null', 'pts/0'],
];

describe('accelerator profiles of every vendor', function () {
  let dev = '';
  before(function () {
    dev = fakeDev(VENDOR_DEV);
  });
  after(function () {
    rmSync(dev, { recursive: true, force: true });
  });

  for (const shell of SHELLS) {
    it(`devnodes probe, in ${shell.join(' ')}: paths relative to /dev one directory down, control nodes not counted`, function () {
      const seen = (kind: keyof typeof ACCELERATOR_PROFILES) =>
        runIn(shell, probeListScript(ACCELERATOR_PROFILES[kind].probe, dev))
          .split('\n')
          .filter(Boolean);
      const counted = (kind: keyof typeof ACCELERATOR_PROFILES) =>
        parseProbe(runIn(shell, probeScript(ACCELERATOR_PROFILES[kind].probe, dev)));
      expect(seen('nvidia')).to.deep.equal(['nvidia0', 'nvidia1']);
      expect(seen('amd')).to.deep.equal(['dri/renderD128', 'dri/renderD129']);
      expect(seen('intel-gpu')).to.deep.equal(['dri/renderD128', 'dri/renderD129']);
      expect(seen('intel-gaudi')).to.deep.equal(['accel/accel0', 'accel/accel1']);
      // One node has either kind of TPU; here both, each counted.
      expect(seen('google-tpu')).to.deep.equal(['accel0', 'vfio/0', 'vfio/1']);
      expect(seen('aws-neuron')).to.deep.equal(['neuron0', 'neuron12']);
      expect(counted('nvidia')).to.equal(2);
      expect(counted('amd')).to.equal(2);
      expect(counted('intel-gaudi')).to.equal(2);
      expect(counted('aws-neuron')).to.equal(2);
    });
  }

  it('devnodes probe: nothing to list is a count of 0, not a missing marker', function () {
    const empty = join(dev, 'does-not-exist');
    const out = execFileSync('sh', ['-c', probeScript(ACCELERATOR_PROFILES.amd.probe, empty)]);
    expect(out.toString()).to.equal('RESULT: ACCELERATOR_COUNT=0\n');
    expect(
      execFileSync('sh', ['-c', probeListScript(ACCELERATOR_PROFILES.amd.probe, empty)]).toString(),
    ).to.equal('');
  });

  it('keeps the probe a POSIX sh line (no bash, no find -regex) that lists /dev by default', function () {
    const script = probeScript(ACCELERATOR_PROFILES.amd.probe);
    expect(script).to.contain("cd '/dev'");
    expect(script).to.not.match(/find|bash|\[\[|ls -R/);
  });

  it('names what the vendors publish', function () {
    const facts = Object.fromEntries(
      (['nvidia', 'amd', 'intel-gpu', 'intel-gaudi', 'google-tpu', 'aws-neuron'] as const).map(
        (kind) => {
          const p = ACCELERATOR_PROFILES[kind];
          return [
            kind,
            [
              p.deviceClass,
              p.draDriver,
              p.extendedResource,
              p.identityAttribute,
              p.driverVersionAttribute,
            ],
          ];
        },
      ),
    );
    expect(facts).to.deep.equal({
      nvidia: ['gpu.nvidia.com', 'gpu.nvidia.com', 'nvidia.com/gpu', 'uuid', 'driverVersion'],
      amd: ['gpu.amd.com', 'gpu.amd.com', 'amd.com/gpu', 'pciAddr', 'driverVersion'],
      'intel-gpu': [
        'gpu.intel.com',
        'gpu.intel.com',
        'gpu.intel.com/i915',
        'resource.kubernetes.io/pciBusID',
        null,
      ],
      'intel-gaudi': ['gaudi.intel.com', 'gaudi.intel.com', 'habana.ai/gaudi', 'serial', null],
      'google-tpu': ['tpu.google.com', 'tpu.google.com', 'google.com/tpu', null, null],
      'aws-neuron': [
        'neuron.aws.com',
        'neuron.aws.com',
        'aws.amazon.com/neuron',
        'deviceId',
        'neuronDriverVersion',
      ],
    });
    expect(ACCELERATOR_PROFILES.nvidia.controlDevices).to.deep.equal([
      'nvidiactl',
      'nvidia-uvm',
      'nvidia-uvm-tools',
      'nvidia-modeset',
    ]);
    expect(ACCELERATOR_PROFILES.amd.controlDevices).to.deep.equal(['kfd']);
    expect(ACCELERATOR_PROFILES.amd.partitions).to.deep.include({
      deviceClass: 'gpu.amd.com',
      parentAttribute: 'parentPciAddr',
    });
    expect(ACCELERATOR_PROFILES.nvidia.partitions).to.deep.equal({
      deviceClass: 'mig.nvidia.com',
      selectors: [],
      parentAttribute: 'parentUUID',
    });
    // The example driver's profile gets the defaults it does not declare.
    expect(ACCELERATOR_PROFILES.example).to.deep.include({
      extendedResources: [],
      identityAttribute: 'uuid',
      controlDevices: [],
      deviceSharing: null,
    });
  });

  it('every profile: its probe is anchored and counts none of its control devices; its request is one of its whole resources', function () {
    for (const [kind, p] of Object.entries(ACCELERATOR_PROFILES)) {
      if (p.probe.kind !== 'devnodes') continue;
      expect(p.probe.pattern, kind).to.match(/^\^.*\$$/);
      const pattern = new RegExp(p.probe.pattern);
      expect(
        p.controlDevices.filter((d) => pattern.test(d)),
        kind,
      ).to.deep.equal([]);
      if (p.extendedResource) {
        expect(
          extendedResourcesOf(p, { [p.extendedResource]: '1' }).map((r) => r.unit),
          kind,
        ).to.deep.equal(['whole']);
      }
    }
  });

  it('finds exporters by valid label selectors, and no profile names an exporter of kaic', function () {
    for (const [kind, p] of Object.entries(ACCELERATOR_PROFILES)) {
      for (const selector of p.metricsExporters) {
        expect(selector, kind).to.match(
          /^[a-z0-9./-]+=[A-Za-z0-9._-]+(,[a-z0-9./-]+=[A-Za-z0-9._-]+)*$/,
        );
        expect(selector, kind).to.not.match(/kaic/);
      }
    }
    expect(ACCELERATOR_PROFILES.nvidia.metricsExporters[0]).to.equal('app=nvidia-dcgm-exporter');
    expect(ACCELERATOR_PROFILES.fake.metricsExporters).to.deep.equal(
      ACCELERATOR_PROFILES.nvidia.metricsExporters,
    );
  });

  it('auto tries every profile but generic, kaic’s fake before NVIDIA', function () {
    expect([...AUTO_DETECTION_ORDER].sort()).to.deep.equal(
      ACCELERATOR_KINDS.filter((k) => k !== 'generic').sort(),
    );
    expect(AUTO_DETECTION_ORDER.indexOf('fake')).to.be.below(
      AUTO_DETECTION_ORDER.indexOf('nvidia'),
    );
  });
});

describe('extendedResourcesOf', function () {
  const { nvidia, amd, 'intel-gpu': intel, 'aws-neuron': neuron } = ACCELERATOR_PROFILES;

  it('tells whole GPUs, MIG partitions (mixed strategy) and renamed shared replicas apart', function () {
    const allocatable = {
      cpu: '64',
      'nvidia.com/gpu': '2',
      'nvidia.com/mig-1g.5gb': '7',
      'nvidia.com/mig-2g.10gb.shared': '6',
      'amd.com/gpu': '4',
      'nvidia.com/gpu.foo': '1',
    };
    expect(extendedResourcesOf(nvidia, allocatable)).to.deep.equal([
      {
        name: 'nvidia.com/gpu',
        count: 2,
        unit: 'whole',
        sharedUnit: null,
        replicas: null,
        devices: 2,
      },
      {
        name: 'nvidia.com/mig-1g.5gb',
        count: 7,
        unit: 'partition',
        sharedUnit: null,
        replicas: null,
        devices: null,
      },
      {
        name: 'nvidia.com/mig-2g.10gb.shared',
        count: 6,
        unit: 'shared',
        sharedUnit: 'partition',
        replicas: null,
        devices: null,
      },
    ]);
  });

  it('reads time-slicing replicas from the feature-discovery label, renamed or not', function () {
    const labels = {
      'nvidia.com/gpu.replicas': '4',
      'nvidia.com/gpu.sharing-strategy': 'time-slicing',
    };
    expect(extendedResourcesOf(nvidia, { 'nvidia.com/gpu': '8' }, labels)).to.deep.equal([
      {
        name: 'nvidia.com/gpu',
        count: 8,
        unit: 'shared',
        sharedUnit: 'whole',
        replicas: 4,
        devices: 2,
      },
    ]);
    expect(extendedResourcesOf(nvidia, { 'nvidia.com/gpu.shared': '8' }, labels)).to.deep.equal([
      {
        name: 'nvidia.com/gpu.shared',
        count: 8,
        unit: 'shared',
        sharedUnit: 'whole',
        replicas: 4,
        devices: 2,
      },
    ]);
    // replicas=1 (no sharing) and 0 (sharing off) are whole devices.
    for (const replicas of ['1', '0']) {
      expect(
        extendedResourcesOf(
          nvidia,
          { 'nvidia.com/gpu': '8' },
          { 'nvidia.com/gpu.replicas': replicas },
        )[0]?.unit,
      ).to.equal('whole');
    }
  });

  it('Intel: i915 and xe are whole GPUs, monitoring and amounts are not devices', function () {
    expect(
      extendedResourcesOf(intel, {
        'gpu.intel.com/xe': '2',
        'gpu.intel.com/i915': '1',
        'gpu.intel.com/monitoring': '1',
        'gpu.intel.com/millicores': '2000',
      }).map((r) => [r.name, r.unit]),
    ).to.deep.equal([
      ['gpu.intel.com/i915', 'whole'],
      ['gpu.intel.com/xe', 'whole'],
    ]);
  });

  it('Neuron devices and cores, AMD partition modes, and nothing of a zero count', function () {
    expect(
      extendedResourcesOf(neuron, {
        'aws.amazon.com/neuroncore': '32',
        'aws.amazon.com/neuron': '16',
        'aws.amazon.com/neurondevice': '0',
      }).map((r) => [r.name, r.unit]),
    ).to.deep.equal([
      ['aws.amazon.com/neuron', 'whole'],
      ['aws.amazon.com/neuroncore', 'partition'],
    ]);
    expect(
      extendedResourcesOf(amd, {
        'amd.com/cpx_nps4': '64',
        'amd.com/spx_nps1': '8',
        'amd.com/gpu': '0',
        // AMD has no renamed sharing: a .shared suffix is no resource of its.
        'amd.com/gpu.shared': '4',
      }).map((r) => [r.name, r.unit]),
    ).to.deep.equal([
      ['amd.com/spx_nps1', 'whole'],
      ['amd.com/cpx_nps4', 'partition'],
    ]);
  });
});

describe('the generic accelerator profile', function () {
  it('takes everything a user can say, control devices relative to /dev', function () {
    const profile = genericProfile({
      deviceClass: 'accel.example.com',
      draDriver: 'driver.example.com',
      extendedResource: 'example.com/accel',
      devicePattern: '^accel/accel[0-9]+$',
      identityAttribute: 'resource.kubernetes.io/pciBusID',
      controlDevices: ['/dev/accel_ctl', 'vfio/vfio'],
      driverVersionAttribute: 'driverVersion',
    });
    expect(profile).to.deep.include({
      kind: 'generic',
      deviceClass: 'accel.example.com',
      draDriver: 'driver.example.com',
      extendedResource: 'example.com/accel',
      extendedResources: [{ match: 'example.com/accel', unit: 'whole' }],
      probe: { kind: 'devnodes', pattern: '^accel/accel[0-9]+$' },
      identityAttribute: 'resource.kubernetes.io/pciBusID',
      controlDevices: ['accel_ctl', 'vfio/vfio'],
      driverVersionAttribute: 'driverVersion',
    });
    expect(
      genericProfile({ deviceClass: 'a.example.com', envPrefix: 'ACCEL_' }).draDriver,
    ).to.equal('a.example.com');
  });

  it('refuses a bad value, naming the option', function () {
    const base = { deviceClass: 'accel.example.com', devicePattern: '^accel[0-9]+$' };
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ deviceClass: 'Accel_Class' }, /deviceClass "Accel_Class": not a DeviceClass name/],
      [{ devicePattern: "^accel'" }, /devicePattern .*single quote/],
      [{ devicePattern: '^accel\\d+$' }, /devicePattern .*grep -E lacks/],
      [{ devicePattern: '^accel[0-9+$' }, /devicePattern .*not a regular expression/],
      [{ extendedResource: 'accel' }, /extendedResource "accel": not an extended resource name/],
      [{ extendedResource: 'kubernetes.io/accel' }, /outside kubernetes.io/],
      [{ identityAttribute: 'serial number' }, /identityAttribute .*not a device attribute name/],
      [{ controlDevices: ['kfd', '../etc/passwd'] }, /controlDevices "..\/etc\/passwd"/],
      [{ envPrefix: 'ACCEL_' }, /one probe.*not both/],
    ];
    for (const [change, message] of cases) {
      expect(() => genericProfile({ ...base, ...change }), JSON.stringify(change)).to.throw(
        AcceleratorError,
        message,
      );
    }
  });

  it('comes from the KAIC_GENERIC_* settings; a bad or missing one is named', function () {
    const env = {
      KAIC_ACCELERATOR: 'generic',
      KAIC_GENERIC_DEVICE_CLASS: 'accel.example.com',
      KAIC_GENERIC_EXTENDED_RESOURCE: 'example.com/accel',
      KAIC_GENERIC_DEVICE_PATTERN: '^accel[0-9]+$',
      KAIC_GENERIC_CONTROL_DEVICES: 'accel_ctl, /dev/vfio/vfio',
      KAIC_GENERIC_IDENTITY_ATTRIBUTE: 'serial',
    };
    const wanted = acceleratorWantedFrom(suiteSettingsFrom(env));
    expect(wanted.kind).to.equal('generic');
    expect(wanted.generic).to.deep.include({
      deviceClass: 'accel.example.com',
      draDriver: 'accel.example.com',
      extendedResource: 'example.com/accel',
      controlDevices: ['accel_ctl', 'vfio/vfio'],
      identityAttribute: 'serial',
    });
    // auto: the generic profile is tried too (last) once its class is set; without it, not built.
    expect(
      acceleratorWantedFrom(suiteSettingsFrom({ ...env, KAIC_ACCELERATOR: 'auto' })).generic,
    ).to.not.equal(undefined);
    expect(
      acceleratorWantedFrom(suiteSettingsFrom({ KAIC_GENERIC_DEVICE_PATTERN: "'" })),
    ).to.deep.equal({ kind: 'auto', mode: 'auto' });
    expect(() =>
      acceleratorWantedFrom(suiteSettingsFrom({ KAIC_ACCELERATOR: 'generic' })),
    ).to.throw(/KAIC_ACCELERATOR=generic needs KAIC_GENERIC_DEVICE_CLASS/);
    expect(() =>
      acceleratorWantedFrom(
        suiteSettingsFrom({ ...env, KAIC_GENERIC_DEVICE_PATTERN: '', KAIC_GENERIC_ENV_PREFIX: '' }),
      ),
    ).to.throw(/KAIC_GENERIC_DEVICE_PATTERN .* or KAIC_GENERIC_ENV_PREFIX .*neither is set/);
    expect(() =>
      acceleratorWantedFrom(suiteSettingsFrom({ ...env, KAIC_GENERIC_DEVICE_PATTERN: '^a\\w$' })),
    ).to.throw(/^KAIC_GENERIC_DEVICE_PATTERN="\^a\\w\$"; uses \\d/);
    expect(() =>
      acceleratorWantedFrom(
        suiteSettingsFrom({ ...env, KAIC_GENERIC_CONTROL_DEVICES: 'kfd,a/b/c' }),
      ),
    ).to.throw(/^KAIC_GENERIC_CONTROL_DEVICES="kfd,a\/b\/c"; "a\/b\/c" is not a device node/);
  });
});

/**
 * Just enough of a Kubernetes API server for detectAccelerator: nodes, the served groups, and
 * DRA's DeviceClasses and ResourceSlices (v1) when `dra` is set.
 */
async function fakeApiServer(cluster: {
  nodes: Array<{
    name: string;
    allocatable?: Record<string, string>;
    labels?: Record<string, string>;
  }>;
  dra?: { classes: Array<{ name: string; extendedResourceName?: string }>; slices: unknown[] };
}): Promise<{ kc: k8s.KubeConfig; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const items = (list: unknown[]) => ({ items: list, metadata: {} });
    let body: unknown;
    if (url.pathname === '/api/v1/nodes') {
      body = {
        kind: 'NodeList',
        apiVersion: 'v1',
        ...items(
          cluster.nodes.map((n) => ({
            metadata: { name: n.name, labels: n.labels ?? {} },
            spec: {},
            status: {
              allocatable: n.allocatable ?? {},
              conditions: [{ type: 'Ready', status: 'True' }],
            },
          })),
        ),
      };
    } else if (url.pathname === '/apis') {
      const groups = cluster.dra
        ? [
            {
              name: 'resource.k8s.io',
              versions: [{ groupVersion: 'resource.k8s.io/v1', version: 'v1' }],
              preferredVersion: { groupVersion: 'resource.k8s.io/v1', version: 'v1' },
            },
          ]
        : [];
      body = { kind: 'APIGroupList', apiVersion: 'v1', groups };
    } else if (cluster.dra && url.pathname === '/apis/resource.k8s.io/v1/deviceclasses') {
      body = items(
        cluster.dra.classes.map((c) => ({
          metadata: { name: c.name },
          spec: c.extendedResourceName ? { extendedResourceName: c.extendedResourceName } : {},
        })),
      );
    } else if (cluster.dra && url.pathname === '/apis/resource.k8s.io/v1/resourceslices') {
      // No slice here is kaic's fake driver's: a label selector selects none.
      body = items(url.searchParams.get('labelSelector') ? [] : cluster.dra.slices);
    }
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body ?? { kind: 'Status', code: 404 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'fake' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
    currentContext: 'fake',
  });
  return { kc, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** One complete pool of `devices` devices of `driver` on `node`. */
function slice(driver: string, node: string, devices: number): unknown {
  return {
    metadata: { name: `${node}-${driver}` },
    spec: {
      driver,
      nodeName: node,
      pool: { name: node, generation: 1, resourceSliceCount: 1 },
      devices: Array.from({ length: devices }, (_, i) => ({ name: `dev-${i}` })),
    },
  };
}

describe('detectAccelerator over every profile', function () {
  async function detect(
    cluster: Parameters<typeof fakeApiServer>[0],
    wanted: Parameters<typeof detectAccelerator>[1] = {},
  ) {
    const { kc, close } = await fakeApiServer(cluster);
    try {
      return await detectAccelerator(kc, wanted);
    } finally {
      await close();
    }
  }

  it('auto finds AMD GPUs by their DRA driver', async function () {
    const setup = await detect({
      nodes: [{ name: 'gpu-node' }],
      dra: { classes: [{ name: 'gpu.amd.com' }], slices: [slice('gpu.amd.com', 'gpu-node', 8)] },
    });
    expect([setup.profile.kind, setup.mode, setup.nodes]).to.deep.equal([
      'amd',
      'dra',
      ['gpu-node'],
    ]);
  });

  it('auto finds Intel GPUs by the device-plugin resource the nodes have (xe), and requests that one', async function () {
    const setup = await detect({
      nodes: [
        { name: 'a', allocatable: { 'gpu.intel.com/xe': '2' } },
        { name: 'b', allocatable: { 'gpu.intel.com/xe': '1', 'gpu.intel.com/monitoring': '1' } },
        { name: 'c', allocatable: { cpu: '8' } },
      ],
    });
    expect(setup.profile.kind).to.equal('intel-gpu');
    expect(setup.mode).to.equal('device-plugin');
    expect(setup.profile.extendedResource).to.equal('gpu.intel.com/xe');
    expect(setup.nodes).to.deep.equal(['a', 'b']);
  });

  it('auto finds Neuron devices, and a configured generic profile after the built-in ones', async function () {
    const neuron = await detect({
      nodes: [
        {
          name: 'inf2',
          allocatable: { 'aws.amazon.com/neuron': '1', 'aws.amazon.com/neuroncore': '2' },
        },
      ],
    });
    expect([neuron.profile.kind, neuron.profile.extendedResource]).to.deep.equal([
      'aws-neuron',
      'aws.amazon.com/neuron',
    ]);
    const generic = genericProfile({
      deviceClass: 'accel.example.com',
      extendedResource: 'example.com/accel',
      devicePattern: '^accel[0-9]+$',
    });
    const found = await detect(
      { nodes: [{ name: 'n', allocatable: { 'example.com/accel': '4' } }] },
      { kind: 'auto', generic },
    );
    expect(found.profile.kind).to.equal('generic');
  });

  it('finds time-sliced GPUs where every device is shared, saying its units are replicas', async function () {
    const setup = await detect({
      nodes: [
        {
          name: 'shared',
          allocatable: { 'nvidia.com/gpu': '8' },
          labels: { 'nvidia.com/gpu.replicas': '4' },
        },
      ],
    });
    expect([setup.profile.kind, setup.mode, setup.nodes, setup.sharedReplicas]).to.deep.equal([
      'nvidia',
      'device-plugin',
      ['shared'],
      true,
    ]);
    expect(setup.profile.extendedResource).to.equal('nvidia.com/gpu');
    expect(setup.reason).to.include('shared replicas of whole devices');
  });

  it('prefers whole devices to shared replicas, and finds nothing where there is neither', async function () {
    const setup = await detect({
      nodes: [
        { name: 'whole', allocatable: { 'nvidia.com/gpu': '2' } },
        { name: 'renamed', allocatable: { 'nvidia.com/gpu.shared': '8' } },
      ],
    });
    expect([setup.profile.extendedResource, setup.nodes, setup.sharedReplicas]).to.deep.equal([
      'nvidia.com/gpu',
      ['whole'],
      undefined,
    ]);
    let error: Error | undefined;
    await detect({ nodes: [{ name: 'cpu', allocatable: { cpu: '8' } }] }).catch(
      (e: Error) => (error = e),
    );
    expect(error).to.be.instanceOf(AcceleratorError);
    expect(error?.message).to.match(/^no accelerator found \(profile auto, allocation mode auto\)/);
    expect(error?.message).to.contain('the server serves no resource.k8s.io API (DRA is off)');
    for (const kind of AUTO_DETECTION_ORDER) expect(error?.message).to.contain(`${kind}: `);
  });

  it('refuses a device-plugin resource a DeviceClass backs (KEP-5004)', async function () {
    let error: Error | undefined;
    await detect(
      {
        nodes: [{ name: 'n', allocatable: { 'google.com/tpu': '4' } }],
        dra: {
          classes: [{ name: 'tpu.google.com', extendedResourceName: 'google.com/tpu' }],
          slices: [],
        },
      },
      { kind: 'google-tpu' },
    ).catch((e: Error) => (error = e));
    expect(error?.message).to.contain(
      'google-tpu: DeviceClass tpu.google.com exists, 0 Ready node(s) with complete tpu.google.com pools',
    );
    expect(error?.message).to.contain(
      'google-tpu: google.com/tpu is backed by DRA (DeviceClass tpu.google.com)',
    );
  });
});
