import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aesCmac, cryptFrmPayload, dataFrameMic, dataFrameMicOk } from './crypto.js';
import { decryptPayload, lora, msb, parseFrame } from './frames.js';

describe('AES-CMAC', () => {
  // RFC 4493 §4, the four examples.
  const key = Buffer.from('2b7e151628aed2a6abf7158809cf4f3c', 'hex');
  const m = Buffer.from(
    '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710',
    'hex',
  );
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('matches RFC 4493 for a %i-byte message', (len, mac) => {
    expect(aesCmac(key, m.subarray(0, len)).toString('hex')).toBe(mac);
    // Twice: the second call takes the subkeys from the cache.
    expect(aesCmac(key, m.subarray(0, len)).toString('hex')).toBe(mac);
  });
});

describe('data frames', () => {
  it('decrypts and checks a frame made by another implementation (brocaar/lorawan)', () => {
    const phy = Buffer.from('QAQDAgGAAQABppRkJhXWw7WC', 'base64');
    expect(dataFrameMicOk(phy, Buffer.alloc(16, 2), 1)).toBe(true);
    expect(decryptPayload(parseFrame(phy), Buffer.alloc(16, 1), Buffer.alloc(16, 2), 1).toString()).toBe('hello');
  });

  it('puts the whole 32-bit counter into B0 little-endian, as the spec lays it out', () => {
    const key = Buffer.alloc(16, 9);
    const msg = Buffer.from('40da1b0126800100', 'hex');
    // B0 = 0x49 | 0x00000000 | Dir | DevAddr | FCnt (4 bytes) | 0x00 | len(msg), every field little-endian.
    const b0 = Buffer.from('49' + '00000000' + '00' + 'da1b0126' + '45230100' + '00' + '08', 'hex');
    expect(dataFrameMic(key, 0, Buffer.from('da1b0126', 'hex'), 0x12345, msg).equals(aesCmac(key, b0, msg).subarray(0, 4))).toBe(true);
  });

  const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a));
  const frame = fc.record({
    nwk: bytes(16),
    app: bytes(16),
    devAddr: bytes(4),
    fcnt: fc.integer({ min: 0, max: 0xffffffff }),
    port: fc.integer({ min: 0, max: 223 }),
    payload: fc.uint8Array({ minLength: 0, maxLength: 80 }).map((a) => Buffer.from(a)),
    down: fc.boolean(),
  });

  it('decrypts and checks the MIC exactly as lora-packet does, on either direction and any counter', () => {
    fc.assert(
      fc.property(frame, (f) => {
        const packet = lora.fromFields(
          { MType: f.down ? 'Unconfirmed Data Down' : 'Unconfirmed Data Up', DevAddr: f.devAddr, FCnt: f.fcnt & 0xffff, FPort: f.port, payload: f.payload },
          f.app,
          f.nwk,
          undefined,
          msb(f.fcnt),
        );
        const phy = packet.getPHYPayload()!;
        const parsed = parseFrame(phy);
        expect(dataFrameMicOk(phy, f.nwk, f.fcnt)).toBe(true);
        expect(dataFrameMicOk(phy, f.nwk, (f.fcnt + 0x10000) >>> 0)).toBe(false);
        expect(decryptPayload(parsed, f.app, f.nwk, f.fcnt).equals(f.payload)).toBe(true);
        if (f.payload.length > 0) expect(decryptPayload(parsed, f.app, f.nwk, f.fcnt).equals(lora.decrypt(parsed, f.app, f.nwk, msb(f.fcnt)))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a frame with one bit changed', () => {
    const nwk = Buffer.alloc(16, 7);
    const phy = lora
      .fromFields(
        { MType: 'Confirmed Data Up', DevAddr: Buffer.from('26011bda', 'hex'), FCnt: 9, FPort: 1, payload: Buffer.from('abc') },
        Buffer.alloc(16, 1),
        nwk,
      )
      .getPHYPayload()!;
    for (let i = 0; i < phy.length; i++) {
      const bent = Buffer.from(phy);
      bent[i]! ^= 0x01;
      expect(dataFrameMicOk(bent, nwk, 9)).toBe(false);
    }
  });

  it('is its own inverse', () => {
    const key = Buffer.alloc(16, 3);
    const clear = Buffer.from('the quick brown fox jumps over the lazy dog');
    const devAddr = Buffer.from([1, 2, 3, 4]);
    expect(cryptFrmPayload(key, 0, devAddr, 77, cryptFrmPayload(key, 0, devAddr, 77, clear)).equals(clear)).toBe(true);
  });
});
