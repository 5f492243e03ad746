/**
 * The fake-GPU driver's kubelet plugin: it registers with the kubelet over the plugin-registration
 * socket and serves the DRA node service (v1 and v1beta1) on its own socket. Preparing a claim
 * reads the claim's allocation from the API server, finds the devices in this node's slices,
 * writes the claim's fake nvidia-smi and CDI spec, records the claim in a checkpoint and answers
 * with CDI device ids. Per-claim failures go back in the response (the kubelet retries); only a
 * malformed request is refused as a whole (INVALID_ARGUMENT).
 */
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

import * as grpc from '@grpc/grpc-js';
import * as k8s from '@kubernetes/client-node';

import { DraObjects, httpStatus } from '../../k8s/dra-objects.js';
import type { DraApiVersion } from '../../versions/kubernetes.js';
import { gpuUuid, pciBusId, type GpuProfile } from '../profiles.js';
import { MANAGED_BY, MANAGED_BY_LABEL, devicesOf, type DeviceSpec } from '../slices.js';
import {
  cdiDeviceId,
  cdiSpecFile,
  claimSpec,
  writeClaimSpec,
  writeFileAtomically,
  type ClaimDevice,
} from './cdi.js';
import { Checkpoint, type PreparedClaim, type PreparedDevice } from './checkpoint.js';
import { DRA_SERVICES, draService, registrationService } from './grpc-services.js';
import { nvidiaSmiScript, type VisibleGpu } from './nvidia-smi.js';
import { CDI_DIR, KUBELET_PLUGINS_DIR, KUBELET_REGISTRY_DIR, STATE_DIR } from './paths.js';

export interface KubeletPluginOptions {
  kubeConfig: k8s.KubeConfig;
  nodeName: string;
  profile: GpuProfile;
  api: DraApiVersion;
  /** Where the kubelet looks for registration sockets. */
  registryDir?: string;
  /** Where the DRA socket goes (default <plugins dir>/<driver>). */
  pluginDir?: string;
  cdiDir?: string;
  /** Checkpoint and per-claim files; the same path on the node, since CDI mounts name it. */
  stateDir?: string;
  log?: (line: string) => void;
}

interface ClaimRef {
  namespace: string;
  uid: string;
  name: string;
}

type AllocatedClaim = {
  metadata?: { uid?: string };
  status?: {
    allocation?: {
      devices?: {
        results?: Array<{ request: string; driver: string; pool: string; device: string }>;
      };
    };
  };
};

type ClaimsRequest = { claims?: ClaimRef[] };

class ClaimError extends Error {}

export class KubeletPlugin {
  private readonly objects: DraObjects;
  private readonly checkpoint: Checkpoint;
  private readonly log: (line: string) => void;
  private draServer: grpc.Server | null = null;
  private registrationServer: grpc.Server | null = null;
  /** Prepare and unprepare change files and the checkpoint one at a time. */
  private serial: Promise<unknown> = Promise.resolve();
  /** What the kubelet said in NotifyRegistrationStatus, if it has. */
  registration: { registered: boolean; error: string } | null = null;

  constructor(private readonly options: KubeletPluginOptions) {
    this.objects = new DraObjects(options.kubeConfig, options.api);
    this.checkpoint = new Checkpoint(join(this.stateDir, 'checkpoint.json'));
    this.log = options.log ?? (() => undefined);
  }

  get driver(): string {
    return this.options.profile.driver;
  }
  get stateDir(): string {
    return this.options.stateDir ?? STATE_DIR;
  }
  get cdiDir(): string {
    return this.options.cdiDir ?? CDI_DIR;
  }
  get draSocket(): string {
    return join(this.options.pluginDir ?? join(KUBELET_PLUGINS_DIR, this.driver), 'dra.sock');
  }
  get registrationSocket(): string {
    return join(this.options.registryDir ?? KUBELET_REGISTRY_DIR, `${this.driver}-reg.sock`);
  }

