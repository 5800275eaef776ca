import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, openCore, silentLogger, type Core } from '@hyphae/device';
import { calibrate, ds18b20Celsius, GpioStation, loadGpioDefinitions } from '@hyphae/drivers/gpio';
import type { DeviceHealth, DriverEvent, Reading } from '@hyphae/drivers/sensor';
import { afterEach, describe, expect, it } from 'vitest';
import { until as waitUntil } from '../wait.js';
import { ds18b20Rom, SimulatedFirmata } from './firmata-sim.js';

// johnny-five, unmodified, drives a Firmata board simulated at the IO-plugin
// surface (mock-firmata): the same calls raspi-io answers on the Pi.

function sink() {
  const readings: Reading[] = [];
  const events: DriverEvent[] = [];
  const health: DeviceHealth[] = [];
  return {
    readings,
    events,
    health,
    sink: { readings: (b: Reading[]) => readings.push(...b), event: (e: DriverEvent) => events.push(e), health: (h: DeviceHealth) => health.push(h) },
  };
}

const until = (cond: () => boolean, what: string) => waitUntil(cond, what, { timeoutMs: 10_000, everyMs: 10 });

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('GPIO definitions', () => {
  it('loads every definition file and rejects none', () => {
    const defs = loadGpioDefinitions();
    expect([...defs.keys()].sort()).toEqual(['dfrobot-sen0193', 'maxim-ds18b20', 'misol-wh-sp-rg']);
    expect(defs.get('misol-wh-sp-rg')).toMatchObject({ kind: 'pulse-counter', perPulse: 0.2794 });
  });

  it('maps a capacitive probe between its dry and wet readings, clamped, and flags a loose wire', () => {
    const cal = { dry: 520, wet: 260 };
    expect(calibrate(520, cal)).toEqual({ value: 0, outOfRange: false });
    expect(calibrate(260, cal)).toEqual({ value: 100, outOfRange: false });
    expect(calibrate(390, cal)).toEqual({ value: 50, outOfRange: false });
    expect(calibrate(530, cal).value).toBe(0);
    expect(calibrate(1023, cal).outOfRange).toBe(true);
    expect(calibrate(0, cal).outOfRange).toBe(true);
  });

  it('reads DS18B20 words as signed sixteenths of a degree', () => {
    expect(ds18b20Celsius(0x0191)).toBe(25.0625);
    expect(ds18b20Celsius(0xff5e)).toBe(-10.125);
    expect(ds18b20Celsius(0xfc90)).toBe(-55);
  });
});

