import five from 'johnny-five';
import type { ReadingSink } from '../sensor.js';
import { calibrate, ds18b20Celsius, DS18B20_POWER_ON, loadGpioDefinitions, type Calibration, type GpioDefinition } from './definitions.js';

type OneWireCb<T> = (err: Error | null, data?: T) => void;

/** Not a temperature a DS18B20 can report (it tops out at 125 °C = 0x07D0). */
const READ_FAILED = 0x7fff;

/** johnny-five's address for a 1-Wire ROM: the 48-bit serial, bytes 1–6, LSB first. */
function romAddress(rom: number[]): number {
  let a = 0;
  for (let i = 6; i > 0; i--) a = a * 256 + (rom[i] ?? 0);
  return a;
}

/** A sensor on a pin, as the hub's config names it. */
export interface GpioSensorConfig {
  /** The device id in the hub's registry. */
  id: string;
  /** A definition id, e.g. "dfrobot-sen0193". */
  definition: string;
  /** A pin name the IO plugin understands: "A0", "GPIO4", "P1-7", 4. */
  pin: string | number;
  /** The 1-Wire ROM address (48-bit serial) when several DS18B20 share a pin. */
  address?: number;
  /** This probe's own dry/wet readings, which beat the definition's defaults. */
  calibration?: Calibration;
  reportSeconds?: number;
  /** Overrides the definition's sampling period. */
  sampleMs?: number;
}

interface Channel {
  config: GpioSensorConfig;
  def: GpioDefinition;
  sum: number;
  count: number;
  pulses: number;
  lastPulse: number;
  lastSeen: number | null;
  reportedAt: number;
}

/**
 * Sensors on the hub's own pins through johnny-five and an IO plugin
 * (raspi-io on the Pi, Firmata on a USB-attached board). Samples are
 * averaged, and pulses summed, over each sensor's report interval, so the
 * time-series store gets one point a minute instead of one a second.
 *
 * One sensor's trouble (an unplugged probe, a 1-Wire CRC error) is
 * reported as an event for that sensor; the others keep reporting.
 */
export class GpioStation {
  private board: five.Board | undefined;
  private readonly channels = new Map<string, Channel>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** johnny-five components, whose sampling timers stop() clears. */
  private readonly components: { disable(): void }[] = [];
  private readonly now: () => number;

  constructor(
    private readonly opts: {
      io: unknown;
      sensors: GpioSensorConfig[];
      sink: ReadingSink;
      definitions?: Map<string, GpioDefinition>;
      now?: () => number;
      /** How often to check whether a sensor's report is due; tests call report() instead. */
      tickMs?: number;
    },
  ) {
    this.now = opts.now ?? Date.now;
    const defs = opts.definitions ?? loadGpioDefinitions();
    for (const s of opts.sensors) {
      const def = defs.get(s.definition);
      if (!def) throw new Error(`GPIO sensor ${s.id}: no definition "${s.definition}" (known: ${[...defs.keys()].join(', ')})`);
      if (this.channels.has(s.id)) throw new Error(`GPIO sensor ${s.id} is configured twice`);
      this.channels.set(s.id, { config: s, def, sum: 0, count: 0, pulses: 0, lastPulse: -Infinity, lastSeen: null, reportedAt: this.now() });
    }
  }

