import { DriverError, type Reading, type ReadingSink } from '../sensor.js';
import { ModbusRtuBus, ModbusTcpClient, type RegisterReader, type SerialLine } from './client.js';
import { loadSunSpecModels, scanSunSpec, type ModelDef } from './sunspec.js';
import { loadTemplates, readTemplate, type Template } from './templates.js';

export interface PolledDevice {
  id: string;
  host: string;
  port: number;
  unit: number;
  pollSeconds: number;
  timeoutMs: number;
  retries: number;
  /** A template id, or "sunspec" to discover the models. */
  profile: string;
  /** Modbus RTU on a serial line instead of TCP: host and port are then unused. */
  serial?: SerialLine | null;
}

interface State {
  dev: PolledDevice;
  reader: RegisterReader & { close?: () => Promise<void> };
  nextAt: number;
  failures: number;
  backoffMs: number;
  lastError: string | null;
  errors: Record<string, number>;
  reads: number;
}

/** Backs a failing device off up to five minutes, as a field bus should. */
export const MAX_BACKOFF_MS = 5 * 60_000;

/** Which SunSpec points become telemetry, by model family. */
const SUNSPEC_METRICS: Record<number, string[]> = {
  101: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  102: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  103: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  111: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  112: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  113: ['W', 'WH', 'DCW', 'DCV', 'Hz', 'A', 'TmpCab'],
  201: ['W', 'TotWhImp', 'TotWhExp', 'Hz', 'PhV'],
  202: ['W', 'TotWhImp', 'TotWhExp', 'Hz', 'PhV'],
  203: ['W', 'TotWhImp', 'TotWhExp', 'Hz', 'PhV'],
  204: ['W', 'TotWhImp', 'TotWhExp', 'Hz', 'PhV'],
};

/**
 * Polls Modbus devices on their own schedules. Devices on one gateway host
 * share a bus and are read one after another with a pause between frames;
 * devices on different hosts are polled independently, so a dead meter
 * delays nobody. Failures back off exponentially; an exception that says a
 * register does not exist is not retried until the next poll.
 */
export class ModbusPoller {
  private readonly states = new Map<string, State>();
  private readonly busQueues = new Map<string, Promise<void>>();
  private readonly rtuBuses = new Map<string, ModbusRtuBus>();
  private timer: NodeJS.Timeout | undefined;
  private readonly templates: Map<string, Template>;
  private readonly models: Map<number, ModelDef>;

  constructor(
    private readonly sink: ReadingSink,
    private readonly opts: { now?: () => number; interFrameDelayMs?: number; tickMs?: number; readerFor?: (d: PolledDevice) => State['reader'] } = {},
  ) {
    this.templates = loadTemplates();
    this.models = loadSunSpecModels();
  }

  private now() {
    return (this.opts.now ?? Date.now)();
  }

  add(dev: PolledDevice): void {
    if (dev.profile !== 'sunspec' && !this.templates.has(dev.profile))
      throw new DriverError(`unknown Modbus template ${dev.profile}`, false, 'unknown-template');
    const reader =
      this.opts.readerFor?.(dev) ??
      (dev.serial
        ? this.rtuBus(dev.serial, dev.timeoutMs).reader(dev.unit, dev.timeoutMs)
        : new ModbusTcpClient({ host: dev.host, port: dev.port, unit: dev.unit, timeoutMs: dev.timeoutMs }));
    this.states.set(dev.id, { dev, reader, nextAt: this.now(), failures: 0, backoffMs: 0, lastError: null, errors: {}, reads: 0 });
  }

  /** Devices on one serial line share its port. */
  private rtuBus(line: SerialLine, timeoutMs: number): ModbusRtuBus {
    let bus = this.rtuBuses.get(line.path);
    if (!bus) {
      bus = new ModbusRtuBus(line, timeoutMs);
      this.rtuBuses.set(line.path, bus);
    } else if (bus.line.baudRate !== line.baudRate || bus.line.parity !== line.parity) {
      throw new DriverError(
        `${line.path} is already open at ${bus.line.baudRate} baud, parity ${bus.line.parity}; one bus has one speed`,
        false,
        'serial-mismatch',
      );
    }
    return bus;
  }

