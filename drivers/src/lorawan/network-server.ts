import { randomBytes } from 'node:crypto';
import { ADR_HISTORY, adrTarget, linkAdrAccepted, linkAdrReq, type AdrTarget } from './adr.js';
import { cfList, datrOf, drOf, rx1DataRate, rx1Frequency, type Region } from './regions.js';
import {
  buildDataDown,
  buildJoinAccept,
  checkCounter,
  CID,
  decryptPayload,
  FrameError,
  lora,
  parseFrame,
  parseMacCommands,
  randomDevAddr,
  sessionKeys,
  type LoraPacket,
} from './frames.js';
import { accepted, MAC, MacQueue, sessionSetup, STICKY_ANSWERS } from './mac-setup.js';
import type { Gateways, Uplink, Window } from './radio.js';

/** A device as the network server sees it; the hub keeps these in LMDB. */
/** Over-the-air activation (a join) or activation by personalisation (keys given). */
export const ACTIVATION_MODES = ['otaa', 'abp'] as const;

export interface LorawanDevice {
  devEui: string;
  joinEui: string | null;
  appKey: string | null;
  mode: (typeof ACTIVATION_MODES)[number];
  devAddr: string | null;
  nwkSKey: string | null;
  appSKey: string | null;
  /** Last accepted uplink counter (32-bit), −1 before the first. */
  fCntUp: number;
  /** Next downlink counter. */
  fCntDown: number;
  /** ABP only: accept a counter that restarts near 0 (a device without counter storage). Off by default. */
  abpCounterReset: boolean;
  /** 'C': the device listens on RX2 whenever it is not sending, so downlinks go at once (absent: class A). */
  deviceClass?: 'A' | 'C';
}

/**
 * What the server needs from the hub's registry. The two write methods are
 * atomic in the hub's store: a DevNonce is never accepted twice and a
 * counter never goes backwards, even with several gateways racing.
 * advanceFCntUp decides before its first await, and byDevAddr shows a
 * counter it accepted at once: the next frame of the same device is checked
 * against it while its write is still on the way to disk.
 */
/** An application downlink waiting for its device (payload as hex). */
export interface QueuedDownlink {
  id: string;
  fPort: number;
  payload: string;
  confirmed: boolean;
  attempts: number;
}

export interface DeviceRegistry {
  byDevEui(devEui: string): LorawanDevice | undefined;
  byDevAddr(devAddr: string): LorawanDevice[];
  acceptJoin(devEui: string, devNonce: number, session: { devAddr: string; nwkSKey: string; appSKey: string }): Promise<boolean>;
  advanceFCntUp(devEui: string, fcnt: number, reset: boolean): Promise<boolean>;
  /** The next downlink frame counter; with `downlinkId`, that downlink is recorded as sent with it in the same transaction. */
  takeFCntDown(devEui: string, downlinkId?: string): Promise<number>;
  /** The downlink to send with the device's next class-A window, if one waits. */
  nextDownlink(devEui: string): QueuedDownlink | undefined;
  /** An uplink arrived, with or without the ACK bit: settles a confirmed downlink waiting for it. Undefined when there was nothing to do. */
  settleDownlink(devEui: string, acked: boolean): Promise<void> | undefined;
}

export interface ReceivedBy {
  gateway: string;
  rssi: number;
  snr: number;
}

export interface DeviceUplink {
  devEui: string;
  devAddr: string;
  fCnt: number;
  fPort: number | null;
  payload: Buffer;
  confirmed: boolean;
  rssi: number;
  snr: number;
  gateways: ReceivedBy[];
  receivedAt: number;
}

export interface NetworkServerEvents {
  uplink(u: DeviceUplink): void;
  joined(devEui: string, devAddr: string): void;
  devStatus(devEui: string, status: { battery: number | null; margin: number }): void;
  rejected(kind: string, devEui: string | null, detail: string): void;
  /** A MAC request the hub sent was refused by the device, or never answered and given up. */
  mac?(devEui: string, outcome: 'refused' | 'unanswered', detail: string): void;
  /** A device took (or refused) the data rate and power ADR asked for. */
  adr?(devEui: string, outcome: AdrTarget & { accepted: boolean; refused?: Array<{ power: boolean; dataRate: boolean; channelMask: boolean }> }): void;
}

