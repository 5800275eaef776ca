import { readFileSync } from 'node:fs';
import type { HubConfig } from '../config/schema.js';
import {
  BUILT_IN_CODECS_DIR,
  Gateways,
  GatewayServer,
  StationServer,
  loadCodecs,
  loadRegions,
  NetworkServer,
  type Codec,
  type DecodeResult,
  type DeviceUplink,
} from '@hyphae/drivers/lorawan';
import { GpioStation, type GpioSensorConfig } from '@hyphae/drivers/gpio';
import { ModbusPoller } from '@hyphae/drivers/modbus';
import { BurstCounter, type Reading, type ReadingSink } from '@hyphae/drivers/sensor';
import type { Logger } from 'pino';
import { DAY_MS, type Clock } from '../clock.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { Devices } from './devices.js';
import type { DownlinkRecord, NewDownlink } from './downlink-queue.js';
import { HubError } from '../errors.js';

/** A pin-wired sensor as the config names it: the driver's settings plus what residents see. */
type GpioSensor = GpioSensorConfig & { name?: string; place?: string | null };

/** The hub config's lorawan section, as the network server needs it. */
export type LorawanSettings = HubConfig['lorawan'];

/**
 * Wires the LoRaWAN driver into the hub: gateways' packets go through the
 * network server, decoded payloads through the device's codec, and numeric
 * fields become telemetry points named after the device and the field.
 * Everything that goes wrong is counted per device or gateway and logged
 * once per burst; nothing stops the loop.
 */
export class Sensing {
  private loadedCodecs: Map<string, Codec> | undefined;
  gateways: GatewayServer | undefined;
  /** LoRa Basics Station gateways, when lorawan.basicsStation is on and its port could be had. */
  station: StationServer | undefined;
  network: NetworkServer | undefined;
  readonly modbus: ModbusPoller;
  gpio: GpioStation | undefined;
  private readonly problems: BurstCounter;
  private dropsTimer: NodeJS.Timeout | undefined;
  readonly counters: Record<string, number> = {};
  /** Units polled drivers reported with their readings (Modbus scale units, GPIO definitions). */
  private readonly units = new Map<string, string>();

  constructor(
    private readonly devices: Devices,
    private readonly telemetry: TelemetryStore,
    private readonly clock: Clock,
    private readonly settings: LorawanSettings,
    private readonly log: Logger,
  ) {
    this.problems = new BurstCounter((key, count, detail) => log.warn({ module: 'sensing', key, count, detail }, 'sensor problems'));
    this.modbus = new ModbusPoller(this.sink(), { now: () => this.clock.now() });
  }

  /**
   * The payload codecs, loaded the first time they are needed (at start, or
   * when a route asks): commands that never decode a payload, such as
   * `hyphae ledger verify`, never load them. A codec that fails to load is
   * logged and left out; the hub runs without it.
   */
  get codecs(): Map<string, Codec> {
    if (!this.loadedCodecs) {
      const t0 = performance.now();
      this.loadedCodecs = loadCodecs([BUILT_IN_CODECS_DIR, ...this.settings.codecDirs], (file, err) => {
        this.counters['codec-load-failed'] = (this.counters['codec-load-failed'] ?? 0) + 1;
        this.log.error({ module: 'lorawan', file, err: err.message }, 'codec disabled: it could not be loaded');
      });
      this.log.info({ module: 'lorawan', codecs: this.loadedCodecs.size, ms: Math.round(performance.now() - t0) }, 'codecs loaded');
    }
    return this.loadedCodecs;
  }

  /** Where polled drivers (Modbus, GPIO) hand readings: telemetry, device health, and counted, burst-logged problems. */
  private sink(): ReadingSink {
    return {
      readings: (batch: Reading[]) => {
        for (const r of batch) {
          this.telemetry.write({ sensor: r.device, metric: r.metric, t: r.at, value: r.value });
          if (r.unit) this.units.set(`${r.device}\u0000${r.metric}`, r.unit);
        }
      },
      health: (h) => this.devices.seen(h.device, {}),
      event: (e) => {
        if (e.device) this.devices.error(e.device, e.kind);
        this.counters[e.kind] = (this.counters[e.kind] ?? 0) + 1;
        this.problems.count(`${e.kind}:${e.device ?? '?'}`, e.detail);
      },
    };
  }

