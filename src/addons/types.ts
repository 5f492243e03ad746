/**
 * What an addon is to kaic: its spec (what it needs, what it lets a suite verify) and, per way of
 * installing, what it installs. Providers say *how* (a process beside the cluster with a Service
 * published through the real node; objects in a cluster whose pods run); each addon's folder says
 * *what*. src/addons/registry.ts lists them, one line each.
 */
import type * as k8s from '@kubernetes/client-node';

import type { GpuProfile } from '../fakegpu/profiles.js';
import type { FakeGpuDriver } from './fake-gpu/drivers.js';
import type { GangScheduler } from './gang-scheduler/pin.js';
import type { AddonImage } from '../images/addon-images.js';
import type { KindChart } from './charts.js';
import type { KubernetesRelease } from '../versions/kubernetes.js';

export interface AddonSpec<Id extends string = string> {
  id: Id;
  /** What is installed, as the log says it. */
  component: string;
  version: string;
  /** Addons that must be ready first (their ids). */
  needs: readonly string[];
  /** Requirement ids whose suites it lets verify something. */
  enables: readonly string[];
  /**
   * Why it needs the real node, when it does: its process is published to the cluster through a
   * stand-in pod on the real node, or it is only useful with pods that run.
   */
  realNode?: string;
  /**
   * The Helm chart (of the component's own module) kaic installs it from into clusters it does
   * not run it beside as a process: kind, and an existing cluster when the addon is named.
   */
  chart?: 'kueue' | 'jobset';
}

/** Choices of the run that change what an addon builds and installs. */
export interface AddonChoices {
  fakeGpuDriver: FakeGpuDriver;
  /** Partitions per GPU of dra-example-driver (0: whole devices only). */
  gpuPartitions: number;
  /** The gang scheduler of the gang-scheduler addon. */
  gangScheduler: GangScheduler;
}

/** Where a kubelet plugin process finds the node it serves (the provider's real node). */
export interface KubeletPluginNode {
  name: string;
  /** The kubelet's plugin registration directory. */
  registryDir: string;
  /** The parent of the kubelet's per-driver plugin data directories. */
  pluginsDir: string;
  /**
   * The kubelet's device-plugin directory (its registration socket, the plugins' sockets); kubelet
   * fixes it at /var/lib/kubelet/device-plugins whatever its root directory.
   */
  devicePluginsDir: string;
  /** The directory containerd reads CDI specifications from. */
  cdiDir: string;
  kubeconfigPath: string;
}

/** A kubelet plugin the provider runs as a process for its node that runs pods. */
export interface RunningKubeletPlugin {
  node: string;
  output(): string;
  stop(): Promise<void>;
}

/** What an addon leaves for those after it. */
export interface SharedFacts {
  /** The accelerator as the results name it, when it is not kaic's simulated GPU profile. */
  accelerator?: string;
  /** The simulated GPUs' profile (fake-gpu with kaic's driver). */
  gpuProfile?: GpuProfile;
  /** Where Prometheus answers from this machine (prometheus). */
  prometheusUrl?: string;
}

export interface StartedAddon {
  /** One line for the log: what runs and where. */
  summary: string;
  /** Settings the suites read (KAIC_<NAME>) to find it. */
  env?: Record<string, string>;
  stop(): Promise<void>;
}

export interface PublishedService {
  /** `namespace/name`, for the log. */
  ref: string;
  remove(): Promise<void>;
}

