import { RESOLUTION_NAMES } from '../../telemetry/store.js';
import { ACTIVATION_MODES, GATEWAY_PROTOCOLS } from '@hyphae/drivers/lorawan';
import { PARITIES } from '@hyphae/drivers/modbus';
import { z } from '@hono/zod-openapi';
import { NewDownlink } from '../../sensing/downlink-queue.js';
import { HubError } from '../../errors.js';
import { Devices } from '../../sensing/devices.js';
import { requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, exportFormat, Int, ok, ruleResponses } from '../schemas.js';
import { DEVICE_CLASSES, DEVICE_KINDS, DOWNLINK_STATES } from '../../sensing/contract.js';
import { body, operations } from '../operations.js';

const api = operations('sensing');

const Hex = (n: number) => z.string().regex(new RegExp(`^[0-9a-fA-F]{${n}}$`), `${n} hex digits`);
const NewDevice = component('NewDevice', {
  kind: z.enum(DEVICE_KINDS),
  name: z.string().min(1).max(80),
  place: z.string().max(80).optional().openapi({ description: 'The household or place this device measures' }),
  profile: z.string().max(60).optional().openapi({ description: 'LoRaWAN codec id or Modbus template id' }),
  variables: z.record(z.string(), z.unknown()).optional(),
  otaa: z.object({ devEui: Hex(16), joinEui: Hex(16).optional(), appKey: Hex(32) }).optional(),
  abp: z.object({ devEui: Hex(16), devAddr: Hex(8), nwkSKey: Hex(32), appSKey: Hex(32), counterReset: z.boolean().optional() }).optional(),
  deviceClass: z
    .enum(DEVICE_CLASSES)
    .optional()
    .openapi({ description: "LoRaWAN device class: 'C' listens all the time, so its downlinks go at once (default 'A')" }),
  modbus: z
    .object({
      host: z.string().default(''),
      port: Int.min(1).max(65535).default(502),
      serial: z
        .object({
          path: z.string().min(1),
          baudRate: Int.min(1200).max(921_600).default(9600),
          parity: z.enum(PARITIES).default('none'),
          dataBits: z.union([z.literal(7), z.literal(8)]).default(8),
          stopBits: z.union([z.literal(1), z.literal(2)]).default(1),
        })
        .optional(),
      unit: Int.min(0).max(247).default(1),
      pollSeconds: Int.min(1).default(60),
      timeoutMs: Int.min(100).default(1000),
      retries: Int.min(0).max(5).default(2),
    })
    .refine((m) => m.host.length > 0 || m.serial, { message: 'give host (Modbus TCP) or serial (Modbus RTU)' })
    .optional(),
});

