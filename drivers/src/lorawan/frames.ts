import { randomBytes } from 'node:crypto';
import loraImport from 'lora-packet';
import { cryptFrmPayload, dataFrameMicOk } from './crypto.js';

// lora-packet is CommonJS: at run time the default import is the module
// itself, while its typings describe an object with a `default` member.
type LoraApi = typeof loraImport.default;
export const lora: LoraApi = ((loraImport as unknown as { fromWire?: unknown }).fromWire ? loraImport : loraImport.default) as LoraApi;

/**
 * LoRaWAN 1.0.x frame helpers over lora-packet: the pieces the network
 * server needs that the library leaves to its caller.
 */
export type LoraPacket = ReturnType<typeof lora.fromWire>;

export class FrameError extends Error {
  constructor(
    message: string,
    readonly kind: 'malformed-frame' | 'mic-invalid' | 'replay' | 'unknown-devaddr' | 'unknown-deveui' | 'devnonce-reused' | 'fcnt-gap',
  ) {
    super(message);
  }
}

/**
 * Parses a PHYPayload, checking its length against its message type first:
 * lora-packet trusts its input, and a truncated frame would otherwise fail
 * later, deep inside a MIC check.
 */
export function parseFrame(phy: Buffer): LoraPacket {
  const bad = (why: string) => new FrameError(`cannot parse frame: ${why}`, 'malformed-frame');
  if (phy.length < 1) throw bad('empty');
  const mtype = phy[0]! >> 5;
  if ((phy[0]! & 0x03) !== 0) throw bad('not LoRaWAN R1');
  if (mtype === 0 && phy.length !== 23) throw bad(`a JoinRequest has 23 bytes, not ${phy.length}`);
  if (mtype === 1 && phy.length !== 17 && phy.length !== 33) throw bad(`a JoinAccept has 17 or 33 bytes, not ${phy.length}`);
  if (mtype >= 2 && mtype <= 5) {
    if (phy.length < 12) throw bad(`a data frame has at least 12 bytes, not ${phy.length}`);
    const fOptsLen = phy[5]! & 0x0f;
    if (phy.length < 12 + fOptsLen) throw bad('FOpts run past the end of the frame');
  }
  if (mtype > 5) throw bad(`message type ${mtype} is not handled`);
  try {
    const p = lora.fromWire(phy);
    if (!p.getMType()) throw new Error('no message type');
    return p;
  } catch (e) {
    throw bad((e as Error).message);
  }
}

/** The data frame's MIC at the full counter `fcnt` (see crypto.ts for why not lora-packet's). */
function micOk(p: LoraPacket, key: Buffer, fcnt: number): boolean {
  if (!p.PHYPayload) throw new FrameError('cannot check the MIC: the frame has no bytes', 'malformed-frame');
  return dataFrameMicOk(p.PHYPayload, key, fcnt);
}

/**
 * A data frame's FRMPayload in clear: with the NwkSKey on port 0, with the
 * AppSKey otherwise. `fcnt` is the full 32-bit counter checkCounter found.
 */
export function decryptPayload(p: LoraPacket, appSKey: Buffer, nwkSKey: Buffer, fcnt: number): Buffer {
  if (!p.PHYPayload || !p.FRMPayload || p.FRMPayload.length === 0) return Buffer.alloc(0);
  const dir = (p.PHYPayload[0]! >> 5) & 1 ? 1 : 0;
  return cryptFrmPayload(p.getFPort() === 0 ? nwkSKey : appSKey, dir, p.PHYPayload.subarray(1, 5), fcnt, p.FRMPayload);
}

const MAX_FCNT_GAP = 16_384;

/**
 * The full 32-bit frame counter from the 16 bits sent on air and the last
 * counter accepted: same epoch if ahead of it, else the next epoch (rollover).
 */
export function fullFCnt(f16: number, last: number): number {
  if (last < 0) return f16;
  const hi = Math.floor(last / 0x10000);
  let c = hi * 0x10000 + f16;
  if (c < last) c += 0x10000;
  return c;
}

/**
 * The counter's upper 16 bits as lora-packet wants them: it copies these two
 * bytes as they are into B0 and A_i after the lower 16, so they must be in
 * the spec's little-endian order. (They were big-endian until 2026-12: the
 * hub and the test rig agreed with each other, and a real device past its
 * 65,536th frame would have failed every MIC.)
 */
export function msb(fcnt: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(Math.floor(fcnt / 0x10000) & 0xffff);
  return b;
}

export type CounterVerdict = { kind: 'new'; fcnt: number } | { kind: 'retransmission'; fcnt: number } | { kind: 'reset'; fcnt: number };

/**
 * Checks the MIC at the counter this frame must have, and sorts it: a new
 * frame, a retransmission of the last one, an allowed ABP counter reset, or
 * a replay (throws) — never a wrong answer dressed as a new frame.
 */
