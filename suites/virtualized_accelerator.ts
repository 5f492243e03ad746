/**
 * virtualized_accelerator (SHOULD): virtualized accelerators (vGPU, passthrough) are offered
 * through the same resource management as whole devices. Detected from NVIDIA's node labels and
 * DRA device classes; where one exists, a pod holding it runs and sees exactly one device. A
 * cluster without any is reported Unknown with what was looked for, never as a failure.
 */
import { expect } from 'chai';

import { parseProbe, probeScript, vgpuEvidence } from '../src/accelerators/profiles.js';
import { DraObjects } from '../src/k8s/dra-objects.js';
import { servedDraApi } from '../src/k8s/discovery.js';
import {
  createNamespace,
  createPod,
  deleteNamespace,
  exec,
  suiteCluster,
  waitRunning,
  workloadImage,
  IDLE_COMMAND,
} from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): one pod holds a virtualized device. */
export const budget: SuiteBudget = { devices: 1, typicalSeconds: 2 };

/** DRA classes for virtualized or passed-through GPUs (NVIDIA's DRA driver). */
const VIRTUAL_CLASSES = ['vfio.gpu.nvidia.com', 'vgpu.nvidia.com'];

describe(`${requirementTag('virtualized_accelerator', 'SHOULD')} Virtualized accelerators`, function () {
  this.timeout(180_000);

  it('offers a virtualized accelerator that a pod can hold and see', async function () {
    const { core, kc } = suiteCluster();
    const nodes = (await core.listNode()).items;
    const labelled = nodes.filter((n) => vgpuEvidence(n.metadata?.labels) !== null);
    const bareMetal = nodes.filter(
      (n) => n.metadata?.labels?.['nvidia.com/vgpu.present'] === 'false',
    ).length;
    const api = await servedDraApi(kc);
    const classes = api
      ? (await new DraObjects(kc, api).list('DeviceClass'))
          .map((c) => c.metadata?.name as string)
          .filter((n) => VIRTUAL_CLASSES.includes(n))
      : [];
    recordEvidence(
      this,
      'observed',
      `vGPU evidence on ${labelled.length} node(s)` +
        (labelled.length
          ? ` (${labelled.map((n) => `${n.metadata?.name}: ${vgpuEvidence(n.metadata?.labels)}`).join(', ')})`
          : '') +
        (bareMetal
          ? `; ${bareMetal} node(s) labelled nvidia.com/vgpu.present=false (bare metal)`
          : '') +
        `; virtual DeviceClasses: ${classes.join(', ') || 'none'}`,
    );
    if (labelled.length === 0 && classes.length === 0) {
      skipBecause(
        this,
        `no virtualized accelerator found (node labels nvidia.com/vgpu.present=true or nvidia.com/vgpu.host-driver-version; DeviceClasses ${VIRTUAL_CLASSES.join(', ')})`,
      );
    }
    const resource = 'nvidia.com/gpu';
    const node = labelled[0];
    if (!node || Number(node.status?.allocatable?.[resource] ?? 0) === 0) {
      skipBecause(
        this,
        'a virtualized accelerator is advertised, but kaic can only exercise vGPU nodes with nvidia.com/gpu allocatable so far',
      );
    }
    const ns = await createNamespace('kaic-vgpu');
    try {
      await createPod({
        metadata: { name: 'vgpu', namespace: ns },
        spec: {
          nodeSelector: { 'kubernetes.io/hostname': node.metadata?.name as string },
          containers: [
            {
              name: 'main',
              image: workloadImage(),
              command: [...IDLE_COMMAND],
              resources: { limits: { [resource]: '1' } },
            },
          ],
        },
      });
      await waitRunning(ns, 'vgpu');
      const out = await exec(
        ns,
        'vgpu',
        'main',
        probeScript({ kind: 'devnodes', pattern: '^nvidia[0-9]+$' }),
      );
      recordEvidence(this, 'observed', out.stdout.trim());
      expect(parseProbe(out.stdout)).to.equal(1);
    } finally {
      await deleteNamespace(ns, { until: 'released' });
    }
  });
});
