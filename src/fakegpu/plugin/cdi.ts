/**
 * CDI (Container Device Interface) specs for prepared claims. One spec file per claim, written
 * before the kubelet is answered and removed on unprepare; the container runtime reads it when it
 * creates the container and applies the device's edits: device nodes, environment, mounts.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The oldest version that has everything we use, so containerd 1.7 accepts the specs too. */
export const CDI_VERSION = '0.5.0';

/** Device node numbers of NVIDIA's kernel modules, as on the reference H100 node. */
export const NVIDIA_MAJOR = 195;
export const NVIDIACTL_MINOR = 255;
export const NVIDIA_UVM_MAJOR = 238;

export interface CdiDeviceNode {
  path: string;
  type: 'c';
  major: number;
  minor: number;
  permissions: string;
}

export interface CdiMount {
  hostPath: string;
  containerPath: string;
  options: string[];
}

export interface CdiSpec {
  cdiVersion: string;
  kind: string;
  devices: Array<{
    name: string;
    containerEdits: { deviceNodes?: CdiDeviceNode[]; env?: string[]; mounts?: CdiMount[] };
  }>;
  containerEdits?: { deviceNodes?: CdiDeviceNode[]; env?: string[]; mounts?: CdiMount[] };
}

/** "k8s.gpu.nvidia.com/claim" for driver gpu.nvidia.com, as NVIDIA's driver names its claim specs. */
export function cdiKind(driver: string): string {
  return `k8s.${driver}/claim`;
}

/** The spec file of a claim: <vendor>-<class>_<claimUID>.json, the CDI naming convention. */
export function cdiSpecFile(cdiDir: string, driver: string, claimUid: string): string {
  return join(cdiDir, `${cdiKind(driver).replace('/', '-')}_${claimUid}.json`);
}

/** The fully qualified CDI device id the kubelet hands to the runtime. */
export function cdiDeviceId(driver: string, claimUid: string, device: string): string {
  return `${cdiKind(driver)}=${claimUid}-${device}`;
}

export interface ClaimDevice {
  /** The device's name in the ResourceSlice (gpu-0, gpu-1-mig-…). */
  name: string;
  /** /dev/nvidia<minor> of the GPU (a MIG device's parent). */
  minor: number;
  /** What NVIDIA_VISIBLE_DEVICES names: the GPU's or the MIG device's UUID. */
  uuid: string;
}

const charDevice = (path: string, major: number, minor: number): CdiDeviceNode => ({
  path,
  type: 'c',
  major,
  minor,
  permissions: 'rw',
});

/**
 * One CDI device per claimed device (its /dev/nvidia<minor>), and claim-wide edits every
 * container of the claim gets once: the control and UVM nodes, NVIDIA_VISIBLE_DEVICES with all
 * the claim's UUIDs, and the fake nvidia-smi.
 */
export function claimSpec(
  driver: string,
  claimUid: string,
  devices: ClaimDevice[],
  nvidiaSmiHostPath: string,
): CdiSpec {
  return {
    cdiVersion: CDI_VERSION,
    kind: cdiKind(driver),
    devices: devices.map((d) => ({
      name: `${claimUid}-${d.name}`,
      containerEdits: {
        deviceNodes: [charDevice(`/dev/nvidia${d.minor}`, NVIDIA_MAJOR, d.minor)],
        env: [`KAIC_FAKEGPU_DEVICE_${d.name.replace(/\W/g, '_').toUpperCase()}=${d.uuid}`],
      },
    })),
    containerEdits: {
      deviceNodes: [
        charDevice('/dev/nvidiactl', NVIDIA_MAJOR, NVIDIACTL_MINOR),
        charDevice('/dev/nvidia-uvm', NVIDIA_UVM_MAJOR, 0),
        charDevice('/dev/nvidia-uvm-tools', NVIDIA_UVM_MAJOR, 1),
      ],
      env: [
        `NVIDIA_VISIBLE_DEVICES=${devices.map((d) => d.uuid).join(',')}`,
        `KAIC_FAKEGPU_CLAIM=${claimUid}`,
      ],
      mounts: [
        {
          hostPath: nvidiaSmiHostPath,
          containerPath: '/usr/bin/nvidia-smi',
          options: ['ro', 'nosuid', 'nodev', 'bind'],
        },
      ],
    },
  };
}

/** Writes a file whole or not at all (temporary name, then rename). */
export async function writeFileAtomically(path: string, data: string, mode = 0o644): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data, { mode });
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export async function writeClaimSpec(
  cdiDir: string,
  driver: string,
  spec: CdiSpec,
  claimUid: string,
): Promise<string> {
  await mkdir(cdiDir, { recursive: true });
  const path = cdiSpecFile(cdiDir, driver, claimUid);
  await writeFileAtomically(path, JSON.stringify(spec, null, 2) + '\n');
  return path;
}
