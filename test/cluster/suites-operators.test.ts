/**
 * robust_controller where only an operator kaic recognises but does not drive is installed (the
 * Kubeflow Training Operator v1's PyTorchJob CRD): Unknown, naming the operator found and the ones
 * kaic drives, not "no operator".
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { decideVerdict } from '../../src/results/model.js';
import { onDefaultMinorOnly, testCluster } from './hooks.js';
import { runSuitesOnTestCluster } from './suite-runs.js';
import { waitUntil } from './k8s-helpers.js';

const CRD = 'pytorchjobs.kubeflow.org';

describe('[suites] robust_controller with an operator kaic recognises only', function () {
  this.timeout(5 * 60_000);

  before(function () {
    onDefaultMinorOnly(this, 'which operators are recognised does not change with the minor');
  });

  after(async function () {
    const ext = testCluster().kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
    await ext.deleteCustomResourceDefinition({ name: CRD }).catch(() => undefined);
  });

  it("Kubeflow Training Operator v1's CRD only: Unknown naming it", async function () {
    const ext = testCluster().kubeConfig.makeApiClient(k8s.ApiextensionsV1Api);
    await ext.createCustomResourceDefinition({
      body: {
        metadata: { name: CRD },
        spec: {
          group: 'kubeflow.org',
          scope: 'Namespaced',
          names: { plural: 'pytorchjobs', singular: 'pytorchjob', kind: 'PyTorchJob' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true },
              },
            },
          ],
        },
      },
    });
    await waitUntil(`CRD ${CRD} Established`, async () =>
      Boolean(
        (await ext.readCustomResourceDefinition({ name: CRD })).status?.conditions?.some(
          (c) => c.type === 'Established' && c.status === 'True',
        ),
      ),
    );
    const tests = await runSuitesOnTestCluster(['robust_controller'], { evidence: true });
    const verdict = decideVerdict(tests, null);
    expect(verdict.verdict).to.equal('Unknown');
    expect(tests[0]?.skipReason).to.include(
      'Kubeflow Training Operator (v1) (CRD pytorchjobs.kubeflow.org) found, which kaic recognises but does not drive yet',
    );
  });
});
