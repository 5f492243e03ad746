/**
 * Reading accelerator metrics in whatever exporter's vocabulary a platform uses (DCGM exporter,
 * OpenTelemetry's hardware conventions, AMD and Intel exporters): which series are utilization,
 * memory, temperature, power or interconnect, and which accelerator each sample is about. Known
 * names first, then the working group's name patterns; a sample counts only when a device label
 * says which accelerator it describes.
 */
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

export const METRIC_KINDS = [
  'utilization',
  'memory',
  'temperature',
  'power',
  'interconnect',
] as const;
export type MetricKind = (typeof METRIC_KINDS)[number];

/** The kinds a platform MUST expose per accelerator; the others are SHOULD. */
export const REQUIRED_METRIC_KINDS: readonly MetricKind[] = ['utilization', 'memory'];

/**
 * Well-known names per kind, preferred in this order when several are present: NVIDIA's DCGM
 * exporter, OpenTelemetry's hardware conventions and Intel's XPU Manager 2.x, XPU Manager 1.x,
 * AMD's device-metrics-exporter, Intel Gaudi, Google's TPU metrics, AWS Neuron's monitor.
 */
const KNOWN_NAMES: Record<MetricKind, string[]> = {
  utilization: [
    'DCGM_FI_DEV_GPU_UTIL',
    'DCGM_FI_PROF_GR_ENGINE_ACTIVE',
    'hw_gpu_utilization',
    'hw_gpu_utilization_ratio',
    'xpum_engine_group_ratio',
    'amd_gpu_gfx_activity',
    'gpu_gfx_activity',
    'habanalabs_utilization',
    'duty_cycle',
    'tensorcore_utilization',
    'neuroncore_utilization_ratio',
  ],
  memory: [
    'DCGM_FI_DEV_FB_USED',
    'hw_gpu_memory_usage',
    'hw_gpu_memory_usage_bytes',
    'hw_memory_usage_bytes',
    'xpum_memory_used_bytes',
    'amd_gpu_used_vram',
    'gpu_used_vram',
    'habanalabs_memory_used_bytes',
    'memory_used',
    'neuron_runtime_memory_used_bytes',
  ],
  temperature: ['DCGM_FI_DEV_GPU_TEMP', 'hw_temperature', 'amd_gpu_edge_temperature'],
  power: ['DCGM_FI_DEV_POWER_USAGE', 'hw_power', 'amd_gpu_power_usage'],
  interconnect: ['DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL', 'DCGM_FI_PROF_NVLINK_TX_BYTES'],
};

/**
 * Utilization reported as a ratio (0-1) rather than a percent: OpenTelemetry's unit "1", DCGM's
 * profiling fields, and names that say so.
 */
const RATIO_NAMES = ['DCGM_FI_PROF_GR_ENGINE_ACTIVE', 'hw_gpu_utilization'];
export function isRatio(name: string): boolean {
  return RATIO_NAMES.includes(name) || /_ratio$/.test(name);
}

/**
 * False friends of the name patterns: a clock is neither memory use nor utilization
 * (DCGM_FI_DEV_MEM_CLOCK), and the video engines' load is not the accelerator's
 * (DCGM_FI_DEV_ENC_UTIL, DCGM_FI_DEV_DEC_UTIL, JPEG and optical-flow engines).
 */
const NOT_A_KIND = [/clock|_clk|freq/i, /enc(oder)?_util|dec(oder)?_util|jpg|ofa_/i];

/** The working group's name patterns, checked in this order (so MEM_COPY_UTIL is utilization). */
const NAME_PATTERNS: Array<[MetricKind, RegExp]> = [
  ['interconnect', /nvlink|pcie_tx|pcie_rx|bandwidth|xgmi/i],
  ['power', /power|watt|energy/i],
  ['temperature', /temp/i],
  ['utilization', /util|duty_cycle/i],
  ['memory', /mem|fb_|vram|hbm/i],
];

