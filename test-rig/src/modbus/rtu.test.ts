import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '@hyphae/drivers/sensor';
import { ModbusPoller, ModbusRtuBus, scanSunSpec, readTemplate, loadTemplates } from '@hyphae/drivers/modbus';
import { loadFixture, sunspecRegisters, templateRegisters, type SunSpecFixture, type TemplateFixture } from './simulator.js';
import { hyphaeAsync } from '../hub-process.js';
import { openNullModem, RtuBusSimulator, socatAvailable, type NullModem } from './rtu.js';

/**
 * Modbus RTU over a real serial line (two pseudo-terminals joined by socat):
 * an inverter at unit 1 and a water meter at unit 2 on one bus, and a third
 * address where a meter has gone quiet.
 */
const line = (path: string) => ({ path, baudRate: 19_200, parity: 'none' as const, dataBits: 8 as const, stopBits: 1 as const });
let modem: NullModem | undefined;
let sim: RtuBusSimulator | undefined;
let bus: ModbusRtuBus | undefined;
afterEach(async () => {
  await bus?.close();
  await sim?.stop();
  await modem?.close();
  bus = sim = modem = undefined;
});

async function rig() {
  modem = await openNullModem();
  sim = new RtuBusSimulator(
    new Map([
      [1, sunspecRegisters(loadFixture('sunspec-inverter.json') as SunSpecFixture)],
      [2, templateRegisters(loadFixture('water-meter.json') as TemplateFixture)],
    ]),
  );
  await sim.start(modem.deviceSide);
  return { modem, sim };
}

describe.skipIf(!socatAvailable())('Modbus RTU on a serial line', () => {
  it('reads a SunSpec inverter and a water meter at their unit addresses on one bus', async () => {
    const { modem } = await rig();
    bus = new ModbusRtuBus(line(modem.hubSide), 500);
    const scan = await scanSunSpec(bus.reader(1));
    expect(scan.models.map((m) => m.id)).toEqual([1, 103, 160, 203]);
    expect(scan.models[1]!.points).toMatchObject({ W: { value: 3120, units: 'W' }, WH: { value: 12345678 } });
    const water = await readTemplate(loadTemplates().get('generic-water-meter')!, bus.reader(2));
    expect(water).toMatchObject({ volume: { value: 4294967000 }, flow: { value: 12.5 }, temperature: { value: null } });
  });

  it('polls the bus one frame at a time; a unit that never answers backs off and delays nobody', async () => {
    const { modem, sim } = await rig();
    sim.silent.add(3);
    const readings: Reading[] = [];
    const events: string[] = [];
    let now = 0;
    const poller = new ModbusPoller(
      { readings: (b) => readings.push(...b), health: () => undefined, event: (e) => events.push(`${e.device}:${e.kind}`) },
      { now: () => now, interFrameDelayMs: 5 },
    );
    const dev = (id: string, unit: number, profile: string) => ({
      id,
      host: '',
      port: 0,
      unit,
      pollSeconds: 10,
      timeoutMs: 200,
      retries: 0,
      profile,
      serial: line(modem.hubSide),
    });
    poller.add(dev('inverter', 1, 'sunspec'));
    poller.add(dev('meter', 2, 'generic-water-meter'));
    poller.add(dev('quiet-meter', 3, 'generic-water-meter'));
    for (let round = 0; round < 12; round++) {
      await Promise.all(poller.tick());
      now = Math.min(...poller.status().map((s) => s.nextAt));
    }
    const st = Object.fromEntries(poller.status().map((s) => [s.id, s]));
    // Every frame on the shared line came back whole: no CRC or framing errors for the devices that answer.
    expect(st.inverter!.errors).toEqual({});
    expect(st.meter!.errors).toEqual({});
    expect(st.inverter!.reads).toBeGreaterThanOrEqual(4);
    expect(st.meter!.reads).toBeGreaterThanOrEqual(4);
    expect(st['quiet-meter']!.failures).toBeGreaterThanOrEqual(2);
    expect(st['quiet-meter']!.backoffMs).toBeGreaterThanOrEqual(40_000);
    expect(events.filter((e) => e === 'quiet-meter:modbus-timeout').length).toBeGreaterThanOrEqual(2);
    expect(readings.find((r) => r.device === 'meter' && r.metric === 'flow')).toMatchObject({ value: 12.5 });
    expect(readings.find((r) => r.device === 'inverter' && r.metric === 'W')).toMatchObject({ value: 3120 });
    await poller.stop();
  });

  it('hyphae modbus scan --serial finds the inverter on the line, and says why when nothing answers', async () => {
    const { modem } = await rig();
    const r = await hyphaeAsync(['modbus', 'scan', '--serial', modem.hubSide, '--baud', '19200', '--unit', '1']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).models.map((m: { id: number }) => m.id)).toEqual([1, 103, 160, 203]);
    const none = await hyphaeAsync(['modbus', 'scan', '--serial', modem.hubSide, '--baud', '19200', '--unit', '9', '--timeout', '300']);
    expect(none.code).not.toBe(0);
    expect(none.err).toMatch(/unit 9: no answer in time/);
    const both = await hyphaeAsync(['modbus', 'scan', '--serial', modem.hubSide, '--host', '127.0.0.1']);
    expect(both.code).not.toBe(0);
  });
});
