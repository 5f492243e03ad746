/**
 * disaggregated_inference (SHOULD from 1.36): prefill and decode of one model served by separate
 * pods. Detected from llm-d's role labels (llm-d.ai/role=prefill|decode), NVIDIA Dynamo's
 * DynamoGraphDeployment API, or a label selector in KAIC_PD_SELECTOR (`<prefill>;<decode>`). Where
 * prefill and decode pods exist, both roles must have Ready pods on different pods; tracing one
 * request through both needs the serving stack's own request ids, so that step is left to the
 * stack's logs and the result says so. Nothing found → Unknown with the reason.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { getJson } from '../src/k8s/raw.js';
import { suiteCluster } from './lib/cluster.js';
import { recordEvidence, requirementTag, skipBecause } from './lib/index.js';
import { suiteSettings } from './lib/settings.js';
import type { SuiteBudget } from '../src/runner/budget.js';

/** What it holds while it runs, for the runner (src/runner/budget.ts): reads the API only. */
export const budget: SuiteBudget = { devices: 0, typicalSeconds: 2 };

function selectors(): { prefill: string; decode: string; how: string } {
  const configured = suiteSettings().pdSelector;
  if (configured) {
    const [prefill, decode] = configured.split(';');
    if (!prefill || !decode) {
      throw new Error(
        `KAIC_PD_SELECTOR="${configured}"; give <prefill label selector>;<decode label selector>`,
      );
    }
    return { prefill, decode, how: 'configured (KAIC_PD_SELECTOR)' };
  }
  return { prefill: 'llm-d.ai/role=prefill', decode: 'llm-d.ai/role=decode', how: "llm-d's roles" };
}

function ready(pod: k8s.V1Pod): boolean {
  return Boolean(pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
}

describe(`${requirementTag('disaggregated_inference', 'SHOULD')} Disaggregated inference`, function () {
  this.timeout(120_000);

  it('serves prefill and decode from separate Ready pods', async function () {
    const { kc, core } = suiteCluster();
    const { prefill, decode, how } = selectors();
    const [prefillPods, decodePods] = await Promise.all(
      [prefill, decode].map(
        async (labelSelector) => (await core.listPodForAllNamespaces({ labelSelector })).items,
      ),
    );
    const dynamo = await getJson(kc, '/apis/nvidia.com/v1alpha1').then(
      (r) =>
        ((r as { resources?: Array<{ name: string }> }).resources ?? []).some(
          (x) => x.name === 'dynamographdeployments',
        ),
      () => false,
    );
    if (!prefillPods?.length && !decodePods?.length) {
      skipBecause(
        this,
        dynamo
          ? 'the Dynamo API (dynamographdeployments.nvidia.com) is served but no pod carries the prefill/decode selectors: set KAIC_PD_SELECTOR'
          : `no disaggregated serving found (no pod matches ${prefill} or ${decode}; no Dynamo API): deploy one (e.g. llm-d with P/D) or declare N/A`,
      );
    }
    const describe = (pods: k8s.V1Pod[]) =>
      pods
        .map((p) => `${p.metadata?.namespace}/${p.metadata?.name}${ready(p) ? '' : ' (not Ready)'}`)
        .join(', ') || 'none';
    recordEvidence(
      this,
      'observed',
      `selectors (${how}): prefill ${prefill} → ${describe(prefillPods ?? [])}`,
    );
    recordEvidence(this, 'observed', `decode ${decode} → ${describe(decodePods ?? [])}`);
    const readyPrefill = (prefillPods ?? []).filter(ready);
    const readyDecode = (decodePods ?? []).filter(ready);
    expect(readyPrefill.length, 'Ready prefill pods').to.be.greaterThan(0);
    expect(readyDecode.length, 'Ready decode pods').to.be.greaterThan(0);
    const shared = readyPrefill.filter((p) =>
      readyDecode.some((d) => d.metadata?.uid === p.metadata?.uid),
    );
    expect(
      shared.map((p) => p.metadata?.name),
      'pods in both roles',
    ).to.have.length(0);
    recordEvidence(
      this,
      'observed',
      'one request traced through prefill and decode: not automated (needs the serving stack request ids); see its logs',
    );
  });
});
