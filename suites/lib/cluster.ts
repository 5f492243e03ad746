/**
 * What every conformance suite needs from the cluster under test: a client (KUBECONFIG), the
 * accelerator setup (profile, allocation mode, nodes), labelled namespaces that are removed and
 * waited for, pods that hold accelerators, and waits that say what they waited for.
 *
 * Settings (the cluster, the accelerator, the workload image): ./settings.ts, listed in
 * docs/suite-settings.md.
 */
import { randomBytes } from 'node:crypto';

import * as k8s from '@kubernetes/client-node';

import {
  AcceleratorError,
  detectAccelerator,
  type AcceleratorSetup,
} from '../../src/accelerators/profiles.js';
import { DraObjects, claimTemplate, type DraObject } from '../../src/k8s/dra-objects.js';
import { execInPod, type ExecResult } from '../../src/k8s/exec.js';
import { loadKubeConfig } from '../../src/k8s/kubeconfig.js';
import { KWOK_NODE_ANNOTATION } from '../../src/k8s/kwok-nodes.js';
import { RUN_ID_LABEL, TEST_NAMESPACE_LABEL } from '../../src/k8s/test-labels.js';
import { WaitAborted, waitFor } from '../../src/util/wait.js';
import { mirroredImage } from '../../src/versions/images.js';
import { acceleratorWanted, suiteSettings } from './settings.js';

export { WaitAborted, waitFor };

export { RUN_ID_LABEL, TEST_NAMESPACE_LABEL };

/** Labels of every object a suite creates for a test: the test label and the run's id. */
export function testObjectLabels(): Record<string, string> {
  const runId = suiteSettings().runId;
  return { [TEST_NAMESPACE_LABEL]: 'true', ...(runId ? { [RUN_ID_LABEL]: runId } : {}) };
}

export interface SuiteCluster {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
}

let cluster: SuiteCluster | null = null;

export function suiteCluster(): SuiteCluster {
  if (!cluster) {
    const kc = loadKubeConfig(suiteSettings().kubeconfig);
    cluster = { kc, core: kc.makeApiClient(k8s.CoreV1Api) };
  }
  return cluster;
}

/** Forgets the cached client and accelerator (the runner points KUBECONFIG elsewhere). */
export function resetSuiteCluster(): void {
  cluster = null;
  accelerator = null;
}

let accelerator: Promise<AcceleratorSetup> | null = null;

/** The accelerator the suites test, detected once per run. */
export function acceleratorSetup(): Promise<AcceleratorSetup> {
  accelerator ??= (async () => {
    let chosen;
    try {
      chosen = acceleratorWanted();
    } catch (error) {
      throw new AcceleratorError((error as Error).message);
    }
    return detectAccelerator(suiteCluster().kc, chosen);
  })();
  return accelerator;
}

/** The accelerator, or the working group's ENVIRONMENT ERROR when there is none to test. */
export async function requireAcceleratorSetup(): Promise<AcceleratorSetup> {
  return acceleratorSetup().catch((error: Error) => {
    throw new Error(`ENVIRONMENT ERROR: ${error.message}`, { cause: error });
  });
}

type Attribute = { string?: string; version?: string; int?: number; bool?: boolean };

/** A ResourceSlice device as v1 (attributes) and v1beta1 (basic.attributes) carry it. */
export type SliceDevice = {
  name: string;
  attributes?: Record<string, Attribute>;
  basic?: { attributes?: Record<string, Attribute> };
};

/** A device attribute by its short name or qualified by the driver's domain. */
export function deviceAttribute(
  device: SliceDevice | undefined,
  driver: string,
  name: string,
): Attribute | undefined {
  const attributes = device?.attributes ?? device?.basic?.attributes ?? {};
  return attributes[name] ?? attributes[`${driver}/${name}`];
}

/** An attribute's value as text (string, or a number such as Neuron's deviceId), if present. */
export function deviceAttributeText(
  device: SliceDevice | undefined,
  driver: string,
  name: string,
): string | undefined {
  const value = deviceAttribute(device, driver, name);
  return value?.string ?? (value?.int === undefined ? undefined : String(value.int));
}

