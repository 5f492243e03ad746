/** What every provider hands the rest of the pipeline: a cluster to talk to, and what it can do. */
import type { LabelledInstall } from '../addons/charts.js';
import type { AddonId } from '../addons/plan.js';
import type { AddonChoices } from '../addons/types.js';
import type { UndoLog } from '../util/undo-log.js';
import type { KubernetesMinor } from '../versions/kubernetes.js';

export type ProviderName = 'kind' | 'kwok' | 'existing';

/** A group of identical simulated nodes. */
export interface NodeGroupSpec {
  /** Node names are `<namePrefix>-<index>`. */
  namePrefix: string;
  count: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Allocatable (and capacity) quantities, e.g. { cpu: '32', memory: '256Gi', pods: '110' }. */
  allocatable?: Record<string, string>;
  taints?: Array<{
    key: string;
    value?: string;
    effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }>;
}

export interface ClusterCapabilities {
  /**
   * Pods run real containers (exec, logs, device nodes) on every node; false on kwok, where kwok
   * fakes pod status, even when a real node joins (see realContainerNodes).
   */
  realContainers: boolean;
  /** Nodes whose pods run real containers: all of them on kind, the real node on kwok. */
  realContainerNodes: string[];
  /** kaic created the cluster and may delete it. */
  disposable: boolean;
  /** The simulated nodes carry SIMULATED_NODE_TAINT (kaic made them), so only pods that opt in land there. */
  simulatedNodesTainted: boolean;
}

export interface ClusterHandle {
  provider: ProviderName;
  /** Cluster name as the provider knows it. */
  name: string;
  kubeconfigPath: string;
  /** `gitVersion` the apiserver reports, e.g. v1.35.4. */
  serverVersion: string;
  minor: KubernetesMinor;
  nodes: string[];
  capabilities: ClusterCapabilities;
}

/**
 * Something a run created, recorded the moment it exists so that another process (the action's
 * post step) can remove it when the run's own process was killed before its teardown.
 */
export type CreatedResource =
  | { type: 'directory'; path: string }
  | { type: 'kwok-cluster'; workdir: string; name: string; kwokctl: string }
  | { type: 'kind-cluster'; name: string; kind: string }
  /** Namespaces labelled with the run's id in a cluster kaic did not create (never the cluster). */
  | { type: 'run-namespaces'; kubeconfigPath: string; runId: string }
  /** What kaic applied from an addon's chart (found again by its label), in a cluster it did not create. */
  | { type: 'chart'; kubeconfigPath: string; chart: LabelledInstall };

export type OnCreated = (resource: CreatedResource) => void;

/** A cluster's life: what each provider class does, and all that tests and benches need of one. */
export interface ClusterLifecycle {
  readonly name: ProviderName;
  up(): Promise<ClusterHandle>;
  /** Safe to call more than once, and before or after a failed up(). */
  down(): Promise<void>;
}

/** Where a component writes its logs, copied beside the reports when a run fails. */
export interface LogSource {
  /** Subdirectory of the destination, e.g. `cluster` or `addons`. */
  name: string;
  dir: string;
}

/** What installing addons is given by the run. */
export interface AddonInstallContext {
  /** The addons asked for; what they need comes with them. */
  requested: readonly AddonId[];
  /** Choices that change what an addon installs (which simulated-GPU driver). */
  choices: AddonChoices;
  gpuProfile: string;
  gpusPerNode: number;
  log: (line: string) => void;
  /** Runs a step as a named phase of the run (its line and its time in the progress table). */
  phase: <T>(title: string, step: () => Promise<T>) => Promise<T>;
  /** Each addon's removal is registered here the moment it is installed. */
  undo: UndoLog;
}

export interface InstalledAddons {
  /** Settings the suites read (KAIC_<NAME>) to find the addons. */
  env: Record<string, string>;
  /** The accelerator the suites test, as the results name it; null when none is known. */
  accelerator: string | null;
}

/**
 * A provider as the run uses it (src/providers/index.ts makes one from the run's config): the
 * cluster's life, where its components log, and how addons are installed there. The rest of the
 * run never asks which provider it has.
 */
export interface Provider extends ClusterLifecycle {
  /** The phase title of up(), e.g. `cluster up (kwok, Kubernetes 1.35)`. */
  readonly upTitle: string;
  /** Where the components of the cluster that is up write their logs. */
  logSources(): LogSource[];
  /**
   * Called before up() with the addons the run will install (and `forWhat`, the requirements
   * each is for, for the log): kwok builds what they run from on this machine beside the
   * cluster's start; kind with local images preloads their images into the node image.
   */
  prepareAddons?(
    requested: readonly AddonId[],
    forWhat: ReadonlyMap<AddonId, readonly string[]>,
    log: (line: string) => void,
  ): Promise<void>;
  /** Installs the requested addons the way this provider does; call after up(). */
  installAddons(ctx: AddonInstallContext): Promise<InstalledAddons>;
}
