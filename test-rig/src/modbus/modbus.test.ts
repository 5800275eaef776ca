import { afterEach, describe, expect, it } from 'vitest';
import type { Reading } from '@hyphae/drivers/sensor';
import { counterDelta, ModbusPoller, ModbusTcpClient, readTemplate, loadTemplates, scanSunSpec, classifyModbusError } from '@hyphae/drivers/modbus';
import { DriverError } from '@hyphae/drivers/sensor';
import { hyphaeAsync } from '../hub-process.js';
import { ModbusSimulator } from './simulator.js';

const sims: ModbusSimulator[] = [];
const clients: ModbusTcpClient[] = [];
async function sim(fixture: string) {
  const s = ModbusSimulator.fromFixture(fixture);
  await s.start();
  sims.push(s);
  return s;
}
function client(port: number, timeoutMs = 500) {
  const c = new ModbusTcpClient({ host: '127.0.0.1', port, unit: 1, timeoutMs });
  clients.push(c);
  return c;
}
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const s of sims.splice(0)) await s.stop();
});

describe('SunSpec over Modbus TCP', () => {
  it('finds the marker, walks the model chain and decodes with scale factors; not implemented is null', async () => {
    const s = await sim('sunspec-inverter.json');
    const scan = await scanSunSpec(client(s.port));
    expect(scan.base).toBe(40000);
    expect(scan.models.map((m) => m.id)).toEqual([1, 103, 160, 203]);
    const [common, inv, mppt, meter] = scan.models;
    expect(common!.points).toMatchObject({ Mn: { value: 'Hyphae Solar' }, SN: { value: 'HS5K-000123' }, Opt: { value: null } });
    expect(inv!.points).toMatchObject({
      W: { value: 3120, units: 'W' },
      A: { value: 4.52, units: 'A' },
      Hz: { value: 50.01, units: 'Hz' },
      WH: { value: 12345678, units: 'Wh' },
      DCV: { value: 390.5 },
      DCW: { value: 3172 },
      TmpCab: { value: 41.2 },
      PhVphA: { value: 230.1 },
      VAr: { value: null },
      PPVphAB: { value: null },
      TmpSnk: { value: null },
    });
    expect(mppt!.modules).toHaveLength(2);
    expect(mppt!.modules![1]).toMatchObject({ IDStr: { value: 'west' }, DCA: { value: 3.91 }, DCV: { value: 392 }, DCW: { value: 1534 } });
    expect(meter!.points).toMatchObject({ W: { value: -1850 }, TotWhExp: { value: 9800000 }, A: { value: 12 }, VA: { value: null } });
  });

  it('says so when a device has no SunSpec marker', async () => {
    const s = await sim('water-meter.json');
    await expect(scanSunSpec(client(s.port))).rejects.toMatchObject({ kind: 'sunspec-not-found', retryable: false });
  });
});

describe('template devices', () => {
  it('reads a water meter: scaled flow, a counter near its wrap, and no temperature probe', async () => {
    const s = await sim('water-meter.json');
    const v = await readTemplate(loadTemplates().get('generic-water-meter')!, client(s.port));
    expect(v).toEqual({ volume: { value: 4294967000, unit: 'L' }, flow: { value: 12.5, unit: 'L/min' }, temperature: { value: null, unit: '°C' } });
    expect(counterDelta(4294967000, 200, 2 ** 32)).toBe(496);
  });

  it('classifies errors: an illegal address is permanent, a timeout is worth a retry', async () => {
    const s = await sim('water-meter.json');
    const err = await client(s.port)
      .readHolding(900, 2)
      .catch((e) => e);
    expect(err).toBeInstanceOf(DriverError);
    expect(err).toMatchObject({ kind: 'modbus-exception-2', retryable: false });
    s.silent = true;
    await expect(client(s.port, 200).readHolding(0, 2)).rejects.toMatchObject({ kind: 'modbus-timeout', retryable: true });
    expect(classifyModbusError(new Error('CRC error')).kind).toBe('modbus-crc');
  });
});

describe('polling', () => {
  it('keeps polling a healthy device while a dead one backs off exponentially', async () => {
    const good = await sim('sunspec-inverter.json');
    const dead = await sim('water-meter.json');
    dead.silent = true;
    const readings: Reading[] = [];
    const events: string[] = [];
    let now = 0;
    const poller = new ModbusPoller(
      { readings: (b) => readings.push(...b), health: () => undefined, event: (e) => events.push(`${e.device}:${e.kind}`) },
      { now: () => now, interFrameDelayMs: 0 },
    );
    poller.add({ id: 'inverter', host: '127.0.0.1', port: good.port, unit: 1, pollSeconds: 10, timeoutMs: 2000, retries: 0, profile: 'sunspec' });
    poller.add({ id: 'meter', host: '127.0.0.1', port: dead.port, unit: 1, pollSeconds: 10, timeoutMs: 150, retries: 1, profile: 'generic-water-meter' });
    const backoffs: number[] = [];
    let lastFailures = 0;
    for (let round = 0; round < 40 && backoffs.length < 3; round++) {
      await Promise.all(poller.tick());
      const m = poller.status().find((s) => s.id === 'meter')!;
      if (m.failures > lastFailures) {
        lastFailures = m.failures;
        backoffs.push(m.backoffMs);
      }
      // Jump to whichever device is due next.
      now = Math.min(...poller.status().map((s) => s.nextAt));
    }
    const inverter = poller.status().find((s) => s.id === 'inverter')!;
    // The meter failed at 0, 20 and 60 s; meanwhile the inverter kept its 10 s rhythm.
    expect(inverter.reads).toBeGreaterThanOrEqual(6);
    expect(readings.filter((r) => r.device === 'inverter' && r.metric === 'W')[0]).toMatchObject({ value: 3120, unit: 'W' });
    expect(backoffs).toEqual([20_000, 40_000, 80_000]);
    expect(Math.max(...backoffs)).toBeLessThanOrEqual(5 * 60_000);
    expect(events.filter((e) => e === 'meter:modbus-timeout').length).toBeGreaterThanOrEqual(2);
    await poller.stop();
  });
});

describe('hyphae modbus scan', () => {
  it('prints the discovered models with their points keyed by SunSpec names', async () => {
    const s = await sim('sunspec-inverter.json');
    // Async: the simulator lives in this process and must keep answering.
    const r = await hyphaeAsync(['modbus', 'scan', '--host', '127.0.0.1', '--port', String(s.port), '--unit', '1']);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.models.map((m: { id: number }) => m.id)).toEqual([1, 103, 160, 203]);
    expect(out.models[1].points.W).toEqual({ value: 3120, units: 'W' });
    expect(out.models[1].points.Hz).toEqual({ value: 50.01, units: 'Hz' });
    const bad = await hyphaeAsync(['modbus', 'scan', '--host', '127.0.0.1', '--port', '1', '--unit', '1']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/hyphae: /);
  });
});
