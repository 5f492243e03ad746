import { createRequire as __kaicCreateRequire } from 'node:module'; const require = __kaicCreateRequire(import.meta.url);
import {
  KubeConfig
} from "./chunk-4B6QAMHQ.js";

// src/k8s/kubeconfig.ts
import * as https from "node:https";
var PooledKubeConfig = class extends KubeConfig {
  pooled = null;
  async applySecurityAuthentication(context) {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    if (!(fresh instanceof https.Agent) || fresh.constructor !== https.Agent) return;
    this.pooled ??= new https.Agent({
      ...fresh.options,
      keepAlive: true,
      maxSockets: 32
    });
    context.setAgent(this.pooled);
  }
  /** Closes the pooled connections (a process that ends need not call it). */
  close() {
    this.pooled?.destroy();
    this.pooled = null;
  }
};
function loadKubeConfig(path, context) {
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}

export {
  loadKubeConfig
};
