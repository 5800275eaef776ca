import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { BurstCounter } from '../sensor.js';
import type { GatewayStats } from './gateway-server.js';
import type { Downlink, DownlinkResult, GatewayTransport, Uplink } from './radio.js';
import { datrOf, uplinkChannels, type Region } from './regions.js';

/**
 * The hub's end of LoRa Basics Station's LNS protocol (Semtech's Station
 * 2.x), over WebSocket:
 *
 *   GET /router-info        discovery: {"router": id} → {"router", "muxs", "uri"}
 *   GET /traffic/<eui>      the gateway's data connection: it sends `version`,
 *                           the hub answers `router_config` for its region;
 *                           then `updf`/`jreq`/`propdf` up, `dnmsg` down,
 *                           `dntxed` when a downlink went on air, `timesync`.
 *
 * Uplinks arrive as fields, not bytes: the PHYPayload is rebuilt from them
 * (the MIC is sent, so nothing the network server checks is lost), and the
 * network server sees the same `Uplink` it gets from the UDP forwarder.
 * Downlinks carry both class-A windows in one `dnmsg`; the Station picks the
 * window, and says `dntxed` when it sent the frame.
 *
 * On the hub's own network plain ws is enough; with `tls` the same runs
 * over wss, and with `token` every connection must carry it in its
 * Authorization header (Station sends the content of its tc.key file when
 * that is a token, as The Things Stack's gateways do).
 */

export interface StationServerOptions {
  port: number;
  host?: string;
  region: Region;
  onUplink: (u: Uplink) => void;
  /** PEM certificate and key: serve wss instead of ws. */
  tls?: { cert: string; key: string } | null;
  /** Required in the Authorization header (as `Bearer <token>` or the bare token) when set. */
  token?: string | null;
  knownGateways?: string[];
  maxGateways?: number;
  /** Whether the hub's clock may be given to gateways in `timesync` (not before it is trusted). */
  timeTrusted?: () => boolean;
  now?: () => number;
  log?: (level: 'info' | 'warn', msg: string, detail?: Record<string, unknown>) => void;
  /** How long to wait for `dntxed` after a downlink's last window (ms). */
  dntxedGraceMs?: number;
}

/** GPS time began 1980-01-06; it is ahead of UTC by 18 leap seconds since 2017. */
const GPS_EPOCH_MS = 315_964_800_000;
const GPS_LEAP_MS = 18_000;

const upinfo = z.object({ rctx: z.number().int(), xtime: z.number().int(), rssi: z.number(), snr: z.number() }).loose();
const radio = { DR: z.int().min(0).max(15), Freq: z.int().positive(), upinfo };
const hex = z.string().regex(/^([0-9a-fA-F]{2})*$/);
const eui = z.string().transform((s, ctx) => {
  const h = euiHex(s);
  if (!h) ctx.addIssue({ code: 'custom', message: `${s} is not an EUI` });
  return h ?? '';
});

/** Messages a Station sends on its data connection (fields the hub does not use are kept, not refused). */
const stationMessage = z.discriminatedUnion('msgtype', [
  z
    .object({
      msgtype: z.literal('version'),
      station: z.string().optional(),
      firmware: z.string().nullable().optional(),
      model: z.string().optional(),
      protocol: z.int().optional(),
      features: z.string().optional(),
    })
    .loose(),
  z
    .object({
      msgtype: z.literal('updf'),
      MHdr: z.int().min(0).max(255),
      DevAddr: z.int(),
      FCtrl: z.int().min(0).max(255),
      FCnt: z.int().min(0).max(0xffff),
      FOpts: hex,
      FPort: z.int().min(-1).max(255),
      FRMPayload: hex,
      MIC: z.int(),
      ...radio,
    })
    .loose(),
  z
    .object({
      msgtype: z.literal('jreq'),
      MHdr: z.int().min(0).max(255),
      JoinEui: eui,
      DevEui: eui,
      DevNonce: z.int().min(0).max(0xffff),
      MIC: z.int(),
      ...radio,
    })
    .loose(),
  z.object({ msgtype: z.literal('propdf'), FRMPayload: hex, ...radio }).loose(),
  z.object({ msgtype: z.literal('dntxed'), diid: z.int(), DevEui: z.string().optional() }).loose(),
  z.object({ msgtype: z.literal('timesync'), txtime: z.number() }).loose(),
]);
type StationMessage = z.infer<typeof stationMessage>;
/** The message types the hub reads; a Station's others are ignored. */
const STATION_MESSAGE_TYPES: readonly string[] = stationMessage.options.map((o) => o.shape.msgtype.value);

