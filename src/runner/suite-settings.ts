/**
 * Every setting the conformance suites read, in one typed table: its environment variable (set by
 * the user, or by kaic for the addons it installed), what it means, its default and how a value is
 * checked. Suites get them as one object (`suiteSettings()`), each value parsed when first read so
 * that a bad one fails only the tests that use it, naming the variable. docs/suite-settings.md is
 * generated from this table (`npm run suite-settings-doc`).
 */
import {
  ACCELERATOR_KINDS,
  ALLOCATION_MODES,
  controlDevicePath,
  genericOptionProblem,
  genericProfile,
  type AcceleratorKind,
  type AcceleratorProfile,
  type AllocationMode,
  type GenericOption,
} from '../accelerators/profiles.js';
import { MIRROR_PATTERN, WORKLOAD_IMAGE } from '../versions/images.js';

interface SettingSpec<T> {
  /** The environment variable. */
  env: string;
  /** The suites that read it, or `all`. */
  suites: string;
  /** What it means and what a value looks like. */
  describe: string;
  /** The default as the docs say it. */
  byDefault: string;
  /** Set by kaic when it installs the addon the setting points at. */
  setByKaic?: boolean;
  parse(raw: string | undefined): T;
}

function bad(env: string, raw: string, want: string): Error {
  return new Error(`${env}="${raw}"; ${want}`);
}

function text(
  env: string,
  suites: string,
  describe: string,
  byDefault = 'unset',
): SettingSpec<string | undefined> {
  return { env, suites, describe, byDefault, parse: (raw) => raw || undefined };
}

function choice<T extends string>(
  env: string,
  suites: string,
  describe: string,
  allowed: readonly T[],
  fallback: T,
  options: { lowerCase?: boolean } = {},
): SettingSpec<T> {
  return {
    env,
    suites,
    describe: `${describe}: ${allowed.join(' | ')}`,
    byDefault: fallback,
    parse: (raw) => {
      const value = options.lowerCase ? raw?.toLowerCase() : raw;
      if (!value) return fallback;
      if (!(allowed as readonly string[]).includes(value)) {
        throw bad(env, raw!, `accepted: ${allowed.join(', ')}`);
      }
      return value as T;
    },
  };
}

/** One option of the generic accelerator profile, checked as genericProfile checks it. */
function genericOption(
  env: string,
  option: Exclude<GenericOption, 'controlDevices'>,
  describe: string,
  byDefault = 'unset',
): SettingSpec<string | undefined> {
  return {
    env,
    suites: 'all that use accelerators (KAIC_ACCELERATOR=generic)',
    describe,
    byDefault,
    parse: (raw) => {
      if (!raw) return undefined;
      const problem = genericOptionProblem(option, raw);
      if (problem) throw bad(env, raw, problem);
      return raw;
    },
  };
}

/** Seconds in the environment, milliseconds to the suites. */
function seconds(
  env: string,
  suites: string,
  describe: string,
  fallback: number,
): SettingSpec<number> {
  return {
    env,
    suites,
    describe: `${describe} (seconds)`,
    byDefault: String(fallback),
    parse: (raw) => {
      const value = Number(raw || fallback);
      if (!Number.isFinite(value) || value <= 0) throw bad(env, raw!, 'give seconds > 0');
      return value * 1000;
    },
  };
}

function integer(
  env: string,
  suites: string,
  describe: string,
  fallback: number,
  range: [number, number],
): SettingSpec<number> {
  return {
    env,
    suites,
    describe,
    byDefault: String(fallback),
    parse: (raw) => {
      const value = Number(raw || fallback);
      if (!Number.isInteger(value) || value < range[0] || value > range[1]) {
        throw bad(env, raw!, `give a whole number from ${range[0]} to ${range[1]}`);
      }
      return value;
    },
  };
}

