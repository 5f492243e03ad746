import { createServer } from 'node:net';

import { execa } from 'execa';

export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** A free TCP port on `host`, picked by the kernel. */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new NetworkError(`cannot bind a port on ${host}: ${error.message}`)),
    );
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * The IPv4 address of the interface that carries the default route: how the API server and pods
 * reach a process on this machine (a real node reports it; host services are published at it).
 */
export async function defaultRouteAddress(): Promise<string> {
  const route = await execa('ip', ['-j', '-4', 'route', 'show', 'default'], { reject: false });
  const dev = (JSON.parse(route.stdout || '[]') as Array<{ dev?: string }>)[0]?.dev;
  const addrs = await execa('ip', ['-j', '-4', 'addr', 'show', ...(dev ? ['dev', dev] : [])], {
    reject: false,
  });
  const parsed = JSON.parse(addrs.stdout || '[]') as Array<{
    ifname: string;
    addr_info?: Array<{ local: string; scope: string }>;
  }>;
  for (const link of parsed) {
    const global = link.addr_info?.find((a) => a.scope === 'global');
    if (global) return global.local;
  }
  throw new NetworkError(
    'this machine has no IPv4 address with global scope (checked `ip -4 addr`)',
  );
}
