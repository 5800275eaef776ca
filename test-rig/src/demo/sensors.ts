import { createHash } from 'node:crypto';
import type { Core, Hub } from '@hyphae/device';
import type { Logger } from 'pino';
import { EndDevice } from '../lorawan/end-device.js';
import { PacketForwarder } from '../lorawan/packet-forwarder.js';
import { dl5tm, em300Pulses, ldds75, lse01 } from '../lorawan/payloads.js';
import { encodeWords } from '@hyphae/drivers/modbus';
import { loadFixture, ModbusSimulator, setWords, sunspecPointAddress, type SunSpecFixture } from '../modbus/simulator.js';

/**
 * The demo neighbourhood's sensors: soil probes in the allotments and the
 * school garden, a level sensor on the rainwater tank, a pulse counter on
 * the community kitchen's water meter. Their readings follow simple physical
 * models of time, so history and live uplinks agree.
 */
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const diurnal = (t: number, peakHour = 14) => Math.cos(((t % DAY) / DAY - peakHour / 24) * 2 * Math.PI);
const slow = (t: number, periodDays: number, phase = 0) => Math.sin((t / (periodDays * DAY)) * 2 * Math.PI + phase);

export interface DemoSensor {
  name: string;
  place: string;
  codec: string;
  fPort: number;
  variables?: Record<string, unknown>;
  payload(t: number): number[];
  values(t: number): Record<string, number>;
}

const soil = (phase: number) => (t: number) => ({
  battery: 3.3 - ((t / DAY) % 400) * 0.0002,
  temperature: Math.round((11 + 5 * diurnal(t) + 2 * slow(t, 30, phase)) * 10) / 10,
  soilMoisture: Math.round(Math.max(5, 30 + 8 * slow(t, 9, phase) - 2 * diurnal(t, 16)) * 100) / 100,
  soilTemperature: Math.round((10 + 3 * diurnal(t, 16) + 2 * slow(t, 30, phase)) * 100) / 100,
  soilConductivity: Math.round(300 + 80 * slow(t, 9, phase)),
});

/** Litres used up to time t: a baseline with morning and evening peaks. */
const litres = (t: number) => {
  const days = t / DAY;
  return Math.round(days * 900 + 120 * Math.sin(((t % DAY) / DAY) * 4 * Math.PI));
};

export const DEMO_SENSORS: DemoSensor[] = [
  { name: 'Allotments soil probe', place: 'Allotments', codec: 'dragino-lse01', fPort: 2, values: soil(0), payload: (t) => lse01(soil(0)(t)) },
  { name: 'School garden soil probe', place: 'School garden', codec: 'dragino-lse01', fPort: 2, values: soil(1.3), payload: (t) => lse01(soil(1.3)(t)) },
  {
    name: 'Rainwater tank level',
    place: 'Community kitchen',
    codec: 'dragino-ldds75',
    fPort: 2,
    values: (t) => ({ battery: 3.4, distance: Math.round(600 + 900 * ((t / (5 * DAY)) % 1)), temperature: Math.round((9 + 3 * diurnal(t)) * 10) / 10 }),
    payload: (t) => ldds75({ battery: 3.4, distance: Math.round(600 + 900 * ((t / (5 * DAY)) % 1)), temperature: Math.round((9 + 3 * diurnal(t)) * 10) / 10 }),
  },
  {
    name: 'Community kitchen water meter',
    place: 'Community kitchen',
    codec: 'milesight-em300',
    fPort: 85,
    variables: { litresPerPulse: 10 },
    values: (t) => ({ battery: 92, pulses: Math.floor(litres(t) / 10), volume: Math.floor(litres(t) / 10) * 10 }),
    payload: (t) => em300Pulses({ battery: 92, pulses: Math.floor(litres(t) / 10) }),
  },
  {
    name: 'Orchard soil moisture',
    place: 'Orchard',
    codec: 'decentlab-dl-5tm',
    fPort: 1,
    values: (t) => ({
      deviceId: 572,
      permittivity: Math.round((14 + 4 * slow(t, 11, 2)) * 50) / 50,
      soilTemperature: Math.round((10 + 2 * diurnal(t, 17)) * 10) / 10,
      battery: 3.05,
    }),
    payload: (t) => dl5tm({ deviceId: 572, permittivity: 14 + 4 * slow(t, 11, 2), soilTemperature: 10 + 2 * diurnal(t, 17), battery: 3.05 }),
  },
];

/** Deterministic keys, so the demo's devices are the same on every seed. */
export function demoDevice(s: DemoSensor): EndDevice {
  const h = createHash('sha256').update(`hyphae-demo:${s.name}`).digest();
  return new EndDevice(h.subarray(0, 8), Buffer.from('70b3d57ed0000000', 'hex'), h.subarray(8, 24));
}

