import { createCipheriv } from 'node:crypto';

/**
 * The two cryptographic operations every LoRaWAN 1.0 data frame needs, done
 * with one OpenSSL call each: the MIC (AES-CMAC over B0 and the frame,
 * LoRaWAN 1.0.x §4.4) and FRMPayload encryption (AES in counter blocks A_i,
 * §4.3.3).
 *
 * Why not lora-packet's: it encrypts with crypto-js, AES in plain
 * JavaScript that allocates per block, and its MIC builds a new cipher for
 * every 16-byte block and derives the CMAC subkeys again on every call. At a
 * few thousand uplinks a second those two were about 30 % of the hub's CPU
 * (a --cpu-prof of `npm run bench -- lorawan`). lora-packet stays the parser
 * and the builder of frames; crypto.test.ts checks both give the same bytes.
 */

const ZERO_IV = Buffer.alloc(16);
const RB = 0x87;

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = ((b[i]! << 1) | (i < 15 ? b[i + 1]! >> 7 : 0)) & 0xff;
  if (b[0]! & 0x80) out[15]! ^= RB;
  return out;
}

interface Subkeys {
  k1: Buffer;
  k2: Buffer;
}

/**
 * CMAC subkeys per key. A hub sees one NwkSKey per device session, so the
 * map stays the size of the network; it is emptied if it ever grows past
 * that (keys of ended sessions are never needed again).
 */
const subkeyCache = new Map<string, Subkeys>();
const SUBKEY_CACHE_MAX = 20_000;

function subkeys(key: Buffer): Subkeys {
  const id = key.toString('latin1');
  let s = subkeyCache.get(id);
  if (!s) {
    const c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    const l = c.update(ZERO_IV);
    const k1 = shiftLeft(l);
    s = { k1, k2: shiftLeft(k1) };
    if (subkeyCache.size >= SUBKEY_CACHE_MAX) subkeyCache.clear();
    subkeyCache.set(id, s);
  }
  return s;
}

/** AES-128-CMAC (RFC 4493) of the concatenation of `parts`. */
export function aesCmac(key: Buffer, ...parts: Buffer[]): Buffer {
  const msg = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const n = Math.max(1, Math.ceil(msg.length / 16));
  const complete = msg.length > 0 && msg.length % 16 === 0;
  const padded = Buffer.alloc(n * 16);
  msg.copy(padded);
  if (!complete) padded[msg.length] = 0x80;
  const { k1, k2 } = subkeys(key);
  const k = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) padded[(n - 1) * 16 + i]! ^= k[i]!;
  // CBC-MAC with a zero IV is the last block of an AES-CBC encryption.
  const c = createCipheriv('aes-128-cbc', key, ZERO_IV);
  c.setAutoPadding(false);
  return c.update(padded).subarray((n - 1) * 16);
}

/** Direction as the spec numbers it: 0 for uplink, 1 for downlink. */
export type Dir = 0 | 1;

/**
 * The 4-byte MIC of a data frame. `msg` is MHDR | FHDR | FPort | FRMPayload
 * (the PHYPayload without its MIC); `devAddrLE` is the DevAddr as it is on
 * air (little-endian); `fcnt` is the full 32-bit counter.
 */
export function dataFrameMic(nwkSKey: Buffer, dir: Dir, devAddrLE: Buffer, fcnt: number, msg: Buffer): Buffer {
  const b0 = Buffer.alloc(16);
  b0[0] = 0x49;
  b0[5] = dir;
  devAddrLE.copy(b0, 6, 0, 4);
  b0.writeUInt32LE(fcnt >>> 0, 10);
  b0[15] = msg.length;
  return aesCmac(nwkSKey, b0, msg).subarray(0, 4);
}

/** Whether a data frame's MIC is right at the full counter `fcnt`. */
export function dataFrameMicOk(phy: Buffer, nwkSKey: Buffer, fcnt: number): boolean {
  if (phy.length < 12) return false;
  const dir: Dir = (phy[0]! >> 5) & 1 ? 1 : 0; // odd MTypes (3 and 5) go down
  const mic = dataFrameMic(nwkSKey, dir, phy.subarray(1, 5), fcnt, phy.subarray(0, phy.length - 4));
  return mic.equals(phy.subarray(phy.length - 4));
}

/**
 * FRMPayload encryption, which is its own inverse: the payload XORed with
 * AES(key, A_i) for i = 1…k. The key is the AppSKey, or the NwkSKey on port 0.
 */
export function cryptFrmPayload(key: Buffer, dir: Dir, devAddrLE: Buffer, fcnt: number, payload: Buffer): Buffer {
  const k = Math.ceil(payload.length / 16);
  if (k === 0) return Buffer.alloc(0);
  const a = Buffer.alloc(16 * k);
  for (let i = 0; i < k; i++) {
    const o = i * 16;
    a[o] = 0x01;
    a[o + 5] = dir;
    devAddrLE.copy(a, o + 6, 0, 4);
    a.writeUInt32LE(fcnt >>> 0, o + 10);
    a[o + 15] = i + 1;
  }
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  const s = c.update(a);
  const out = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) out[i] = payload[i]! ^ s[i]!;
  return out;
}