export interface NetworkServerOptions {
  region: Region;
  netId?: Buffer;
  /** Copies of one uplink from several gateways arriving within this window are merged. */
  dedupWindowMs?: number;
  /**
   * Uplinks taken in but not yet handled, at most. Past it, new ones are
   * refused as 'overloaded' and counted. A reading a few seconds late is
   * still worth storing, but an unbounded backlog under a flood would take
   * the Pi's memory. Default 10,000: two seconds at the hub's sustained
   * rate, ten times what the merge window holds at that rate. A deeper queue
   * only moved the loss from the socket's buffer (where the kernel counts
   * it) into the hub's memory: at 30,000 a burst took the hub past 300 MiB.
   */
  maxInFlight?: number;
  /**
   * Whether the hub's own clock may be given to devices (DeviceTimeReq). A
   * hub without a real-time clock that has not synced yet answers nothing
   * rather than set a whole network's clocks to 1970.
   */
  timeTrusted?: () => boolean;
  /** Ask a device for its battery after this long without a status (ms). */
  devStatusEveryMs?: number;
  now?: () => number;
}

/** One copy of an uplink, as one gateway heard it. */
type Copy = Pick<Uplink, 'gateway' | 'rxpk' | 'station'>;

interface Pending {
  phy: Buffer;
  copies: Copy[];
  firstAt: number;
}

/**
 * A LoRaWAN 1.0.x class-A network server for one neighbourhood: OTAA joins
 * answered on the concentrator's clock, MIC and frame-counter checks,
 * decryption, ACKs for confirmed uplinks, and the LinkCheck and DevStatus
 * MAC commands.
 */
export class NetworkServer {
  private readonly pending = new Map<string, Pending>();
  /** Uplinks received and not yet handled (waiting out the merge window, or queued behind their device's last). */
  private inFlight = 0;
  private readonly lastStatus = new Map<string, number>();
  /** The gateway that heard each device best last time: where a class-C downlink goes. */
  private readonly lastHeardBy = new Map<string, Copy>();
  /**
   * ADR per device: the best SNR of its last uplinks, the TX power it last
   * acknowledged, and a LinkADRReq waiting for its answer. Kept in memory: a
   * restart costs 20 uplinks of history, and the device keeps its settings.
   */
  private readonly adr = new Map<
    string,
    { snrs: number[]; txPowerIndex: number; pending: AdrTarget | null; sentAt: number; quietUntil: number; uplinks: number }
  >();
  /** MAC requests the hub sends of its own accord, waiting for room in a downlink and for their answers. */
  private readonly mac = new MacQueue();
  /** ABP devices already given their session's settings since the hub started. */
  private readonly setUp = new Set<string>();
  private readonly netId: Buffer;
  private readonly now: () => number;
  /** Frames that were retransmissions of one already handled, by device. */
  /** lastUplinkAt: when the last uplink was handed on (wall ms, for rates timed to the last frame). */
  readonly stats = {
    uplinks: 0,
    joins: 0,
    retransmissions: 0,
    downlinks: 0,
    applicationDownlinks: 0,
    downlinkErrors: 0,
    adrRequests: 0,
    adrAccepted: 0,
    adrRefused: 0,
    macRequests: 0,
    macRefused: 0,
    macUnanswered: 0,
    rejected: {} as Record<string, number>,
    lastUplinkAt: 0,
  };

  constructor(
    private readonly gateways: Gateways,
    private readonly registry: DeviceRegistry,
    private readonly events: NetworkServerEvents,
    private readonly opts: NetworkServerOptions,
  ) {
    this.netId = opts.netId ?? Buffer.from([0, 0, 0]);
    this.now = opts.now ?? Date.now;
  }

  /** Uplinks received and not yet handled to the end, downlink answers included. */
  get busy(): number {
    return this.inFlight;
  }

  /** Hand every uplink from the gateway server here. */
  receive(u: Uplink): void {
    const key = u.phy.toString('hex');
    const p = this.pending.get(key);
    if (p) {
      p.copies.push({ gateway: u.gateway, rxpk: u.rxpk, station: u.station });
      return;
    }
    if (this.inFlight >= (this.opts.maxInFlight ?? 10_000)) {
      this.reject('overloaded', null, `${this.inFlight} uplinks are still being handled; this one was refused`);
      return;
    }
    this.inFlight++;
    this.pending.set(key, { phy: u.phy, copies: [{ gateway: u.gateway, rxpk: u.rxpk, station: u.station }], firstAt: u.receivedAt });
    setTimeout(() => {
      const done = this.pending.get(key)!;
      this.pending.delete(key);
      void this.handle(done)
        .catch((e) => this.reject(e instanceof FrameError ? e.kind : 'internal', null, (e as Error).message))
        .finally(() => this.inFlight--);
    }, this.opts.dedupWindowMs ?? 200).unref();
  }

