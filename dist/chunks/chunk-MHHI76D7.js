import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);

// src/fakegpu/plugin/paths.ts
var KUBELET_REGISTRY_DIR = "/var/lib/kubelet/plugins_registry";
var KUBELET_PLUGINS_DIR = "/var/lib/kubelet/plugins";
var CDI_DIR = "/var/run/cdi";
var STATE_DIR = "/var/lib/kaic-fakegpu";

export {
  KUBELET_REGISTRY_DIR,
  KUBELET_PLUGINS_DIR,
  CDI_DIR,
  STATE_DIR
};
