import { describe, expect, it } from 'vitest';
import { buildJoinAccept, checkCounter, FrameError, fullFCnt, lora, msb, parseFrame, sessionKeys } from './frames.js';

const nwkSKey = Buffer.from('44024241ed4ce9a68c6a8bc055233fd3', 'hex');
const appSKey = Buffer.from('ec925802ae430ca77fd3dd73cb2cc588', 'hex');
const devAddr = Buffer.from('26011bda', 'hex');

function uplink(fcnt: number, payload = 'hi') {
  return lora.fromFields({ MType: 'Unconfirmed Data Up', DevAddr: devAddr, FCnt: fcnt & 0xffff, FPort: 2, payload }, appSKey, nwkSKey, undefined, msb(fcnt));
}

describe('frame counters', () => {
  it('rebuilds 32 bits from 16, with rollover', () => {
    expect(fullFCnt(5, -1)).toBe(5);
    expect(fullFCnt(10, 9)).toBe(10);
    expect(fullFCnt(3, 0xfffe)).toBe(0x10003);
    expect(fullFCnt(0x0002, 0x2fff0)).toBe(0x30002);
  });

  it('accepts new frames across a rollover, spots retransmissions and replays, and refuses a bad MIC', () => {
    expect(checkCounter(parseFrame(uplink(0x10003).getPHYPayload()!), nwkSKey, 0xfffe, false)).toEqual({ kind: 'new', fcnt: 0x10003 });
    expect(checkCounter(parseFrame(uplink(41).getPHYPayload()!), nwkSKey, 41, false)).toEqual({ kind: 'retransmission', fcnt: 41 });
    expect(() => checkCounter(parseFrame(uplink(40).getPHYPayload()!), nwkSKey, 41, false)).toThrow(expect.objectContaining({ kind: 'replay' }));
    const wrong = Buffer.from(uplink(50).getPHYPayload()!);
    wrong[wrong.length - 1]! ^= 0xff;
    expect(() => checkCounter(parseFrame(wrong), nwkSKey, 41, false)).toThrow(expect.objectContaining({ kind: 'mic-invalid' }));
    expect(() => checkCounter(parseFrame(uplink(41 + 20_000).getPHYPayload()!), nwkSKey, 41, false)).toThrow(FrameError);
  });

  it('allows an ABP counter reset only when the policy says so', () => {
    const reset = parseFrame(uplink(1).getPHYPayload()!);
    expect(() => checkCounter(reset, nwkSKey, 500, false)).toThrow(expect.objectContaining({ kind: 'replay' }));
    expect(checkCounter(reset, nwkSKey, 500, true)).toEqual({ kind: 'reset', fcnt: 1 });
  });
});

describe('join accept', () => {
  it('is decrypted and verified by the device side of lora-packet', () => {
    const appKey = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
    const wire = buildJoinAccept({
      appKey,
      appNonce: Buffer.from('a1b2c3', 'hex'),
      netId: Buffer.from('000013', 'hex'),
      devAddr: Buffer.from('26011bda', 'hex'),
      rx1DrOffset: 0,
      rx2DataRate: 0,
      rxDelay: 1,
    });
    const dec = lora.fromWire(lora.decryptJoinAccept(lora.fromWire(wire), appKey));
    expect(dec.getMType()).toBe('Join Accept');
    expect(dec.DevAddr!.toString('hex')).toBe('26011bda');
    expect(dec.AppNonce!.toString('hex')).toBe('a1b2c3');
    expect(lora.verifyMIC(dec, undefined as unknown as Buffer, appKey)).toBe(true);
    const k = sessionKeys(appKey, Buffer.from('000013', 'hex'), Buffer.from('a1b2c3', 'hex'), Buffer.from('0102', 'hex'));
    expect(k.nwkSKey).toHaveLength(16);
    expect(k.appSKey.equals(k.nwkSKey)).toBe(false);
  });
});