describe('GpioStation over johnny-five and a simulated Firmata board', () => {
  it("averages soil moisture with the probe's own calibration, reads two DS18B20s by address, and counts rain tips with debounce", async () => {
    const board = new SimulatedFirmata(5);
    cleanups.push(() => board.close());
    board.setAnalog(0, 390);
    board.addProbe(2, { rom: ds18b20Rom(0x0a1b2c), celsius: 12.5 });
    board.addProbe(2, { rom: ds18b20Rom(0x0d0e0f), celsius: -3.25 });
    let now = 1_000_000;
    const s = sink();
    const station = new GpioStation({
      io: board.io,
      now: () => now,
      tickMs: 0,
      sink: s.sink,
      sensors: [
        { id: 'bed-3-moisture', definition: 'dfrobot-sen0193', sampleMs: 20, pin: 'A0', calibration: { dry: 600, wet: 300 } },
        { id: 'bed-3-temp', definition: 'maxim-ds18b20', sampleMs: 20, pin: 2, address: 0x0a1b2c },
        { id: 'pond-temp', definition: 'maxim-ds18b20', sampleMs: 20, pin: 2, address: 0x0d0e0f },
        { id: 'rain', definition: 'misol-wh-sp-rg', pin: 7 },
      ],
    });
    cleanups.push(() => station.stop());
    await station.start(5000);
    for (let tip = 0; tip < 5; tip++) {
      now += 1000;
      board.pulse(7);
      board.pulse(7); // bounce within the same millisecond: one tip
    }
    expect(station.pending('rain')).toBe(5);
    await until(() => ['bed-3-moisture', 'bed-3-temp', 'pond-temp'].every((id) => station.pending(id) >= 3), 'samples from all three sampled sensors');
    // Each sensor's first sign of life counts at once, long before its first report is due, and only once.
    expect(s.health.map((h) => h.device).sort()).toEqual(['bed-3-moisture', 'bed-3-temp', 'pond-temp', 'rain']);
    station.report();
    const byDevice = Object.fromEntries(s.readings.map((r) => [r.device, r]));
    expect(byDevice['bed-3-moisture']).toMatchObject({ metric: 'soil_moisture', unit: '%', value: 70 }); // (600-390)/300
    expect(byDevice['bed-3-temp']).toMatchObject({ metric: 'soil_temperature', unit: '°C', value: 12.5 });
    expect(byDevice['pond-temp']).toMatchObject({ value: -3.25 });
    const rain = s.readings.filter((r) => r.device === 'rain');
    expect(rain.reduce((a, r) => a + r.value, 0)).toBeCloseTo(5 * 0.2794, 6);
    expect(s.events).toEqual([]);
    expect(s.health.some((h) => h.device === 'rain' && h.lastSeen === now)).toBe(true);
  });

  it('reports a failing probe and a power-on 85 °C as events while the other sensors keep reporting', async () => {
    const board = new SimulatedFirmata(5);
    cleanups.push(() => board.close());
    board.setAnalog(1, 520);
    board.addProbe(3, { rom: ds18b20Rom(1), celsius: 10, failing: true });
    board.addProbe(4, { rom: ds18b20Rom(2), celsius: 10, powerOn: true });
    const s = sink();
    const station = new GpioStation({
      io: board.io,
      tickMs: 0,
      sink: s.sink,
      sensors: [
        { id: 'broken', definition: 'maxim-ds18b20', sampleMs: 20, pin: 3 },
        { id: 'browned-out', definition: 'maxim-ds18b20', sampleMs: 20, pin: 4 },
        { id: 'moisture', definition: 'dfrobot-sen0193', sampleMs: 20, pin: 'A1' },
      ],
    });
    cleanups.push(() => station.stop());
    await station.start(5000);
    await until(
      () =>
        s.events.some((e) => e.device === 'broken' && e.kind === 'gpio-error') &&
        s.events.some((e) => e.device === 'browned-out' && e.kind === 'ds18b20-power-on-value'),
      'events for both probes',
    );
    await until(() => station.pending('moisture') >= 3, 'moisture samples');
    station.report();
    expect(s.readings.map((r) => r.device)).toEqual(['moisture']);
    expect(s.readings[0]!.value).toBe(0);
    expect(
      s.events
        .filter((e) => e.kind === 'gpio-no-data')
        .map((e) => e.device)
        .sort(),
    ).toEqual(['broken', 'browned-out']);
  });

  it('refuses a sensor whose definition does not exist, naming the known ones', () => {
    expect(() => new GpioStation({ io: {}, sink: sink().sink, sensors: [{ id: 'x', definition: 'nope', pin: 1 }] })).toThrow(
      /no definition "nope".*dfrobot-sen0193/,
    );
  });
});

/** A hub core in a scratch directory, closed and removed afterwards. */
async function withCore(
  config: Parameters<typeof configSchema.parse>[0],
  fn: (core: Core, parsed: ReturnType<typeof configSchema.parse>) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'hyphae-gpio-'));
  const parsed = configSchema.parse(config);
  const core = openCore(dir, parsed, silentLogger);
  try {
    await fn(core, parsed);
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('GPIO sensors in the hub', () => {
  it('registers the sensors as gpio devices and stores their readings as telemetry with health', () =>
    withCore({ lorawan: { enabled: false } }, async (core) => {
      const board = new SimulatedFirmata(5);
      cleanups.push(() => board.close());
      board.setAnalog(0, 455);
      await core.sensing.attachGpio(board.io, [{ id: 'bed-1', name: 'Bed 1', place: 'Allotments', definition: 'dfrobot-sen0193', pin: 'A0', sampleMs: 20 }]);
      expect(core.devices.get('bed-1')).toMatchObject({ kind: 'gpio', place: 'Allotments', profile: 'dfrobot-sen0193' });
      await until(() => core.sensing.gpio!.pending('bed-1') >= 3, 'samples');
      core.sensing.gpio!.report();
      await core.telemetry.flush();
      expect(core.telemetry.listSeries('bed-1').map((s) => [s.metric, s.lastValue])).toEqual([['soil_moisture', 25]]); // (520-455)/260
      expect(core.devices.healthOf('bed-1').lastSeen).not.toBeNull();
    }));

  it('logs and counts a missing IO plugin instead of failing the hub', () =>
    withCore(
      { lorawan: { enabled: false }, gpio: { io: 'raspi-io', sensors: [{ id: 'rain', definition: 'misol-wh-sp-rg', pin: 'GPIO17' }] } },
      async (core, config) => {
        await core.sensing.startConfiguredGpio(config.gpio); // raspi-io is installed only on the Pi image
        expect(core.sensing.counters['gpio-unavailable']).toBe(1);
        expect(core.sensing.gpio).toBeUndefined();
      },
    ));
});