  /**
   * Queues a downlink from the API or an MQTT automation: hex as given, or an
   * object the device's codec encodes. A class-C device gets it at once; a
   * class-A one in the window after its next uplink.
   */
  async queueDownlink(devEui: string, body: NewDownlink, by: string | null): Promise<DownlinkRecord> {
    const dev = this.devices.get(devEui);
    if (dev.kind !== 'lorawan') throw HubError.badRequest(`${devEui} is not a LoRaWAN device`);
    let bytes: Buffer;
    let fPort = body.fPort;
    if (body.object) {
      const codec = dev.profile ? this.codecs.get(dev.profile) : undefined;
      if (!codec?.encodes) throw HubError.badRequest(`the device's codec (${dev.profile ?? 'none'}) cannot make downlinks from objects: send hex`);
      const out = codec.encode({ data: body.object, variables: dev.variables });
      if (out.errors.length > 0) throw HubError.badRequest(`object: ${out.errors.join('; ')}`);
      bytes = Buffer.from(out.bytes);
      fPort ??= out.fPort ?? undefined;
    } else bytes = Buffer.from(body.hex ?? '', 'hex');
    if (fPort === undefined) throw HubError.badRequest('fPort: required');
    const queued = await this.devices.downlinks.enqueue(devEui, { fPort, payload: bytes, confirmed: body.confirmed }, by);
    await this.network?.pushDownlink(devEui);
    return queued;
  }

  /** The unit of a sensor's metric, as its codec, register map or pin definition states it; null when none does. */
  unitOf(sensor: string, metric: string): string | null {
    const seen = this.units.get(`${sensor}\u0000${metric}`);
    if (seen !== undefined) return seen;
    const dev = this.devices.has(sensor) ? this.devices.get(sensor) : undefined;
    if (dev?.kind === 'lorawan' && dev.profile) return this.codecs.get(dev.profile)?.definition.units[metric] ?? null;
    return null;
  }

  /** Starts polling a Modbus device registered while the hub runs. */
  watchModbus(id: string): void {
    const d = this.devices.get(id);
    if (d.kind !== 'modbus' || !d.modbus) return;
    this.modbus.add({
      id: d.id,
      host: d.modbus.host,
      port: d.modbus.port,
      unit: d.modbus.unit,
      pollSeconds: d.modbus.pollSeconds,
      timeoutMs: d.modbus.timeoutMs,
      retries: d.modbus.retries,
      profile: d.profile ?? 'sunspec',
      serial: d.modbus.serial ?? null,
    });
  }

