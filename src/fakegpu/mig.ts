/**
 * Which MIG layout a publisher uses: what the user asked for, checked against the GPU profile,
 * the node's GPU count and what the cluster's Kubernetes minor supports (the version table).
 */
import type { DraApiVersion, MigMode } from '../versions/kubernetes.js';
import type { GpuProfile } from './profiles.js';
import type { MigLayout } from './slices.js';
import { InputError } from '../errors.js';

export class PublisherError extends InputError {
  override name = 'PublisherError';
}

export const MIG_REQUESTS = ['off', 'auto', 'partitionable', 'static'] as const;
export type MigRequest = (typeof MIG_REQUESTS)[number];

export interface MigChoice {
  request: MigRequest;
  /** Static MIG: GPUs per node cut into MIG devices (default: half, at least one). */
  gpus?: number;
  /** Static MIG: the MIG profile they are cut into (default: the smallest). */
  profileName?: string;
}

/**
 * `auto` takes the minor's mode from the version table (`minorMode`, null for a minor the table
 * does not know: static, which every DRA version can express) and turns MIG off for a profile
 * without it; an explicit mode on such a profile is an error.
 */
export function resolveMigLayout(
  choice: MigChoice,
  profile: GpuProfile,
  gpusPerNode: number,
  minorMode: MigMode | null,
): MigLayout {
  if (!(MIG_REQUESTS as readonly string[]).includes(choice.request)) {
    throw new PublisherError(
      `MIG mode "${choice.request}" is not one of ${MIG_REQUESTS.join(', ')}`,
    );
  }
  if (choice.request === 'off') return { mode: 'off' };
  if (choice.request === 'auto' && !profile.migProfiles.length) return { mode: 'off' };
  const mode = choice.request === 'auto' ? (minorMode ?? 'static') : choice.request;
  if (!profile.migProfiles.length) {
    throw new PublisherError(`GPU profile ${profile.name} has no MIG; publish it without MIG`);
  }
  if (mode === 'partitionable') return { mode };
  const migName = choice.profileName ?? profile.migProfiles[0]?.name;
  const mig = profile.migProfiles.find((m) => m.name === migName);
  if (!mig) {
    throw new PublisherError(
      `MIG profile "${migName}" is not one of ${profile.name}'s: ` +
        profile.migProfiles.map((m) => m.name).join(', '),
    );
  }
  return { mode, gpus: choice.gpus ?? Math.ceil(gpusPerNode / 2), profile: mig };
}

/** MIG needs a profile that has it, partitionable MIG the v1 API, static MIG GPUs to cut. */
export function checkMigLayout(options: {
  profile: GpuProfile;
  gpusPerNode: number;
  mig?: MigLayout;
  api: DraApiVersion;
}): void {
  const layout = options.mig ?? { mode: 'off' };
  if (layout.mode === 'off') return;
  const { profile } = options;
  if (!profile.migProfiles.length) {
    throw new PublisherError(`GPU profile ${profile.name} has no MIG; publish it without MIG`);
  }
  if (layout.mode === 'partitionable' && options.api !== 'resource.k8s.io/v1') {
    throw new PublisherError(
      'partitionable MIG devices need resource.k8s.io/v1 as Kubernetes 1.35+ serves it; ' +
        `the cluster speaks ${options.api}: publish static MIG devices instead`,
    );
  }
  if (layout.mode === 'static') {
    if (!Number.isInteger(layout.gpus) || layout.gpus < 1 || layout.gpus > options.gpusPerNode) {
      throw new PublisherError(
        `MIG GPUs per node must be a whole number from 1 to the node's ${options.gpusPerNode} ` +
          `GPUs, got ${layout.gpus}`,
      );
    }
    if (!profile.migProfiles.includes(layout.profile)) {
      throw new PublisherError(
        `MIG profile ${layout.profile.name} is not one of ${profile.name}'s`,
      );
    }
  }
}