  private reject(kind: string, devEui: string | null, detail: string): void {
    this.stats.rejected[kind] = (this.stats.rejected[kind] ?? 0) + 1;
    this.events.rejected(kind, devEui, detail);
  }

  private async handle(p: Pending): Promise<void> {
    // The copy heard best is the one to answer through.
    const best = [...p.copies].sort((a, b) => b.rxpk.rssi - a.rxpk.rssi || (b.rxpk.lsnr ?? -99) - (a.rxpk.lsnr ?? -99))[0]!;
    const gateways = p.copies.map((c) => ({ gateway: c.gateway, rssi: c.rxpk.rssi, snr: c.rxpk.lsnr ?? 0 }));
    const packet = parseFrame(p.phy);
    const mtype = packet.getMType();
    if (mtype === 'Join Request') return this.join(packet, best, p);
    // No queue per device: the registry decides each counter before its first await (see
    // DeviceRegistry), so frames of one device are checked in the order they arrive while
    // their writes share one group commit.
    if (mtype === 'Unconfirmed Data Up' || mtype === 'Confirmed Data Up') return this.data(packet, best, gateways, p);
    this.reject('unexpected-mtype', null, `ignored a ${mtype} frame`);
  }

  private async join(packet: LoraPacket, best: Copy, p: Pending): Promise<void> {
    const devEui = packet.DevEUI!.toString('hex');
    const dev = this.registry.byDevEui(devEui);
    if (!dev || dev.mode !== 'otaa' || !dev.appKey) return this.reject('unknown-deveui', devEui, 'join request from a device that is not registered for OTAA');
    if (dev.joinEui && packet.AppEUI!.toString('hex') !== dev.joinEui) return this.reject('unknown-deveui', devEui, 'join request with another JoinEUI');
    const appKey = Buffer.from(dev.appKey, 'hex');
    if (!lora.verifyMIC(packet, undefined as unknown as Buffer, appKey))
      return this.reject('mic-invalid', devEui, 'join request MIC does not match the AppKey');
    const devNonce = packet.DevNonce!.readUInt16BE(0);
    const appNonce = randomBytes(3);
    const devAddr = randomDevAddr(this.netId);
    const keys = sessionKeys(appKey, this.netId, appNonce, packet.DevNonce!);
    const ok = await this.registry.acceptJoin(devEui, devNonce, {
      devAddr: devAddr.toString('hex'),
      nwkSKey: keys.nwkSKey.toString('hex'),
      appSKey: keys.appSKey.toString('hex'),
    });
    if (!ok) return this.reject('devnonce-reused', devEui, `DevNonce ${devNonce} was used before: a replayed join`);
    this.stats.joins++;
    this.adr.delete(devEui); // a new session starts at the device's defaults
    this.mac.forget(devEui); // and its JoinAccept carries what the queue would have said
    const accept = buildJoinAccept({
      appKey,
      appNonce,
      netId: this.netId,
      devAddr,
      rx1DrOffset: 0,
      rx2DataRate: this.opts.region.rx2.dr,
      rxDelay: this.opts.region.receiveDelay1,
      cfList: cfList(this.opts.region),
    });
    this.events.joined(devEui, devAddr.toString('hex'));
    await this.transmit(devEui, best, accept, this.opts.region.joinAcceptDelay1, this.opts.region.joinAcceptDelay2);
    void p;
  }