interface Connection {
  ws: WebSocket;
  eui: string;
}

export class StationServer implements GatewayTransport {
  readonly protocol = 'basics-station' as const;
  readonly gateways = new Map<string, GatewayStats>();
  private readonly connections = new Map<string, Connection>();
  private readonly pending = new Map<number, { resolve: (r: DownlinkResult) => void; timer: NodeJS.Timeout }>();
  private nextDiid = 1;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  readonly malformed: BurstCounter;
  private readonly now: () => number;
  private readonly known: Set<string> | null;
  /** Connections refused: a wrong or missing token, an unknown gateway, a path the protocol does not have. */
  refused = 0;
  unknownGateways = 0;
  port = 0;

  constructor(private readonly opts: StationServerOptions) {
    this.now = opts.now ?? Date.now;
    this.known = opts.knownGateways && opts.knownGateways.length > 0 ? new Set(opts.knownGateways.map((e) => e.toLowerCase())) : null;
    this.malformed = new BurstCounter((key, count, detail) =>
      opts.log?.('warn', 'malformed messages from a Basics Station gateway', { key, count, detail: String(detail) }),
    );
  }

  get scheme(): 'ws' | 'wss' {
    return this.opts.tls ? 'wss' : 'ws';
  }

  async start(): Promise<void> {
    const server = this.opts.tls ? createHttpsServer({ cert: this.opts.tls.cert, key: this.opts.tls.key }) : createHttpServer();
    // Station only ever upgrades; a plain request gets a short answer, not a hanging socket.
    server.on('request', (_req, res) =>
      res.writeHead(426, { 'content-type': 'text/plain' }).end('LoRa Basics Station (LNS protocol): connect with a WebSocket to /router-info\n'),
    );
    const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
    server.on('upgrade', (req, socket, head) => this.upgrade(wss, req, socket, head));
    this.server = server;
    this.wss = wss;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => {
        server.off('error', reject);
        const a = server.address();
        this.port = typeof a === 'object' && a ? a.port : 0;
        resolve();
      });
    });
    this.opts.log?.('info', 'Basics Station server listening', { port: this.port, scheme: this.scheme, token: !!this.opts.token });
  }

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    for (const c of this.connections.values()) c.ws.terminate();
    this.connections.clear();
    this.wss?.close();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private upgrade(wss: WebSocketServer, req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const path = (req.url ?? '/').split('?')[0]!;
    const refuse = (status: number, why: string) => {
      this.refused++;
      this.malformed.count(`refused:${req.socket.remoteAddress ?? '?'}`, why);
      socket.end(
        `HTTP/1.1 ${status} ${status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : 'Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`,
      );
    };
    if (this.opts.token && !tokenMatches(req.headers.authorization, this.opts.token)) return refuse(401, 'no or wrong token in Authorization');
    if (path === '/router-info') {
      wss.handleUpgrade(req, socket, head, (ws) => this.discovery(ws, req));
      return;
    }
    const m = /^\/traffic\/([0-9a-fA-F]{16})$/.exec(path);
    if (!m) return refuse(404, `no such path ${path}`);
    const gw = m[1]!.toLowerCase();
    if (!this.stats(gw)) return refuse(403, `gateway ${gw} is not served`);
    wss.handleUpgrade(req, socket, head, (ws) => this.traffic(ws, gw));
  }

  /** router-info: tells the Station where its data connection is (this server, the path naming its EUI). */
  private discovery(ws: WebSocket, req: IncomingMessage): void {
    ws.on('message', (data) => {
      let router: unknown;
      try {
        router = (JSON.parse(data.toString()) as { router?: unknown }).router;
      } catch {
        router = undefined;
      }
      const gw = routerEui(router);
      if (!gw) {
        this.malformed.count('router-info', `router id ${JSON.stringify(router)} is not an EUI`);
        ws.send(JSON.stringify({ router: router ?? null, error: 'router must be an EUI-64 (ID6, dashed hex or a number)' }));
        return;
      }
      if (!this.stats(gw)) {
        ws.send(JSON.stringify({ router, error: `gateway ${id6(gw)} is not served by this hub` }));
        return;
      }
      // The Station connects back to the host it reached us on.
      const host = req.headers.host ?? `${this.opts.host ?? 'localhost'}:${this.port}`;
      ws.send(JSON.stringify({ router: id6(gw), muxs: 'hyphae', uri: `${this.scheme}://${host}/traffic/${gw}` }));
    });
  }

  private traffic(ws: WebSocket, gw: string): void {
    const old = this.connections.get(gw);
    if (old) old.ws.terminate(); // a gateway that reconnects replaces its old connection
    const conn = { ws, eui: gw };
    this.connections.set(gw, conn);
    this.opts.log?.('info', 'Basics Station gateway connected', { gateway: gw });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.bad(gw, 'binary', 'binary frames are not part of the LNS protocol');
      this.receive(gw, data.toString());
    });
    ws.on('close', () => {
      if (this.connections.get(gw) === conn) this.connections.delete(gw);
      this.opts.log?.('info', 'Basics Station gateway disconnected', { gateway: gw });
    });
    ws.on('error', (e) => this.bad(gw, 'socket', e.message));
  }

  private bad(gw: string, kind: string, detail: string): void {
    const g = this.gateways.get(gw);
    if (g) g.malformed++;
    this.malformed.count(`${kind}:${gw}`, detail);
  }

  /** Public so the fuzz test can drive it without a socket. */
  receive(gw: string, text: string): void {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return this.bad(gw, 'malformed-json', (e as Error).message);
    }
    const parsed = stationMessage.safeParse(raw);
    if (!parsed.success) {
      const type = (raw as { msgtype?: unknown } | null)?.msgtype;
      // Station sends a few things the hub has no use for (rmtsh, getxtime answers…): ignore them quietly.
      if (typeof type === 'string' && !STATION_MESSAGE_TYPES.includes(type)) return;
      return this.bad(gw, 'malformed-json', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    }
    const msg = parsed.data;
    const g = this.gateways.get(gw);
    if (!g) return;
    g.lastSeen = this.now();
    switch (msg.msgtype) {
      case 'version':
        g.lastStat = { station: msg.station, firmware: msg.firmware, model: msg.model, protocol: msg.protocol, features: msg.features };
        this.send(gw, this.routerConfig());
        return;
      case 'updf':
      case 'jreq':
        g.pushData++;
        return this.uplink(g, msg);
      case 'propdf':
        g.pushData++;
        return; // proprietary frames carry nothing the network server reads
      case 'dntxed': {
        const p = this.pending.get(msg.diid);
        if (p) {
          clearTimeout(p.timer);
          this.pending.delete(msg.diid);
          p.resolve('NONE');
        }
        return;
      }
      case 'timesync':
        // Station disciplines its GPS-less clock from this; an untrusted hub clock would only mislead it.
        if (this.opts.timeTrusted?.() ?? true)
          this.send(gw, { msgtype: 'timesync', txtime: msg.txtime, gpstime: Math.round((this.now() - GPS_EPOCH_MS + GPS_LEAP_MS) * 1000) });
        return;
    }
  }

  private uplink(g: GatewayStats, m: Extract<StationMessage, { msgtype: 'updf' | 'jreq' }>): void {
    const phy = m.msgtype === 'jreq' ? joinRequestPhy(m) : dataPhy(m);
    let datr: string;
    try {
      datr = datrOf(this.opts.region, m.DR);
    } catch {
      return this.bad(g.eui, 'unknown-dr', `DR${m.DR} is not a data rate of ${this.opts.region.id}`);
    }
    g.rxPackets++;
    const u: Uplink = {
      gateway: g.eui,
      // tmst is the packet forwarder's clock; Station answers on xtime instead, which `station` carries.
      rxpk: { tmst: 0, freq: m.Freq / 1e6, modu: 'LORA', datr, rssi: m.upinfo.rssi, lsnr: m.upinfo.snr, size: phy.length, data: '' },
      phy,
      receivedAt: this.now(),
      station: { xtime: m.upinfo.xtime, rctx: m.upinfo.rctx },
    };
    try {
      this.opts.onUplink(u);
    } catch (e) {
      this.bad(g.eui, 'uplink-handler', (e as Error).message);
    }
  }

  /** The channel plan and data rates of the hub's region, as Station's router_config lays them out. */
  routerConfig(): Record<string, unknown> {
    const r = this.opts.region;
    const drs: Array<[number, number, number]> = Array.from({ length: 16 }, () => [-1, 0, 0]);
    for (const d of r.dataRates) drs[d.dr] = d.modulation === 'LORA' ? [d.sf, d.bw, d.downlinkOnly ? 1 : 0] : [0, 0, 0];
    return {
      msgtype: 'router_config',
      region: r.basicsStation.region,
      hwspec: 'sx1301/1',
      freq_range: [Math.round(r.band.minMHz * 1e6), Math.round(r.band.maxMHz * 1e6)],
      DRs: drs,
      upchannels: uplinkChannels(r).map(([mhz, min, max]) => [Math.round(mhz * 1e6), min, max]),
      max_eirp: r.maxEirpDbm,
      NetID: null,
      JoinEui: null,
      MuxTime: this.now() / 1000,
    };
  }

  reaches(gateway: string): boolean {
    return this.connections.has(gateway);
  }

  /**
   * One `dnmsg` with both class-A windows (Station picks the first it can
   * make), or class C on RX2 now; resolves NONE when Station says `dntxed`,
   * TIMEOUT when it does not within the windows and a grace period.
   */
  transmit(gateway: string, d: Downlink): Promise<DownlinkResult> {
    if (!this.connections.has(gateway)) return Promise.resolve('NO_ROUTE');
    const g = this.gateways.get(gateway)!;
    const diid = this.nextDiid;
    this.nextDiid = (this.nextDiid % 0x7fffffff) + 1;
    const common = { msgtype: 'dnmsg', DevEui: dashed(d.devEui), diid, pdu: d.phy.toString('hex'), priority: 0, MuxTime: this.now() / 1000 };
    const msg =
      d.kind === 'class-a'
        ? {
            ...common,
            dC: 0,
            RxDelay: d.rx1.delayS,
            RX1DR: d.rx1.dr,
            RX1Freq: Math.round(d.rx1.freq * 1e6),
            RX2DR: d.rx2.dr,
            RX2Freq: Math.round(d.rx2.freq * 1e6),
            xtime: d.uplink.station?.xtime ?? 0,
            rctx: d.uplink.station?.rctx ?? 0,
          }
        : { ...common, dC: 2, RxDelay: 0, RX2DR: d.rx2.dr, RX2Freq: Math.round(d.rx2.freq * 1e6), ...(d.station ? { rctx: d.station.rctx } : {}) };
    const waitMs = (d.kind === 'class-a' ? d.rx2.delayS * 1000 : 0) + (this.opts.dntxedGraceMs ?? 3000);
    g.txPackets++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(diid);
        g.txErrors.TIMEOUT = (g.txErrors.TIMEOUT ?? 0) + 1;
        resolve('TIMEOUT');
      }, waitMs);
      timer.unref();
      this.pending.set(diid, { resolve, timer });
      this.send(gateway, msg);
    });
  }

  private send(gw: string, msg: Record<string, unknown>): void {
    this.connections.get(gw)?.ws.send(JSON.stringify(msg));
  }

  /** The gateway's record, or null for one the hub does not serve (counted). */
  private stats(eui: string): GatewayStats | null {
    let g = this.gateways.get(eui);
    if (!g) {
      if (this.known ? !this.known.has(eui) : this.gateways.size >= (this.opts.maxGateways ?? 100)) {
        this.unknownGateways++;
        return null;
      }
      const now = this.now();
      g = {
        eui,
        protocol: 'basics-station',
        firstSeen: now,
        lastSeen: now,
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
      this.opts.log?.('info', 'new gateway', { gateway: eui, protocol: 'basics-station' });
    }
    return g;
  }
}

