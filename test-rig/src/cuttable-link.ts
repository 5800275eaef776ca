import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A TCP relay on loopback that a test can cut and mend, as a flaky mesh link
 * drops and comes back: cut() closes every open connection and refuses new
 * ones; mend() listens again on the same port.
 */
export interface CuttableLink {
  port: number;
  cut(): Promise<void>;
  mend(): Promise<void>;
  close(): Promise<void>;
}

export async function cuttableLink(targetPort: number, targetHost = '127.0.0.1'): Promise<CuttableLink> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  };
  const listen = (port: number) =>
    new Promise<Server>((resolve, reject) => {
      const server = createServer((inbound) => {
        const outbound = connect(targetPort, targetHost);
        track(inbound);
        track(outbound);
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('error', () => outbound.destroy());
        outbound.on('error', () => inbound.destroy());
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  let server: Server | null = await listen(0);
  const port = (server.address() as { port: number }).port;
  const stop = async () => {
    if (!server) return;
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  return {
    port,
    cut: stop,
    mend: async () => {
      if (!server) server = await listen(port);
    },
    close: stop,
  };
}