/** Labels that say which accelerator a sample describes (the working group's list, + OTel). */
export const DEVICE_LABELS = [
  'UUID',
  'uuid',
  'gpu',
  'device_id',
  'dev_id',
  'card_id',
  'GPU_I_ID',
  'minor_number',
  'pci_bus_id',
  'hw_id',
  // AMD's exporter, Intel's XPU Manager 2.x, Google's TPU metrics, AWS Neuron's monitor.
  'gpu_id',
  'serial_number',
  'pci_bdf',
  'accelerator_id',
  'neuroncore',
] as const;

const UUID_LABELS = ['UUID', 'uuid', 'gpu_uuid', 'hw_id'];
const HOST_LABELS = ['Hostname', 'hostname', 'node', 'kubernetes_node', 'instance'];

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const family of parsePrometheusTextFormat(text)) {
    for (const metric of family.metrics) {
      // Histograms and summaries carry buckets, not one value: not what a device gauge is.
      if (!('value' in metric)) continue;
      samples.push({
        name: family.name,
        labels: metric.labels ?? {},
        value: Number(metric.value),
      });
    }
  }
  return samples;
}

export function metricKind(name: string): MetricKind | null {
  for (const kind of METRIC_KINDS) if (KNOWN_NAMES[kind].includes(name)) return kind;
  if (NOT_A_KIND.some((pattern) => pattern.test(name))) return null;
  for (const [kind, pattern] of NAME_PATTERNS) if (pattern.test(name)) return kind;
  return null;
}

/**
 * Which physical accelerator a sample is about: its UUID when it carries one (MIG instances
 * carry their parent's), else its host and device index. Null when no device label is present.
 */
export function deviceKey(labels: Record<string, string>): string | null {
  for (const name of UUID_LABELS) if (labels[name]) return labels[name];
  const device = DEVICE_LABELS.find((name) => labels[name] !== undefined && labels[name] !== '');
  if (!device) return null;
  const host = HOST_LABELS.find((name) => labels[name]);
  return `${host ? labels[host] : '?'}/${device}=${labels[device]}`;
}

export interface AcceleratorSeries {
  key: string;
  /** Per kind: the metric names seen and the highest value among this device's samples. */
  kinds: Partial<Record<MetricKind, { names: string[]; value: number }>>;
  /** Pod labels on any sample (DCGM exporter's pod mapping), for evidence. */
  pods: string[];
}

/** Every accelerator the samples describe, with what is known about each. */
export function acceleratorSeries(samples: Sample[]): Map<string, AcceleratorSeries> {
  const devices = new Map<string, AcceleratorSeries>();
  for (const sample of samples) {
    const kind = metricKind(sample.name);
    const key = deviceKey(sample.labels);
    if (!kind || !key || !Number.isFinite(sample.value)) continue;
    const entry = devices.get(key) ?? { key, kinds: {}, pods: [] };
    const current = entry.kinds[kind];
    entry.kinds[kind] = current
      ? {
          names: current.names.includes(sample.name)
            ? current.names
            : [...current.names, sample.name],
          value: Math.max(current.value, sample.value),
        }
      : { names: [sample.name], value: sample.value };
    const pod = sample.labels.pod
      ? `${sample.labels.namespace ?? ''}/${sample.labels.pod}`.replace(/^\//, '')
      : null;
    if (pod && !entry.pods.includes(pod)) entry.pods.push(pod);
    devices.set(key, entry);
  }
  return devices;
}

/**
 * The utilization reading of one device in percent (0-100, ratios scaled), by the preferred name
 * present for it.
 */
export function utilizationOf(samples: Sample[], key: string): number | null {
  const mine = samples
    .filter((s) => deviceKey(s.labels) === key && metricKind(s.name) === 'utilization')
    .map((s) => ({ name: s.name, percent: isRatio(s.name) ? s.value * 100 : s.value }));
  for (const name of KNOWN_NAMES.utilization) {
    const values = mine.filter((s) => s.name === name).map((s) => s.percent);
    if (values.length > 0) return Math.max(...values);
  }
  return mine.length > 0 ? Math.max(...mine.map((s) => s.percent)) : null;
}