/** A qualified name as Kubernetes accepts it for an annotation key: [prefix/]name. */
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** `key=value,key=value` into annotations; an entry without `=` or with a bad key is refused. */
export function parseAnnotations(env: string, raw: string | undefined): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const entry of (raw ?? '').split(',')) {
    if (!entry.trim()) continue;
    const at = entry.indexOf('=');
    const key = at < 0 ? '' : entry.slice(0, at).trim();
    if (!ANNOTATION_KEY.test(key)) {
      throw bad(env, raw!, `"${entry.trim()}" is not key=value with a valid annotation key`);
    }
    annotations[key] = entry.slice(at + 1).trim();
  }
  return annotations;
}

export const SUITE_SETTINGS = {
  kubeconfig: text(
    'KUBECONFIG',
    'all',
    'the cluster under test (set by kaic run)',
    "client-node's default",
  ),
  runId: text(
    'KAIC_RUN_ID',
    'all',
    "the run's id, labelled on every object a test creates (set by kaic run)",
  ),
  accelerator: choice(
    'KAIC_ACCELERATOR',
    'all that use accelerators',
    'the accelerator profile to test',
    ['auto', ...ACCELERATOR_KINDS] as const,
    'auto',
  ),
  allocationMode: choice(
    'KAIC_ALLOCATION_MODE',
    'all that use accelerators',
    'how pods ask for accelerators',
    ALLOCATION_MODES,
    'auto',
  ),
  genericDeviceClass: genericOption(
    'KAIC_GENERIC_DEVICE_CLASS',
    'deviceClass',
    'generic accelerator: the DeviceClass a claim asks for (required for generic)',
  ),
  genericDraDriver: genericOption(
    'KAIC_GENERIC_DRA_DRIVER',
    'draDriver',
    'generic accelerator: the DRA driver of its ResourceSlices',
    'the device class',
  ),
  genericExtendedResource: genericOption(
    'KAIC_GENERIC_EXTENDED_RESOURCE',
    'extendedResource',
    "generic accelerator: its device plugin's extended resource, one unit a whole device (e.g. example.com/accel)",
  ),
  genericDevicePattern: genericOption(
    'KAIC_GENERIC_DEVICE_PATTERN',
    'devicePattern',
    'generic accelerator: how a container shows its devices, a grep -E pattern over the paths in /dev and one directory down, relative to /dev (e.g. ^accel/accel[0-9]+$); this or KAIC_GENERIC_ENV_PREFIX',
  ),
  genericEnvPrefix: genericOption(
    'KAIC_GENERIC_ENV_PREFIX',
    'envPrefix',
    'generic accelerator: how a container shows its devices, the prefix of one environment variable per device; this or KAIC_GENERIC_DEVICE_PATTERN',
  ),
  genericIdentityAttribute: genericOption(
    'KAIC_GENERIC_IDENTITY_ATTRIBUTE',
    'identityAttribute',
    'generic accelerator: the device attribute that names one device (e.g. uuid, or resource.kubernetes.io/pciBusID)',
  ),
  genericControlDevices: {
    env: 'KAIC_GENERIC_CONTROL_DEVICES',
    suites: 'all that use accelerators (KAIC_ACCELERATOR=generic)',
    describe:
      'generic accelerator: device nodes a container holding a device also gets that are not devices, comma-separated, relative to /dev (e.g. kfd,vfio/vfio)',
    byDefault: 'none',
    parse: (raw: string | undefined): string[] => {
      const paths = (raw ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      for (const path of paths) {
        const problem = genericOptionProblem('controlDevices', path);
        if (problem) throw bad('KAIC_GENERIC_CONTROL_DEVICES', raw!, `"${path}" is ${problem}`);
      }
      return paths.map(controlDevicePath);
    },
  } satisfies SettingSpec<string[]>,
  genericDriverVersionAttribute: genericOption(
    'KAIC_GENERIC_DRIVER_VERSION_ATTRIBUTE',
    'driverVersionAttribute',
    'generic accelerator: the device attribute that carries the driver version',
  ),
  imageMirror: {
    ...text(
      'KAIC_IMAGE_MIRROR',
      'all',
      'a registry mirror every suite image, and every addon image kaic installs into a kind or existing cluster (with --images registry), is pulled from instead of its own registry: host[:port][/path]; an image keeps its path and tag or digest (busybox:1.36 → <mirror>/library/busybox:1.36, ghcr.io/org/app:1 → <mirror>/org/app:1)',
    ),
    parse: (raw: string | undefined) => {
      if (!raw) return undefined;
      if (!MIRROR_PATTERN.test(raw)) {
        throw bad('KAIC_IMAGE_MIRROR', raw, 'give a registry as host[:port][/path], no scheme');
      }
      return raw;
    },
  } satisfies SettingSpec<string | undefined>,
  workloadImage: {
    ...text('KAIC_WORKLOAD_IMAGE', 'all', 'an image with a POSIX shell for probe pods'),
    byDefault: WORKLOAD_IMAGE,
    parse: (raw: string | undefined) => raw || WORKLOAD_IMAGE,
  },
  acceleratorMetrics: text(
    'KAIC_ACCELERATOR_METRICS',
    'accelerator_metrics',
    'the accelerator metrics endpoint: http(s)://…/metrics (scraped from the runner) or <namespace>/<service>:<port>[/path] (its ready pods, through port-forward)',
    "found by the accelerator profile's exporter Service labels",
  ),
  acceleratorLoadImage: text(
    'KAIC_ACCELERATOR_LOAD_IMAGE',
    'accelerator_metrics',
    'a container that keeps the accelerator it holds busy (e.g. a CUDA sample in a loop); not needed for a simulated accelerator told by KAIC_ACCELERATOR_LOAD_ANNOTATIONS',
  ),
  acceleratorLoadCommand: text(
    'KAIC_ACCELERATOR_LOAD_COMMAND',
    'accelerator_metrics',
    "the load container's command, run with sh -c",
    "the image's own",
  ),
  acceleratorLoadAnnotations: {
    env: 'KAIC_ACCELERATOR_LOAD_ANNOTATIONS',
    suites: 'accelerator_metrics',
    describe:
      "annotations the load pod carries, key=value comma-separated: how a simulated accelerator's driver is told to report its device busy (e.g. run:ai's fake GPU operator: run.ai/simulated-gpu-utilization=90); set by kaic for the simulated GPUs it runs",
    byDefault: 'none',
    setByKaic: true,
    parse: (raw: string | undefined): Record<string, string> =>
      parseAnnotations('KAIC_ACCELERATOR_LOAD_ANNOTATIONS', raw),
  } satisfies SettingSpec<Record<string, string>>,
  metricsTimeoutMs: seconds(
    'KAIC_METRICS_TIMEOUT_SECONDS',
    'accelerator_metrics, ai_service_metrics',
    'how long a metric value may take to arrive or move',
    180,
  ),
  prometheus: {
    ...text(
      'KAIC_PROMETHEUS',
      'accelerator_metrics, ai_service_metrics, pod_autoscaling',
      "the cluster's Prometheus: http(s)://host:port or <namespace>/<service>:<port>",
      'found by its labels',
    ),
    setByKaic: true,
  },
  hpaTimeoutMs: seconds(
    'KAIC_HPA_TIMEOUT_SECONDS',
    'pod_autoscaling',
    'how long the HPA may take to scale',
    300,
  ),
  hpaMetricsApi: choice(
    'KAIC_HPA_METRICS_API',
    'pod_autoscaling',
    'the metrics API the HPA scales on (auto: custom.metrics.k8s.io when served, else external.metrics.k8s.io, as KEDA or a cloud adapter serves it)',
    ['auto', 'custom', 'external'] as const,
    'auto',
    { lowerCase: true },
  ),
  externalMetric: text(
    'KAIC_EXTERNAL_METRIC',
    'pod_autoscaling',
    "the external metric (external.metrics.k8s.io, in the suite's namespace) that carries the workload's queue depth, the stub's kaic_inference_queue_depth summed over its pods",
    'kaic_inference_queue_depth',
  ),
  gangScheduler: {
    ...choice(
      'KAIC_GANG_SCHEDULER',
      'gang_scheduling',
      'the gang scheduling solution to test (auto: Kueue when its API is served, else Volcano, else the native Workload API)',
      ['auto', 'native', 'kueue', 'volcano'] as const,
      'auto',
      { lowerCase: true },
    ),
    setByKaic: true,
  },
  kueueApiVersion: choice(
    'KAIC_KUEUE_API_VERSION',
    'gang_scheduling',
    "the Kueue API version to drive (auto: v1beta2 where served, else v1beta1, Kueue's only API up to 0.14)",
    ['auto', 'v1beta2', 'v1beta1'] as const,
    'auto',
  ),
  volcanoQueue: {
    ...text(
      'KAIC_VOLCANO_QUEUE',
      'gang_scheduling',
      'the Volcano queue the gang is put in',
      'default',
    ),
    parse: (raw: string | undefined) => raw || 'default',
  },
  volcanoSchedulerName: {
    ...text(
      'KAIC_VOLCANO_SCHEDULER_NAME',
      'gang_scheduling',
      "the scheduler name of Volcano's scheduler (the pods' spec.schedulerName)",
      'volcano',
    ),
    parse: (raw: string | undefined) => raw || 'volcano',
  },
  gangWindowMs: seconds(
    'KAIC_GANG_WINDOW_SECONDS',
    'gang_scheduling',
    'the longest an incomplete gang is watched for the scheduler to hold it back (Kueue: QuotaReserved=False; Volcano: the PodGroup Unschedulable; native: a member unschedulable), then 3 s more; without that decision, the whole time',
    20,
  ),
  gangTimeoutMs: seconds(
    'KAIC_GANG_TIMEOUT_SECONDS',
    'gang_scheduling',
    'how long a gang with room may take to bind and run (and the pod that makes room scarce to start)',
    120,
  ),
  aiOperator: {
    ...text(
      'KAIC_AI_OPERATOR',
      'robust_controller',
      'the operator to test: kubeflow-trainer | kuberay | jobset',
      'the first installed, in that order',
    ),
    setByKaic: true,
  },
  operatorRuntime: {
    ...text(
      'KAIC_OPERATOR_RUNTIME',
      'robust_controller',
      "Kubeflow Trainer: the ClusterTrainingRuntime of the valid TrainJob (its trainer runs the workload image's echo)",
    ),
    byDefault: 'torch-distributed',
    parse: (raw: string | undefined) => raw || 'torch-distributed',
  },
  operatorImage: {
    ...text(
      'KAIC_OPERATOR_IMAGE',
      'robust_controller',
      'KubeRay: the Ray image of the valid RayCluster',
    ),
    byDefault: 'rayproject/ray:2.46.0',
    parse: (raw: string | undefined) => raw || 'rayproject/ray:2.46.0',
  },
  operatorTimeoutMs: seconds(
    'KAIC_OPERATOR_TIMEOUT_SECONDS',
    'robust_controller',
    'reconciliation and clean-up waits (as the working group)',
    180,
  ),
  networkDraDriver: text(
    'KAIC_NETWORK_DRA_DRIVER',
    'high_performance_networking',
    'the DRA driver publishing network devices',
    'any driver whose devices carry network attributes',
  ),
  pdSelector: text(
    'KAIC_PD_SELECTOR',
    'disaggregated_inference',
    'label selectors of the prefill and decode pods: <prefill selector>;<decode selector>',
    "llm-d's roles",
  ),
  pdUrl: {
    ...text(
      'KAIC_PD_URL',
      'disaggregated_inference',
      "the OpenAI-compatible endpoint of the disaggregated deployment as pods reach it (http://<gateway or service>[:port][/prefix]); the suite posts one completion to <url>/v1/completions with an x-request-id and looks for that id in the prefill and decode pods' logs",
    ),
    parse: (raw: string | undefined) => {
      if (!raw) return undefined;
      if (!/^https?:\/\/[^\s/]+/.test(raw))
        throw bad('KAIC_PD_URL', raw, 'give http(s)://host[:port][/prefix]');
      return raw.replace(/\/+$/, '');
    },
  },
  pdModel: text(
    'KAIC_PD_MODEL',
    'disaggregated_inference',
    'the model the traced completion asks for',
    'the first of <url>/v1/models',
  ),
  autoscalerNodeLabel: text(
    'KAIC_AUTOSCALER_NODE_LABEL',
    'cluster_autoscaling',
    'the accelerator node group: <key>=<value>',
    "Karpenter's karpenter.sh/nodepool label, any pool",
  ),
  autoscalerPendingMs: seconds(
    'KAIC_AUTOSCALER_PENDING_SECONDS',
    'cluster_autoscaling',
    'how long the filler pods may take to bind',
    120,
  ),
  autoscalerScaleUpMs: seconds(
    'KAIC_AUTOSCALER_SCALE_UP_SECONDS',
    'cluster_autoscaling',
    'how long a node may take to join (as the working group)',
    1200,
  ),
  autoscalerScaleDownMs: seconds(
    'KAIC_AUTOSCALER_SCALE_DOWN_SECONDS',
    'cluster_autoscaling',
    'how long the added node may take to go (as the working group)',
    1800,
  ),
  gatewayClass: {
    ...text(
      'KAIC_GATEWAY_CLASS',
      'ai_inference, advanced_inference_ingress',
      'the GatewayClass to use',
      'the Accepted one, by name',
    ),
    setByKaic: true,
  },
  gatewayListenerPort: {
    ...integer(
      'KAIC_GATEWAY_LISTENER_PORT',
      'ai_inference, advanced_inference_ingress',
      "the Gateway listener's port",
      80,
      [1, 65535],
    ),
    setByKaic: true,
  },
  gatewayAddress: text(
    'KAIC_GATEWAY_ADDRESS',
    'ai_inference, advanced_inference_ingress',
    "host[:port] the client pod sends to, when the Gateway's own address is not reachable from pods",
    "the Gateway's first status address and the listener port",
  ),
  gatewayRequests: integer(
    'KAIC_GATEWAY_REQUESTS',
    'ai_inference',
    'requests for the weight check (at least 500)',
    500,
    [500, Number.MAX_SAFE_INTEGER],
  ),
  gatewayWeightTolerance: {
    env: 'KAIC_GATEWAY_WEIGHT_TOLERANCE',
    suites: 'ai_inference',
    describe:
      "allowed distance of a share from its weight, in percentage points, in (0, 50) (the Gateway API's own conformance test uses 5 with up to 10 attempts)",
    byDefault: '10',
    parse: (raw: string | undefined) => {
      const value = Number(raw || 10);
      if (!Number.isFinite(value) || value <= 0 || value >= 50) {
        throw bad('KAIC_GATEWAY_WEIGHT_TOLERANCE', raw!, 'give percentage points in (0, 50)');
      }
      return value;
    },
  } satisfies SettingSpec<number>,
  gatewayTimeoutMs: seconds(
    'KAIC_GATEWAY_TIMEOUT_SECONDS',
    'ai_inference, advanced_inference_ingress',
    "each status wait and the client's run",
    180,
  ),
} as const satisfies Record<string, SettingSpec<unknown>>;

export type SuiteSettingName = keyof typeof SUITE_SETTINGS;
export type SuiteSettings = {
  readonly [K in SuiteSettingName]: ReturnType<(typeof SUITE_SETTINGS)[K]['parse']>;
};

/** The environment variable of a setting, for messages that tell the user what to set. */
export function settingVariable(name: SuiteSettingName): string {
  return SUITE_SETTINGS[name].env;
}

/**
 * What the suites ask accelerator detection for (detectAccelerator's `wanted`): the profile and
 * allocation mode, and the generic profile from the KAIC_GENERIC_* settings. `generic` needs
 * them; `auto` tries the generic profile last where KAIC_GENERIC_DEVICE_CLASS is set. Throws,
 * naming the variables, when they are bad or incomplete.
 */
export function acceleratorWantedFrom(settings: SuiteSettings): {
  kind: AcceleratorKind | 'auto';
  mode: AllocationMode;
  generic?: AcceleratorProfile;
} {
  const kind = settings.accelerator;
  const mode = settings.allocationMode;
  const deviceClass = settings.genericDeviceClass;
  if (kind !== 'generic' && !(kind === 'auto' && deviceClass)) return { kind, mode };
  if (!deviceClass) {
    throw new Error(
      `KAIC_ACCELERATOR=generic needs ${settingVariable('genericDeviceClass')} (the DeviceClass a claim asks for)`,
    );
  }
  const devicePattern = settings.genericDevicePattern;
  const envPrefix = settings.genericEnvPrefix;
  if (!devicePattern === !envPrefix) {
    throw new Error(
      `the generic accelerator needs one way to see its devices in a container: ${settingVariable('genericDevicePattern')} (device nodes) or ${settingVariable('genericEnvPrefix')} (variables), ${devicePattern ? 'not both' : 'neither is set'}`,
    );
  }
  const generic = genericProfile({
    deviceClass,
    draDriver: settings.genericDraDriver,
    extendedResource: settings.genericExtendedResource,
    devicePattern,
    envPrefix,
    identityAttribute: settings.genericIdentityAttribute,
    controlDevices: settings.genericControlDevices,
    driverVersionAttribute: settings.genericDriverVersionAttribute,
  });
  return { kind, mode, generic };
}

/**
 * The settings as one object over an environment: each read parses its variable then (a bad value
 * throws there, naming it), so the suites see the environment as it is when they run.
 */
export function suiteSettingsFrom(env: NodeJS.ProcessEnv): SuiteSettings {
  const settings = {} as Record<SuiteSettingName, unknown>;
  for (const name of Object.keys(SUITE_SETTINGS) as SuiteSettingName[]) {
    const spec = SUITE_SETTINGS[name] as SettingSpec<unknown>;
    Object.defineProperty(settings, name, {
      enumerable: true,
      get: () => spec.parse(env[spec.env]),
    });
  }
  return settings as SuiteSettings;
}

/** docs/suite-settings.md: the table above, as the docs show it. */
export function renderSuiteSettingsDoc(): string {
  // Table cells: a bar would end the cell, and <namespace> would read as an HTML tag.
  const cell = (text: string) =>
    text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const rows = Object.values(SUITE_SETTINGS).map((s: SettingSpec<unknown>) =>
    [`\`${s.env}\``, s.suites, cell(s.describe), cell(s.byDefault), s.setByKaic ? 'yes' : ''].join(
      ' | ',
    ),
  );
  return [
    '# Suite settings',
    '',
    '<!-- Generated from src/runner/suite-settings.ts by `npm run suite-settings-doc`; do not edit. -->',
    '',
    'The conformance suites read these environment variables. Set them where `kaic run` or the',
    'action runs; a value the user sets wins over one kaic sets for an addon it installed',
    '("set by kaic"). A bad value fails the tests that read it, naming the variable.',
    '',
    '<!-- prettier-ignore-start -->',
    '| variable | suites | what it is | default | set by kaic |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r} |`),
    '<!-- prettier-ignore-end -->',
    '',
  ].join('\n');
}
