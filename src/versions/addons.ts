/**
 * Pinned versions of the components kaic installs beside a cluster (the addon plan). Each is
 * built from its Go module for the test cluster, where no image can be pulled.
 */

/** Kueue: the gang_scheduling suite drives it when it is the cluster's gang solution. */
export const KUEUE = { module: 'sigs.k8s.io/kueue', version: 'v0.17.0' } as const;

/**
 * Prometheus: scrapes the accelerator exporter and the AI service workloads with Kubernetes
 * service discovery (Debian's package is built without it). Only that discovery is compiled in.
 */
export const PROMETHEUS = {
  module: 'github.com/prometheus/prometheus',
  version: 'v0.316.0',
  /** The release the module version stands for (`prometheus --version`). */
  release: '3.16.0',
} as const;
