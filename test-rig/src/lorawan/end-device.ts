import { randomBytes } from 'node:crypto';
import { lora, msb, sessionKeys } from '@hyphae/drivers/lorawan';
import type { PacketForwarder } from './packet-forwarder.js';

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

  constructor(
    readonly devEui: Buffer,
    readonly joinEui: Buffer,
    readonly appKey: Buffer,
  ) {}

  static random(): EndDevice {
    return new EndDevice(randomBytes(8), Buffer.from('70b3d57ed0000000', 'hex'), randomBytes(16));
  }

  joinRequest(devNonce: Buffer = this.devNonce): Buffer {
    return lora.fromFields({ MType: 'Join Request', AppEUI: this.joinEui, DevEUI: this.devEui, DevNonce: devNonce }, undefined, undefined, this.appKey).getPHYPayload()!;
  }

  /** Sends a JoinRequest through a gateway and waits for the JoinAccept in RX1. */
  async join(gw: PacketForwarder, timeoutMs = 10_000): Promise<void> {
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
  }

  useAbp(devAddr: Buffer, nwkSKey: Buffer, appSKey: Buffer): void {
    this.devAddr = devAddr;
    this.nwkSKey = nwkSKey;
    this.appSKey = appSKey;
  }

  /** An encrypted uplink frame; the counter moves on unless `fCnt` is given. */
  uplink(fPort: number, payload: Buffer | number[], opts: { confirmed?: boolean; fCnt?: number; fOpts?: Buffer } = {}): Buffer {
    if (!this.devAddr || !this.nwkSKey || !this.appSKey) throw new Error('not joined');
    const fcnt = opts.fCnt ?? this.fCnt++;
    return lora
      .fromFields(
        { MType: opts.confirmed ? 'Confirmed Data Up' : 'Unconfirmed Data Up', DevAddr: this.devAddr, FCnt: fcnt & 0xffff, FPort: fPort, payload: Buffer.from(payload), FOpts: opts.fOpts ?? Buffer.alloc(0), FCtrl: { ADR: false } },
        this.appSKey,
        this.nwkSKey,
        undefined,
        msb(fcnt),
      )
      .getPHYPayload()!;
  }

  listen(gw: PacketForwarder): () => void {
    return gw.onDownlink((phy) => {
      try {
        const p = lora.fromWire(phy);
        if (this.devAddr && p.DevAddr?.equals(this.devAddr)) this.received.push(p);
      } catch {
        /* not for us */
      }
    });
  }
}
