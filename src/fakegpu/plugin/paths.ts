/**
 * Where the kubelet plugin's files live on a node. Kept apart from the plugin itself, so code that
 * only names the paths (manifests, the CLI's defaults) does not load gRPC.
 */
export const KUBELET_REGISTRY_DIR = '/var/lib/kubelet/plugins_registry';
export const KUBELET_PLUGINS_DIR = '/var/lib/kubelet/plugins';
export const CDI_DIR = '/var/run/cdi';
export const STATE_DIR = '/var/lib/kaic-fakegpu';