/** Registers the sensors and writes 30 days of their history, every 15 minutes. */
export async function seedSensors(core: Core, now: number): Promise<void> {
  for (const s of DEMO_SENSORS) {
    const d = demoDevice(s);
    await core.devices.register({
      kind: 'lorawan',
      name: s.name,
      place: s.place,
      profile: s.codec,
      variables: s.variables,
      otaa: { devEui: d.devEui.toString('hex'), joinEui: d.joinEui.toString('hex'), appKey: d.appKey.toString('hex') },
    });
    const codec = core.sensing.codecs.get(s.codec)!;
    for (let t = now - 30 * DAY; t < now; t += 15 * 60_000) {
      const out = codec.decode({ bytes: s.payload(t), fPort: s.fPort, variables: s.variables });
      for (const [metric, value] of Object.entries(out.data))
        if (typeof value === 'number') core.telemetry.write({ sensor: d.devEui.toString('hex'), metric, t, value });
    }
  }
  await core.telemetry.flush();
}

/** While the demo hub runs: a simulated gateway, devices that join by OTAA and report every 15 seconds. */
export async function runSensors(hub: Hub, log: Logger, everyMs = 15_000): Promise<() => Promise<void>> {
  const port = hub.modules.sensing.port;
  if (!port) return async () => undefined;
  const gw = new PacketForwarder('aa555a000000d3e0', { host: '127.0.0.1', port });
  await gw.start();
  const devices = DEMO_SENSORS.map((s) => ({ s, d: demoDevice(s) }));
  for (const { d, s } of devices) {
    try {
      await d.join(gw);
    } catch (e) {
      log.warn({ module: 'demo', sensor: s.name, err: (e as Error).message }, 'simulated device did not join');
    }
  }
  const tick = () => {
    for (const { s, d } of devices)
      if (d.devAddr)
        gw.push(d.uplink(s.fPort, s.payload(Date.now())), { rssi: -70 - Math.round(Math.random() * 40), lsnr: Math.round(Math.random() * 100) / 10 });
  };
  tick();
  const timer = setInterval(tick, everyMs);
  log.info({ module: 'demo', sensors: devices.length }, 'simulated sensors reporting');
  return async () => {
    clearInterval(timer);
    await gw.stop();
  };
}

/** The community centre's 5 kW solar inverter (SunSpec over Modbus TCP). */
export const DEMO_INVERTER_PORT = 15020;
/** Watts at time t: a clear-sky bell between 6:00 and 20:00, dimmed on cloudy days. */
export function solarWatts(t: number): number {
  const h = (t % DAY) / HOUR;
  if (h < 6 || h > 20) return 0;
  const clouds = 0.55 + 0.45 * Math.abs(slow(t, 4.3, 0.7));
  return Math.round(5000 * Math.sin(((h - 6) / 14) * Math.PI) * clouds);
}

export async function seedInverter(core: Core, now: number): Promise<void> {
  await core.devices.register({
    kind: 'modbus',
    id: 'solar-inverter',
    name: 'Community centre solar inverter',
    place: 'Community centre',
    profile: 'sunspec',
    modbus: { host: '127.0.0.1', port: DEMO_INVERTER_PORT, unit: 1, pollSeconds: 15, timeoutMs: 1000, retries: 1 },
  });
  let wh = 8_000_000;
  let imported = 4_000_000;
  let exported = 9_000_000;
  for (let t = now - 30 * DAY; t < now; t += 15 * 60_000) {
    const w = solarWatts(t);
    // The centre uses about 1.2 kW around the clock: the sun covers part, the grid the rest.
    const use = 1200 + 400 * Math.max(0, diurnal(t, 19));
    wh += Math.round(w / 4);
    imported += Math.round(Math.max(0, use - w) / 4);
    exported += Math.round(Math.max(0, w - use) / 4);
    core.telemetry.write({ sensor: 'solar-inverter', metric: 'W', t, value: w });
    core.telemetry.write({ sensor: 'solar-inverter', metric: 'WH', t, value: wh });
    core.telemetry.write({ sensor: 'solar-inverter', metric: 'meter.TotWhImp', t, value: imported });
    core.telemetry.write({ sensor: 'solar-inverter', metric: 'meter.TotWhExp', t, value: exported });
  }
  await core.telemetry.flush();
}

/** A Modbus TCP inverter whose output follows the sun, for the running demo. */
export async function runInverter(log: Logger): Promise<() => Promise<void>> {
  const fixture = loadFixture('sunspec-inverter.json') as SunSpecFixture;
  const sim = ModbusSimulator.fromFixture('sunspec-inverter.json');
  try {
    await sim.start(DEMO_INVERTER_PORT);
  } catch (e) {
    log.warn({ module: 'demo', port: DEMO_INVERTER_PORT, err: (e as Error).message }, 'simulated inverter could not start');
    return async () => undefined;
  }
  const wAddr = sunspecPointAddress(fixture, 103, 'W');
  const whAddr = sunspecPointAddress(fixture, 103, 'WH');
  let wh = 12_345_678;
  const update = () => {
    const w = solarWatts(Date.now());
    wh += Math.round(w / 240); // 15 s of output
    setWords(sim.registers.holding, wAddr, encodeWords('int16', w));
    setWords(sim.registers.holding, whAddr, encodeWords('acc32', wh));
  };
  update();
  const timer = setInterval(update, 15_000);
  log.info({ module: 'demo', port: DEMO_INVERTER_PORT }, 'simulated solar inverter on Modbus TCP');
  return async () => {
    clearInterval(timer);
    await sim.stop();
  };
}
