import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
var KUBELET_REGISTRY_DIR="/var/lib/kubelet/plugins_registry",KUBELET_PLUGINS_DIR="/var/lib/kubelet/plugins",CDI_DIR="/var/run/cdi",STATE_DIR="/var/lib/kaic-fakegpu";export{KUBELET_REGISTRY_DIR,KUBELET_PLUGINS_DIR,CDI_DIR,STATE_DIR};