/** A ResourceClaim as the suites read its allocation. */
export type AllocatedClaim = DraObject & {
  status?: {
    allocation?: {
      devices?: { results?: Array<{ driver: string; pool: string; device: string }> };
    };
    reservedFor?: Array<{ name: string; uid: string }>;
  };
};

/** The claim a pod's first resource claim names (generated from a template, or named). */
export async function claimOfPod(
  objects: DraObjects,
  namespace: string,
  pod: string,
): Promise<AllocatedClaim> {
  const p = await suiteCluster().core.readNamespacedPod({ namespace, name: pod });
  const name =
    p.status?.resourceClaimStatuses?.[0]?.resourceClaimName ??
    p.spec?.resourceClaims?.[0]?.resourceClaimName;
  return (await objects.read('ResourceClaim', name as string, namespace)) as AllocatedClaim;
}

export function workloadImage(): string {
  return suiteImage(suiteSettings().workloadImage);
}

/**
 * The command of a suite container that only waits (to be exec'd into, or to hold a device): it
 * idles until stopped and ends at SIGTERM. A bare `sleep` as a container's first process ignores
 * SIGTERM (the kernel gives PID 1 no default handlers), so each deletion waited out the grace
 * period and the kubelet's 2 s minimum: 3.9 s per pod on a real kubelet, 1.0 s with the trap.
 */
export const IDLE_COMMAND: readonly string[] = [
  'sh',
  '-c',
  "trap 'exit 0' TERM; sleep 3600 & wait",
];

/** An image a suite pod runs, from the registry mirror where one is set (KAIC_IMAGE_MIRROR). */
export function suiteImage(image: string): string {
  return mirroredImage(image, suiteSettings().imageMirror);
}

/**
 * Pod Security labels of every suite namespace: the `restricted` level, enforced, so the suites
 * run where a platform requires it and a pod that could not run there is refused at once, naming
 * the field. `warn` where the pods come from an operator's own runtime, not from a suite.
 */
export function podSecurityLabels(mode: 'enforce' | 'warn' = 'enforce'): Record<string, string> {
  return {
    [`pod-security.kubernetes.io/${mode}`]: 'restricted',
    [`pod-security.kubernetes.io/${mode}-version`]: 'latest',
  };
}

/** A container of a `restricted` pod: no privilege escalation, no capabilities. */
function restrictedContainer(container: k8s.V1Container): k8s.V1Container {
  return {
    ...container,
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      ...container.securityContext,
    },
  };
}

/**
 * A pod spec that meets Pod Security `restricted`: runs as nobody (the workload image's user is
 * root, so the user is named), the runtime's seccomp profile, every container restricted. What
 * a suite's container writes goes to emptyDir volumes, not the image.
 */
export function restrictedPodSpec<T extends k8s.V1PodSpec>(spec: T): T {
  return {
    ...spec,
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      seccompProfile: { type: 'RuntimeDefault' },
      ...spec.securityContext,
    },
    containers: spec.containers.map(restrictedContainer),
    ...(spec.initContainers
      ? { initContainers: spec.initContainers.map(restrictedContainer) }
      : {}),
  };
}

/** A fresh labelled namespace (Pod Security `restricted` enforced) whose default ServiceAccount exists. */
export async function createNamespace(
  prefix: string,
  options: { podSecurity?: 'enforce' | 'warn' } = {},
): Promise<string> {
  const { core } = suiteCluster();
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await core.createNamespace({
    body: {
      metadata: {
        name,
        labels: { ...testObjectLabels(), ...podSecurityLabels(options.podSecurity) },
      },
    },
  });
  await waitFor(`ServiceAccount default in ${name}`, () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace: name }),
  );
  return name;
}

/**
 * Deletes a namespace and waits until it is gone (`until: 'gone'`), or only until its pods and
 * ResourceClaims are (`'released'`: what they held is free for the next test). Every cluster's
 * namespace controller starts on a deleted namespace only 5 s after the deletion, so a suite
 * that takes a namespace per test pays that per test; with `'released'` the pods and claims are
 * deleted at once and the namespace goes in the background (the run's clean-up waits for it).
 */
