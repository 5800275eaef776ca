import { connect, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/schema.js';
import type { Point, PointSink } from '../telemetry/store.js';
import { NewDownlink, type DownlinkRecord } from '../sensing/downlink-queue.js';
import {
  downlinkTopic,
  HUB_ENTITIES,
  hubDevice,
  hubEntityConfig,
  hubStateTopic,
  readingConfig,
  readingTopic,
  statusTopic,
  type HaDevice,
  type Topics,
} from './home-assistant.js';

/** What the bridge reads from the hub; the composition root passes the modules. */
export interface BridgeSources {
  hubId: string;
  hubName: string;
  version: string;
  currency: { minorUnits: number };
  sensor(id: string): { id: string; name: string; model: string | null; place: string | null };
  unitOf(sensor: string, metric: string): string | null;
  /** The hub's own state as HA shows it: numbers, or "ON"/"OFF" for the emergency. */
  state(): Record<string, number | string | null>;
  /** Extra hub sensors beside HUB_ENTITIES (surplus and need per resource). */
  extraEntities(): Array<{ name: string; label: string; unit?: string; icon?: string }>;
  queueDownlink(devEui: string, body: NewDownlink, by: string): Promise<DownlinkRecord>;
}

/** Bytes the client may hold unsent before readings are dropped (and counted) instead of growing the hub's memory. */
const MAX_BUFFERED = 4 * 1024 * 1024;
/** A topic as a PUBLISH packet carries it: two bytes of length, then UTF-8. */
function topicField(topic: string): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const out = Buffer.allocUnsafe(2 + t.length);
  out.writeUInt16BE(t.length, 0);
  t.copy(out, 2);
  return out;
}

/**
 * A QoS 0 PUBLISH with the retain flag (MQTT 3.1.1, section 3.3): retained,
 * so a dashboard opened later shows the latest reading at once. QoS 0 has
 * no packet id, so nothing in the client tracks it.
 */
export function publishPacket(topic: Buffer, payload: string): Buffer {
  const body = topic.length + Buffer.byteLength(payload);
  const lenBytes = body < 128 ? 1 : body < 16_384 ? 2 : body < 2_097_152 ? 3 : 4;
  const out = Buffer.allocUnsafe(1 + lenBytes + body);
  out[0] = 0x31; // PUBLISH, QoS 0, RETAIN
  let n = body;
  let i = 1;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out[i++] = byte;
  } while (n > 0);
  topic.copy(out, i);
  out.write(payload, i + topic.length, 'utf8');
  return out;
}

/**
 * Publishes the hub to MQTT the way Home Assistant expects: every reading
 * under <prefix>/<hubId>/sensor/<sensor>/<metric>, the hub's state under
 * .../hub/<name>, retained discovery configs, and a retained "online" on
 * .../status that the broker turns to "offline" by the hub's last will.
 * When HA restarts (it says so on <discovery>/status), configs are sent
 * again. A broker that is down holds nothing up: readings are dropped and
 * counted while it is away, and the client reconnects by itself.
 */
export class MqttBridge implements PointSink {
  private client: MqttClient | undefined;
  private readonly topics: Topics;
  private readonly hub: HaDevice;
  private readonly discovered = new Set<string>();
  private readonly readingTopics = new Map<string, Buffer>();
  private lastState = new Map<string, string>();
  private stateTimer: NodeJS.Timeout | undefined;
  private statePending = false;
  /** The broker is away (said once in the log). */
  private down = false;
  readonly counts = { published: 0, dropped: 0, downlinksQueued: 0, downlinksRefused: 0, connects: 0 };

