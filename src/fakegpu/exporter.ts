/**
 * A DCGM-exporter-compatible metrics endpoint for the simulated GPUs. Each scrape reads the
 * cluster: the devices from our ResourceSlices, which pod holds which device from ResourceClaim
 * allocations, and the load from the pod's `fakegpu.kaic.dev/utilization` annotation (percent;
 * default idle). Series carry DCGM exporter's names and labels, with pod/namespace/container on
 * allocated devices, so anything built for DCGM exporter reads them unchanged.
 */
import { createServer, type Server } from 'node:http';

import * as k8s from '@kubernetes/client-node';
import { Gauge, Registry } from 'prom-client';

import { DraObjects, type DraObject } from '../k8s/dra-objects.js';
import type { DraApiVersion } from '../versions/kubernetes.js';
import type { GpuProfile } from './profiles.js';
import { MANAGED_BY, MANAGED_BY_LABEL, PROFILE_LABEL, devicesOf } from './slices.js';

export const UTILIZATION_ANNOTATION = 'fakegpu.kaic.dev/utilization';

/**
 * The suite settings that tell accelerator_metrics how to load a simulated GPU: a pod annotated
 * busy at 90 %. kaic passes them wherever it runs its simulated GPUs; the suite knows no kaic name.
 */
export const SIMULATED_LOAD_SETTINGS: Record<string, string> = {
  KAIC_ACCELERATOR_LOAD_ANNOTATIONS: `${UTILIZATION_ANNOTATION}=90`,
};

/** Labels of the exporter's Service: DCGM exporter's as the GPU Operator sets them, and kaic's. */
export const EXPORTER_SERVICE_LABELS: Record<string, string> = {
  app: 'nvidia-dcgm-exporter',
  'app.kubernetes.io/name': 'kaic-fakegpu',
  'app.kubernetes.io/component': 'exporter',
};

/** Idle readings, and how the simulated board responds to load. */
const IDLE_TEMP_C = 34;
const FULL_LOAD_TEMP_RISE_C = 40;
const IDLE_POWER_SHARE = 0.1;

export interface DeviceReading {
  node: string;
  /** The physical GPU's index; a MIG instance carries its parent's. */
  index: number;
  uuid: string;
  /** Set for a MIG instance: its profile and its GPU instance id (here: its first memory slice). */
  mig: { profile: string; instance: number } | null;
  utilization: number;
  fbUsedMiB: number;
  fbFreeMiB: number;
  temperatureC: number;
  powerW: number;
  holder: { namespace: string; pod: string; container: string } | null;
}

interface ClaimStatus {
  metadata?: k8s.V1ObjectMeta;
  status?: {
    allocation?: {
      devices?: { results?: Array<{ driver: string; pool: string; device: string }> };
    };
    reservedFor?: Array<{ resource: string; name: string }>;
  };
}

/** Readings for every device from one consistent look at the cluster (pure; easy to test). */
export function readDevices(
  profile: GpuProfile,
  api: DraApiVersion,
  slices: DraObject[],
  claims: ClaimStatus[],
  pods: k8s.V1Pod[],
): DeviceReading[] {
  const holders = new Map<string, { pod: k8s.V1Pod; claimName: string }>();
  for (const claim of claims) {
    const podName = claim.status?.reservedFor?.find((r) => r.resource === 'pods')?.name;
    const pod = pods.find(
      (p) => p.metadata?.name === podName && p.metadata?.namespace === claim.metadata?.namespace,
    );
    if (!pod) continue;
    for (const result of claim.status?.allocation?.devices?.results ?? []) {
      if (result.driver !== profile.driver) continue;
      holders.set(`${result.pool}/${result.device}`, {
        pod,
        claimName: claim.metadata?.name as string,
      });
    }
  }
  const readings: DeviceReading[] = [];
  for (const slice of slices) {
    const node = (slice.spec as { nodeName: string }).nodeName;
    for (const device of devicesOf(api, slice)) {
      const held = holders.get(`${node}/${device.name}`);
      const isMig = (device.attributes.type as { string?: string }).string === 'mig';
      // A partitionable MIG placement is only a possibility until something is allocated there.
      if (isMig && device.consumesCounters && !held) continue;
      const index = Number(/^gpu-(\d+)/.exec(device.name)?.[1] ?? NaN);
      const totalMiB = Math.floor(Number(device.capacity.memory?.value ?? 0) / 2 ** 20);
      const parentUuid = device.attributes.parentUUID as { string: string } | undefined;
      const annotation = held?.pod.metadata?.annotations?.[UTILIZATION_ANNOTATION];
      const utilization = held ? Math.min(100, Math.max(0, Number(annotation ?? 0) || 0)) : 0;
      // The container that names the claim in its resources is the one DCGM attributes it to.
      const podClaim = held?.pod.spec?.resourceClaims?.find(
        (c) =>
          held.pod.status?.resourceClaimStatuses?.find((s) => s.name === c.name)
            ?.resourceClaimName === held.claimName || c.resourceClaimName === held.claimName,
      );
      const container = held?.pod.spec?.containers.find((c) =>
        c.resources?.claims?.some((ref) => ref.name === podClaim?.name),
      );
      const fbUsedMiB = held ? Math.round(totalMiB * (0.02 + 0.9 * (utilization / 100))) : 0;
      readings.push({
        node,
        index,
        // DCGM exporter labels MIG series with the parent GPU's UUID.
        uuid: (parentUuid ?? (device.attributes.uuid as { string: string })).string,
        mig: isMig
          ? {
              profile: (device.attributes.profile as { string: string }).string,
              instance: Number(/-(\d+)$/.exec(device.name)?.[1] ?? 0),
            }
          : null,
        utilization,
        fbUsedMiB,
        fbFreeMiB: totalMiB - fbUsedMiB,
        temperatureC: IDLE_TEMP_C + Math.round((FULL_LOAD_TEMP_RISE_C * utilization) / 100),
        powerW:
          Math.round(
            profile.powerLimitWatts *
              (IDLE_POWER_SHARE + (1 - IDLE_POWER_SHARE) * (utilization / 100)) *
              100,
          ) / 100,
        holder: held
          ? {
              namespace: held.pod.metadata?.namespace as string,
              pod: held.pod.metadata?.name as string,
              container: container?.name ?? '',
            }
          : null,
      });
    }
  }
  return readings.sort(
    (a, b) =>
      a.node.localeCompare(b.node) ||
      a.index - b.index ||
      (a.mig?.instance ?? -1) - (b.mig?.instance ?? -1),
  );
}

