/**
 * high_performance_networking: a pod's links parsed, those a claim added beyond a baseline pod,
 * and the allocated device found among them by MAC or name.
 */
import { expect } from 'chai';

import { addedInterfaces, findAllocated, parseLinks } from '../../suites/lib/networking.js';

const BASELINE = [
  '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00',
  '2: tunl0@NONE: <NOARP> mtu 1480 qdisc noop qlen 1000\\    link/ipip 0.0.0.0 brd 0.0.0.0',
  '3: eth0@if12: <BROADCAST,MULTICAST,UP,LOWER_UP,M-DOWN> mtu 1500 qdisc noqueue \\    link/ether 9a:1c:3e:00:00:01 brd ff:ff:ff:ff:ff:ff',
].join('\n');
const CLAIMANT = `${BASELINE}\n4: net1: <BROADCAST,MULTICAST,UP> mtu 9000 qdisc mq qlen 1000\\    link/ether 0C:42:A1:00:00:07 brd ff:ff:ff:ff:ff:ff`;

describe('high_performance_networking: interfaces a claim adds', function () {
  it('parses names and MACs of ip -o link, peers and tunnels included', function () {
    expect(parseLinks(BASELINE)).to.deep.equal([
      { name: 'lo' },
      { name: 'tunl0' },
      { name: 'eth0', mac: '9a:1c:3e:00:00:01' },
    ]);
  });

  it('counts only what the baseline pod on the same node lacks (tunl0 is not the claim)', function () {
    expect(addedInterfaces(parseLinks(CLAIMANT), parseLinks(BASELINE))).to.deep.equal([
      { name: 'net1', mac: '0c:42:a1:00:00:07' },
    ]);
    expect(addedInterfaces(parseLinks(BASELINE), parseLinks(BASELINE))).to.deep.equal([]);
  });

  it('finds the allocated device by MAC even when renamed in the pod, else by name', function () {
    const added = addedInterfaces(parseLinks(CLAIMANT), parseLinks(BASELINE));
    expect(findAllocated(added, { ifName: 'ens5f0', mac: '0c:42:a1:00:00:07' })).to.include({
      outcome: 'found',
      by: 'mac',
    });
    expect(findAllocated(added, { ifName: 'net1' })).to.include({ outcome: 'found', by: 'name' });
  });

  it('names what is missing, and says when the device cannot be identified', function () {
    const added = addedInterfaces(parseLinks(CLAIMANT), parseLinks(BASELINE));
    const missing = findAllocated(added, { ifName: 'ens6', mac: 'aa:aa:aa:aa:aa:aa' });
    expect(missing.outcome).to.equal('missing');
    expect(missing).to.have.property('reason').that.includes('net1 (0c:42:a1:00:00:07)');
    expect(findAllocated(added, {}).outcome).to.equal('unidentified');
  });
});