  private async data(packet: LoraPacket, best: Copy, gateways: ReceivedBy[], p: Pending): Promise<void> {
    const devAddr = packet.DevAddr!.toString('hex');
    const candidates = this.registry.byDevAddr(devAddr).filter((d) => d.nwkSKey && d.appSKey);
    if (candidates.length === 0) return this.reject('unknown-devaddr', null, `no session for DevAddr ${devAddr}`);
    let lastError: FrameError | undefined;
    for (const dev of candidates) {
      const nwkSKey = Buffer.from(dev.nwkSKey!, 'hex');
      let verdict;
      try {
        verdict = checkCounter(packet, nwkSKey, dev.fCntUp, dev.mode === 'abp' && dev.abpCounterReset);
      } catch (e) {
        if (e instanceof FrameError) {
          // A replay is only a replay for the device whose key signs it.
          if (e.kind === 'replay') return this.reject('replay', dev.devEui, e.message);
          lastError = e;
          continue;
        }
        throw e;
      }
      const confirmed = packet.getMType() === 'Confirmed Data Up';
      const appSKey = Buffer.from(dev.appSKey!, 'hex');
      if (verdict.kind === 'retransmission') {
        // Same frame again: the device missed our ACK. Answer again, deliver nothing twice.
        this.stats.retransmissions++;
        if (confirmed) await this.answer(dev, best, [], true, nwkSKey, appSKey);
        return;
      }
      if (!(await this.registry.advanceFCntUp(dev.devEui, verdict.fcnt, verdict.kind === 'reset')))
        return this.reject('replay', dev.devEui, `frame counter ${verdict.fcnt} already seen`);
      this.stats.uplinks++;
      this.lastHeardBy.set(dev.devEui, best);
      const fPort = packet.getFPort();
      const payload = decryptPayload(packet, appSKey, nwkSKey, verdict.fcnt);
      // MAC commands ride in FOpts, or in the payload on port 0 (decrypted with the NwkSKey above).
      const macs = parseMacCommands(fPort === 0 ? payload : (packet.FOpts ?? Buffer.alloc(0)));
      const answers: Buffer[] = [];
      const adrAnswers: number[] = [];
      // A device repeats some answers until it hears a downlink: one must go even with nothing else to say.
      let mustAnswer = false;
      for (const m of macs) {
        if (m.cid === CID.LinkCheck) {
          const snr = Math.max(...gateways.map((g) => g.snr));
          // Margin above the demodulation floor of this data rate, roughly −20 dB at SF12.
          answers.push(Buffer.from([CID.LinkCheck, Math.max(0, Math.min(254, Math.round(snr + 20))), Math.min(255, gateways.length)]));
        } else if (m.cid === CID.DeviceTime) {
          if (this.opts.timeTrusted?.() ?? true) answers.push(deviceTimeAns(p.firstAt));
        } else if (m.cid === CID.LinkADR) {
          adrAnswers.push(m.payload[0]!);
        } else if (m.cid === MAC.NewChannel || m.cid === MAC.RXParamSetup || m.cid === MAC.RXTimingSetup || m.cid === MAC.DutyCycle) {
          const req = this.mac.answered(dev.devEui, m.cid);
          if (req && !accepted(m.cid, m.payload[0])) {
            this.stats.macRefused++;
            this.events.mac?.(dev.devEui, 'refused', `the device refused ${req.toString('hex')} (answer ${m.payload.toString('hex')})`);
          }
          if (STICKY_ANSWERS.has(m.cid)) mustAnswer = true;
        } else if (m.cid === CID.DevStatus) {
          const battery = m.payload[0]!;
          let margin = m.payload[1]! & 0x3f;
          if (margin & 0x20) margin -= 0x40;
          this.lastStatus.set(dev.devEui, this.now());
          this.events.devStatus(dev.devEui, { battery: battery === 255 || battery === 0 ? null : Math.round((battery / 254) * 100), margin });
        }
      }
      if (fPort !== 0 && fPort !== null) {
        this.events.uplink({
          devEui: dev.devEui,
          devAddr,
          fCnt: verdict.fcnt,
          fPort,
          payload,
          confirmed,
          rssi: best.rxpk.rssi,
          snr: best.rxpk.lsnr ?? 0,
          gateways,
          receivedAt: p.firstAt,
        });
      }
      this.stats.lastUplinkAt = Date.now();
      // A confirmed downlink waits for this uplink's ACK bit; then what is queued goes in this uplink's window.
      const settled = this.registry.settleDownlink(dev.devEui, packet.getFCtrlACK() === true);
      if (settled) await settled;
      const downlink = this.registry.nextDownlink(dev.devEui);
      const adrReq = this.adaptDataRate(dev.devEui, packet.getFCtrlADR() === true, best.rxpk.datr, gateways, adrAnswers);
      if (adrReq) answers.push(adrReq);
      const wantStatus = this.now() - (this.lastStatus.get(dev.devEui) ?? 0) > (this.opts.devStatusEveryMs ?? 86_400_000);
      if (wantStatus) {
        answers.push(Buffer.from([CID.DevStatus]));
        this.lastStatus.set(dev.devEui, this.now());
      }
      // An ABP device never saw a JoinAccept: it gets the region's channels and RX settings by MAC command.
      if (dev.mode === 'abp' && !this.setUp.has(dev.devEui)) {
        this.setUp.add(dev.devEui);
        this.mac.enqueue(dev.devEui, sessionSetup(this.opts.region));
      }
      if (confirmed || answers.length > 0 || downlink || mustAnswer || this.mac.waiting(dev.devEui) > 0)
        await this.answer(dev, best, answers, confirmed, nwkSKey, appSKey, packet.getFCtrlADR() === true, downlink);
      return;
    }
    this.reject(lastError?.kind ?? 'mic-invalid', null, lastError?.message ?? 'MIC does not match');
  }

