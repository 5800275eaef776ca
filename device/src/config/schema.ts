import { z } from 'zod';
import { REGION_IDS } from '@hyphae/drivers/lorawan/regions';

/**
 * The hub's configuration, schema first: every setting has its default and
 * its description here, and `hyphae configfile` renders this schema as a
 * commented file. The hub reads the file and never writes it; state that
 * changes at run time lives in LMDB.
 */
export const CONFIG_VERSION = 1;

/** A section of the file, with its description first: every key in it has a default, so a missing section is all defaults. */
const section = <T extends z.ZodRawShape>(description: string, shape: T) =>
  z
    .object(shape)
    .prefault({} as z.input<z.ZodObject<T>>)
    .describe(description);

const hub = section('Who this hub is', {
  name: z.string().min(1).max(80).default('Hyphae hub').describe('Name of the neighbourhood, shown in the console'),
  place: z.string().max(120).default('').describe('Where the hub is, in words residents recognise'),
  timezone: z.string().default('UTC').describe('IANA timezone for schedules and reports, e.g. Europe/Stockholm'),
  publicUrl: z.string().default('').describe('URL residents use to reach the console; empty means http://<host>:<port>'),
});

const http = section('HTTP API and console', {
  host: z.string().default('0.0.0.0').describe('Address the HTTP API and console listen on'),
  port: z.number().int().min(0).max(65535).default(8080).describe('TCP port of the HTTP API and console'),
  bodyLimitBytes: z.number().int().min(1024).default(1_048_576).describe('Largest request body accepted'),
});

const currency = section('The mutual-credit currency', {
  name: z.string().min(1).default('Hyphae credit').describe('Name of the community currency'),
  symbol: z.string().min(1).max(8).default('HC').describe('Short symbol shown beside amounts'),
  minorUnits: z.number().int().min(0).max(6).default(2).describe('Decimal places: 2 means 1 credit = 100 minor units. Amounts in the API are minor units.'),
});

const limits = z.object({
  floor: z.number().int().max(0).describe('Lowest balance allowed, in minor units (negative: how far into credit a member may go)'),
  ceiling: z.number().int().min(0).describe('Highest balance allowed, in minor units'),
});

const ledger = section('The mutual-credit ledger', {
  credit: limits
    .default({ floor: -50_000, ceiling: 500_000 })
    .describe('Default limits for member credit accounts. A new member can trade at once: the floor is never 0 by default.'),
  hours: limits.default({ floor: -2_000, ceiling: 20_000 }).describe('Default limits for time-bank hours, in hundredths of an hour'),
  limitApprovalFactor: z
    .number()
    .min(1)
    .default(2)
    .describe(
      "A steward who sets a member's floor more than this many times below the community's default (or a ceiling this many times above it) needs a second steward to approve it",
    ),
  warnRatio: z.number().min(0).max(1).default(0.8).describe('A warning is shown once a payment would take the balance past this share of the floor'),
  fundFloor: z.number().int().max(0).default(-10_000_000).describe('How far the community fund may go below zero (it pays regeneration credits)'),
  requestTtlHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 365)
    .default(168)
    .describe('Payment requests expire after this many hours'),
  demurrageRatePercent: z
    .number()
    .min(0)
    .max(50)
    .default(2)
    .describe('Yearly demurrage on positive balances, compounded daily; what decays goes to the community fund'),
  nightlyCron: z
    .string()
    .default('10 0 * * *')
    .describe('When the nightly job brings demurrage forward for every account and expires old requests (cron syntax, hub timezone)'),
});

const timeBank = section('The time bank', {
  enabled: z.boolean().default(true).describe("Keep time-bank hours beside credits (1 hour of anyone's time = 1 hour)"),
});

const flow = section('Flow engine: needs, surpluses and clearing', {
  costPerKm: z.number().int().min(0).default(10).describe('Cost per unit per kilometre that the flow engine weighs against other routes'),
  maxSupplierShare: z
    .number()
    .gt(0)
    .max(1)
    .default(1)
    .describe('Largest share of one need a single supplier may cover; below 1 spreads needs over several sources'),
  autoAcceptBelow: z.number().int().min(0).default(0).describe('Proposals of at most this many units become pledges without asking; 0 means always ask'),
  crisisPriority: z.number().int().min(1).default(10).describe('Weight of needs inside a declared emergency'),
  vulnerablePriority: z.number().int().min(1).default(100).describe('Weight of needs of members a steward marked vulnerable, during an emergency'),
  clearingAutomatic: z.boolean().default(false).describe('Apply multilateral clearing of open requests without asking the members it touches'),
  clearingCron: z.string().default('30 3 * * 0').describe('When a clearing run is computed (cron syntax, hub timezone)'),
});

