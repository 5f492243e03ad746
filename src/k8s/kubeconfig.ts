/**
 * A KubeConfig whose API clients share one keep-alive connection pool. client-node makes a new
 * https.Agent for every request, so each call pays a TLS handshake and a fresh TLS context; over
 * thousands of calls (the publisher on a large cluster) that costs time and leaves the process
 * tens of MB larger. The first agent it builds is kept, and a keep-alive twin serves every call.
 */
import * as https from 'node:https';

import * as k8s from '@kubernetes/client-node';

type RequestContext = Parameters<k8s.KubeConfig['applySecurityAuthentication']>[0];

export class PooledKubeConfig extends k8s.KubeConfig {
  private pooled: https.Agent | null = null;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    const fresh = context.getAgent();
    // Only plain TLS agents are pooled; proxy agents stay as client-node makes them.
    if (!(fresh instanceof https.Agent) || fresh.constructor !== https.Agent) return;
    this.pooled ??= new https.Agent({
      ...(fresh as https.Agent & { options: https.AgentOptions }).options,
      keepAlive: true,
      maxSockets: 32,
    });
    context.setAgent(this.pooled);
  }

  /** Closes the pooled connections (a process that ends need not call it). */
  close(): void {
    this.pooled?.destroy();
    this.pooled = null;
  }
}

/** The kubeconfig at `path` (else the default chain: KUBECONFIG, ~/.kube/config, in-cluster). */
export function loadKubeConfig(path?: string, context?: string): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromDefault();
  if (context) kc.setCurrentContext(context);
  return kc;
}

/** A kubeconfig value (a flag or an input) is the text itself when it spans lines, else a path. */
export function isKubeconfigText(value: string): boolean {
  return value.includes('\n');
}
