/** kaic's fake-GPU driver as a cluster knows it: its DRA driver name and where it runs. */

/** The DRA driver name the simulated GPUs are published under (NVIDIA's, as its suites expect). */
export const FAKE_GPU_DRIVER_NAME = 'gpu.nvidia.com';

/** The node label that puts the driver's kubelet plugin on a node (kind's GPU workers carry it). */
export const FAKE_GPU_NODE_LABEL = 'kaic.dev/fake-gpu';