/** How a provider runs an addon as a process on this machine beside its cluster (kwok). */
export interface BesideClusterContext {
  kubeConfig: k8s.KubeConfig;
  kubeconfigPath: string;
  /** The cluster CA (PEM files), for the certificates of webhooks served from here. */
  ca: { cert: string; key: string };
  release: KubernetesRelease;
  /** The addon's own directory, for its files and logs. */
  dir: string;
  gpuProfile: string;
  gpusPerNode: number;
  choices: AddonChoices;
  log: (line: string) => void;
  shared: SharedFacts;
  /**
   * Publishes a port of this machine as a cluster Service, so pods reach it; throws when the
   * cluster cannot (no real node on kwok).
   */
  publishService(service: {
    namespace: string;
    name: string;
    labels: Record<string, string>;
    portName: string;
    port: number;
  }): Promise<PublishedService>;
  /** The provider's node whose pods run, as its kubelet plugins see it; throws when none. */
  kubeletPluginNode(): KubeletPluginNode;
  /**
   * Runs a kubelet plugin binary for the provider's node whose pods run, given that node's
   * directories; throws when the cluster has no such node.
   */
  startKubeletPlugin(
    command: (node: KubeletPluginNode) => {
      file: string;
      args: string[];
      env: Record<string, string>;
    },
  ): Promise<RunningKubeletPlugin>;
  /**
   * Records a directory the addon created outside the run's own (a host path a driver expects),
   * so the action's post step removes it when the run was killed before its own stop.
   */
  recordCreatedDirectory(path: string): void;
  /** The provider's simulated GPUs (kaic's driver) on its nodes. */
  startSimulatedGpus(): Promise<{ profile: GpuProfile; summary: string; stop(): Promise<void> }>;
}

/** An addon as installed into a cluster whose pods run, under kaic's install label. */
export interface InClusterInstall {
  /** What shows the cluster already has it (then it is left as it is), or null. */
  present(): Promise<string | null>;
  /** What the suites are told when it was already there. */
  presentEnv?: Record<string, string>;
  install(): Promise<{ env: Record<string, string>; stop: () => Promise<void> }>;
  /**
   * Its stop ends processes on this machine (the autoscaler), so it runs even when the cluster is
   * deleted next; the others only remove objects, which a deleted cluster takes with it.
   */
  runsHere?: boolean;
}

/** How a provider installs an addon into a cluster whose pods run (kind, an existing cluster). */
export interface InClusterContext {
  kubeConfig: k8s.KubeConfig;
  /** The same kubeconfig as a file, for what runs as a process here (the autoscaler). */
  kubeconfigPath: string;
  /** The addon's own directory, for what runs here. */
  dir: string;
  release: KubernetesRelease;
  /** The cluster's gitVersion, for the charts' version checks. */
  serverVersion: string;
  gpuProfile: string;
  gpusPerNode: number;
  /** The run's choices that change what an addon installs (which gang scheduler). */
  choices: AddonChoices;
  log: (line: string) => void;
  /** How long to wait for what is installed to be ready (images are pulled). */
  readyTimeoutMs?: number;
  /** Told about a chart before it is applied (an existing cluster outlives the run). */
  onChart?: (chart: KindChart) => void;
  /** `CRD <name>` when the cluster has the CRD, else null. */
  crdPresent(name: string): Promise<string | null>;
  /**
   * The name the addon's manifests give `image`: the pinned upstream image, or with `--images
   * local` the one built here, loaded into the cluster's nodes by then.
   */
  image(image: AddonImage): Promise<string>;
}

export interface Addon<Id extends string = string> {
  spec: AddonSpec<Id>;
  /** What the run's choices install, where they change it (the log names it at the start). */
  installs?(choices: AddonChoices): { component: string; version: string };
  /**
   * Builds what it needs on this machine (or finds it cached) ahead of a run: `npm run k8s:build
   * -- --addons` calls it; a run builds the same on first use.
   */
  prepare?(log: (line: string) => void, choices: AddonChoices): Promise<void>;
  /** As a process beside a kwok cluster; absent where kaic does not run it that way. */
  besideCluster?(ctx: BesideClusterContext): Promise<StartedAddon>;
  /**
   * Into a cluster whose pods run; `comesWith` when another addon's install brings it; absent
   * where kaic does not install it there yet.
   */
  inCluster?(ctx: InClusterContext): InClusterInstall | { comesWith: string };
  /**
   * The images its in-cluster installs run: with the run's choices, those they install; without,
   * every one (what `kaic images` builds).
   */
  images?(choices?: AddonChoices): AddonImage[];
}

/** Keeps an addon's id a literal type, so the registry yields the union of ids. */
export function defineAddon<const Id extends string>(addon: Addon<Id>): Addon<Id> {
  return addon;
}
