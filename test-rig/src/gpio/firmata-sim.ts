import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// mock-firmata is board-io with an Arduino Uno's pin table: the IO-plugin
// surface johnny-five talks to, with no serial port behind it.
const MockFirmata = require('mock-firmata').Firmata as new (opts?: object) => FirmataLike;

interface FirmataLike {
  isReady: boolean;
  emit(event: string, ...args: unknown[]): boolean;
  analogRead(pin: number, cb: (v: number) => void): void;
  digitalRead(pin: number, cb: (v: number) => void): void;
}

export interface SimProbe {
  /** 8 ROM bytes: family 0x28, 6 serial bytes (LSB first), CRC. */
  rom: number[];
  celsius: number;
  /** When set, reads fail as a probe with a broken wire does. */
  failing?: boolean;
  /** Answer the 85 °C power-on value, as a probe does after a brown-out. */
  powerOn?: boolean;
}

/**
 * A Firmata board as johnny-five sees it: analog pins that report an ADC
 * value at Firmata's sampling interval, digital pins that report changes,
 * and a 1-Wire bus answering DS18B20 search and scratchpad reads.
 */
export class SimulatedFirmata {
  readonly io: FirmataLike;
  private readonly analog = new Map<number, { value: number; listeners: ((v: number) => void)[] }>();
  private readonly digital = new Map<number, ((v: number) => void)[]>();
  readonly oneWire = new Map<number, SimProbe[]>();
  private readonly timer: NodeJS.Timeout;

  constructor(samplingMs = 19) {
    const io = new MockFirmata();
    this.io = io;
    io.analogRead = (pin, cb) => {
      const a = this.analog.get(pin) ?? { value: 0, listeners: [] };
      a.listeners.push(cb);
      this.analog.set(pin, a);
    };
    io.digitalRead = (pin, cb) => {
      this.digital.set(pin, [...(this.digital.get(pin) ?? []), cb]);
      setImmediate(() => cb(1)); // pulled up, switch open
    };
    const anyIo = io as unknown as Record<string, unknown>;
    anyIo.sendOneWireSearch = (pin: number, cb: (err: Error | null, devices: number[][]) => void) =>
      setImmediate(() =>
        cb(
          null,
          (this.oneWire.get(pin) ?? []).map((p) => p.rom),
        ),
      );
    anyIo.sendOneWireWriteAndRead = (pin: number, device: number[], _cmd: number, _n: number, cb: (err: Error | null, data?: number[]) => void) =>
      setImmediate(() => {
        const probe = (this.oneWire.get(pin) ?? []).find((p) => p.rom.every((b, i) => b === device[i]));
        if (!probe || probe.failing) return cb(new Error('1-Wire CRC error'));
        const raw = probe.powerOn ? 0x0550 : Math.round(probe.celsius * 16) & 0xffff;
        cb(null, [raw & 0xff, raw >> 8]);
      });
    this.timer = setInterval(() => {
      for (const a of this.analog.values()) for (const l of a.listeners) l(a.value);
    }, samplingMs);
    this.timer.unref();
    setImmediate(() => {
      io.emit('connect');
      io.emit('ready');
    });
  }

  setAnalog(channel: number, value: number): void {
    const a = this.analog.get(channel) ?? { value, listeners: [] };
    a.value = value;
    this.analog.set(channel, a);
  }

  /** One closing and opening of a reed switch to ground. */
  pulse(pin: number): void {
    for (const l of this.digital.get(pin) ?? []) l(0);
    for (const l of this.digital.get(pin) ?? []) l(1);
  }

  addProbe(pin: number, probe: SimProbe): void {
    this.oneWire.set(pin, [...(this.oneWire.get(pin) ?? []), probe]);
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** A DS18B20 ROM for a serial number. */
export function ds18b20Rom(serial: number): number[] {
  const bytes = [0x28];
  let s = serial;
  for (let i = 0; i < 6; i++) {
    bytes.push(s % 256);
    s = Math.floor(s / 256);
  }
  bytes.push(0); // CRC; Firmata checks it on the board, not here
  return bytes;
}
