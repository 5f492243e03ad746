/** API clients from PooledKubeConfig share keep-alive connections to the real API server. */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { loadKubeConfig } from '../../src/k8s/kubeconfig.js';
import { testCluster } from './hooks.js';

/** How many of `calls` API requests opened a new connection (Node's HTTP client reports it). */
async function socketsFor(kc: k8s.KubeConfig, calls: number): Promise<number> {
  let fresh = 0;
  const count = (message: unknown) => {
    if (!(message as { request: { reusedSocket: boolean } }).request.reusedSocket) fresh++;
  };
  subscribe('http.client.response.finish', count);
  try {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < calls; i++) await core.listNamespace();
  } finally {
    unsubscribe('http.client.response.finish', count);
  }
  return fresh;
}

describe('[k8s] pooled kubeconfig', function () {
  it('makes 20 calls over one connection where client-node alone opens one per call', async function () {
    const path = testCluster().handle.kubeconfigPath;
    const plain = new k8s.KubeConfig();
    plain.loadFromFile(path);
    const pooled = loadKubeConfig(path);
    try {
      expect(await socketsFor(plain, 20)).to.be.at.least(20);
      expect(await socketsFor(pooled, 20)).to.equal(1);
    } finally {
      pooled.close();
    }
  });
});
