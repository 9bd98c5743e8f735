import { createServer } from 'node:net';

/**
 * A TCP port the OS reports free right now on `host` (it listens on port 0, reads the port, closes).
 * Another process may still take it before the caller binds it: callers that can, retry on a bind error.
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((error) => {
        if (error) reject(error);
        else if (port > 0) resolve(port);
        else reject(new Error('the OS did not report a free port'));
      });
    });
  });
}