  /** Serves the DRA service first, then offers itself to the kubelet. */
  async start(): Promise<void> {
    await this.checkpoint.load();
    const handlers = {
      NodePrepareResources: this.unary((request: ClaimsRequest) => this.prepareAll(request)),
      NodeUnprepareResources: this.unary((request: ClaimsRequest) => this.unprepareAll(request)),
    };
    this.draServer = new grpc.Server();
    for (const version of DRA_SERVICES) this.draServer.addService(draService(version), handlers);
    await listen(this.draServer, this.draSocket);
    this.registrationServer = new grpc.Server();
    this.registrationServer.addService(registrationService(), {
      GetInfo: this.unary(async () => ({
        type: 'DRAPlugin',
        name: this.driver,
        endpoint: this.draSocket,
        supported_versions: [...DRA_SERVICES],
      })),
      NotifyRegistrationStatus: this.unary(
        async (status: { plugin_registered: boolean; error: string }) => {
          this.registration = { registered: status.plugin_registered, error: status.error };
          this.log(
            status.plugin_registered
              ? `registered with the kubelet as ${this.driver}`
              : `the kubelet refused the registration: ${status.error}`,
          );
          return {};
        },
      ),
    });
    await listen(this.registrationServer, this.registrationSocket);
    this.log(
      `kubelet plugin for ${this.driver} on ${this.options.nodeName}: DRA ${this.draSocket}, ` +
        `registration ${this.registrationSocket}, ${this.checkpoint.uids().length} claims prepared`,
    );
  }

  /** Stops serving and removes the sockets; prepared claims stay (the checkpoint keeps them). */
  async stop(): Promise<void> {
    for (const [server, socket] of [
      [this.registrationServer, this.registrationSocket],
      [this.draServer, this.draSocket],
    ] as const) {
      if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
      await rm(socket, { force: true });
    }
    this.registrationServer = null;
    this.draServer = null;
  }

