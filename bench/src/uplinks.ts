import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { lora, msb, semtech } from '@hyphae/drivers/lorawan';
import { uplinkMessage } from '@hyphae/test-rig/basics-station';

/**
 * What the LoRaWAN and MQTT benches share: ABP soil sensors registered on a
 * hub, their encrypted uplinks wrapped in Semtech PUSH_DATA, and a sender
 * that offers them at a rate (or as fast as the socket takes them).
 */
export interface Dev {
  devEui: string;
  devAddr: Buffer;
  nwk: Buffer;
  app: Buffer;
  fcnt: number;
}

/** Registers `count` ABP LSE01 soil sensors through the hub's API. */
export async function registerDevices(hubUrl: string, token: string, count: number): Promise<Dev[]> {
  const devs: Dev[] = [];
  for (let i = 0; i < count; i++) {
    const d = { devEui: randomBytes(8).toString('hex'), devAddr: randomBytes(4), nwk: randomBytes(16), app: randomBytes(16), fcnt: 0 };
    devs.push(d);
    await fetch(`${hubUrl}/api/v1/devices`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'lorawan',
        name: `bench ${i}`,
        profile: 'dragino-lse01',
        abp: { devEui: d.devEui, devAddr: d.devAddr.toString('hex'), nwkSKey: d.nwk.toString('hex'), appSKey: d.app.toString('hex') },
      }),
    });
  }
  return devs;
}

/** `n` encrypted soil-sensor uplinks round-robin over `devs` (each advances its counter). */
export function phys(devs: Dev[], n: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const d = devs[i % devs.length]!;
    out.push(
      lora
        .fromFields(
          {
            MType: 'Unconfirmed Data Up',
            DevAddr: d.devAddr,
            FCnt: d.fcnt & 0xffff,
            FPort: 2,
            payload: Buffer.from([12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0]),
          },
          d.app,
          d.nwk,
          undefined,
          msb(d.fcnt),
        )
        .getPHYPayload()!,
    );
    d.fcnt++;
  }
  return out;
}

/** `n` uplinks as one Semtech UDP packet forwarder sends them (PUSH_DATA). */
export function frames(devs: Dev[], n: number, gateway: string): Buffer[] {
  return phys(devs, n).map((phy, i) =>
    semtech.encodePushData(i & 0xffff, gateway, [
      { tmst: i * 1000, freq: 868.1, modu: 'LORA', datr: 'SF7BW125', codr: '4/5', rssi: -80, lsnr: 7, size: phy.length, data: phy.toString('base64'), stat: 1 },
    ]),
  );
}

/** `n` uplinks as one LoRa Basics Station sends them (updf messages, EU868 DR5). */
export function stationFrames(devs: Dev[], n: number): string[] {
  return phys(devs, n).map((phy, i) => JSON.stringify(uplinkMessage(phy, { DR: 5, Freq: 868_100_000, xtime: 2 ** 48 + i * 1000, rssi: -80, snr: 7 })));
}

/** Sends at `rate` per second (null: as fast as the socket takes them); resolves when every send completed. */
export async function blast(port: number, packets: Buffer[], rate: number | null): Promise<void> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const t0 = performance.now();
  let i = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const sent = () => {
      if (++done === packets.length) resolve();
    };
    const tick = () => {
      const due = rate === null ? Math.min(packets.length, i + 256) : Math.min(packets.length, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
      for (; i < due; i++) s.send(packets[i]!, port, '127.0.0.1', sent);
      if (i < packets.length) (rate === null ? setImmediate : (f: () => void) => setTimeout(f, 2))(tick);
    };
    tick();
  });
  await new Promise<void>((r) => s.close(() => r()));
}