/** The PHYPayload of a data frame from updf's fields (all multi-byte fields little-endian on air). */
function dataPhy(m: { MHdr: number; DevAddr: number; FCtrl: number; FCnt: number; FOpts: string; FPort: number; FRMPayload: string; MIC: number }): Buffer {
  const head = Buffer.alloc(8);
  head[0] = m.MHdr;
  head.writeInt32LE(m.DevAddr | 0, 1);
  head[5] = m.FCtrl;
  head.writeUInt16LE(m.FCnt, 6);
  const mic = Buffer.alloc(4);
  mic.writeInt32LE(m.MIC | 0);
  const port = m.FPort < 0 ? Buffer.alloc(0) : Buffer.from([m.FPort]);
  return Buffer.concat([head, Buffer.from(m.FOpts, 'hex'), port, Buffer.from(m.FRMPayload, 'hex'), mic]);
}

/** The PHYPayload of a JoinRequest from jreq's fields: EUIs and DevNonce little-endian on air. */
function joinRequestPhy(m: { MHdr: number; JoinEui: string; DevEui: string; DevNonce: number; MIC: number }): Buffer {
  const b = Buffer.alloc(23);
  b[0] = m.MHdr;
  Buffer.from(m.JoinEui, 'hex').reverse().copy(b, 1);
  Buffer.from(m.DevEui, 'hex').reverse().copy(b, 9);
  b.writeUInt16LE(m.DevNonce, 17);
  b.writeInt32LE(m.MIC | 0, 19);
  return b;
}

