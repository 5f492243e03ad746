/** Which nodes a suite may put its pods on (suites/lib/cluster.ts isWorkerNode). */
import type * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';

import { isWorkerNode } from '../../suites/lib/cluster.js';

function node(extra: {
  labels?: Record<string, string>;
  spec?: k8s.V1NodeSpec;
  deleting?: boolean;
}) {
  return {
    metadata: {
      name: 'n',
      labels: extra.labels ?? {},
      ...(extra.deleting ? { deletionTimestamp: new Date() } : {}),
    },
    spec: extra.spec ?? {},
    status: { conditions: [{ type: 'Ready', status: 'True' }] },
  } as k8s.V1Node;
}

describe('isWorkerNode: where a suite may put its pods', function () {
  it('takes a Ready, schedulable Linux worker, tainted or not', function () {
    expect(isWorkerNode(node({}))).to.equal(true);
    expect(
      isWorkerNode(node({ spec: { taints: [{ key: 'nvidia.com/gpu', effect: 'NoSchedule' }] } })),
    ).to.equal(true);
  });

  it('leaves out control-plane and virtual-kubelet nodes, and cordoned ones', function () {
    expect(
      isWorkerNode(node({ labels: { 'node-role.kubernetes.io/control-plane': '' } })),
    ).to.equal(false);
    expect(isWorkerNode(node({ labels: { type: 'virtual-kubelet' } }))).to.equal(false);
    expect(isWorkerNode(node({ spec: { unschedulable: true } }))).to.equal(false);
  });

  it('leaves out a node on its way out: being deleted, or tainted by an autoscaler removing it', function () {
    expect(isWorkerNode(node({ deleting: true }))).to.equal(false);
    for (const key of ['karpenter.sh/disrupted', 'ToBeDeletedByClusterAutoscaler']) {
      expect(
        isWorkerNode(node({ spec: { taints: [{ key, effect: 'NoSchedule' }] } })),
        key,
      ).to.equal(false);
    }
  });
});
