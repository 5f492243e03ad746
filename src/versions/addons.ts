/**
 * Pinned versions of the components kaic installs beside a cluster (the addon plan). Each is
 * built from its Go module for the test cluster, where no image can be pulled.
 */

/** Kueue: the gang_scheduling suite drives it when it is the cluster's gang solution. */
export const KUEUE = { module: 'sigs.k8s.io/kueue', version: 'v0.17.0' } as const;
