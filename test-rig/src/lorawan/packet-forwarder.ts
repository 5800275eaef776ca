import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { semtech } from '@hyphae/drivers/lorawan';

type Txpk = semtech.Txpk;
type Rxpk = semtech.Rxpk;

/** A simulated gateway of either protocol, as a simulated device uses it: the air in both directions. */
export interface RadioGateway {
  readonly eui: string;
  push(phy: Buffer, radio?: Partial<Rxpk>): unknown;
  onDownlink(fn: (phy: Buffer, txpk: Txpk) => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A concentrator's packet forwarder, simulated over the real Semtech UDP
 * protocol: it keeps the downlink path open with PULL_DATA, pushes radio
 * packets with PUSH_DATA, and answers each PULL_RESP with a TX_ACK, handing
 * the downlink to whichever simulated device is listening.
 */
export class PacketForwarder implements RadioGateway {
  private socket: dgram.Socket | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  /** The concentrator's microsecond counter. */
  tmst = randomInt(0, 1_000_000);
  readonly downlinks: Txpk[] = [];
  private listeners: Array<(phy: Buffer, txpk: Txpk) => void> = [];
  acks = { push: 0, pull: 0 };
  txAckError: semtech.TxAckError = 'NONE';

  constructor(
    readonly eui: string,
    private readonly hub: { host: string; port: number },
  ) {}

  async start(): Promise<void> {
    const s = dgram.createSocket('udp4');
    this.socket = s;
    s.on('message', (msg) => {
      let m;
      try {
        m = semtech.parseDown(msg);
      } catch {
        return;
      }
      if (m.type === 'PUSH_ACK') this.acks.push++;
      else if (m.type === 'PULL_ACK') this.acks.pull++;
      else if (m.type === 'PULL_RESP') {
        this.downlinks.push(m.txpk);
        s.send(semtech.encodeTxAck(m.token, this.eui, this.txAckError), this.hub.port, this.hub.host);
        if (this.txAckError === 'NONE') for (const l of this.listeners) l(Buffer.from(m.txpk.data, 'base64'), m.txpk);
      }
    });
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    this.pull();
    this.keepalive = setInterval(() => this.pull(), 5_000);
    this.keepalive.unref();
    await this.until(() => this.acks.pull > 0, 'PULL_ACK');
  }

  async stop(): Promise<void> {
    if (this.keepalive) clearInterval(this.keepalive);
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  pull(): void {
    this.socket?.send(semtech.encodePullData(randomInt(0, 0x10000), this.eui), this.hub.port, this.hub.host);
  }

  onDownlink(fn: (phy: Buffer, txpk: Txpk) => void): () => void {
    this.listeners.push(fn);
    return () => (this.listeners = this.listeners.filter((l) => l !== fn));
  }

  /** Sends one radio packet as received at this gateway's antenna. */
  push(phy: Buffer, radio: Partial<Rxpk> = {}): Rxpk {
    this.tmst = (this.tmst + randomInt(100_000, 2_000_000)) >>> 0;
    const rxpk: Rxpk = {
      tmst: this.tmst,
      freq: 868.1,
      chan: 0,
      rfch: 0,
      stat: 1,
      modu: 'LORA',
      datr: 'SF7BW125',
      codr: '4/5',
      rssi: -80,
      lsnr: 7.5,
      size: phy.length,
      data: phy.toString('base64'),
      ...radio,
    };
    this.socket?.send(semtech.encodePushData(randomInt(0, 0x10000), this.eui, [rxpk]), this.hub.port, this.hub.host);
    return rxpk;
  }

  /** Raw bytes, for fuzzing the hub's port. */
  sendRaw(buf: Buffer): void {
    this.socket?.send(buf, this.hub.port, this.hub.host);
  }

  async until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
    const t0 = Date.now();
    while (!cond()) {
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