const library = section('Tool library and bookable resources', {
  pickupWindowDays: z
    .number()
    .int()
    .min(1)
    .max(30)
    .default(7)
    .describe('Days the next member in a holds queue has to collect an item before the hold passes on'),
  selfService: z.boolean().default(false).describe('Let members check items out and in themselves, not only at the steward desk'),
  maxBookingDays: z.number().int().min(1).max(365).default(30).describe('Longest reservation or loan'),
  remindersCron: z.string().default('0 8 * * *').describe('When due-date reminders go out and lapsed holds pass on (cron syntax, hub timezone)'),
});

const telemetry = section('The embedded time-series store', {
  rawRetentionDays: z.number().int().min(1).default(30).describe('Days raw sensor points are kept'),
  retention5mDays: z.number().int().min(1).default(400).describe('Days 5-minute rollups are kept'),
  retention1hDays: z.number().int().min(1).default(1825).describe('Days hourly rollups are kept'),
  retention1dDays: z.number().int().min(1).default(36500).describe('Days daily rollups are kept'),
  flushIntervalMs: z.number().int().min(100).default(5000).describe('Readings are written to the SD card in batches at most this often'),
  maxBatch: z.number().int().min(10).default(2000).describe('A batch is written early once it holds this many readings'),
  influx: z
    .object({
      url: z.string().describe('InfluxDB v2 (or compatible) base URL, e.g. http://10.42.0.5:8086'),
      org: z.string().default('hyphae').describe('Organisation'),
      bucket: z.string().default('hub').describe('Bucket'),
      token: z.string().default('').describe('API token'),
      maxBuffered: z.number().int().min(100).default(500_000).describe('Readings kept in LMDB while the server is away; the oldest beyond this are dropped'),
    })
    .nullable()
    .default(null)
    .describe('Mirror readings to InfluxDB; null keeps them only on the hub'),
});

const lorawan = section('LoRaWAN sensors', {
  enabled: z.boolean().default(true).describe("Run the LoRaWAN network server for the concentrator's packet forwarder"),
  port: z.number().int().min(0).max(65535).default(1700).describe('UDP port the packet forwarder sends to (Semtech UDP protocol)'),
  host: z.string().default('0.0.0.0').describe('Address to listen on for the packet forwarder'),
  region: z
    .enum(REGION_IDS)
    .default('EU868')
    .describe(
      'LoRaWAN regional parameters (RP002): the channel plan, data rates, RX windows and dwell time, from the region files under drivers/definitions/lorawan/regions',
    ),
  netId: z
    .string()
    .regex(/^[0-9a-fA-F]{6}$/)
    .default('000000')
    .describe('NetID (6 hex digits); 000000 is for private networks'),
  maxInFlight: z
    .number()
    .int()
    .min(1)
    .default(10_000)
    .describe("Uplinks being handled at once, at most; past it new ones are refused and counted as overloaded, so a flood cannot take the hub's memory"),
  gateways: z
    .array(z.string().regex(/^[0-9a-fA-F]{16}$/))
    .default([])
    .describe('EUIs of the gateways this hub serves (16 hex digits); when given, datagrams from any other gateway are counted and ignored'),
  maxGateways: z
    .number()
    .int()
    .min(1)
    .default(100)
    .describe(
      'With no list of gateways, at most this many are remembered; datagrams from more are counted and ignored, so spoofed gateway EUIs cannot fill memory or the log',
    ),
  basicsStation: z
    .object({
      enabled: z.boolean().default(true).describe('Serve LoRa Basics Station gateways (the LNS protocol over WebSocket) beside the UDP packet forwarder'),
      port: z.number().int().min(0).max(65535).default(3001).describe('TCP port Station connects to: its tc.uri is ws://<hub>:<port> (wss:// with tls)'),
      host: z.string().default('0.0.0.0').describe('Address to listen on for Basics Station gateways'),
      token: z
        .string()
        .nullable()
        .default(null)
        .describe(
          'When set, every Station connection must carry it in its Authorization header (put "Authorization: Bearer <token>" in the gateway\'s tc.key); null lets any gateway on the hub\'s network connect, subject to lorawan.gateways',
        ),
      tls: z
        .object({ cert: z.string().describe('PEM certificate file'), key: z.string().describe('PEM private key file') })
        .nullable()
        .default(null)
        .describe("Serve wss:// with this certificate (the gateway's tc.trust must hold its CA); null serves plain ws on the hub's own network"),
    })
    .prefault({})
    .describe('LoRa Basics Station gateways (RAK, Kerlink, MikroTik, the TTN indoor gateway)'),
  codecDirs: z
    .array(z.string())
    .default([])
    .describe(
      "Folders of the neighbourhood's own payload codecs (a .json definition beside its .js script), loaded after the shipped ones; one of the same id replaces the shipped codec",
    ),
});