  /**
   * Records the uplink for ADR, reads the device's LinkADRAns, and returns a
   * LinkADRReq to send when the device asks for ADR and should change. A
   * refused request is not repeated for the next 20 uplinks; one left
   * unanswered is sent again after 5.
   */
  private adaptDataRate(devEui: string, adrBit: boolean, datr: string, gateways: ReceivedBy[], answers: number[]): Buffer | null {
    const region = this.opts.region;
    const dr = drOf(region, datr);
    let st = this.adr.get(devEui);
    if (!st) this.adr.set(devEui, (st = { snrs: [], txPowerIndex: 0, pending: null, sentAt: 0, quietUntil: 0, uplinks: 0 }));
    st.uplinks++;
    st.snrs.push(Math.max(...gateways.map((g) => g.snr)));
    if (st.snrs.length > ADR_HISTORY) st.snrs.shift();
    if (answers.length > 0 && st.pending) {
      const verdicts = answers.map(linkAdrAccepted);
      if (verdicts.every((v) => v.accepted)) {
        st.txPowerIndex = st.pending.txPowerIndex;
        this.stats.adrAccepted++;
        this.events.adr?.(devEui, { accepted: true, ...st.pending });
        // What the device heard so far was at the old settings.
        st.snrs = [];
      } else {
        this.stats.adrRefused++;
        st.quietUntil = st.uplinks + ADR_HISTORY;
        this.events.adr?.(devEui, {
          accepted: false,
          ...st.pending,
          refused: verdicts.map((v) => ({ power: v.powerAck, dataRate: v.dataRateAck, channelMask: v.channelMaskAck })),
        });
      }
      st.pending = null;
    }
    if (!adrBit || dr === undefined || st.uplinks < st.quietUntil) return null;
    if (st.pending && st.uplinks - st.sentAt < 5) return null;
    const target = adrTarget(region, region.adr, { snrs: st.snrs, dr, txPowerIndex: st.txPowerIndex });
    if (!target) return null;
    st.pending = target;
    st.sentAt = st.uplinks;
    this.stats.adrRequests++;
    return linkAdrReq(region.adr, target);
  }

  private async answer(
    dev: LorawanDevice,
    best: Copy,
    answers: Buffer[],
    ack: boolean,
    nwkSKey: Buffer,
    appSKey: Buffer,
    adr = false,
    downlink?: QueuedDownlink,
  ): Promise<void> {
    const fCnt = await this.registry.takeFCntDown(dev.devEui, downlink?.id);
    if (downlink) this.stats.applicationDownlinks++;
    // MAC commands are whole or not at all: those that do not fit FOpts' 15 bytes wait for the next downlink.
    const fOpts: Buffer[] = [];
    let size = 0;
    for (const a of answers) {
      if (size + a.length > 15) break;
      fOpts.push(a);
      size += a.length;
    }
    // Then what the hub asks of its own accord, as far as room allows; the rest waits for the next downlink.
    const { cmds, givenUp } = this.mac.take(dev.devEui, 15 - size);
    fOpts.push(...cmds);
    this.stats.macRequests += cmds.length;
    for (const g of givenUp) {
      this.stats.macUnanswered++;
      this.events.mac?.(dev.devEui, 'unanswered', `no answer to ${g.toString('hex')} after three downlinks; given up`);
    }
    const phy = buildDataDown({
      devAddr: Buffer.from(dev.devAddr!, 'hex'),
      fCnt,
      ack,
      adr,
      fOpts: Buffer.concat(fOpts),
      nwkSKey,
      appSKey,
      ...(downlink ? applicationPayload(downlink) : {}),
    });
    await this.transmit(dev.devEui, best, phy, this.opts.region.receiveDelay1, this.opts.region.receiveDelay2);
  }

