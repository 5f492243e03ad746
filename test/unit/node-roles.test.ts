import { expect } from 'chai';

import { nodeRolesLine } from '../../src/k8s/kwok-nodes.js';

describe('nodeRolesLine: which nodes run containers, which are simulated', function () {
  it('names the real node as running containers and the kwok nodes as simulated, with their taint', function () {
    expect(nodeRolesLine(['w-0', 'w-1', 'real-node-0'], ['real-node-0'], true)).to.equal(
      'real-node-0 runs containers; w-0, w-1 are simulated by kwok: a pod there is reported ' +
        'Running, but no container runs and its logs stay empty (only pods that tolerate ' +
        'kwok.x-k8s.io/node=fake:NoSchedule land there)',
    );
  });

  it('says when no node runs containers, and names no taint on a cluster kaic did not make', function () {
    expect(nodeRolesLine(['w-0'], [], false)).to.equal(
      'no node runs containers; w-0 is simulated by kwok: a pod there is reported Running, but ' +
        'no container runs and its logs stay empty',
    );
  });

  it('a cluster of the real node alone, and a long list shortened to its ends and count', function () {
    expect(nodeRolesLine(['real-node-0'], ['real-node-0'], true)).to.equal(
      'real-node-0 runs containers',
    );
    const many = Array.from({ length: 1000 }, (_, i) => `w-${i}`);
    expect(nodeRolesLine(many, [], true)).to.match(
      /^no node runs containers; w-0 … w-999 \(1000 nodes\) are simulated/,
    );
  });
});
