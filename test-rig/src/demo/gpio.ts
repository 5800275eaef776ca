import type { Hub } from '@hyphae/device';
import type { Logger } from 'pino';
import { ds18b20Rom, SimulatedFirmata } from '../gpio/firmata-sim.js';

/**
 * The greenhouse bench wired straight to the hub's pins: a capacitive
 * moisture probe, a DS18B20 in the bed and a rain gauge on the roof, on a
 * simulated Firmata board driven by the real johnny-five station.
 */
export async function runGpio(hub: Hub, log: Logger): Promise<() => Promise<void>> {
  const board = new SimulatedFirmata();
  const probe = { rom: ds18b20Rom(0x5eed01), celsius: 14 };
  board.addProbe(2, probe);
  const update = () => {
    const h = (Date.now() % 86_400_000) / 3_600_000;
    // Drier (higher ADC) in the afternoon; warmer too.
    board.setAnalog(0, Math.round(400 + 40 * Math.sin(((h - 9) / 24) * 2 * Math.PI)));
    probe.celsius = Math.round((14 + 4 * Math.sin(((h - 9) / 24) * 2 * Math.PI)) * 16) / 16;
    if (Math.random() < 0.05) board.pulse(7);
  };
  update();
  const timer = setInterval(update, 10_000);
  timer.unref();
  try {
    await hub.modules.sensing.attachGpio(board.io, [
      { id: 'greenhouse-moisture', name: 'Greenhouse bed moisture', place: 'Greenhouse', definition: 'dfrobot-sen0193', pin: 'A0' },
      { id: 'greenhouse-soil-temp', name: 'Greenhouse bed temperature', place: 'Greenhouse', definition: 'maxim-ds18b20', pin: 2 },
      { id: 'greenhouse-rain', name: 'Greenhouse roof rain gauge', place: 'Greenhouse', definition: 'misol-wh-sp-rg', pin: 7 },
    ]);
  } catch (e) {
    log.warn({ module: 'demo', err: (e as Error).message }, 'simulated GPIO board could not start');
  }
  return async () => {
    clearInterval(timer);
    board.close();
  };
}
