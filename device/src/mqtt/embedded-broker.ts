import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import type { Logger } from 'pino';

/**
 * An MQTT broker on the hub's own network, for a neighbourhood without one
 * (aedes, in memory: retained discovery configs and states are published
 * again by the hub after a restart). With a user name set, every client
 * signs in as that user; without one, the broker is open, which the log
 * says once.
 */
export class EmbeddedBroker {
  private broker: Aedes | undefined;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly opts: { host: string; port: number; username: string; password: string; log: Logger }) {}

  async start(): Promise<number> {
    const { username, password, log } = this.opts;
    // A frozen subscriber (a phone app on a bad link) is dropped after 10 s rather than stalling delivery to everyone else.
    const broker = await Aedes.createBroker({ drainTimeout: 10_000, maxTopicLevels: 16 });
    if (username) {
      const want = Buffer.from(password);
      broker.authenticate = (_client, user, pass, done) => {
        const ok = user === username && pass !== undefined && pass.length === want.length && timingSafeEqual(pass, want);
        if (!ok) log.warn({ module: 'mqtt', user }, 'MQTT sign-in refused');
        done(null, ok);
      };
    } else log.warn({ module: 'mqtt' }, 'the embedded MQTT broker takes anyone on the network: set mqtt.username and mqtt.password');
    this.broker = broker;
    const server = createServer(broker.handle);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    log.info({ module: 'mqtt', host: this.opts.host, port: this.port }, 'embedded MQTT broker listening');
    return this.port;
  }

  get clients(): number {
    return this.broker?.connectedClients ?? 0;
  }

  async stop(): Promise<void> {
    const server = this.server;
    const broker = this.broker;
    this.server = undefined;
    this.broker = undefined;
    await new Promise<void>((r) => (broker ? broker.close(() => r()) : r()));
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  }
}
