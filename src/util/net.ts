import { createServer } from 'node:net';

export class PortError extends Error {
  override name = 'PortError';
}

/** A free TCP port on `host`, picked by the kernel. */
export async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new PortError(`cannot bind a port on ${host}: ${error.message}`)),
    );
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