/** An EUI in any of Station's spellings ("00-11-…", "00:11:…", plain hex, ID6 "1:2:3:4" or "::1") as 16 lowercase hex digits. */
export function euiHex(s: string): string | null {
  const t = s.trim().toLowerCase();
  if (/^[0-9a-f]{2}([-:][0-9a-f]{2}){7}$/.test(t)) return t.replace(/[-:]/g, '');
  if (/^[0-9a-f]{16}$/.test(t)) return t;
  // ID6: four groups of up to 4 hex digits, "::" standing for the zero groups.
  if (/^[0-9a-f:]+$/.test(t) && t.split('::').length <= 2) {
    const [a, b] = t.includes('::') ? t.split('::') : [t, undefined];
    const left = a ? a.split(':') : [];
    const right = b ? b.split(':') : [];
    const groups = b === undefined ? left : [...left, ...Array(4 - left.length - right.length).fill('0'), ...right];
    if (groups.length === 4 && groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return groups.map((g) => g.padStart(4, '0')).join('');
  }
  return null;
}

function routerEui(router: unknown): string | null {
  if (typeof router === 'number' && Number.isSafeInteger(router) && router >= 0) return router.toString(16).padStart(16, '0');
  if (typeof router === 'string') return euiHex(router);
  return null;
}

/** ID6, as Station writes router ids: 16-bit groups in hex, a run of zero groups at either end (or the middle two) as "::". */
export function id6(hex: string): string {
  const [a, b, c, d] = [0, 4, 8, 12].map((i) => parseInt(hex.slice(i, i + 4), 16));
  const x = (n: number) => n!.toString(16);
  if (!a && !b) return c ? `::${x(c)}:${x(d!)}` : `::${x(d!)}`;
  if (!c && !d) return b ? `${x(a!)}:${x(b)}::` : `${x(a!)}::`;
  if (!b && !c) return `${x(a!)}::${x(d!)}`;
  return [a, b, c, d].map((n) => x(n!)).join(':');
}

function dashed(hex: string): string {
  return hex.match(/../g)!.join('-').toUpperCase();
}

/** Constant-time comparison of the Authorization header with the configured token ("Bearer x" or bare). */
function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const given = header.replace(/^Bearer\s+/i, '').trim();
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b);
}