  constructor(
    private readonly cfg: HubConfig['mqtt'],
    private readonly url: string,
    private readonly src: BridgeSources,
    private readonly log: Logger,
  ) {
    this.topics = { prefix: cfg.topicPrefix, hubId: src.hubId, discovery: cfg.discoveryPrefix };
    this.hub = hubDevice(this.topics, src.hubName, src.version);
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  start(): void {
    const status = statusTopic(this.topics);
    const client = connect(this.url, {
      clientId: `hyphae-${this.src.hubId}`.slice(0, 23),
      ...(this.cfg.username ? { username: this.cfg.username, password: this.cfg.password } : {}),
      will: { topic: status, payload: Buffer.from('offline'), retain: true, qos: 1 },
      // 3.1.1: the readings' PUBLISH packets are made here in that version's layout.
      protocolVersion: 4,
      reconnectPeriod: 5_000,
      connectTimeout: 10_000,
      // Readings while the broker is away are dropped, not queued in the hub's memory.
      queueQoSZero: false,
    });
    this.client = client;
    client.on('connect', () => {
      this.counts.connects++;
      this.down = false;
      this.log.info(
        { module: 'mqtt', broker: this.url.replace(/\/\/[^@]*@/, '//'), topics: `${this.topics.prefix}/${this.topics.hubId}/#` },
        'MQTT connected; publishing readings and Home Assistant discovery',
      );
      client.publish(status, 'online', { retain: true, qos: 1 });
      // A broker that restarted forgot the retained configs: send them all again.
      this.discovered.clear();
      this.lastState.clear();
      this.publishHubDiscovery();
      this.publishState(true);
      const subs = [`${this.topics.discovery}/status`];
      if (this.cfg.downlinkDevices.length > 0) subs.push(downlinkTopic(this.topics));
      client.subscribe(subs, { qos: 1 });
    });
    client.on('message', (topic, payload) => void this.onMessage(topic, payload));
    // Said once per outage, not at every reconnect attempt (one each 5 s while the broker is away).
    client.on('close', () => {
      if (this.counts.connects > 0 && !this.down) this.log.warn({ module: 'mqtt' }, 'MQTT connection closed; readings are dropped until it is back');
      this.down = true;
    });
    client.on('error', (err) => {
      if (!this.down) this.log.warn({ module: 'mqtt', err: err.message }, 'MQTT error');
    });
    this.stateTimer = setInterval(() => this.publishState(true), this.cfg.stateEverySeconds * 1000);
    this.stateTimer.unref();
  }

  /** Something the hub's state depends on has changed and committed (an emergency): publish what changed now. */
  nudge(): void {
    if (this.statePending) return;
    this.statePending = true;
    setImmediate(() => {
      this.statePending = false;
      this.publishState(false);
    });
  }

  /** Telemetry's committed batches: each point to its topic, its discovery config first when it is new. */
  onCommitted(points: Point[]): void {
    const c = this.client;
    if (!c?.connected) {
      this.counts.dropped += points.length;
      return;
    }
    // Readings are QoS 0 PUBLISH packets, made here and written to the socket as one buffer per batch:
    // through the client's publish() each cost tens of microseconds and a write of its own.
    const parts: Buffer[] = [];
    for (const p of points) {
      if (this.buffered() > MAX_BUFFERED) {
        this.counts.dropped++;
        continue;
      }
      const key = `${p.sensor}\u0000${p.metric}`;
      let topic = this.readingTopics.get(key);
      if (topic === undefined) {
        topic = topicField(readingTopic(this.topics, p.sensor, p.metric));
        this.readingTopics.set(key, topic);
      }
      if (this.cfg.discovery && !this.discovered.has(key)) {
        this.discovered.add(key);
        this.flushParts(parts);
        const cfg = readingConfig(this.topics, this.hub, this.src.sensor(p.sensor), p.metric, this.src.unitOf(p.sensor, p.metric));
        c.publish(cfg.topic, JSON.stringify(cfg.payload), { retain: true, qos: 1 });
      }
      parts.push(publishPacket(topic, String(p.value)));
      this.counts.published++;
    }
    this.flushParts(parts);
  }

  private flushParts(parts: Buffer[]): void {
    if (parts.length === 0) return;
    const stream = (this.client as unknown as { stream?: { write(b: Buffer): boolean } } | undefined)?.stream;
    stream?.write(Buffer.concat(parts));
    parts.length = 0;
  }

  private buffered(): number {
    return (this.client as unknown as { stream?: { writableLength?: number } } | undefined)?.stream?.writableLength ?? 0;
  }

  private publishHubDiscovery(): void {
    if (!this.cfg.discovery || !this.client) return;
    for (const e of [...HUB_ENTITIES, ...this.src.extraEntities().map((x) => ({ ...x, component: 'sensor' as const }))]) {
      const cfg = hubEntityConfig(this.topics, this.hub, e);
      this.client.publish(cfg.topic, JSON.stringify(cfg.payload), { retain: true, qos: 1 });
    }
  }

  /** Retained, so a dashboard opened later shows the state at once; unchanged values wait for the periodic refresh. */
  private publishState(all: boolean): void {
    const c = this.client;
    if (!c?.connected) return;
    let state: Record<string, number | string | null>;
    try {
      state = this.src.state();
    } catch (err) {
      this.log.warn({ module: 'mqtt', err: (err as Error).message }, 'hub state could not be read for MQTT');
      return;
    }
    for (const [name, value] of Object.entries(state)) {
      const text = value === null ? 'unknown' : String(value);
      if (!all && this.lastState.get(name) === text) continue;
      this.lastState.set(name, text);
      c.publish(hubStateTopic(this.topics, name), text, { retain: true, qos: 1 });
    }
  }

  private async onMessage(topic: string, payload: Buffer): Promise<void> {
    if (topic === `${this.topics.discovery}/status`) {
      if (payload.toString() === 'online') {
        this.log.info({ module: 'mqtt' }, 'Home Assistant came online; sending discovery again');
        this.discovered.clear();
        this.publishHubDiscovery();
        this.publishState(true);
      }
      return;
    }
    const prefix = downlinkTopic(this.topics, '');
    if (!topic.startsWith(prefix)) return;
    const devEui = topic.slice(prefix.length).toLowerCase();
    const answer = (body: Record<string, unknown>) => this.client?.publish(`${topic}/result`, JSON.stringify(body), { qos: 1 });
    const allowed = this.cfg.downlinkDevices.some((d) => d === '*' || d.toLowerCase() === devEui);
    if (!allowed) {
      this.counts.downlinksRefused++;
      this.log.warn({ module: 'mqtt', device: devEui }, 'MQTT downlink refused: the device is not in mqtt.downlinkDevices');
      answer({ ok: false, error: 'this device is not in mqtt.downlinkDevices' });
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(payload.toString());
    } catch {
      this.counts.downlinksRefused++;
      answer({ ok: false, error: 'the payload is not JSON: send {"fPort": 10, "hex": "01"} or {"object": {...}}' });
      return;
    }
    const body = NewDownlink.safeParse(json);
    if (!body.success) {
      this.counts.downlinksRefused++;
      answer({ ok: false, error: body.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ') });
      return;
    }
    try {
      const queued = await this.src.queueDownlink(devEui, body.data, 'mqtt');
      this.counts.downlinksQueued++;
      this.log.info({ module: 'mqtt', device: devEui, downlink: queued.id, fPort: queued.fPort }, 'downlink queued from MQTT');
      answer({ ok: true, id: queued.id, state: queued.state });
    } catch (err) {
      this.counts.downlinksRefused++;
      this.log.warn({ module: 'mqtt', device: devEui, err: (err as Error).message }, 'MQTT downlink refused');
      answer({ ok: false, error: (err as Error).message });
    }
  }

  async stop(): Promise<void> {
    if (this.stateTimer) clearInterval(this.stateTimer);
    const c = this.client;
    this.client = undefined;
    if (!c) return;
    // A clean stop says "offline" itself (a last will is only sent for a broken connection).
    await new Promise<void>((r) => {
      if (!c.connected) return r();
      c.publish(statusTopic(this.topics), 'offline', { retain: true, qos: 1 }, () => r());
      setTimeout(r, 1000).unref();
    });
    await c.endAsync().catch(() => undefined);
  }
}
