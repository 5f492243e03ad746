/** The simulated-GPU drivers a run can choose (`--fake-gpu-driver`). */
export const FAKE_GPU_DRIVERS = ['kaic', 'dra-example-driver', 'fake-gpu-operator'] as const;
export type FakeGpuDriver = (typeof FAKE_GPU_DRIVERS)[number];

/** Addons that only know kaic's own simulated GPUs (its exporter reads kaic's devices). */
export const ADDONS_ONLY_FOR_KAIC_DRIVER: readonly string[] = ['gpu-metrics'];
