import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

import { expect } from 'chai';

import { freePort } from '../../src/util/net.js';

describe('freePort', function () {
  it('hands out distinct, bindable ports below the kernel’s ephemeral range and the NodePorts', async function () {
    const low = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    const ports: number[] = [];
    for (let i = 0; i < 20; i++) ports.push(await freePort('127.0.0.1'));
    expect(new Set(ports).size).to.equal(20);
    for (const port of ports) {
      expect(port).to.be.below(Math.min(low, 30_000));
      expect(port).to.be.at.least(1024);
    }
    // The last one is really free: it binds.
    await new Promise<void>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(ports[19], '127.0.0.1', () => server.close(() => resolve()));
    });
  });
});