  async start(): Promise<void> {
    void this.codecs;
    for (const d of this.devices.list('modbus')) this.watchModbus(d.id);
    this.modbus.start();
    if (!this.settings.enabled) return;
    const region = loadRegions().get(this.settings.region);
    if (!region) throw new Error(`unknown LoRaWAN region ${this.settings.region}`);
    this.gateways = new GatewayServer({
      port: this.settings.port,
      host: this.settings.host,
      now: () => this.clock.now(),
      onUplink: (u) => this.network?.receive(u),
      knownGateways: this.settings.gateways,
      maxGateways: this.settings.maxGateways,
      log: (level, msg, detail) => this.log[level]({ module: 'lorawan', ...detail }, msg),
    });
    const bs = this.settings.basicsStation;
    const station = bs.enabled
      ? new StationServer({
          port: bs.port,
          host: bs.host,
          region,
          token: bs.token,
          tls: bs.tls ? { cert: readFileSync(bs.tls.cert, 'utf8'), key: readFileSync(bs.tls.key, 'utf8') } : null,
          now: () => this.clock.now(),
          timeTrusted: () => this.clock.trusted(),
          onUplink: (u) => this.network?.receive(u),
          knownGateways: this.settings.gateways,
          maxGateways: this.settings.maxGateways,
          log: (level, msg, detail) => this.log[level]({ module: 'lorawan', ...detail }, msg),
        })
      : undefined;
    this.network = new NetworkServer(
      new Gateways(station ? [station, this.gateways] : [this.gateways]),
      this.devices,
      {
        uplink: (u) => this.onUplink(u),
        joined: (devEui, devAddr) => this.log.info({ module: 'lorawan', devEui, devAddr }, 'device joined'),
        devStatus: (devEui, s) => this.devices.seen(devEui, { battery: s.battery }),
        mac: (devEui, outcome, detail) => this.problems.count(`mac-${outcome}:${devEui}`, detail),
        adr: (devEui, o) =>
          o.accepted
            ? this.log.info(
                { module: 'lorawan', device: devEui, dataRate: o.dr, txPowerIndex: o.txPowerIndex },
                'device moved to a new data rate and power (ADR)',
              )
            : this.log.warn(
                { module: 'lorawan', device: devEui, dataRate: o.dr, txPowerIndex: o.txPowerIndex, refused: o.refused },
                'device refused the data rate and power ADR asked for; not asked again for 20 uplinks',
              ),
        rejected: (kind, devEui, detail) => {
          this.counters[kind] = (this.counters[kind] ?? 0) + 1;
          if (devEui) this.devices.error(devEui, kind);
          this.problems.count(`${kind}:${devEui ?? '?'}`, detail);
        },
      },
      {
        region,
        netId: Buffer.from(this.settings.netId, 'hex'),
        maxInFlight: this.settings.maxInFlight,
        now: () => this.clock.now(),
        timeTrusted: () => this.clock.trusted(),
      },
    );
    await this.gateways.start();
    if (station) {
      // Optional beside the UDP forwarder: a port someone else holds is said, and the hub runs on without it.
      try {
        await station.start();
        this.station = station;
      } catch (err) {
        this.counters['basics-station-unavailable'] = (this.counters['basics-station-unavailable'] ?? 0) + 1;
        this.log.error({ module: 'lorawan', port: bs.port, err: (err as Error).message }, 'Basics Station server not started');
      }
    }
    // Uplinks the kernel dropped (the socket's buffer was full) never reach the hub's code: said here, once a minute at most.
    let dropped = this.gateways.kernelDrops() ?? 0;
    this.dropsTimer = setInterval(() => {
      const now = this.gateways?.kernelDrops() ?? dropped;
      if (now > dropped)
        this.log.warn({ module: 'lorawan', dropped: now - dropped, total: now }, 'the kernel dropped uplinks: the UDP receive buffer was full');
      dropped = now;
    }, 60_000);
    this.dropsTimer.unref();
  }

  /**
   * Starts sensors on the hub's pins through an IO plugin instance
   * (raspi-io on the Pi; a simulated Firmata board in the demo). Each is
   * registered as a gpio device the first time it is seen.
   */
  async attachGpio(io: unknown, sensors: GpioSensor[]): Promise<void> {
    for (const s of sensors) {
      if (!this.devices.has(s.id)) await this.devices.register({ kind: 'gpio', id: s.id, name: s.name || s.id, place: s.place ?? null, profile: s.definition });
    }
    this.gpio = new GpioStation({
      io,
      sensors,
      now: () => this.clock.now(),
      sink: this.sink(),
    });
    await this.gpio.start();
    this.log.info({ module: 'gpio', sensors: sensors.map((s) => s.id) }, 'GPIO sensors started');
  }

  /** Loads the configured IO plugin; a missing plugin or board is logged and the rest of the hub runs on. */
  async startConfiguredGpio(settings: { io: 'none' | 'raspi-io'; sensors: GpioSensor[] }): Promise<void> {
    if (settings.io === 'none' || settings.sensors.length === 0) return;
    try {
      const mod = (await import(settings.io)) as { RaspiIO?: new () => unknown; default?: new () => unknown };
      const Plugin = mod.RaspiIO ?? mod.default;
      if (!Plugin) throw new Error(`${settings.io} exports no IO plugin class`);
      await this.attachGpio(new Plugin(), settings.sensors);
    } catch (err) {
      this.counters['gpio-unavailable'] = (this.counters['gpio-unavailable'] ?? 0) + 1;
      this.log.error({ module: 'gpio', io: settings.io, err: (err as Error).message }, 'GPIO sensors not started');
    }
  }

  async stop(): Promise<void> {
    if (this.dropsTimer) clearInterval(this.dropsTimer);
    this.gpio?.stop();
    await this.modbus.stop();
    await this.station?.stop();
    await this.gateways?.stop();
    // Uplinks received but not yet decoded are stored before the telemetry store closes.
    if (this.decodeQueue.length > 0) this.decodeQueued();
  }

  get port(): number {
    return this.gateways?.port ?? 0;
  }

  private decodeQueue: DeviceUplink[] = [];