  /** Resolves when the IO plugin is ready and every sensor is listening. */
  start(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error(`the GPIO board was not ready within ${timeoutMs} ms`)), timeoutMs);
      this.guardOneWire();
      const board = new five.Board({ io: this.opts.io as five.BoardOption['io'], repl: false, debug: false, sigint: false } as five.BoardOption);
      this.board = board;
      board.on('error', (err: Error) => {
        clearTimeout(timeout);
        this.opts.sink.event({ device: null, kind: 'gpio-board-error', detail: { message: String(err?.message ?? err) } });
        reject(err);
      });
      board.on('ready', () => {
        clearTimeout(timeout);
        for (const ch of this.channels.values()) {
          try {
            this.listen(board, ch);
          } catch (err) {
            this.opts.sink.event({ device: ch.config.id, kind: 'gpio-setup-failed', detail: { message: (err as Error).message } });
          }
        }
        const tick = this.opts.tickMs ?? 1000;
        if (tick > 0) this.timer = setInterval(() => this.report(false), tick);
        this.timer?.unref();
        resolve();
      });
    });
  }

  /**
   * johnny-five's DS18B20 driver emits a 1-Wire failure as an "error" on an
   * internal emitter nobody can listen to, which throws and takes the hub
   * down, and then stops reading that pin for good. So failures are caught
   * here, at the IO plugin: a failed search is reported and retried, and a
   * failed read is reported and handed on as a sentinel word that the data
   * handler skips, so the other probes on the pin keep being read.
   */
  private guardOneWire(): void {
    const io = this.opts.io as Record<string, unknown>;
    const search = io.sendOneWireSearch as ((pin: number, cb: OneWireCb<number[][]>) => void) | undefined;
    const read = io.sendOneWireWriteAndRead as ((pin: number, dev: number[], data: unknown, n: number, cb: OneWireCb<number[]>) => void) | undefined;
    if (!search || !read) return;
    const onPin = (pin: number, rom?: number[]) => {
      const sensors = [...this.channels.values()].filter((c) => c.def.kind === 'onewire-temperature' && Number(c.config.pin) === Number(pin));
      const address = rom ? romAddress(rom) : undefined;
      const exact = sensors.filter((c) => c.config.address !== undefined && c.config.address === address);
      return (exact.length > 0 ? exact : sensors.filter((c) => c.config.address === undefined)).map((c) => c.config.id);
    };
    const report = (ids: string[], kind: string, detail: Record<string, unknown>) => {
      for (const device of ids.length > 0 ? ids : [null]) this.opts.sink.event({ device, kind, detail });
    };
    io.sendOneWireSearch = (pin: number, cb: OneWireCb<number[][]>) => {
      const attempt = () =>
        search.call(io, pin, (err, devices) => {
          if (this.stopped) return;
          const found = (devices ?? []).filter((d) => d[0] === 0x28);
          if (!err && found.length > 0) return cb(null, devices);
          report(onPin(pin), 'ds18b20-not-found', { pin, message: err ? String(err.message ?? err) : 'no DS18B20 on the bus' });
          setTimeout(attempt, 30_000).unref();
        });
      attempt();
    };
    io.sendOneWireWriteAndRead = (pin: number, dev: number[], data: unknown, n: number, cb: OneWireCb<number[]>) =>
      read.call(io, pin, dev, data, n, (err, bytes) => {
        // Not answering ends johnny-five's read loop for the pin, which has no stop of its own.
        if (this.stopped) return;
        if (!err && bytes) return cb(null, bytes);
        report(onPin(pin, dev), 'gpio-error', { pin, message: String(err?.message ?? err ?? 'no data') });
        cb(null, [READ_FAILED & 0xff, READ_FAILED >> 8]);
      });
  }

  private listen(board: five.Board, ch: Channel): void {
    const { def, config } = ch;
    const device = config.id;
    const problem = (kind: string, detail?: Record<string, unknown>) => this.opts.sink.event({ device, kind, ...(detail ? { detail } : {}) });
    if (def.kind === 'analog') {
      const cal = config.calibration ?? def.calibration;
      const sensor = new five.Sensor({ board, pin: config.pin, freq: config.sampleMs ?? def.sampleMs });
      this.components.push(sensor as unknown as { disable(): void });
      sensor.on('data', () => {
        const { value, outOfRange } = calibrate(sensor.raw ?? sensor.value, cal);
        if (outOfRange) return problem('gpio-out-of-range', { raw: sensor.raw });
        this.sample(ch, value);
      });
    } else if (def.kind === 'onewire-temperature') {
      const options: Record<string, unknown> = { board, controller: 'DS18B20', pin: config.pin, freq: config.sampleMs ?? def.sampleMs };
      if (config.address !== undefined) options.address = config.address;
      const thermometer = new five.Thermometer(options as unknown as five.ThermometerOption);
      this.components.push(thermometer as unknown as { disable(): void });
      // johnny-five converts the scratchpad word without its sign, so -10 °C
      // arrives as 4085 °C; take the word back and convert it ourselves.
      thermometer.on('data', () => {
        const raw = Math.round(thermometer.celsius * 16) & 0xffff;
        if (raw === READ_FAILED) return; // already reported by guardOneWire
        if (raw === DS18B20_POWER_ON) return problem('ds18b20-power-on-value');
        const celsius = ds18b20Celsius(raw);
        if (celsius < -55 || celsius > 125) return problem('gpio-out-of-range', { raw });
        this.sample(ch, celsius);
      });
    } else {
      // Straight to the IO plugin: johnny-five's Button merges presses
      // within 7 ms into one, and we want every edge, debounced our way.
      const io = board.io as unknown as {
        MODES: { INPUT: number };
        HIGH: number;
        pinMode(p: unknown, m: number): void;
        digitalWrite(p: unknown, v: number): void;
        digitalRead(p: unknown, cb: (v: number) => void): void;
      };
      io.pinMode(config.pin, io.MODES.INPUT);
      io.digitalWrite(config.pin, io.HIGH); // pull-up: the reed switch pulls the pin to ground
      let last = 1;
      io.digitalRead(config.pin, (v) => {
        const falling = last === 1 && v === 0;
        last = v;
        if (!falling) return;
        const t = this.now();
        // Reed switches bounce; one tip can close the contact several times within a few ms.
        if (t - ch.lastPulse < def.debounceMs) return;
        ch.lastPulse = t;
        ch.pulses += 1;
        this.alive(ch, t);
      });
    }
  }

  /** Samples (or pulses) gathered since the sensor's last report. */
  pending(id: string): number {
    const ch = this.channels.get(id);
    if (!ch) throw new Error(`no GPIO sensor ${id}`);
    return ch.def.kind === 'pulse-counter' ? ch.pulses : ch.count;
  }

  private sample(ch: Channel, value: number): void {
    ch.sum += value;
    ch.count += 1;
    this.alive(ch, this.now());
  }

  /**
   * The first sign of life is reported at once, so a sensor that reports
   * every few minutes does not show as never seen until its first report.
   */
  private alive(ch: Channel, t: number): void {
    const first = ch.lastSeen === null;
    ch.lastSeen = t;
    if (first) this.opts.sink.health({ device: ch.config.id, lastSeen: t });
  }

  /**
   * Hands the sink one reading per sensor whose interval is over (every
   * sensor when `all`): the mean of its samples, or for a pulse counter
   * the amount in the interval (zero is a reading: it did not rain).
   */
  report(all = true): void {
    const at = this.now();
    const batch = [];
    for (const ch of this.channels.values()) {
      const every = (ch.config.reportSeconds ?? ch.def.reportSeconds) * 1000;
      if (!all && at - ch.reportedAt < every) continue;
      ch.reportedAt = at;
      const device = ch.config.id;
      if (ch.def.kind === 'pulse-counter') {
        const amount = Math.round(ch.pulses * ch.def.perPulse * 10_000) / 10_000;
        batch.push({ device, metric: ch.def.metric, value: amount, unit: ch.def.unit, at });
        ch.pulses = 0;
        this.opts.sink.health({ device, lastSeen: ch.lastSeen ?? at });
        continue;
      }
      if (ch.count === 0) {
        this.opts.sink.event({ device, kind: 'gpio-no-data' });
        continue;
      }
      const mean = Math.round((ch.sum / ch.count) * 100) / 100;
      batch.push({ device, metric: ch.def.metric, value: mean, unit: ch.def.unit, at });
      ch.sum = 0;
      ch.count = 0;
      this.opts.sink.health({ device, lastSeen: ch.lastSeen ?? at });
    }
    if (batch.length > 0) this.opts.sink.readings(batch);
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.components) c.disable();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // johnny-five keeps sensor timers on the board's io; drop our listeners so nothing reports after stop.
    const board = this.board as unknown as { removeAllListeners?: () => void; io?: { removeAllListeners?: () => void } } | undefined;
    board?.removeAllListeners?.();
    board?.io?.removeAllListeners?.();
  }
}