export async function deleteNamespace(
  name: string,
  { timeoutMs = 120_000, until = 'gone' }: { timeoutMs?: number; until?: 'gone' | 'released' } = {},
): Promise<void> {
  const { core, kc } = suiteCluster();
  await core.deleteNamespace({ name }).catch(() => undefined);
  if (until === 'gone') {
    await waitFor(
      `namespace ${name} to be deleted`,
      async () => !(await core.readNamespace({ name }).catch(() => null)),
      timeoutMs,
    );
    return;
  }
  await core.deleteCollectionNamespacedPod({ namespace: name }).catch(() => undefined);
  const setup = await acceleratorSetup().catch(() => null);
  const claims = setup?.draApi ? new DraObjects(kc, setup.draApi) : null;
  const claimsLeft = async () =>
    claims ? claims.list('ResourceClaim', undefined, `metadata.namespace=${name}`) : [];
  // Claims a test made itself (not from a template) are not removed with their pods.
  for (const claim of await claimsLeft().catch(() => [])) {
    await claims!.delete('ResourceClaim', claim.metadata!.name!, name).catch(() => undefined);
  }
  await waitFor(
    `the pods and ResourceClaims of namespace ${name} to be deleted`,
    async () =>
      (await core.listNamespacedPod({ namespace: name })).items.length === 0 &&
      (await claimsLeft()).length === 0,
    timeoutMs,
  );
}

/**
 * The accelerator nodes whose pods run real containers (kwok's simulated nodes do not), for the
 * checks that look inside a container.
 */
/**
 * Taints an autoscaler puts on a node it is removing (Karpenter's disruption taint,
 * cluster-autoscaler's scale-down taint): a suite that tolerated its chosen node's taints would
 * otherwise follow them onto a node about to go.
 */
const NODE_REMOVAL_TAINTS = ['karpenter.sh/disrupted', 'ToBeDeletedByClusterAutoscaler'];

/**
 * A node a suite may put its pods on: Ready, schedulable, Linux, a worker (not a control-plane
 * node), a real kubelet (not a virtual kubelet such as a serverless bridge, whose pods run
 * elsewhere) and not on its way out (being deleted, or tainted by an autoscaler removing it).
 */
export function isWorkerNode(node: k8s.V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return Boolean(
    !node.spec?.unschedulable &&
    !node.metadata?.deletionTimestamp &&
    !(node.spec?.taints ?? []).some((t) => NODE_REMOVAL_TAINTS.includes(t.key)) &&
    node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
    (labels['kubernetes.io/os'] ?? 'linux') === 'linux' &&
    !('node-role.kubernetes.io/control-plane' in labels) &&
    !('node-role.kubernetes.io/master' in labels) &&
    labels.type !== 'virtual-kubelet' &&
    !(node.spec?.taints ?? []).some((t) => t.key === 'virtual-kubelet.io/provider'),
  );
}

/**
 * Tolerations for exactly the taints of the nodes a suite chose (not "tolerate everything", which
 * would also let a pod onto nodes nobody meant it for).
 */
export function tolerationsFor(nodes: readonly k8s.V1Node[]): k8s.V1Toleration[] {
  return tolerationsOfTaints(nodes.flatMap((n) => n.spec?.taints ?? []));
}

/** Tolerations for exactly these taints (PreferNoSchedule needs none). */
export function tolerationsOfTaints(taints: readonly k8s.V1Taint[]): k8s.V1Toleration[] {
  const seen = new Map<string, k8s.V1Toleration>();
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    const toleration: k8s.V1Toleration = taint.value
      ? { key: taint.key, operator: 'Equal', value: taint.value, effect: taint.effect }
      : { key: taint.key, operator: 'Exists', effect: taint.effect };
    seen.set(JSON.stringify(toleration), toleration);
  }
  return [...seen.values()];
}

/** The tolerations a pod pinned to this node needs. */
export async function nodeTolerations(name: string): Promise<k8s.V1Toleration[]> {
  return tolerationsFor([await suiteCluster().core.readNode({ name })]);
}