const gpio = section("Sensors on the hub's GPIO/I2C pins, through johnny-five", {
  io: z
    .enum(['none', 'raspi-io'])
    .default('none')
    .describe('IO plugin johnny-five drives the pins through: raspi-io on a Raspberry Pi (installed by the OS image), none to leave the pins alone'),
  sensors: z
    .array(
      z.object({
        id: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .describe('Device id in the registry, e.g. bed-3-moisture'),
        name: z.string().default('').describe('What residents see'),
        place: z.string().nullable().default(null).describe('The household or place it measures'),
        definition: z.string().describe('A definition under drivers/definitions/gpio, e.g. dfrobot-sen0193, maxim-ds18b20, misol-wh-sp-rg'),
        pin: z.union([z.string(), z.number().int().min(0)]).describe('Pin as the IO plugin names it: GPIO4, P1-7, A0'),
        address: z.number().int().min(0).optional().describe('DS18B20 serial (48-bit) when several probes share a pin'),
        calibration: z.object({ dry: z.number().int(), wet: z.number().int() }).optional().describe("This probe's raw reading in dry air and in water"),
        reportSeconds: z.number().int().min(1).optional().describe('How often a mean is stored'),
      }),
    )
    .default([])
    .describe("Sensors wired to the hub's own pins"),
});

const network = section('Wi-Fi access point, captive portal and mesh (applied by the OS image at first boot)', {
  ssid: z.string().min(1).max(32).default('hyphae').describe('Wi-Fi network name residents join'),
  passphrase: z.string().max(63).default('').describe('WPA2 passphrase (8–63 characters); empty makes an open network with the captive portal'),
  channel: z.number().int().min(1).max(165).default(6).describe('Wi-Fi channel'),
  country: z
    .string()
    .regex(/^[A-Z]{2}$/)
    .default('SE')
    .describe('Regulatory country code (ISO 3166), which sets legal channels and power'),
  mesh: z.enum(['802.11s', 'batman-adv', 'none']).default('802.11s').describe('How hubs and repeaters in the neighbourhood link up'),
  meshId: z.string().max(32).default('hyphae-mesh').describe("Mesh network id shared by the neighbourhood's nodes"),
  address: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+$/)
    .default('10.42.0.1')
    .describe("The hub's address on its own Wi-Fi; DNS answers every name with it"),
});

const federation = section('Links to other hubs', {
  location: z
    .object({ x: z.number(), y: z.number() })
    .nullable()
    .default(null)
    .describe("Coarse position of the neighbourhood in metres on the region's grid, shared with linked hubs for the regional solve; null keeps it private"),
  paymentTimeoutHours: z
    .number()
    .min(0.01)
    .max(24 * 30)
    .default(24)
    .describe('An inter-hub payment whose proposal has not reached the other hub by then is reversed'),
  summaryEveryMinutes: z
    .number()
    .min(0.1)
    .max(24 * 60)
    .default(10)
    .describe('How often the needs and surpluses summary is sent to linked hubs even when nothing changed'),
});

export const MQTT_BROKERS = ['embedded', 'external'] as const;