export function checkCounter(p: LoraPacket, nwkSKey: Buffer, last: number, allowReset: boolean): CounterVerdict {
  const f16 = p.getFCnt() ?? 0;
  const fcnt = fullFCnt(f16, last);
  if (micOk(p, nwkSKey, fcnt)) {
    if (fcnt === last) return { kind: 'retransmission', fcnt };
    if (last >= 0 && fcnt - last > MAX_FCNT_GAP) throw new FrameError(`frame counter jumped from ${last} to ${fcnt}`, 'fcnt-gap');
    return { kind: 'new', fcnt };
  }
  // Not valid at the counter it must have: an old frame sent again, a reset device, or a bad MIC.
  const sameEpoch = Math.floor(Math.max(last, 0) / 0x10000) * 0x10000 + f16;
  if (sameEpoch < last && micOk(p, nwkSKey, sameEpoch)) {
    if (allowReset && f16 < 16 && sameEpoch < 0x10000) return { kind: 'reset', fcnt: f16 };
    throw new FrameError(`frame counter ${sameEpoch} is behind ${last}: a replay`, 'replay');
  }
  throw new FrameError('MIC does not match', 'mic-invalid');
}

export interface JoinAcceptParams {
  appKey: Buffer;
  appNonce: Buffer;
  netId: Buffer;
  devAddr: Buffer;
  rx1DrOffset: number;
  rx2DataRate: number;
  /** The region's channel list or mask (16 bytes), or none. */
  cfList?: Buffer;
  rxDelay: number;
}

/**
 * A JoinAccept ready for the air. Given the AppKey, lora-packet computes the
 * MIC and applies the join-accept encryption itself (an AES decrypt, so the
 * device, which can only encrypt, recovers it); the test checks this with
 * the library's device-side decryption.
 */
export function buildJoinAccept(p: JoinAcceptParams): Buffer {
  const packet = lora.fromFields(
    {
      MType: 'Join Accept',
      AppNonce: p.appNonce,
      NetID: p.netId,
      DevAddr: p.devAddr,
      DLSettings: ((p.rx1DrOffset & 0x07) << 4) | (p.rx2DataRate & 0x0f),
      RxDelay: p.rxDelay,
      CFList: p.cfList ?? Buffer.alloc(0),
    },
    undefined,
    undefined,
    p.appKey,
  );
  return packet.getPHYPayload()!;
}

export function sessionKeys(appKey: Buffer, netId: Buffer, appNonce: Buffer, devNonce: Buffer): { appSKey: Buffer; nwkSKey: Buffer } {
  const k = lora.generateSessionKeys(appKey, netId, appNonce, devNonce);
  return { appSKey: k.AppSKey, nwkSKey: k.NwkSKey };
}

export function randomDevAddr(netId: Buffer): Buffer {
  // The top 7 bits carry the NwkID (the low 7 bits of the NetID).
  const a = randomBytes(4);
  a[0] = ((netId[2]! & 0x7f) << 1) | (a[0]! & 0x01);
  return a;
}

export interface MacCommand {
  cid: number;
  payload: Buffer;
}

/** Uplink MAC command payload sizes (end device → network), LoRaWAN 1.0.3 table 4. */
const UP_SIZES: Record<number, number> = { 0x02: 0, 0x03: 1, 0x04: 0, 0x05: 1, 0x06: 2, 0x07: 1, 0x08: 0, 0x09: 0, 0x0a: 1, 0x0d: 0 };

export function parseMacCommands(buf: Buffer): MacCommand[] {
  const out: MacCommand[] = [];
  let i = 0;
  while (i < buf.length) {
    const cid = buf[i]!;
    const size = UP_SIZES[cid];
    if (size === undefined || i + 1 + size > buf.length) break; // unknown: the rest cannot be read
    out.push({ cid, payload: buf.subarray(i + 1, i + 1 + size) });
    i += 1 + size;
  }
  return out;
}

export const CID = { LinkCheck: 0x02, LinkADR: 0x03, DevStatus: 0x06, DeviceTime: 0x0d } as const;

/**
 * A downlink data frame. `adr`: the network manages this device's data rate
 * (it set ADR in its uplink). With `fPort` and `payload`, an application
 * downlink, its payload encrypted with the AppSKey.
 */
export function buildDataDown(opts: {
  devAddr: Buffer;
  fCnt: number;
  ack: boolean;
  adr?: boolean;
  fOpts: Buffer;
  nwkSKey: Buffer;
  appSKey: Buffer;
  confirmed?: boolean;
  fPort?: number;
  payload?: Buffer;
}): Buffer {
  const packet = lora.fromFields(
    {
      MType: opts.confirmed ? 'Confirmed Data Down' : 'Unconfirmed Data Down',
      DevAddr: opts.devAddr,
      FCtrl: { ACK: opts.ack, ADR: opts.adr ?? false },
      FCnt: opts.fCnt & 0xffff,
      FOpts: opts.fOpts,
      ...(opts.fPort !== undefined ? { FPort: opts.fPort } : {}),
      payload: opts.payload ?? Buffer.alloc(0),
    },
    opts.appSKey,
    opts.nwkSKey,
    undefined,
    msb(opts.fCnt),
  );
  // With no FRMPayload (so no FPort) lora-packet leaves the MIC unset; compute it here.
  lora.recalculateMIC(packet, opts.nwkSKey, undefined, msb(opts.fCnt));
  return packet.getPHYPayload()!;
}