  /**
   * A class-C device listens on RX2 all the time: its waiting downlink goes
   * now, through the gateway that heard it last, at RX2's frequency and data
   * rate. 'waits' when it must wait for an uplink instead (class A, or no
   * gateway has heard the device since the hub started).
   */
  async pushDownlink(devEui: string): Promise<'sent' | 'waits' | 'nothing' | 'failed'> {
    const dev = this.registry.byDevEui(devEui);
    const via = this.lastHeardBy.get(devEui);
    if (!dev?.nwkSKey || !dev.appSKey || !dev.devAddr || dev.deviceClass !== 'C' || !via) return 'waits';
    const downlink = this.registry.nextDownlink(devEui);
    if (!downlink) return 'nothing';
    const fCnt = await this.registry.takeFCntDown(devEui, downlink.id);
    this.stats.applicationDownlinks++;
    const phy = buildDataDown({
      devAddr: Buffer.from(dev.devAddr, 'hex'),
      fCnt,
      ack: false,
      fOpts: Buffer.alloc(0),
      nwkSKey: Buffer.from(dev.nwkSKey, 'hex'),
      appSKey: Buffer.from(dev.appSKey, 'hex'),
      ...applicationPayload(downlink),
    });
    const r = this.opts.region;
    this.stats.downlinks++;
    const res = await this.gateways.transmit(via.gateway, {
      kind: 'class-c',
      devEui,
      phy,
      power: r.downlinkTxPower,
      rx2: { freq: r.rx2.freq, dr: r.rx2.dr, datr: datrOf(r, r.rx2.dr) },
      ...(via.station ? { station: via.station } : {}),
    });
    if (res === 'NONE') return 'sent';
    this.stats.downlinkErrors++;
    this.reject('downlink-failed', devEui, `gateway ${via.gateway} answered ${res}`);
    return 'failed';
  }

  /** Class A: RX1 (the uplink's channel and data rate, as the region maps them) and RX2; the gateway's protocol decides how to offer both. */
  private async transmit(devEui: string, best: Copy, phy: Buffer, delay1: number, delay2: number): Promise<void> {
    const r = this.opts.region;
    const rx1Dr = rx1DataRate(r, drOf(r, best.rxpk.datr) ?? r.rx2.dr);
    const rx1: Window = { delayS: delay1, freq: rx1Frequency(r, best.rxpk.freq), dr: rx1Dr, datr: datrOf(r, rx1Dr) };
    const rx2: Window = { delayS: delay2, freq: r.rx2.freq, dr: r.rx2.dr, datr: datrOf(r, r.rx2.dr) };
    this.stats.downlinks++;
    const res = await this.gateways.transmit(best.gateway, {
      kind: 'class-a',
      devEui,
      phy,
      power: r.downlinkTxPower,
      uplink: { rxpk: best.rxpk, station: best.station },
      rx1,
      rx2,
    });
    if (res === 'NONE') return;
    this.stats.downlinkErrors++;
    this.reject('downlink-failed', devEui, `gateway ${best.gateway} answered ${res}`);
  }
}

/** A queued downlink's part of a data frame: its port, its bytes, and whether the device must confirm it. */
function applicationPayload(d: QueuedDownlink): { fPort: number; payload: Buffer; confirmed: boolean } {
  return { fPort: d.fPort, payload: Buffer.from(d.payload, 'hex'), confirmed: d.confirmed };
}

/** GPS time began 1980-01-06, and is ahead of UTC by the leap seconds since (18 from 2017 on). */
const GPS_EPOCH_UNIX_S = 315_964_800;
const GPS_LEAP_SECONDS = 18;

/**
 * DeviceTimeAns (LoRaWAN 1.0.3 §5.9): seconds since the GPS epoch at the
 * uplink's reception, little-endian, then 1/256 s. A device sets its clock
 * from it, which is what stamps the readings it keeps while no gateway hears
 * it (the EM300's history records).
 */
export function deviceTimeAns(atUnixMs: number): Buffer {
  const gps = atUnixMs / 1000 - GPS_EPOCH_UNIX_S + GPS_LEAP_SECONDS;
  const b = Buffer.alloc(6);
  b[0] = CID.DeviceTime;
  b.writeUInt32LE(Math.floor(gps) >>> 0, 1);
  b[5] = Math.floor((gps % 1) * 256);
  return b;
}