const DeviceOut = component('Device', {
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  name: z.string(),
  place: z.string().nullable().describe('The household or place it measures'),
  profile: z.string().nullable().describe('LoRaWAN: the codec; Modbus: the template'),
  variables: z.record(z.string(), z.unknown()),
  lorawan: z
    .object({
      devEui: z.string(),
      joinEui: z.string().nullable(),
      mode: z.enum(ACTIVATION_MODES),
      devAddr: z.string().nullable(),
      fCntUp: z.number().nullable(),
      joined: z.boolean(),
      deviceClass: z.enum(DEVICE_CLASSES),
    })
    .nullable()
    .describe('Without its keys'),
  modbus: z
    .object({
      host: z.string(),
      port: z.number(),
      unit: z.number(),
      pollSeconds: z.number(),
      timeoutMs: z.number(),
      retries: z.number(),
      serial: z
        .object({
          path: z.string(),
          baudRate: z.number(),
          parity: z.enum(PARITIES),
          dataBits: z.union([z.literal(7), z.literal(8)]),
          stopBits: z.union([z.literal(1), z.literal(2)]),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
  createdAt: z.number(),
});
const Health = component('DeviceHealth', {
  id: z.string(),
  lastSeen: z.number().nullable(),
  rssi: z.number().nullable(),
  snr: z.number().nullable(),
  battery: z.number().nullable(),
  gateways: z.number(),
  uplinks: z.number(),
  errors: z.record(z.string(), z.number()),
});
const Bucket = z.object({ t: z.number(), min: z.number(), max: z.number(), sum: z.number(), count: z.number(), mean: z.number() });

const register = api.post('/api/v1/devices', 'Register a sensor (stewards)', {
  body: body(NewDevice),
  answers: created(DeviceOut, 'The device, without its keys'),
});
const list = api.get('/api/v1/devices', 'Devices with their health: last seen, signal, battery, errors', {
  answers: ok(z.array(z.object({ device: DeviceOut, health: Health })), 'Devices'),
});
const SensingStatus = component('SensingStatus', {
  gateways: z.array(
    z.object({
      eui: z.string(),
      protocol: z.enum(GATEWAY_PROTOCOLS).describe('How the gateway talks to the hub: Semtech UDP packet forwarder or LoRa Basics Station'),
      firstSeen: z.number(),
      lastSeen: z.number(),
      pushData: z.number().describe('PUSH_DATA datagrams (UDP) or uplink messages (Basics Station)'),
      pullData: z.number(),
      rxPackets: z.number(),
      txPackets: z.number(),
      txErrors: z.record(z.string(), z.number()),
      malformed: z.number(),
      pullAddress: z.string().nullable().describe('Where its last PULL_DATA came from: downlinks go there (UDP only)'),
      lastStat: z.record(z.string(), z.unknown()).nullable().describe("The last stat object (UDP) or the Station's version message"),
    }),
  ),
  counters: z.record(z.string(), z.number()).describe('Uplinks refused, by reason'),
  network: z
    .object({
      uplinks: z.number(),
      joins: z.number(),
      retransmissions: z.number(),
      downlinks: z.number(),
      downlinkErrors: z.number(),
      rejected: z.record(z.string(), z.number()).describe('Uplinks refused, by reason; "overloaded" when the in-flight queue was full'),
      lastUplinkAt: z.number().describe('When the last uplink was handled (ms)'),
      macRequests: z.number().describe("MAC requests the hub sent of its own accord (ABP devices' channels and RX settings)"),
      macRefused: z.number().describe('Of those, refused by the device'),
      macUnanswered: z.number().describe('Of those, never answered after three downlinks and given up'),
      kernelDrops: z.number().nullable().describe('Datagrams the kernel dropped because the UDP receive buffer was full (Linux)'),
      inFlight: z.number().describe('Uplinks taken in and not yet handled to the end'),
    })
    .partial()
    .describe("The LoRaWAN network server's counts (empty when it is off)"),
  telemetry: z.object({
    written: z.number(),
    batches: z.number(),
    rejected: z.number(),
    dropped: z.number(),
    lastBatchAt: z.number().describe('When the last batch of readings was committed (ms)'),
  }),
  modbus: z.array(
    z.object({
      id: z.string(),
      failures: z.number(),
      backoffMs: z.number(),
      lastError: z.string().nullable(),
      errors: z.record(z.string(), z.number()),
      reads: z.number(),
      nextAt: z.number(),
    }),
  ),
});
const gateways = api.get('/api/v1/gateways', 'Gateways the hub has heard from, with their statistics', { answers: ok(SensingStatus, 'Gateways') });
const series = api.get('/api/v1/telemetry/series', 'The series the store holds, with their latest values', {
  query: z.object({ sensor: z.string().optional() }),
  answers: ok(z.array(z.object({ sensor: z.string(), metric: z.string(), first: z.number(), last: z.number(), lastValue: z.number() })), 'Series'),
});
const query = api.get('/api/v1/telemetry/query', 'Points of one series by time range and resolution', {
  query: z.object({
    sensor: z.string().min(1),
    metric: z.string().min(1),
    from: z.coerce.number().int(),
    to: z.coerce.number().int(),
    resolution: z.enum([...RESOLUTION_NAMES, 'auto']).default('auto'),
    format: exportFormat('json'),
  }),
  answers: {
    200: {
      description: 'Points',
      content: { 'application/json': { schema: z.object({ resolution: z.string(), points: z.array(Bucket) }) }, 'text/csv': { schema: z.string() } },
    },
    ...ruleResponses,
  },
});
const codecs = api.get('/api/v1/codecs', 'Payload codecs the hub ships', {
  answers: ok(z.array(z.object({ id: z.string(), vendor: z.string(), model: z.string(), description: z.string() })), 'Codecs'),
});

const Downlink = component('Downlink', {
  id: z.string(),
  devEui: z.string(),
  fPort: Int,
  payload: z.string().describe('hex'),
  confirmed: z.boolean(),
  state: z.enum(DOWNLINK_STATES),
  attempts: Int,
  createdAt: z.number(),
  createdBy: z.string().nullable(),
  sentAt: z.number().nullable(),
  fCntDown: Int.nullable(),
  doneAt: z.number().nullable(),
});
const devEuiParam = z.object({ devEui: z.string().regex(/^[0-9a-fA-F]{16}$/, '16 hex digits') });
const enqueue = api.post('/api/v1/lorawan/devices/{devEui}/queue', 'Queue a downlink for a LoRaWAN device: sent in its next receive window (stewards)', {
  params: devEuiParam,
  body: body(NewDownlink),
  answers: created(Downlink, 'Queued'),
});
const queueList = api.get(
  '/api/v1/lorawan/devices/{devEui}/queue',
  "A LoRaWAN device's downlinks, newest first: queued, sent, acknowledged or expired (stewards)",
  { params: devEuiParam, answers: ok(z.array(Downlink), 'Downlinks') },
);

export function registerSensing(app: App, deps: HttpDeps) {
  app.openapi(enqueue, async (c) => {
    const me = requireRole(c, 'steward');
    const devEui = c.req.valid('param').devEui.toLowerCase();
    const body = c.req.valid('json');
    const queued = await deps.sensing.queueDownlink(devEui, body, me.id);
    return c.json(deps.devices.downlinks.list(devEui).find((d) => d.id === queued.id) ?? queued, 201);
  });
  app.openapi(queueList, (c) => {
    requireRole(c, 'steward');
    const devEui = c.req.valid('param').devEui.toLowerCase();
    deps.devices.get(devEui);
    return c.json(deps.devices.downlinks.list(devEui), 200);
  });
  app.openapi(register, async (c) => {
    requireRole(c, 'steward');
    const body = c.req.valid('json');
    if (body.kind === 'lorawan' && body.profile && !deps.sensing.codecs.has(body.profile))
      throw HubError.badRequest(`no codec ${body.profile}; see /api/v1/codecs`);
    const dev = await deps.devices.register(body);
    if (dev.kind === 'modbus') deps.sensing.watchModbus(dev.id);
    return c.json(Devices.public(dev), 201);
  });
  app.openapi(list, (c) => {
    requireMember(c);
    return c.json(
      deps.devices.list().map((d) => ({ device: Devices.public(d), health: deps.devices.healthOf(d.id) })),
      200,
    );
  });
  app.openapi(gateways, (c) => {
    requireRole(c, 'steward');
    const gws = [...(deps.sensing.gateways?.gateways.values() ?? []), ...(deps.sensing.station?.gateways.values() ?? [])].map((g) => ({ ...g }));
    const network = deps.sensing.network
      ? { ...deps.sensing.network.stats, inFlight: deps.sensing.network.busy, kernelDrops: deps.sensing.gateways?.kernelDrops() ?? null }
      : {};
    return c.json({ gateways: gws, counters: deps.sensing.counters, network, telemetry: deps.telemetry.stats, modbus: deps.sensing.modbus.status() }, 200);
  });
  app.openapi(series, (c) => {
    requireMember(c);
    return c.json(deps.telemetry.listSeries(c.req.valid('query').sensor), 200);
  });
  app.openapi(query, (c) => {
    requireMember(c);
    const q = c.req.valid('query');
    const r = deps.telemetry.query(q.sensor, q.metric, q.from, q.to, q.resolution);
    if (q.format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', `attachment; filename="${q.sensor}-${q.metric}.csv"`);
      return c.body(
        ['time,min,max,mean,sum,count', ...r.points.map((p) => `${new Date(p.t).toISOString()},${p.min},${p.max},${p.mean},${p.sum},${p.count}`)].join('\r\n') +
          '\r\n',
        200,
      );
    }
    return c.json(r, 200);
  });
  app.openapi(codecs, (c) => {
    requireMember(c);
    return c.json(
      [...deps.sensing.codecs.values()].map((k) => ({
        id: k.definition.id,
        vendor: k.definition.vendor,
        model: k.definition.model,
        description: k.definition.description,
      })),
      200,
    );
  });
}