const LABELS = [
  'gpu',
  'UUID',
  'device',
  'modelName',
  'Hostname',
  'GPU_I_PROFILE',
  'GPU_I_ID',
  'namespace',
  'pod',
  'container',
] as const;

/** Prometheus text for the readings, with DCGM exporter's metric names and help texts. */
export async function renderMetrics(
  profile: GpuProfile,
  readings: DeviceReading[],
): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: [...LABELS], registers: [registry] });
  const util = gauge('DCGM_FI_DEV_GPU_UTIL', 'GPU utilization (in %).');
  const used = gauge('DCGM_FI_DEV_FB_USED', 'Framebuffer memory used (in MiB).');
  const free = gauge('DCGM_FI_DEV_FB_FREE', 'Framebuffer memory free (in MiB).');
  const temp = gauge('DCGM_FI_DEV_GPU_TEMP', 'GPU temperature (in C).');
  const power = gauge('DCGM_FI_DEV_POWER_USAGE', 'Power draw (in W).');
  for (const r of readings) {
    const labels = {
      gpu: String(r.index),
      UUID: r.uuid,
      device: `${profile.vendor === 'nvidia' ? 'nvidia' : 'accel'}${r.index}`,
      modelName: profile.productName,
      Hostname: r.node,
      GPU_I_PROFILE: r.mig?.profile ?? '',
      GPU_I_ID: r.mig ? String(r.mig.instance) : '',
      namespace: r.holder?.namespace ?? '',
      pod: r.holder?.pod ?? '',
      container: r.holder?.container ?? '',
    };
    util.set(labels, r.utilization);
    used.set(labels, r.fbUsedMiB);
    free.set(labels, r.fbFreeMiB);
    temp.set(labels, r.temperatureC);
    power.set(labels, r.powerW);
  }
  return registry.metrics();
}

export class DcgmExporter {
  private server: Server | null = null;
  private readonly objects: DraObjects;
  private readonly core: k8s.CoreV1Api;

  constructor(
    kc: k8s.KubeConfig,
    private readonly profile: GpuProfile,
    private readonly api: DraApiVersion,
  ) {
    this.objects = new DraObjects(kc, api);
    this.core = kc.makeApiClient(k8s.CoreV1Api);
  }

  async scrape(): Promise<string> {
    const [slices, claims, pods] = await Promise.all([
      this.objects.list(
        'ResourceSlice',
        `${MANAGED_BY_LABEL}=${MANAGED_BY},${PROFILE_LABEL}=${this.profile.name}`,
      ),
      this.objects.list('ResourceClaim') as Promise<ClaimStatus[]>,
      this.core.listPodForAllNamespaces().then((l) => l.items),
    ]);
    return renderMetrics(this.profile, readDevices(this.profile, this.api, slices, claims, pods));
  }

  /** Serves /metrics on host:port (port 0 picks one); resolves to the bound port. */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    this.server = createServer((req, res) => {
      if (req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end('not found: try /metrics\n');
        return;
      }
      this.scrape()
        .then((text) =>
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(text),
        )
        .catch((error: unknown) =>
          res.writeHead(500).end(`scrape failed: ${(error as Error).message}\n`),
        );
    });
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