export async function containerNodes(setup: AcceleratorSetup): Promise<string[]> {
  const { core } = suiteCluster();
  const nodes = await core.listNode();
  return nodes.items
    .filter(
      (n) =>
        setup.nodes.includes(n.metadata?.name as string) &&
        n.metadata?.annotations?.[KWOK_NODE_ANNOTATION] !== 'fake',
    )
    .map((n) => n.metadata?.name as string);
}

export interface ContainerSpec {
  name: string;
  /** Holds the pod's accelerator (a claim in DRA mode, the extended resource otherwise). */
  accelerator?: boolean;
  env?: Record<string, string>;
}

/**
 * A pod pinned to `node` (by selector, so the scheduler still allocates claims; createPod adds
 * that node's taints as tolerations), with containers that sleep until exec'd into.
 */
export function acceleratorPod(options: {
  namespace: string;
  name: string;
  node?: string;
  setup: AcceleratorSetup;
  /** ResourceClaimTemplate the accelerator containers use (DRA mode). */
  claimTemplate?: string;
  /** An existing ResourceClaim to share instead of a template (DRA mode). */
  claimName?: string;
  /** The extended resource to ask for (device-plugin mode; default the profile's). */
  resource?: string;
  containers: ContainerSpec[];
}): k8s.V1Pod {
  const { setup } = options;
  const dra = setup.mode === 'dra';
  const usesClaim = dra && options.containers.some((c) => c.accelerator);
  return {
    metadata: { name: options.name, namespace: options.namespace },
    spec: {
      ...(options.node ? { nodeSelector: { 'kubernetes.io/hostname': options.node } } : {}),
      terminationGracePeriodSeconds: 1,
      ...(usesClaim
        ? {
            resourceClaims: [
              options.claimName
                ? { name: 'accelerator', resourceClaimName: options.claimName }
                : { name: 'accelerator', resourceClaimTemplateName: options.claimTemplate },
            ],
          }
        : {}),
      containers: options.containers.map((c) => ({
        name: c.name,
        image: workloadImage(),
        imagePullPolicy: 'IfNotPresent',
        command: [...IDLE_COMMAND],
        ...(c.env ? { env: Object.entries(c.env).map(([name, value]) => ({ name, value })) } : {}),
        ...(c.accelerator
          ? dra
            ? { resources: { claims: [{ name: 'accelerator' }] } }
            : {
                resources: {
                  limits: { [options.resource ?? (setup.profile.extendedResource as string)]: '1' },
                },
              }
          : {}),
      })),
    },
  };
}

/**
 * The ResourceClaimTemplate accelerator pods name (`claimTemplate` of acceleratorPod): one device
 * of the profile's class (or `deviceClass`), optionally narrowed by CEL selectors. Nothing on the
 * device-plugin path, where pods ask for the extended resource instead.
 */
export async function createClaimTemplate(
  setup: AcceleratorSetup,
  namespace: string,
  name: string,
  options: { deviceClass?: string; selectors?: string[] } = {},
): Promise<void> {
  if (setup.mode !== 'dra' || !setup.draApi) return;
  await new DraObjects(suiteCluster().kc, setup.draApi).create(
    claimTemplate(setup.draApi, namespace, name, {
      deviceClassName: options.deviceClass ?? setup.profile.deviceClass,
      count: 1,
      ...(options.selectors ? { selectors: options.selectors } : {}),
    }),
  );
}

/** Whether the pod asks for an accelerator: a claim, or an extended resource (a domain/name). */
function holdsAccelerator(spec: k8s.V1PodSpec): boolean {
  return Boolean(
    spec.resourceClaims?.length ||
    spec.containers.some((c) =>
      Object.keys(c.resources?.limits ?? {}).some((k) => k.includes('/')),
    ),
  );
}

/** The taints of the accelerator's nodes, tolerated: where a pod holding one may land. */
async function acceleratorNodeTolerations(): Promise<k8s.V1Toleration[]> {
  const setup = await acceleratorSetup();
  const nodes = (await suiteCluster().core.listNode()).items.filter((n) =>
    setup.nodes.includes(n.metadata?.name as string),
  );
  return tolerationsFor(nodes);
}

