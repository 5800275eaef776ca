import { describe, expect, it } from 'vitest';
import { checkCounter, FrameError, GatewayServer, lora, msb, parseFrame, semtech } from '@hyphae/drivers/lorawan';
import { decodeBlock, decodeWords, loadSunSpecModels, scanSunSpec, TYPE_SIZE, type RegisterType } from '@hyphae/drivers/modbus';
import { Rng } from './random.js';

/**
 * More than 100,000 random and mutated inputs at the three parsers that
 * face the outside world. Nothing may escape as an unexpected exception, and
 * every bad input must be counted.
 */
const rng = new Rng(0xf022);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => rng.int(0, 255)));
function mutate(b: Buffer): Buffer {
  const out = Buffer.from(b);
  switch (rng.int(0, 4)) {
    case 0: // flip bits
      for (let k = rng.int(1, 4); k > 0; k--) out[rng.int(0, out.length - 1)]! ^= 1 << rng.int(0, 7);
      return out;
    case 1: // truncate
      return out.subarray(0, rng.int(0, out.length));
    case 2: // extend with noise
      return Buffer.concat([out, bytes(rng.int(1, 40))]);
    case 3: // splice in noise
      return Buffer.concat([out.subarray(0, rng.int(0, out.length)), bytes(rng.int(0, 8)), out.subarray(rng.int(0, out.length))]);
    default:
      return bytes(rng.int(0, 64));
  }
}

const nwkSKey = Buffer.from('44024241ed4ce9a68c6a8bc055233fd3', 'hex');
const appSKey = Buffer.from('ec925802ae430ca77fd3dd73cb2cc588', 'hex');
const validFrame = lora
  .fromFields(
    {
      MType: 'Unconfirmed Data Up',
      DevAddr: Buffer.from('26011bda', 'hex'),
      FCnt: 7,
      FPort: 2,
      payload: Buffer.from([12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0]),
    },
    appSKey,
    nwkSKey,
    undefined,
    msb(7),
  )
  .getPHYPayload()!;

describe('fuzzing the outside-facing parsers', () => {
  it('the UDP server survives 40,000 random and mutated datagrams, counting the bad ones', () => {
    let uplinks = 0;
    const server = new GatewayServer({ port: 0, onUplink: () => uplinks++ });
    const good = semtech.encodePushData(1, 'aa555a0000000001', [
      { tmst: 1, freq: 868.1, modu: 'LORA', datr: 'SF7BW125', rssi: -80, lsnr: 5, size: validFrame.length, data: validFrame.toString('base64'), stat: 1 },
    ]);
    const pull = semtech.encodePullData(2, 'aa555a0000000001');
    for (let i = 0; i < 40_000; i++) {
      const base = i % 3 === 0 ? good : i % 3 === 1 ? pull : bytes(rng.int(0, 300));
      expect(() => server.receive(i % 7 === 0 ? base : mutate(base), `127.0.0.1:${1000 + (i % 50)}`)).not.toThrow();
    }
    const counted = Object.values(server.malformed.snapshot()).reduce((a, b) => a + b, 0);
    expect(counted).toBeGreaterThan(10_000);
    expect(uplinks).toBeGreaterThan(1_000);
  });

  it('the LoRaWAN frame parser and counter check refuse 40,000 mutated frames only with frame errors', () => {
    let refused = 0;
    let accepted = 0;
    for (let i = 0; i < 40_000; i++) {
      const phy = mutate(validFrame);
      try {
        const p = parseFrame(phy);
        if (p.isDataMessage()) {
          // As the network server does, for a device whose last counter was 6.
          checkCounter(p, nwkSKey, 6, false);
          accepted++;
        }
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(30_000);
    // A mutation that leaves the MIC intact is possible only where it changes nothing the MIC covers.
    expect(accepted).toBeLessThan(10_000);
  });

  it('the Modbus decoders turn 30,000 random register blocks into numbers, strings or null', async () => {
    const types = Object.keys(TYPE_SIZE) as RegisterType[];
    const models = loadSunSpecModels();
    for (let i = 0; i < 25_000; i++) {
      const t = types[rng.int(0, types.length - 1)]!;
      const words = Array.from({ length: TYPE_SIZE[t] }, () => rng.int(0, 0xffff));
      const v = decodeWords(t, words, rng.chance(0.5) ? 'big' : 'little');
      expect(v === null || typeof v === 'string' || Number.isFinite(v)).toBe(true);
    }
    const inverter = models.get(103)!;
    for (let i = 0; i < 4_000; i++) {
      const block = decodeBlock(
        inverter.points,
        Array.from({ length: inverter.length }, () => rng.int(0, 0xffff)),
      );
      for (const p of Object.values(block)) expect(p.value === null || typeof p.value === 'string' || Number.isFinite(p.value)).toBe(true);
    }
    // A device answering garbage: the scan ends with a clear driver error or a result, never a hang or a crash.
    for (let i = 0; i < 1_000; i++) {
      const reader = {
        readHolding: async (_a: number, n: number) =>
          Array.from({ length: n }, () => (rng.chance(0.3) ? [0x5375, 0x6e53, 0xffff][rng.int(0, 2)]! : rng.int(0, 0xffff))),
        readInput: async () => [],
      };
      await scanSunSpec(reader, models).catch((e: { kind?: string }) => expect(typeof e.kind).toBe('string'));
    }
  });
});
