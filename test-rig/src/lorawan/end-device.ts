import { randomBytes } from 'node:crypto';
import { lora, msb, readCfList, sessionKeys } from '@hyphae/drivers/lorawan';
import type { RadioGateway } from './packet-forwarder.js';

/**
 * A class-A end device that really joins by OTAA and sends encrypted
 * uplinks. Its DevNonce, counters and session live here, as on the radio.
 */
export class EndDevice {
  devAddr: Buffer | null = null;
  nwkSKey: Buffer | null = null;
  appSKey: Buffer | null = null;
  fCnt = 0;
  devNonce = randomBytes(2);
  readonly received: Array<ReturnType<typeof lora.fromWire>> = [];
  /** ADR as the device's MAC layer does it: asks for it, and takes LinkADRReq up to `maxDr`. */
  adr = false;
  dr = 0;
  txPowerIndex = 0;
  maxDr = 5;
  /** The channels the device may send on (MHz): EU868's three defaults, then what the JoinAccept's CFList adds. */
  channels: number[] = [868.1, 868.3, 868.5];
  /** MAC answers waiting for the next uplink's FOpts. */
  private macAnswers: Buffer[] = [];
  /** RXParamSetupAns and RXTimingSetupAns: repeated in every uplink until a downlink is heard after them (1.0.3 §5.4, §5.7). */
  private sticky: Array<{ ans: Buffer; sent: boolean }> = [];
  /** RX2 and RX1's delay as the network set them (absent: the region's defaults). */
  rx2: { dr: number; mhz: number } | null = null;
  rx1DelayS = 1;
  maxDutyCycle = 0;

  constructor(
    readonly devEui: Buffer,
    readonly joinEui: Buffer,
    readonly appKey: Buffer,
  ) {}

  static random(): EndDevice {
    return new EndDevice(randomBytes(8), Buffer.from('70b3d57ed0000000', 'hex'), randomBytes(16));
  }

  joinRequest(devNonce: Buffer = this.devNonce): Buffer {
    return lora
      .fromFields({ MType: 'Join Request', AppEUI: this.joinEui, DevEUI: this.devEui, DevNonce: devNonce }, undefined, undefined, this.appKey)
      .getPHYPayload()!;
  }

