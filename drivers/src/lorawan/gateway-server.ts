import dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BurstCounter } from '../sensor.js';
import { encodeAck, encodePullResp, parseUp, ProtocolError, PULL_ACK, PUSH_ACK, type TxAckError, type Txpk } from './semtech.js';
import type { Downlink, DownlinkResult, GatewayProtocol, GatewayTransport, Uplink } from './radio.js';

export type { Uplink } from './radio.js';

/** What the hub asks of the kernel for its UDP receive buffer. */
export const RECV_BUFFER_BYTES = 4 * 1024 * 1024;

export interface GatewayStats {
  eui: string;
  protocol: GatewayProtocol;
  firstSeen: number;
  lastSeen: number;
  pushData: number;
  pullData: number;
  rxPackets: number;
  txPackets: number;
  txErrors: Record<string, number>;
  malformed: number;
  /** Where this gateway's last PULL_DATA came from: downlinks go there. */
  pullAddress: string | null;
  lastStat: Record<string, unknown> | null;
}

export interface GatewayServerOptions {
  port: number;
  host?: string;
  now?: () => number;
  onUplink: (u: Uplink) => void;
  log?: (level: 'info' | 'warn', msg: string, detail?: Record<string, unknown>) => void;
  txAckTimeoutMs?: number;
  /** Gateway EUIs (hex) the hub serves; when given, no other gateway is. */
  knownGateways?: string[];
  /** With no list, at most this many gateways are remembered; the rest are counted and ignored. */
  maxGateways?: number;
}

/** Unknown gateways are counted, and said at most this often: a flood of spoofed EUIs must not become a flood of log lines. */
const UNKNOWN_LOG_EVERY_MS = 60_000;

/**
 * The hub's end of the packet forwarder protocol: acknowledges PUSH_DATA and
 * PULL_DATA, keeps a registry of gateways, hands each received radio packet
 * on, and sends downlinks to the address of the gateway's last PULL_DATA,
 * resolving with the gateway's TX_ACK verdict. Nothing a gateway sends can
 * stop the loop: bad datagrams are counted and logged once per burst.
 */
export class GatewayServer implements GatewayTransport {
  readonly protocol = 'semtech-udp' as const;
  private socket: dgram.Socket | undefined;
  readonly gateways = new Map<string, GatewayStats>();
  private readonly pending = new Map<number, { resolve: (e: TxAckError | 'TIMEOUT') => void; timer: NodeJS.Timeout }>();
  readonly malformed: BurstCounter;
  private readonly now: () => number;
  private readonly known: Set<string> | null;
  /** Datagrams from gateways not served (not listed, or past the cap): counted, not remembered. */
  unknownGateways = 0;
  private unknownSinceLog = 0;
  private unknownLoggedAt = -Infinity;
  port = 0;

  constructor(private readonly opts: GatewayServerOptions) {
    this.now = opts.now ?? Date.now;
    this.known = opts.knownGateways && opts.knownGateways.length > 0 ? new Set(opts.knownGateways.map((e) => e.toLowerCase())) : null;
    this.malformed = new BurstCounter((key, count, detail) => opts.log?.('warn', 'malformed datagrams from a gateway', { key, count, detail: String(detail) }));
  }