  /** Uplinks that arrive together are decoded together, one codec entry per codec (see Codec.decodeMany). */
  private onUplink(u: DeviceUplink): void {
    this.decodeQueue.push(u);
    if (this.decodeQueue.length === 1) setImmediate(() => this.decodeQueued());
  }

  private decodeQueued(): void {
    const batch = this.decodeQueue;
    this.decodeQueue = [];
    const byCodec = new Map<string, Array<{ u: DeviceUplink; dev: ReturnType<Devices['get']> }>>();
    for (const u of batch) {
      const dev = this.devices.get(u.devEui);
      this.devices.seen(dev.id, { rssi: u.rssi, snr: u.snr, gateways: u.gateways.length, uplinks: this.devices.healthOf(dev.id).uplinks + 1 });
      if (!dev.profile || !this.codecs.has(dev.profile)) {
        this.devices.error(dev.id, 'no-codec');
        this.problems.count(`no-codec:${dev.id}`, dev.profile);
        continue;
      }
      const same = byCodec.get(dev.profile);
      if (same) same.push({ u, dev });
      else byCodec.set(dev.profile, [{ u, dev }]);
    }
    for (const [profile, items] of byCodec) {
      const codec = this.codecs.get(profile);
      if (!codec) continue; // only profiles with a codec were grouped
      const outs = codec.decodeMany(items.map(({ u, dev }) => ({ bytes: u.payload, fPort: u.fPort ?? 0, variables: dev.variables })));
      items.forEach(({ u, dev }, i) => {
        const out = outs[i];
        if (out) this.record(u, dev, codec, out);
      });
    }
  }

  private record(u: DeviceUplink, dev: ReturnType<Devices['get']>, codec: Codec, out: DecodeResult): void {
    // A codec that failed on one part of an uplink still returns what it read of the rest: that is
    // stored, and the failure counted and logged.
    if (out.errors.length > 0) {
      this.devices.error(dev.id, 'codec-error');
      this.counters['codec-error'] = (this.counters['codec-error'] ?? 0) + 1;
      this.problems.count(`codec-error:${dev.id}`, out.errors.join('; '));
    }
    // Kept readings with a warning (a part of the uplink the codec could not read) are stored; the warning is logged.
    if (out.warnings.length > 0) this.problems.count(`codec-warning:${dev.id}`, out.warnings.join('; '));
    let n = 0;
    for (const [metric, value] of Object.entries(out.data)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      this.telemetry.write({ sensor: dev.id, metric, t: u.receivedAt, value });
      n++;
      // Battery as a percentage from the codec; a voltage stays a telemetry series, and DevStatus gives the rest.
      if (metric === 'battery' && codec.definition.units.battery === '%') this.devices.seen(dev.id, { battery: value });
    }
    n += this.recordHistory(dev.id, out.data.history, u.receivedAt);
    this.log.debug({ module: 'lorawan', device: dev.id, fCnt: u.fCnt, points: n }, 'uplink decoded');
  }

  /**
   * Readings a device kept while it could not reach a gateway, sent later
   * beside a live one: by codec convention `data.history` is a list of
   * `{timestamp (Unix seconds), metric: value, …}`. Each is stored at its own
   * time. A time after the uplink itself, or older than a month, says the
   * device's clock is wrong (not yet set by DeviceTime): such records are
   * counted and skipped rather than written at a wrong time.
   */
  private recordHistory(sensor: string, history: unknown, receivedAt: number): number {
    if (!Array.isArray(history)) return 0;
    let n = 0;
    for (const h of history as Array<Record<string, unknown>>) {
      const ts = typeof h?.timestamp === 'number' ? h.timestamp * 1000 : NaN;
      if (!(ts <= receivedAt + 60_000 && ts >= receivedAt - 31 * DAY_MS)) {
        this.counters['history-bad-time'] = (this.counters['history-bad-time'] ?? 0) + 1;
        this.problems.count(
          `history-bad-time:${sensor}`,
          `a history record at ${Number.isFinite(ts) ? new Date(ts).toISOString() : String(h?.timestamp)} was skipped: the device's clock looks wrong`,
        );
        continue;
      }
      for (const [metric, value] of Object.entries(h)) {
        if (metric === 'timestamp' || typeof value !== 'number' || !Number.isFinite(value)) continue;
        this.telemetry.write({ sensor, metric, t: ts, value });
        n++;
      }
    }
    return n;
  }
}