  status(): Array<{
    id: string;
    failures: number;
    backoffMs: number;
    lastError: string | null;
    errors: Record<string, number>;
    reads: number;
    nextAt: number;
  }> {
    return [...this.states.values()].map((s) => ({
      id: s.dev.id,
      failures: s.failures,
      backoffMs: s.backoffMs,
      lastError: s.lastError,
      errors: { ...s.errors },
      reads: s.reads,
      nextAt: s.nextAt,
    }));
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 250);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([...this.busQueues.values()]);
    for (const s of this.states.values()) await s.reader.close?.();
    for (const b of this.rtuBuses.values()) await b.close();
  }

  /** Starts every poll that is due; each bus runs its polls in order. */
  tick(): Promise<void>[] {
    const started: Promise<void>[] = [];
    for (const s of this.states.values()) {
      if (s.nextAt > this.now()) continue;
      s.nextAt = Number.POSITIVE_INFINITY; // in flight
      const bus = s.dev.serial ? `serial:${s.dev.serial.path}` : `${s.dev.host}:${s.dev.port}`;
      const prev = this.busQueues.get(bus) ?? Promise.resolve();
      const run = prev.then(() => this.poll(s)).then(() => new Promise<void>((r) => setTimeout(r, this.opts.interFrameDelayMs ?? 20)));
      this.busQueues.set(bus, run);
      started.push(run);
    }
    return started;
  }

  private async poll(s: State): Promise<void> {
    let attempt = 0;
    for (;;) {
      try {
        const readings = await this.read(s);
        s.reads++;
        s.failures = 0;
        s.backoffMs = 0;
        s.lastError = null;
        s.nextAt = this.now() + s.dev.pollSeconds * 1000;
        this.sink.readings(readings);
        this.sink.health({ device: s.dev.id, lastSeen: this.now(), errors: Object.values(s.errors).reduce((a, b) => a + b, 0) });
        return;
      } catch (e) {
        const err = e instanceof DriverError ? e : new DriverError(String(e), true, 'modbus-error');
        s.errors[err.kind] = (s.errors[err.kind] ?? 0) + 1;
        s.lastError = err.message;
        this.sink.event({ device: s.dev.id, kind: err.kind, detail: { message: err.message, attempt } });
        if (err.retryable && attempt < s.dev.retries) {
          attempt++;
          continue;
        }
        s.failures++;
        s.backoffMs = err.retryable ? Math.min(MAX_BACKOFF_MS, s.dev.pollSeconds * 1000 * 2 ** s.failures) : s.dev.pollSeconds * 1000;
        s.nextAt = this.now() + s.backoffMs;
        return;
      }
    }
  }

  private async read(s: State): Promise<Reading[]> {
    const at = this.now();
    const out: Reading[] = [];
    if (s.dev.profile === 'sunspec') {
      const scan = await scanSunSpec(s.reader, this.models);
      for (const m of scan.models) {
        for (const name of SUNSPEC_METRICS[m.id] ?? []) {
          const p = m.points?.[name];
          // A meter beside an inverter measures other things with the same point names: keep them apart.
          const metric = m.id >= 201 && m.id <= 204 ? `meter.${name}` : name;
          if (p && typeof p.value === 'number') out.push({ device: s.dev.id, metric, value: p.value, unit: p.units, at });
        }
      }
      return out;
    }
    const template = this.templates.get(s.dev.profile);
    if (!template) throw new DriverError(`unknown Modbus template ${s.dev.profile}`, false, 'unknown-template');
    const values = await readTemplate(template, s.reader);
    for (const [metric, v] of Object.entries(values)) if (v.value !== null) out.push({ device: s.dev.id, metric, value: v.value, unit: v.unit, at });
    return out;
  }
}
