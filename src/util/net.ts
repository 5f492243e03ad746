import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

import { execa } from 'execa';

export class NetworkError extends Error {
  override name = 'NetworkError';
}

/** Ports handed out by this process: never handed out twice. */
const handedOut = new Set<number>();

/** Binds `port` on `host` and releases it: whether nothing listens there now. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** The kernel's ephemeral range (ports it gives outgoing connections and `listen(0)`). */
function ephemeralRange(): [number, number] {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (low && high) return [low, high];
  } catch {
    // Not Linux: the IANA dynamic range.
  }
  return [49152, 65535];
}

/**
 * A free TCP port on `host` for a process kaic starts, chosen below the kernel's ephemeral range:
 * a port from that range, released and then passed on, can meanwhile become the local port of an
 * outgoing connection (the API server's clients make many), and the process then fails to bind it
 * (seen with JobSet's webhook port). Random in the 10,000 ports below, checked by binding, never
 * the same one twice.
 */
export async function freePort(host: string): Promise<number> {
  // Also below 30000: NodePorts (30000-32767) and kwokctl's own ports (down from 32767).
  const below = Math.min(ephemeralRange()[0], 30_000);
  const from = Math.max(1024, below - 10_000);
  for (let attempt = 0; attempt < 50 && below - from >= 1000; attempt++) {
    const port = from + Math.floor(Math.random() * (below - from));
    if (handedOut.has(port) || !(await canBind(host, port))) continue;
    handedOut.add(port);
    return port;
  }
  // No room below the ephemeral range: let the kernel pick one.
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
