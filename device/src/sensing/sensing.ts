import { GatewayServer, loadCodecs, loadRegions, NetworkServer, type Codec, type DeviceUplink } from '@hyphae/drivers/lorawan';
import { BurstCounter } from '@hyphae/drivers/sensor';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { TelemetryStore } from '../telemetry/store.js';
import type { Devices } from './devices.js';

export interface LorawanSettings {
  enabled: boolean;
  port: number;
  host: string;
  region: string;
  netId: string;
}

/**
 * Wires the LoRaWAN driver into the hub: gateways' packets go through the
 * network server, decoded payloads through the device's codec, and numeric
 * fields become telemetry points named after the device and the field.
 * Everything that goes wrong is counted per device or gateway and logged
 * once per burst; nothing stops the loop.
 */
export class Sensing {
  readonly codecs: Map<string, Codec>;
  gateways: GatewayServer | undefined;
  network: NetworkServer | undefined;
  private readonly problems: BurstCounter;
  readonly counters: Record<string, number> = {};

  constructor(
    private readonly devices: Devices,
    private readonly telemetry: TelemetryStore,
    private readonly clock: Clock,
    private readonly settings: LorawanSettings,
    private readonly log: Logger,
  ) {
    this.codecs = loadCodecs();
    this.problems = new BurstCounter((key, count, detail) => log.warn({ module: 'lorawan', key, count, detail }, 'uplinks refused'));
  }

  async start(): Promise<void> {
    if (!this.settings.enabled) return;
    const region = loadRegions().get(this.settings.region);
    if (!region) throw new Error(`unknown LoRaWAN region ${this.settings.region}`);
    this.gateways = new GatewayServer({
      port: this.settings.port,
      host: this.settings.host,
      now: () => this.clock.now(),
      onUplink: (u) => this.network!.receive(u),
      log: (level, msg, detail) => this.log[level]({ module: 'lorawan', ...detail }, msg),
    });
    this.network = new NetworkServer(this.gateways, this.devices, {
      uplink: (u) => this.onUplink(u),
      joined: (devEui, devAddr) => this.log.info({ module: 'lorawan', devEui, devAddr }, 'device joined'),
      devStatus: (devEui, s) => this.devices.seen(devEui, { battery: s.battery }),
      rejected: (kind, devEui, detail) => {
        this.counters[kind] = (this.counters[kind] ?? 0) + 1;
        if (devEui) this.devices.error(devEui, kind);
        this.problems.count(`${kind}:${devEui ?? '?'}`, detail);
      },
    }, { region, netId: Buffer.from(this.settings.netId, 'hex'), now: () => this.clock.now() });
    await this.gateways.start();
  }

  async stop(): Promise<void> {
    await this.gateways?.stop();
  }

  get port(): number {
    return this.gateways?.port ?? 0;
  }

  private onUplink(u: DeviceUplink): void {
    const dev = this.devices.get(u.devEui);
    this.devices.seen(dev.id, { rssi: u.rssi, snr: u.snr, gateways: u.gateways.length, uplinks: this.devices.healthOf(dev.id).uplinks + 1 });
    const codec = dev.profile ? this.codecs.get(dev.profile) : undefined;
    if (!codec) {
      this.devices.error(dev.id, 'no-codec');
      this.problems.count(`no-codec:${dev.id}`, dev.profile);
      return;
    }
    const out = codec.decode({ bytes: u.payload, fPort: u.fPort ?? 0, variables: dev.variables });
    if (out.errors.length > 0) {
      this.devices.error(dev.id, 'codec-error');
      this.counters['codec-error'] = (this.counters['codec-error'] ?? 0) + 1;
      this.problems.count(`codec-error:${dev.id}`, out.errors.join('; '));
      return;
    }
    let n = 0;
    for (const [metric, value] of Object.entries(out.data)) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      this.telemetry.write({ sensor: dev.id, metric, t: u.receivedAt, value });
      n++;
      // Battery as a percentage from the codec; a voltage stays a telemetry series, and DevStatus gives the rest.
      if (metric === 'battery' && codec.definition.units.battery === '%') this.devices.seen(dev.id, { battery: value });
    }
    this.log.debug({ module: 'lorawan', device: dev.id, fCnt: u.fCnt, points: n }, 'uplink decoded');
  }
}
