/**
 * gpu-metrics: kaic's DCGM-style exporter of the simulated GPUs' utilization and memory, for
 * accelerator_metrics. Beside kwok it serves from here as a cluster Service; in a cluster whose
 * pods run it comes with the fake-GPU driver's manifests.
 */
import { DcgmExporter, EXPORTER_SERVICE_LABELS } from '../../fakegpu/exporter.js';
import { KAIC_VERSION } from '../../version.js';
import { defineAddon } from '../types.js';

export const gpuMetrics = defineAddon({
  spec: {
    id: 'gpu-metrics',
    component: "kaic's DCGM-style exporter",
    version: KAIC_VERSION,
    needs: ['fake-gpu'],
    enables: ['accelerator_metrics'],
    realNode: 'published as a cluster Service through a pod on the real node',
  },
  async besideCluster(ctx) {
    const exporter = new DcgmExporter(
      ctx.kubeConfig,
      ctx.shared.gpuProfile!,
      ctx.release.draApiVersion,
    );
    const port = await exporter.listen(0);
    // Published as the in-cluster exporter is on kind: a Service labelled as the GPU Operator
    // labels DCGM exporter's, which the suite finds by the profile's exporter labels.
    const service = await ctx
      .publishService({
        namespace: 'kaic-fakegpu',
        name: 'kaic-fakegpu-exporter',
        labels: EXPORTER_SERVICE_LABELS,
        portName: 'metrics',
        port,
      })
      .catch(async (error: unknown) => {
        await exporter.close();
        throw error;
      });
    return {
      summary: `Service ${service.ref}`,
      async stop() {
        await service.remove();
        await exporter.close();
      },
    };
  },
  inCluster: () => ({ comesWith: "kaic's exporter comes with the fake-GPU driver's manifests" }),
});