  /** A gRPC unary handler from an async function; a thrown ServiceError keeps its code. */
  private unary<Req, Res>(work: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      work(call.request).then(
        (response) => callback(null, response),
        (error: Partial<grpc.ServiceError>) =>
          callback({
            code: error.code ?? grpc.status.INTERNAL,
            details: error.message ?? String(error),
          }),
      );
    };
  }

  private exclusively<T>(work: () => Promise<T>): Promise<T> {
    const next = this.serial.then(work, work);
    this.serial = next.catch(() => undefined);
    return next;
  }

  private async prepareAll(request: ClaimsRequest) {
    const claims = validClaims(request);
    const answers: Record<string, { devices: PreparedDevice[]; error: string }> = {};
    for (const claim of claims) {
      try {
        const prepared = await this.exclusively(() => this.prepare(claim));
        answers[claim.uid] = { devices: prepared.devices, error: '' };
      } catch (error) {
        const message = (error as Error).message;
        this.log(`prepare ${claim.namespace}/${claim.name} (${claim.uid}) failed: ${message}`);
        answers[claim.uid] = { devices: [], error: message };
      }
    }
    return { claims: answers };
  }

  private async unprepareAll(request: ClaimsRequest) {
    const claims = validClaims(request);
    const answers: Record<string, { error: string }> = {};
    for (const claim of claims) {
      try {
        await this.exclusively(() => this.unprepare(claim));
        answers[claim.uid] = { error: '' };
      } catch (error) {
        answers[claim.uid] = { error: (error as Error).message };
      }
    }
    return { claims: answers };
  }

  /** Idempotent: a claim prepared before (also before a restart) gets the same answer again. */
  async prepare(claim: ClaimRef): Promise<PreparedClaim> {
    const known = this.checkpoint.get(claim.uid);
    if (known) return known;
    const results = await this.allocatedHere(claim);
    const published = await this.nodeDevices();
    const devices: ClaimDevice[] = [];
    const visible: VisibleGpu[] = [];
    for (const result of results) {
      const device = published.get(result.device);
      const index = Number(/^gpu-(\d+)/.exec(result.device)?.[1]);
      if (!device || Number.isNaN(index)) {
        throw new ClaimError(
          `device ${result.device} of pool ${result.pool} is not one ${this.driver} publishes on node ${this.options.nodeName}`,
        );
      }
      const attribute = (name: string) => (device.attributes[name] as { string?: string })?.string;
      const uuid = attribute('uuid') ?? gpuUuid(this.options.nodeName, index);
      devices.push({ name: result.device, minor: index, uuid });
      const parentUuid = attribute('parentUUID');
      visible.push({
        minor: index,
        uuid: parentUuid ?? uuid,
        pciBusId:
          attribute('resource.kubernetes.io/pciBusID') ?? pciBusId(this.options.profile, index),
        mig: parentUuid
          ? {
              profile: attribute('profile') ?? '',
              uuid,
              instance: Number(/-(\d+)$/.exec(result.device)?.[1] ?? 0),
              memoryBytes: Number(device.capacity.memory?.value ?? 0),
            }
          : null,
      });
    }
    const claimDir = join(this.stateDir, 'claims', claim.uid);
    const nvidiaSmi = join(claimDir, 'nvidia-smi');
    const specPath = cdiSpecFile(this.cdiDir, this.driver, claim.uid);
    const files = [specPath, claimDir];
    try {
      await mkdir(claimDir, { recursive: true });
      await writeFileAtomically(
        nvidiaSmi,
        nvidiaSmiScript(this.options.profile, visible, `${claim.namespace}/${claim.name}`),
        0o755,
      );
      await chmod(nvidiaSmi, 0o755);
      await writeClaimSpec(
        this.cdiDir,
        this.driver,
        claimSpec(this.driver, claim.uid, devices, nvidiaSmi),
        claim.uid,
      );
      const prepared: PreparedClaim = {
        namespace: claim.namespace,
        name: claim.name,
        devices: results.map((r) => ({
          request_names: [r.request],
          pool_name: r.pool,
          device_name: r.device,
          cdi_device_ids: [cdiDeviceId(this.driver, claim.uid, r.device)],
        })),
        files,
      };
      await this.checkpoint.set(claim.uid, prepared);
      this.log(
        `prepared ${claim.namespace}/${claim.name}: ${results.map((r) => r.device).join(', ')}`,
      );
      return prepared;
    } catch (error) {
      // Nothing half-written stays behind; the kubelet will ask again.
      for (const file of files) await rm(file, { recursive: true, force: true });
      throw new ClaimError(`writing the claim's files failed: ${(error as Error).message}`);
    }
  }

  /** Removes exactly what prepare wrote; a claim never prepared (or already gone) is fine. */
  async unprepare(claim: ClaimRef): Promise<void> {
    const known = this.checkpoint.get(claim.uid);
    const files = known?.files ?? [
      cdiSpecFile(this.cdiDir, this.driver, claim.uid),
      join(this.stateDir, 'claims', claim.uid),
    ];
    for (const file of files) await rm(file, { recursive: true, force: true });
    if (known) {
      await this.checkpoint.delete(claim.uid);
      this.log(`unprepared ${claim.namespace}/${claim.name}`);
    }
  }

  /** The claim's allocation results for this driver, checked to be on this node. */
  private async allocatedHere(claim: ClaimRef) {
    let object: AllocatedClaim;
    try {
      object = (await this.objects.read(
        'ResourceClaim',
        claim.name,
        claim.namespace,
      )) as AllocatedClaim;
    } catch (error) {
      if (httpStatus(error) === 404) {
        throw new ClaimError(`ResourceClaim ${claim.namespace}/${claim.name} not found`);
      }
      throw error;
    }
    if (object.metadata?.uid !== claim.uid) {
      throw new ClaimError(
        `ResourceClaim ${claim.namespace}/${claim.name} has UID ${object.metadata?.uid}, not ${claim.uid} (deleted and created again?)`,
      );
    }
    const results = (object.status?.allocation?.devices?.results ?? []).filter(
      (r) => r.driver === this.driver,
    );
    if (!results.length) {
      throw new ClaimError(
        `ResourceClaim ${claim.namespace}/${claim.name} has no devices allocated from ${this.driver}`,
      );
    }
    const elsewhere = results.find((r) => r.pool !== this.options.nodeName);
    if (elsewhere) {
      throw new ClaimError(
        `device ${elsewhere.device} is in pool ${elsewhere.pool}, not on node ${this.options.nodeName}`,
      );
    }
    return results;
  }

  /** This node's devices of our driver, as published, by name. */
  private async nodeDevices(): Promise<Map<string, DeviceSpec>> {
    const slices = await this.objects.list(
      'ResourceSlice',
      `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
      `spec.nodeName=${this.options.nodeName},spec.driver=${this.driver}`,
    );
    return new Map(slices.flatMap((s) => devicesOf(this.options.api, s)).map((d) => [d.name, d]));
  }
}

function validClaims(request: ClaimsRequest): ClaimRef[] {
  const claims = request.claims ?? [];
  const bad = claims.find((c) => !c.uid || !c.name || !c.namespace);
  if (bad) {
    throw Object.assign(
      new Error(`every claim needs namespace, name and uid; got ${JSON.stringify(bad)}`),
      { code: grpc.status.INVALID_ARGUMENT },
    );
  }
  return claims;
}

async function listen(server: grpc.Server, socket: string): Promise<void> {
  await mkdir(join(socket, '..'), { recursive: true });
  await rm(socket, { force: true }); // a socket left by an earlier run
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix:${socket}`, grpc.ServerCredentials.createInsecure(), (error) =>
      error ? reject(error) : resolve(),
    ),
  );
}
