/** Pure pieces of the kwok provider and the real node: argument ordering and rule parsing. */
import { expect } from 'chai';

import { extraArgsFlags } from '../../src/providers/kwok.js';
import { splitRule } from '../../src/providers/real-node/host.js';

describe('real node helpers', function () {
  it('orders kwokctl --extra-args so each component first appears at its own index', function () {
    const flags = extraArgsFlags({
      a: [
        ['x', '1'],
        ['y', '2'],
      ],
      b: [
        ['p', 'k=v'],
        ['q', '3'],
        ['r', '4'],
      ],
    });
    const values = flags.filter((_, i) => i % 2 === 1);
    expect(flags.filter((_, i) => i % 2 === 0)).to.deep.equal(Array(5).fill('--extra-args'));
    expect(values).to.deep.equal(['a=x=1', 'b=p=k=v', 'a=y=2', 'b=q=3', 'b=r=4']);
    // kwokctl v0.8.0 keeps the flag index of a component's first entry as its patch index.
    const firstIndex = new Map<string, number>();
    values.forEach((v, i) => {
      const c = v.split('=')[0] as string;
      if (!firstIndex.has(c)) firstIndex.set(c, i);
    });
    expect([...firstIndex.values()]).to.deep.equal([0, 1]);
  });

  it('splits an iptables-save rule into arguments, keeping quoted comments whole', function () {
    expect(
      splitRule(
        '-A INPUT -m comment --comment "kubernetes firewall for \\"dropping\\" packets" -j KUBE-FIREWALL',
      ),
    ).to.deep.equal([
      '-A',
      'INPUT',
      '-m',
      'comment',
      '--comment',
      'kubernetes firewall for "dropping" packets',
      '-j',
      'KUBE-FIREWALL',
    ]);
    expect(splitRule('-A OUTPUT -j KUBE-FIREWALL')).to.deep.equal([
      '-A',
      'OUTPUT',
      '-j',
      'KUBE-FIREWALL',
    ]);
  });
});