  /** Sends a JoinRequest through a gateway and waits for the JoinAccept in RX1. */
  async join(gw: RadioGateway, timeoutMs = 10_000): Promise<void> {
    this.devNonce = randomBytes(2);
    const req = this.joinRequest();
    const got = new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no JoinAccept')), timeoutMs);
      const off = gw.onDownlink((phy) => {
        if (phy[0]! >> 5 !== 1) return; // not a JoinAccept
        clearTimeout(t);
        off();
        resolve(phy);
      });
    });
    gw.push(req);
    const phy = await got;
    const accept = lora.fromWire(lora.decryptJoinAccept(lora.fromWire(phy), this.appKey));
    if (!lora.verifyMIC(accept, undefined as unknown as Buffer, this.appKey)) throw new Error('JoinAccept MIC does not match');
    const keys = sessionKeys(this.appKey, accept.NetID!, accept.AppNonce!, this.devNonce);
    this.devAddr = accept.DevAddr!;
    this.nwkSKey = keys.nwkSKey;
    this.appSKey = keys.appSKey;
    this.fCnt = 0;
    const cf = accept.CFList && accept.CFList.length === 16 ? readCfList(accept.CFList) : null;
    if (cf?.type === 'frequencies') this.channels = [...this.channels.slice(0, 3), ...cf.mhz];
  }

  useAbp(devAddr: Buffer, nwkSKey: Buffer, appSKey: Buffer): void {
    this.devAddr = devAddr;
    this.nwkSKey = nwkSKey;
    this.appSKey = appSKey;
  }

  /** An encrypted uplink frame; the counter moves on unless `fCnt` is given. */
  uplink(fPort: number, payload: Buffer | number[], opts: { confirmed?: boolean; fCnt?: number; fOpts?: Buffer; ack?: boolean } = {}): Buffer {
    if (!this.devAddr || !this.nwkSKey || !this.appSKey) throw new Error('not joined');
    const fcnt = opts.fCnt ?? this.fCnt++;
    let fOpts = opts.fOpts;
    if (!fOpts && this.macAnswers.length + this.sticky.length > 0) {
      fOpts = Buffer.concat([...this.macAnswers, ...this.sticky.map((s) => s.ans)]);
      this.macAnswers = [];
      for (const s of this.sticky) s.sent = true;
    }
    return lora
      .fromFields(
        {
          MType: opts.confirmed ? 'Confirmed Data Up' : 'Unconfirmed Data Up',
          DevAddr: this.devAddr,
          FCnt: fcnt & 0xffff,
          FPort: fPort,
          payload: Buffer.from(payload),
          FOpts: fOpts ?? Buffer.alloc(0),
          FCtrl: { ADR: this.adr, ACK: opts.ack ?? false },
        },
        this.appSKey,
        this.nwkSKey,
        undefined,
        msb(fcnt),
      )
      .getPHYPayload()!;
  }

  /** A received downlink's application payload, decrypted with the session's AppSKey. */
  payloadOf(p: ReturnType<typeof lora.fromWire>): Buffer {
    return p.FRMPayload && p.FRMPayload.length > 0 ? lora.decrypt(p, this.appSKey!, this.nwkSKey!) : Buffer.alloc(0);
  }

  /** The EU868 name of the data rate the device sends at. */
  get datr(): string {
    return ['SF12BW125', 'SF11BW125', 'SF10BW125', 'SF9BW125', 'SF8BW125', 'SF7BW125', 'SF7BW250'][this.dr]!;
  }

  listen(gw: RadioGateway): () => void {
    return gw.onDownlink((phy) => {
      let p;
      try {
        p = lora.fromWire(phy);
      } catch {
        return; /* not for us */
      }
      if (!this.devAddr || !p.DevAddr?.equals(this.devAddr)) return;
      this.received.push(p);
      this.hear(p.FOpts ?? Buffer.alloc(0));
    });
  }

  /**
   * The MAC commands of a downlink's FOpts, as LoRaWAN 1.0.3 §5.3 has a
   * device take them: a block of LinkADRReq is applied together (the last
   * one's data rate and power) only if every part can be, and each gets a
   * LinkADRAns in the next uplink.
   */
  private hear(fOpts: Buffer): void {
    const sizes: Record<number, number> = { 0x02: 2, 0x03: 4, 0x04: 1, 0x05: 4, 0x06: 0, 0x07: 5, 0x08: 1, 0x09: 1, 0x0a: 4, 0x0d: 5 };
    // Any downlink ends the repeating of answers already sent.
    this.sticky = this.sticky.filter((s) => !s.sent);
    const adrReqs: Buffer[] = [];
    for (let i = 0; i < fOpts.length; ) {
      const cid = fOpts[i]!;
      const size = sizes[cid];
      if (size === undefined) break;
      const p = fOpts.subarray(i + 1, i + 1 + size);
      if (cid === 0x03) adrReqs.push(p);
      else if (cid === 0x07) {
        // NewChannelReq: a channel index after the three defaults, its frequency in 100 Hz units.
        this.channels[p[0]!] = p.readUIntLE(1, 3) / 10_000;
        this.macAnswers.push(Buffer.from([0x07, 0x03]));
      } else if (cid === 0x05) {
        this.rx2 = { dr: p[0]! & 0x0f, mhz: p.readUIntLE(1, 3) / 10_000 };
        this.sticky.push({ ans: Buffer.from([0x05, 0x07]), sent: false });
      } else if (cid === 0x08) {
        this.rx1DelayS = Math.max(1, p[0]! & 0x0f);
        this.sticky.push({ ans: Buffer.from([0x08]), sent: false });
      } else if (cid === 0x04) {
        this.maxDutyCycle = p[0]! & 0x0f;
        this.macAnswers.push(Buffer.from([0x04]));
      }
      i += 1 + size;
    }
    if (adrReqs.length === 0) return;
    const last = adrReqs[adrReqs.length - 1]!;
    const dr = last[0]! >> 4;
    const tx = last[0]! & 0x0f;
    // ChMaskCntl 0: the mask may only switch on channels the device has been given.
    const maskOk = adrReqs.every((r) => r[3]! >> 4 !== 0 || r.readUInt16LE(1) >> this.channels.length === 0);
    const status = (tx <= 7 ? 4 : 0) | (dr <= this.maxDr ? 2 : 0) | (maskOk ? 1 : 0);
    if (status === 7) {
      this.dr = dr;
      this.txPowerIndex = tx;
    }
    for (const _ of adrReqs) this.macAnswers.push(Buffer.from([0x03, status]));
  }
}