const mqtt = z
  .object({
    enabled: z.boolean().default(false).describe("Publish readings and the hub's state over MQTT, with Home Assistant discovery"),
    broker: z
      .enum(MQTT_BROKERS)
      .default('embedded')
      .describe('embedded: the hub runs a broker on its network (aedes); external: connect to one the neighbourhood already runs'),
    url: z.string().default('').describe('external: the broker, e.g. mqtt://192.168.4.10:1883'),
    host: z.string().default('0.0.0.0').describe('embedded: address the broker listens on'),
    port: z.number().int().min(0).max(65535).default(1883).describe('embedded: port the broker listens on (0: any free port)'),
    username: z.string().default('').describe("external: the hub's user name; embedded: the one user clients (Home Assistant) sign in as. Empty: no sign-in"),
    password: z.string().default('').describe('Password for that user'),
    topicPrefix: z
      .string()
      .regex(/^[^#+]+$/, 'no MQTT wildcards')
      .default('hyphae')
      .describe('Topics are <prefix>/<hubId>/...'),
    discovery: z.boolean().default(true).describe('Publish Home Assistant discovery configs (retained)'),
    discoveryPrefix: z
      .string()
      .regex(/^[^#+]+$/, 'no MQTT wildcards')
      .default('homeassistant')
      .describe("Home Assistant's discovery prefix"),
    stateEverySeconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(30)
      .describe("How often the hub's own state (multiplier, budgets, price, signals) is published when it has not changed"),
    downlinkDevices: z
      .array(z.string().regex(/^([0-9a-fA-F]{16}|\*)$/, 'a DevEUI or *'))
      .default([])
      .describe('LoRaWAN devices an automation may queue downlinks to on <prefix>/<hubId>/downlink/<devEui> ("*": every one). Empty: the hub does not listen'),
  })
  .prefault({})
  .refine((m) => !m.enabled || m.broker === 'embedded' || /^mqtts?:\/\//.test(m.url), { message: 'mqtt.broker external needs mqtt.url (mqtt:// or mqtts://)' })
  .refine((m) => !m.enabled || m.broker === 'external' || m.username === '' || m.password.length >= 8, {
    message: 'mqtt.password: at least 8 characters for the embedded broker',
  })
  .describe('MQTT for Home Assistant, Node-RED and evcc (optional)');

const email = z
  .object({
    enabled: z.boolean().default(false).describe('Also send reminders by email through an SMTP relay (console notifications are always on)'),
    host: z.string().default('').describe('SMTP relay host, on the mesh or on the internet'),
    port: z.number().int().min(1).max(65535).default(587).describe('SMTP relay port'),
    secure: z.boolean().default(false).describe('TLS from the start (port 465); otherwise STARTTLS when the relay offers it'),
    user: z.string().default('').describe('SMTP user name; empty for a relay that needs none'),
    password: z.string().default('').describe('SMTP password'),
    from: z.string().default('hub@hyphae.local').describe('Sender address of reminder emails'),
    kinds: z
      .array(z.string())
      .default(['loan-due', 'loan-overdue', 'hold-ready', 'hold-lapsed', 'timebank-expiring', 'mentorship'])
      .describe('Which notifications also go by email'),
  })
  .prefault({})
  .refine((e) => !e.enabled || e.host.length > 0, { message: 'email.enabled needs email.host' })
  .describe('Reminder emails (optional)');

const push = section("Alerts on residents' phones (optional; needs internet and HTTPS)", {
  enabled: z
    .boolean()
    .default(true)
    .describe(
      "Alert phones that ask for it (Web Push). It works only when hub.publicUrl is https:// and the hub reaches the internet: every browser delivers push through its maker's servers",
    ),
  contact: z
    .string()
    .default('')
    .refine((s) => s === '' || /^(mailto:|https:\/\/)/.test(s), 'a mailto: or https:// address')
    .describe("How the push services may reach the hub's people (VAPID subject); empty: hub.publicUrl"),
});

const firstSteward = z
  .object({
    email: z.email().describe('Email of the first steward'),
    passwordHash: z.string().startsWith('$argon2id$').describe('argon2id hash of their one-time password; the hub asks them to change it'),
  })
  .nullable()
  .default(null)
  .describe('The first steward, written by the provisioning tool; used only while the hub has no members');

const auth = section('Sign-in and sessions', {
  sessionTtlHours: z
    .number()
    .int()
    .min(1)
    .default(24 * 30)
    .describe('How long a console sign-in lasts'),
  loginAttempts: z.number().int().min(1).default(5).describe('Failed sign-ins allowed per address and per email within the window'),
  loginWindowMinutes: z.number().int().min(1).default(15).describe('Window for counting failed sign-ins'),
  secureCookies: z.boolean().default(false).describe('Mark session cookies Secure (only when the console is served over HTTPS)'),
  inviteTtlHours: z
    .number()
    .int()
    .min(1)
    .default(24 * 14)
    .describe('How long an invite code stays valid'),
});

const mode = z.enum(['consensus', 'supermajority', 'majority']);
const governance = section("The community's own rules for decisions", {
  modes: z
    .object({
      parameter: mode.default('supermajority').describe('Changing a parameter: demurrage, limits, multiplier bounds, prices'),
      spend: mode.default('majority').describe('Spending from the community fund'),
      admit: mode.default('majority').describe('Admitting a member'),
      suspend: mode.default('consensus').describe('Suspending a member'),
      'buy-tool': mode.default('majority').describe('Buying a tool for the library'),
      text: mode.default('majority').describe('Anything else, in free text'),
      limits: mode
        .default('majority')
        .describe("A member's credit limits far beyond the community's defaults, put to the community instead of a second steward"),
      update: mode.default('supermajority').describe("Installing a new version of the hub's software (a security release installs at once)"),
    })
    .prefault({})
    .describe('How each kind of proposal is decided: consensus (a discussion period, then a block period), supermajority (with a quorum) or simple majority'),
  supermajority: z.number().min(0.5).max(1).default(0.7).describe('Share of yes among yes and no that a supermajority needs'),
  quorum: z.number().min(0).max(1).default(0.3).describe('Share of active members who must vote for a supermajority decision to count'),
  votingDays: z.number().min(0).max(90).default(7).describe('How long voting (or, for consensus, the block period) lasts'),
  discussionDays: z.number().min(0).max(90).default(5).describe('Consensus: days of discussion before blocks may be raised'),
  coreValues: z
    .array(z.string().min(1).max(80))
    .min(1)
    .default(['care for people', 'care for the land', 'fair shares', 'openness'])
    .describe('The values a block must cite'),
  emergencyDays: z.number().min(1).max(90).default(14).describe("How long a steward's emergency change of a parameter lasts unless a proposal ratifies it"),
});

const storage = section('The data folder on the SD card: what happens as it fills', {
  pruneTelemetryBelowMiB: z
    .number()
    .min(0)
    .default(256)
    .describe("Free space on the data folder's disk below which old sensor readings are pruned at once, not only at night"),
  refusePhotosBelowMiB: z.number().min(0).default(128).describe('Free space below which new photos are refused (507); stewards are told'),
  refuseWritesBelowMiB: z
    .number()
    .min(0)
    .default(32)
    .describe('Free space below which every change is refused (507) while reads and the console keep working; it leaves LMDB room to commit safely'),
  maxDatabaseMiB: z
    .number()
    .min(1)
    .default(4096)
    .describe('The database grows as needed up to this size; past it changes are refused as on a full disk. Checked against free space at start'),
});

const time = section('The clock: a Pi has no real-time clock and boots in the past', {
  source: z
    .enum(['auto', 'system', 'chrony'])
    .default('auto')
    .describe(
      "What says the clock is right: chrony (its tracking report must say synchronised), the system clock (trusted unless it reads before the last time the hub knew), or auto (chrony when chronyc is installed, as on the hub's image)",
    ),
  jumpBoundMinutes: z
    .number()
    .min(1)
    .default(60)
    .describe('A step of the clock larger than this, either way, is a jump: logged, recorded in the journal, never charged as elapsed time'),
  settleMinutes: z
    .number()
    .min(0)
    .default(2)
    .describe('After a jump, time-based actions (demurrage, expiry, closing, nightly jobs) wait this long before trusting the clock again'),
});

const backups = section(
  'Nightly sealed backups, kept seven deep in the data folder, copied to a USB stick labelled HYPHAE-BACKUP on the card, and kept by linked hubs',
  {
    cron: z.string().default('30 3 * * *').describe('When the nightly sealed backup is made (cron syntax, hub timezone); it waits until the clock is trusted'),
    toLinkedHubs: z.boolean().default(true).describe('Send each nightly backup (sealed) to every linked hub, which keeps the last seven'),
    keepForLinkedHubsMaxMiB: z.number().int().min(1).default(256).describe('Largest sealed backup this hub keeps for one linked hub'),
  },
);

const updates = section('Software updates from signed update files (an upload or a USB stick), installed after a community decision', {
  releaseKeyFile: z
    .string()
    .default('/usr/share/hyphae/release-key.pub')
    .describe(
      "The project's release key (Ed25519 public key, PEM) that update files must be signed with; the card's image carries it. No file: this hub takes no updates",
    ),
});

const log = section('Logging', {
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level of the JSON logs on stdout'),
});

export const configSchema = z
  .object({
    version: z.literal(CONFIG_VERSION).default(CONFIG_VERSION).describe("Version of this file's format; older versions are migrated in memory at start"),
    hub,
    http,
    currency,
    ledger,
    timeBank,
    flow,
    library,
    telemetry,
    storage,
    time,
    lorawan,
    gpio,
    network,
    federation,
    email,
    push,
    mqtt,
    firstSteward,
    auth,
    governance,
    backups,
    updates,
    log,
  })
  .describe('Hyphae hub configuration');

export type HubConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export function defaultConfig(): HubConfig {
  return configSchema.parse({});
}
