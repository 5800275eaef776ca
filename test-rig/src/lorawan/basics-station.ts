import { randomInt } from 'node:crypto';
import WebSocket from 'ws';
import { id6, semtech } from '@hyphae/drivers/lorawan';
import type { RadioGateway } from './packet-forwarder.js';

type Txpk = semtech.Txpk;
type Rxpk = semtech.Rxpk;

/** A dnmsg as the simulated Station received it, with when it would have gone on air. */
export interface StationDownlink {
  msg: Record<string, unknown> & { diid: number; pdu: string; dC: number };
  /** The concentrator time (xtime) RX1 opens at, or null for class C (at once). */
  rx1At: number | null;
}

/**
 * A LoRa Basics Station gateway, simulated over the real LNS protocol: it
 * asks /router-info where to go, opens its data connection there, says
 * `version`, takes the `router_config` the hub sends, then turns each radio
 * packet into `updf` / `jreq` fields (as Station's own parser does) and
 * answers every `dnmsg` with `dntxed`, handing the frame to whichever
 * simulated device listens. Like a real Station it knows data rates only by
 * number, from the router_config's DRs table.
 */
export class SimulatedStation implements RadioGateway {
  private ws: WebSocket | undefined;
  /** The concentrator's microsecond clock, with a session number in the upper bits as Station keeps it. */
  private xtime = 2 ** 48 + randomInt(0, 1_000_000);
  routerConfig: (Record<string, unknown> & { DRs: Array<[number, number, number]>; region: string }) | null = null;
  readonly downlinks: StationDownlink[] = [];
  private listeners: Array<(phy: Buffer, txpk: Txpk) => void> = [];
  /** Messages the hub sent that were not JSON this simulator understood. */
  readonly odd: string[] = [];
  /** Answer dnmsg with dntxed (a real Station does once the frame is on air); off to simulate a frame that never went. */
  answerDntxed = true;

  constructor(
    readonly eui: string,
    private readonly hub: { url: string; token?: string },
  ) {}

  private headers(): Record<string, string> {
    return this.hub.token ? { authorization: `Bearer ${this.hub.token}` } : {};
  }

