import { createServer } from 'node:net';

/**
 * A loopback port nobody holds now, for a process that must keep its port
 * across restarts (a hub its peers know by address, QEMU's forwarded port).
 * Random ports in a range collided with other tests' ephemeral ports.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}
