/**
 * Every addon kaic can install, one line each, in the order the docs and `--addons` list them.
 * Adding an addon is its folder (spec, what it installs beside a cluster and in one) and one line
 * here (docs/development.md).
 */
import { aiOperator } from './ai-operator/index.js';
import { clusterAutoscaler } from './cluster-autoscaler/index.js';
import { customMetricsAdapter } from './custom-metrics-adapter/index.js';
import { fakeGpu } from './fake-gpu/index.js';
import { gangScheduler } from './gang-scheduler/index.js';
import { gateway } from './gateway/index.js';
import { gpuMetrics } from './gpu-metrics/index.js';
import { prometheus } from './prometheus/index.js';

export const ADDON_REGISTRY = [
  fakeGpu,
  gpuMetrics,
  prometheus,
  customMetricsAdapter,
  clusterAutoscaler,
  gangScheduler,
  gateway,
  aiOperator,
] as const;