  async start(): Promise<void> {
    const socket = dgram.createSocket('udp4');
    this.socket = socket;
    socket.on('message', (msg, rinfo) => this.receive(msg, `${rinfo.address}:${rinfo.port}`));
    socket.on('error', (err) => this.opts.log?.('warn', 'gateway socket error', { err: err.message }));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(this.opts.port, this.opts.host ?? '0.0.0.0', () => {
        socket.off('error', reject);
        this.port = socket.address().port;
        // Room for a burst of uplinks while the event loop is busy for a moment; the kernel caps it at
        // net.core.rmem_max (the OS image raises that to 4 MiB).
        try {
          socket.setRecvBufferSize(RECV_BUFFER_BYTES);
        } catch {
          // keep the default
        }
        resolve();
      });
    });
    this.opts.log?.('info', 'packet forwarder server listening', { port: this.port, recvBufferBytes: socket.getRecvBufferSize() });
  }

  /**
   * Datagrams the kernel dropped because this socket's receive buffer was
   * full: back-pressure that never reached the hub's code, read from
   * /proc/net/udp (Linux; null elsewhere). Counted, so a flood's losses are
   * said rather than silent.
   */
  kernelDrops(): number | null {
    if (!this.socket || this.port === 0) return null;
    return kernelDropsOnPort(this.port);
  }

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  /** The gateway's record, or null for one the hub does not serve (counted, and said once a minute). */
  private stats(eui: string): GatewayStats | null {
    let g = this.gateways.get(eui);
    if (!g) {
      if (this.known ? !this.known.has(eui) : this.gateways.size >= (this.opts.maxGateways ?? 100)) {
        this.unknownGateways++;
        this.unknownSinceLog++;
        const now = this.now();
        if (now - this.unknownLoggedAt >= UNKNOWN_LOG_EVERY_MS) {
          this.opts.log?.(
            'warn',
            this.known ? 'datagrams from gateways not in the configured list, ignored' : 'datagrams from more gateways than the hub keeps, ignored',
            { count: this.unknownSinceLog, total: this.unknownGateways, last: eui },
          );
          this.unknownLoggedAt = now;
          this.unknownSinceLog = 0;
        }
        return null;
      }
      g = {
        eui,
        protocol: 'semtech-udp',
        firstSeen: this.now(),
        lastSeen: this.now(),
        pushData: 0,
        pullData: 0,
        rxPackets: 0,
        txPackets: 0,
        txErrors: {},
        malformed: 0,
        pullAddress: null,
        lastStat: null,
      };
      this.gateways.set(eui, g);
      this.opts.log?.('info', 'new gateway', { gateway: eui });
    }
    return g;
  }

  /** Public so the fuzz test can drive it without a socket. */
  receive(msg: Buffer, from: string): void {
    let m;
    try {
      m = parseUp(msg);
    } catch (e) {
      const kind = e instanceof ProtocolError ? e.kind : 'malformed-udp';
      // Count against the gateway if the header names one.
      if (msg.length >= 12) {
        const g = this.stats(msg.subarray(4, 12).toString('hex'));
        if (g) g.malformed++;
      }
      this.malformed.count(`${kind}:${from}`, (e as Error).message);
      return;
    }
    const g = this.stats(m.gateway);
    if (!g) return;
    g.lastSeen = this.now();
    const [host, port] = splitAddress(from);
    if (m.type === 'PUSH_DATA') {
      g.pushData++;
      if (m.stat) g.lastStat = m.stat;
      this.send(encodeAck(PUSH_ACK, m.token), host, port);
      for (const rxpk of m.rxpk) {
        if (rxpk.stat !== undefined && rxpk.stat !== 1) continue; // CRC failed on air
        const phy = Buffer.from(rxpk.data, 'base64');
        if (phy.length === 0) {
          g.malformed++;
          this.malformed.count(`empty-payload:${m.gateway}`);
          continue;
        }
        g.rxPackets++;
        try {
          this.opts.onUplink({ gateway: m.gateway, rxpk, phy, receivedAt: this.now() });
        } catch (e) {
          this.malformed.count(`uplink-handler:${m.gateway}`, (e as Error).message);
        }
      }
    } else if (m.type === 'PULL_DATA') {
      g.pullData++;
      g.pullAddress = from;
      this.send(encodeAck(PULL_ACK, m.token, m.gateway), host, port);
    } else {
      const p = this.pending.get(m.token);
      if (m.error !== 'NONE') g.txErrors[m.error] = (g.txErrors[m.error] ?? 0) + 1;
      if (p) {
        clearTimeout(p.timer);
        this.pending.delete(m.token);
        p.resolve(m.error);
      }
    }
  }

  /** Sends a downlink through a gateway; resolves with its TX_ACK error code (NONE when sent). */
  sendDownlink(gateway: string, txpk: Txpk): Promise<TxAckError | 'TIMEOUT' | 'NO_ROUTE'> {
    const g = this.gateways.get(gateway);
    if (!g?.pullAddress) return Promise.resolve('NO_ROUTE');
    let token = randomInt(0, 0x10000);
    while (this.pending.has(token)) token = (token + 1) & 0xffff;
    const [host, port] = splitAddress(g.pullAddress);
    g.txPackets++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(token);
        resolve('TIMEOUT');
      }, this.opts.txAckTimeoutMs ?? 2000);
      timer.unref();
      this.pending.set(token, { resolve, timer });
      this.send(encodePullResp(token, txpk), host, port);
    });
  }

  reaches(gateway: string): boolean {
    return !!this.gateways.get(gateway)?.pullAddress;
  }

  /**
   * A downlink in packet-forwarder terms. Class A: RX1 on the concentrator's
   * clock (the uplink's tmst plus the window's delay); if the gateway says it
   * is too late, too early or busy then, RX2. Class C: at once on RX2.
   */
  async transmit(gateway: string, d: Downlink): Promise<DownlinkResult> {
    const base = { rfch: 0, powe: d.power, modu: 'LORA' as const, codr: '4/5', ipol: true, size: d.phy.length, data: d.phy.toString('base64') };
    if (d.kind === 'class-c') return this.sendDownlink(gateway, { ...base, imme: true, freq: d.rx2.freq, datr: d.rx2.datr });
    const at = (delayS: number) => (d.uplink.rxpk.tmst + delayS * 1_000_000) >>> 0;
    const first = await this.sendDownlink(gateway, { ...base, imme: false, tmst: at(d.rx1.delayS), freq: d.rx1.freq, datr: d.rx1.datr });
    if (first !== 'TOO_LATE' && first !== 'COLLISION_PACKET' && first !== 'TOO_EARLY') return first;
    const second = await this.sendDownlink(gateway, { ...base, imme: false, tmst: at(d.rx2.delayS), freq: d.rx2.freq, datr: d.rx2.datr });
    return second === 'NONE' ? second : first;
  }

  private send(buf: Buffer, host: string, port: number): void {
    this.socket?.send(buf, port, host);
  }
}

function splitAddress(a: string): [string, number] {
  const i = a.lastIndexOf(':');
  return [a.slice(0, i), Number(a.slice(i + 1))];
}

/** The drops column of the UDP socket bound to `port`, from /proc/net/udp and udp6 (null when there is none). */
export function kernelDropsOnPort(port: number, files = ['/proc/self/net/udp', '/proc/self/net/udp6']): number | null {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  let found: number | null = null;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode ref pointer drops
      if (cols.length < 13 || !cols[1]!.endsWith(`:${hexPort}`)) continue;
      found = (found ?? 0) + Number(cols[12]);
    }
  }
  return found;
}