  /** Discovery, then the data connection; resolves once router_config has arrived. */
  async start(): Promise<void> {
    const uri = await this.discover();
    const ws = new WebSocket(uri, { headers: this.headers() });
    this.ws = ws;
    const configured = new Promise<void>((resolve, reject) => {
      ws.once('error', reject);
      ws.on('message', (data) => {
        const m = JSON.parse(data.toString()) as Record<string, unknown>;
        if (m.msgtype === 'router_config') {
          this.routerConfig = m as NonNullable<SimulatedStation['routerConfig']>;
          resolve();
        } else if (m.msgtype === 'dnmsg') this.dnmsg(m as StationDownlink['msg']);
        else if (m.msgtype !== 'timesync') this.odd.push(data.toString());
      });
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(
      JSON.stringify({ msgtype: 'version', station: '2.0.6(sim/std)', firmware: null, package: null, model: 'hyphae-test-rig', protocol: 2, features: '' }),
    );
    await configured;
  }

  /** GET /router-info: {"router": ID6} → {"uri": …} (or {"error": …}, thrown). */
  async discover(): Promise<string> {
    const ws = new WebSocket(`${this.hub.url}/router-info`, { headers: this.headers() });
    try {
      const answer = await new Promise<Record<string, string>>((resolve, reject) => {
        ws.once('error', reject);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`router-info refused: HTTP ${res.statusCode}`)));
        ws.once('open', () => ws.send(JSON.stringify({ router: id6(this.eui) })));
        ws.once('message', (data) => resolve(JSON.parse(data.toString()) as Record<string, string>));
      });
      if (answer.error) throw new Error(`router-info: ${answer.error}`);
      return answer.uri!;
    } finally {
      ws.close();
    }
  }

  async stop(): Promise<void> {
    const ws = this.ws;
    this.ws = undefined;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((r) => {
      ws.once('close', () => r());
      ws.close();
    });
  }

  onDownlink(fn: (phy: Buffer, txpk: Txpk) => void): () => void {
    this.listeners.push(fn);
    return () => (this.listeners = this.listeners.filter((l) => l !== fn));
  }

  private drOf(datr: string): number {
    const m = /^SF(\d+)BW(\d+)$/.exec(datr);
    const dr = this.routerConfig!.DRs.findIndex(([sf, bw, dnOnly]) => m && sf === Number(m[1]) && bw === Number(m[2]) && dnOnly === 0);
    if (dr < 0) throw new Error(`${datr} is not an uplink data rate in the router_config`);
    return dr;
  }

  private datrOf(dr: number): string {
    const [sf, bw] = this.routerConfig!.DRs[dr]!;
    return `SF${sf}BW${bw}`;
  }

  /** Sends one radio packet as heard at this gateway's antenna, as Station's fields. */
  push(phy: Buffer, radio: Partial<Rxpk> = {}): void {
    this.xtime += randomInt(100_000, 2_000_000);
    this.ws?.send(
      JSON.stringify(
        uplinkMessage(phy, {
          DR: this.drOf(radio.datr ?? 'SF7BW125'),
          Freq: Math.round((radio.freq ?? 868.1) * 1e6),
          xtime: this.xtime,
          rssi: radio.rssi ?? -80,
          snr: radio.lsnr ?? 7.5,
        }),
      ),
    );
  }

  /**
   * Sends prepared messages at `rate` a second (null: as fast as the socket
   * drains), holding back while more than 4 MiB wait in the socket, as
   * Station's own send queue does; resolves once all have left.
   */
  async blast(texts: string[], rate: number | null): Promise<void> {
    const ws = this.ws!;
    const t0 = performance.now();
    let i = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = rate === null ? texts.length : Math.min(texts.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
        let n = 0;
        while (i < due && ws.bufferedAmount < 4 * 1024 * 1024 && n++ < 512) ws.send(texts[i++]!);
        if (i < texts.length) (rate === null ? setImmediate : (f: () => void) => setTimeout(f, 2))(tick);
        else resolve();
      };
      tick();
    });
    while (ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 5));
  }

  /** Raw text on the data connection, for fuzzing the hub. */
  sendRaw(text: string): void {
    this.ws?.send(text);
  }

  private dnmsg(m: StationDownlink['msg']): void {
    const classC = m.dC === 2;
    const rx1At = classC ? null : (m.xtime as number) + (m.RxDelay as number) * 1_000_000;
    this.downlinks.push({ msg: m, rx1At });
    if (!this.answerDntxed) return;
    // The simulated radio always makes RX1 (RX2 for class C).
    const dr = classC ? (m.RX2DR as number) : (m.RX1DR as number);
    const freq = classC ? (m.RX2Freq as number) : (m.RX1Freq as number);
    this.ws?.send(
      JSON.stringify({
        msgtype: 'dntxed',
        seqno: m.diid,
        diid: m.diid,
        DR: dr,
        Freq: freq,
        DevEui: m.DevEui,
        rctx: 0,
        xtime: rx1At ?? this.xtime,
        txtime: Date.now() / 1000,
        gpstime: 0,
      }),
    );
    const phy = Buffer.from(m.pdu, 'hex');
    const txpk: Txpk = {
      imme: classC,
      ...(rx1At === null ? {} : { tmst: rx1At % 2 ** 32 }),
      freq: freq / 1e6,
      rfch: 0,
      powe: 14,
      modu: 'LORA',
      datr: this.datrOf(dr),
      codr: '4/5',
      ipol: true,
      size: phy.length,
      data: phy.toString('base64'),
    };
    for (const l of this.listeners) l(phy, txpk);
  }
}

/** A PHYPayload as Station's fields (its src/lora.c): `jreq` for a JoinRequest, `updf` for data up, `propdf` otherwise. */
export function uplinkMessage(phy: Buffer, r: { DR: number; Freq: number; xtime: number; rssi: number; snr: number }): Record<string, unknown> {
  const up = {
    DR: r.DR,
    Freq: r.Freq,
    upinfo: { rctx: 0, xtime: r.xtime, gpstime: 0, fts: -1, rssi: r.rssi, snr: r.snr, rxtime: Date.now() / 1000 },
    RefTime: 0,
  };
  const mtype = phy[0]! >> 5;
  if (mtype === 0)
    return {
      msgtype: 'jreq',
      MHdr: phy[0],
      JoinEui: dashed(phy.subarray(1, 9)),
      DevEui: dashed(phy.subarray(9, 17)),
      DevNonce: phy.readUInt16LE(17),
      MIC: phy.readInt32LE(19),
      ...up,
    };
  if (mtype !== 2 && mtype !== 4) return { msgtype: 'propdf', FRMPayload: phy.toString('hex'), ...up };
  const portAt = 8 + (phy[5]! & 0x0f);
  const hasPort = portAt < phy.length - 4;
  return {
    msgtype: 'updf',
    MHdr: phy[0],
    DevAddr: phy.readInt32LE(1),
    FCtrl: phy[5],
    FCnt: phy.readUInt16LE(6),
    FOpts: phy.subarray(8, portAt).toString('hex'),
    FPort: hasPort ? phy[portAt] : -1,
    FRMPayload: hasPort ? phy.subarray(portAt + 1, phy.length - 4).toString('hex') : '',
    MIC: phy.readInt32LE(phy.length - 4),
    ...up,
  };
}

function dashed(leBytes: Buffer): string {
  return Buffer.from(leBytes).reverse().toString('hex').match(/../g)!.join('-').toUpperCase();
}