/**
 * Creates the pod, made to meet Pod Security `restricted` (restrictedPodSpec). Unless it says its
 * own tolerations, a pod pinned to a node by its hostname tolerates that node's taints, and a pod
 * holding an accelerator those of the accelerator's nodes.
 */
export async function createPod(pod: k8s.V1Pod): Promise<void> {
  const spec = pod.spec as k8s.V1PodSpec;
  const pinned = spec.nodeSelector?.['kubernetes.io/hostname'];
  const tolerations =
    spec.tolerations ??
    (pinned
      ? await nodeTolerations(pinned)
      : holdsAccelerator(spec)
        ? await acceleratorNodeTolerations()
        : undefined);
  await suiteCluster().core.createNamespacedPod({
    namespace: pod.metadata?.namespace as string,
    body: { ...pod, spec: restrictedPodSpec({ ...spec, ...(tolerations ? { tolerations } : {}) }) },
  });
}

/**
 * How long the kubelet may keep refusing to prepare a pod's devices before the wait ends: a driver
 * plugin that has just registered can refuse once, one that is missing or broken keeps refusing.
 */
const DEVICE_PREPARE_GRACE_MS = 15_000;

/**
 * Waits for Running. An image or container error ends the wait at once with its message, and so
 * does a kubelet that has kept failing to prepare the pod's devices (event
 * FailedPrepareDynamicResources: the DRA driver's kubelet plugin is missing or failing) for
 * DEVICE_PREPARE_GRACE_MS.
 */
export async function waitRunning(namespace: string, name: string): Promise<k8s.V1Pod> {
  const { core } = suiteCluster();
  return waitFor(
    `pod ${namespace}/${name} Running`,
    async () => {
      const pod = await core.readNamespacedPod({ namespace, name });
      for (const status of pod.status?.containerStatuses ?? []) {
        const reason = status.state?.waiting?.reason ?? '';
        if (/ErrImage|ImagePullBackOff|CrashLoopBackOff|CreateContainer/.test(reason)) {
          throw new WaitAborted(
            `ACCELERATOR WORKLOAD FAILURE: pod ${name} container ${status.name}: ${reason}: ${status.state?.waiting?.message ?? ''}`,
          );
        }
      }
      if (pod.status?.phase === 'Running') return pod;
      await abortIfDevicesRefused(pod);
      return undefined;
    },
    120_000,
  );
}

/**
 * Ends a wait for a pod that is not running yet (WaitAborted, ACCELERATOR WORKLOAD FAILURE) when
 * its node's kubelet has refused to prepare its devices for the grace period.
 */
export async function abortIfDevicesRefused(pod: k8s.V1Pod): Promise<void> {
  if (!pod.spec?.nodeName || !pod.spec.resourceClaims?.length) return;
  const refused = await devicePreparationRefused(pod.metadata?.namespace as string, pod);
  if (refused) throw new WaitAborted(`ACCELERATOR WORKLOAD FAILURE: ${refused}`);
}

/** What the kubelet said when it has refused to prepare the pod's devices for the grace period. */
async function devicePreparationRefused(namespace: string, pod: k8s.V1Pod): Promise<string | null> {
  const events = await suiteCluster().core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.uid=${pod.metadata?.uid},reason=FailedPrepareDynamicResources`,
  });
  for (const event of events.items) {
    const first = event.firstTimestamp ?? event.eventTime;
    const since = first ? Date.now() - new Date(first).getTime() : 0;
    if (since >= DEVICE_PREPARE_GRACE_MS) {
      return (
        `the kubelet on ${pod.spec?.nodeName} has not prepared pod ${pod.metadata?.name}'s devices ` +
        `for ${Math.round(since / 1000)} s (${event.count ?? 1} tries): ${event.message ?? ''}`
      );
    }
  }
  return null;
}

export function exec(
  namespace: string,
  pod: string,
  container: string,
  script: string,
): Promise<ExecResult> {
  return execInPod(suiteCluster().kc, namespace, pod, container, ['sh', '-c', script]);
}
