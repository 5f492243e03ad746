/** What every provider hands the rest of the pipeline: a cluster to talk to, and what it can do. */
import type { LabelledInstall } from '../addons/kind-charts.js';
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

export interface Provider {
  readonly name: ProviderName;
  up(): Promise<ClusterHandle>;
  /** Safe to call more than once, and before or after a failed up(). */
  down(): Promise<void>;
}
