import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFINITIONS_DIR } from './definitions.js';

/**
 * LoRaWAN regional parameters (RP002-1.0.x) as data: one JSON file per
 * region under definitions/lorawan/regions, checked against this schema when
 * loaded. The network server, ADR, the JoinAccept's CFList and the Basics
 * Station router_config are all derived from these files; nothing about a
 * region is written in code.
 */

/** The regions the hub ships, by their Regional Parameters name. */
export const REGION_IDS = ['EU868', 'US915', 'AU915', 'AS923-1', 'AS923-2', 'AS923-3', 'AS923-4', 'IN865', 'KR920', 'CN470', 'EU433'] as const;
export type RegionId = (typeof REGION_IDS)[number];

const mhz = z.number().positive().max(1000);
const dr = z.int().min(0).max(15);
/** Largest MACPayload (M) in bytes; the application payload (N) is 8 less when FOpts is empty. */
const payload = z.int().min(0).max(250);

const common = {
  dr,
  /** Downlink only (US915 and AU915's DR8–13). */
  downlinkOnly: z.boolean().default(false),
  maxMacPayload: payload,
  /** The same with a 400 ms dwell time in force; null where the data rate cannot be used then. Absent: no dwell-time limit in the region. */
  maxMacPayloadDwell: payload.nullable().optional(),
};

export const dataRateSchema = z.discriminatedUnion('modulation', [
  z.object({ modulation: z.literal('LORA'), sf: z.int().min(7).max(12), bw: z.union([z.literal(125), z.literal(250), z.literal(500)]), ...common }),
  z.object({ modulation: z.literal('FSK'), bitRate: z.int().positive(), ...common }),
]);
export type DataRate = z.infer<typeof dataRateSchema>;

const channelRange = z.object({ firstMHz: mhz, stepMHz: z.number().positive(), count: z.int().min(1).max(96) });

export const channelPlanSchema = z.discriminatedUnion('plan', [
  /** EU868-like: a few default channels every device knows, and up to five more the JoinAccept's CFList adds. */
  z.object({
    plan: z.literal('dynamic'),
    defaultChannels: z.array(mhz).min(1).max(16),
    extraChannels: z.array(mhz).max(5),
    /** Data rates the channels carry (min, max). */
    drRange: z.tuple([dr, dr]),
  }),
  /** US915-like: numbered channels on a grid; the JoinAccept's CFList and ADR's channel mask say which the gateway listens to. */
  z.object({
    plan: z.literal('fixed'),
    uplink125: channelRange.extend({ drRange: z.tuple([dr, dr]) }),
    uplink500: channelRange.extend({ dr }).nullable(),
    downlink: channelRange,
    /** Channel numbers (0…) a gateway of this hub listens to: an 8-channel concentrator's sub-band. */
    enabled: z.array(z.int().min(0).max(127)).min(1),
  }),
]);
export type ChannelPlan = z.infer<typeof channelPlanSchema>;

export const adrSettingsSchema = z.object({
  /** The slowest data rate ADR may choose. */
  minDr: dr,
  /** The fastest data rate ADR may choose (EU868: DR5, SF7BW125). */
  maxDr: dr,
  /** The highest TX power index (lowest power) the region defines: EU868 TXPower 0–7, 2 dB a step. */
  maxTxPowerIndex: z.int().min(0).max(15),
  /** LinkADRReq channel-mask blocks that keep the channels this network uses. */
  channelMasks: z
    .array(z.object({ chMaskCntl: z.int().min(0).max(7), chMask: z.int().min(0).max(0xffff) }))
    .min(1)
    .max(3),
});
export type AdrSettings = z.infer<typeof adrSettingsSchema>;

export const regionSchema = z
  .object({
    id: z.enum(REGION_IDS),
    description: z.string(),
    band: z.object({ minMHz: mhz, maxMHz: mhz }),
    joinAcceptDelay1: z.int().min(1).max(15),
    joinAcceptDelay2: z.int().min(1).max(16),
    receiveDelay1: z.int().min(1).max(15),
    receiveDelay2: z.int().min(2).max(16),
    dataRates: z.array(dataRateSchema).min(1),
    channels: channelPlanSchema,
    /** The RX1 data rate for each uplink data rate, with RX1DROffset 0 (what every JoinAccept of the hub sets). */
    rx1DataRate: z.array(dr),
    rx2: z.object({ freq: mhz, dr }),
    /** Largest EIRP a device may use (dBm); TXPower index n is this less 2n dB. */
    maxEirpDbm: z.number(),
    /** What the hub asks its gateway to transmit at (dBm). */
    downlinkTxPower: z.number().min(0).max(36),
    /** A 400 ms dwell-time limit devices keep by default (AS923), or null. */
    dwellTime: z.object({ uplink: z.boolean(), downlink: z.boolean(), maxMs: z.int().positive() }).nullable(),
    adr: adrSettingsSchema,
    /** The region's name in LoRa Basics Station's router_config. */
    basicsStation: z.object({ region: z.string() }),
  })
  .superRefine((r, ctx) => {
    const issue = (message: string, path: PropertyKey[]) => ctx.addIssue({ code: 'custom', message, path });
    const drs = new Map(r.dataRates.map((d) => [d.dr, d]));
    if (drs.size !== r.dataRates.length) issue('a data rate is listed twice', ['dataRates']);
    const inBand = (f: number) => f >= r.band.minMHz && f <= r.band.maxMHz;
    if (!drs.has(r.rx2.dr)) issue(`RX2's DR${r.rx2.dr} is not in dataRates`, ['rx2', 'dr']);
    if (!inBand(r.rx2.freq)) issue(`RX2's ${r.rx2.freq} MHz is outside the band`, ['rx2', 'freq']);
    r.rx1DataRate.forEach((d, up) => {
      if (drs.has(up) && !drs.has(d)) issue(`RX1 data rate DR${d} for DR${up} is not in dataRates`, ['rx1DataRate', up]);
    });
    for (const d of [r.adr.minDr, r.adr.maxDr]) if (!drs.has(d) || drs.get(d)!.downlinkOnly) issue(`ADR's DR${d} is not an uplink data rate`, ['adr']);
    const freqs = r.channels.plan === 'dynamic' ? [...r.channels.defaultChannels, ...r.channels.extraChannels] : channelFrequencies(r.channels);
    for (const f of freqs) if (!inBand(f)) issue(`channel ${f} MHz is outside the band`, ['channels']);
    if (r.channels.plan === 'fixed') {
      const total = r.channels.uplink125.count + (r.channels.uplink500?.count ?? 0);
      for (const c of r.channels.enabled) if (c >= total) issue(`channel ${c} does not exist (${total} channels)`, ['channels', 'enabled']);
    }
  });
export type Region = z.infer<typeof regionSchema>;

/** The uplink frequencies of a fixed plan, by channel number. */
function channelFrequencies(c: Extract<ChannelPlan, { plan: 'fixed' }>): number[] {
  const grid = (g: { firstMHz: number; stepMHz: number; count: number }) => Array.from({ length: g.count }, (_, i) => round(g.firstMHz + i * g.stepMHz));
  return [...grid(c.uplink125), ...(c.uplink500 ? grid(c.uplink500) : [])];
}

/** Frequencies to the Hz: sums of MHz steps must not drift by floating point. */
const round = (f: number) => Math.round(f * 1e6) / 1e6;

export class RegionFileError extends Error {}

/** Loads and checks every region file; a broken file names itself and what is wrong. */
export function loadRegions(dir = join(DEFINITIONS_DIR, 'lorawan', 'regions')): Map<RegionId, Region> {
  const out = new Map<RegionId, Region>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, f), 'utf8'));
    } catch (e) {
      throw new RegionFileError(`${f}: ${(e as Error).message}`);
    }
    const parsed = regionSchema.safeParse(raw);
    if (!parsed.success) throw new RegionFileError(`${f}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`);
    if (out.has(parsed.data.id)) throw new RegionFileError(`${f}: region ${parsed.data.id} is defined twice`);
    out.set(parsed.data.id, parsed.data);
  }
  return out;
}

/** The region's `SFxBWy` name of a data rate, as packet forwarders write it (FSK: its bit rate). */
export function datrOf(region: Region, dr: number): string {
  const d = region.dataRates.find((x) => x.dr === dr);
  if (!d) throw new Error(`${region.id} has no DR${dr}`);
  return d.modulation === 'LORA' ? `SF${d.sf}BW${d.bw}` : String(d.bitRate);
}

/** The uplink data rate a packet forwarder's `datr` stands for (undefined when the region has none). */
export function drOf(region: Region, datr: string): number | undefined {
  return region.dataRates.find((d) => !d.downlinkOnly && (d.modulation === 'LORA' ? `SF${d.sf}BW${d.bw}` : String(d.bitRate)) === datr)?.dr;
}

export function dataRate(region: Region, dr: number): DataRate | undefined {
  return region.dataRates.find((d) => d.dr === dr);
}

/** The application payload (N) a data rate carries with empty FOpts, given the region's dwell time; 0 where the rate cannot be used. */
export function maxAppPayload(region: Region, dr: number, direction: 'uplink' | 'downlink' = 'downlink'): number {
  const d = dataRate(region, dr);
  if (!d) return 0;
  const dwell = region.dwellTime?.[direction] ?? false;
  const m = dwell && d.maxMacPayloadDwell !== undefined ? d.maxMacPayloadDwell : d.maxMacPayload;
  return m === null ? 0 : Math.max(0, m - 8);
}

/** RX1's frequency for an uplink heard on `upFreq` (MHz): the same channel, or the fixed plan's downlink channel for it. */
export function rx1Frequency(r: Region, upFreq: number): number {
  const c = r.channels;
  if (c.plan === 'dynamic') return upFreq;
  const ch = channelNumber(c, upFreq);
  return round(c.downlink.firstMHz + ((ch ?? 0) % c.downlink.count) * c.downlink.stepMHz);
}

function channelNumber(c: Extract<ChannelPlan, { plan: 'fixed' }>, freq: number): number | undefined {
  const on = (g: { firstMHz: number; stepMHz: number; count: number }) => {
    const n = Math.round((freq - g.firstMHz) / g.stepMHz);
    return n >= 0 && n < g.count && Math.abs(g.firstMHz + n * g.stepMHz - freq) < 0.001 ? n : undefined;
  };
  const narrow = on(c.uplink125);
  if (narrow !== undefined) return narrow;
  const wide = c.uplink500 ? on(c.uplink500) : undefined;
  return wide === undefined ? undefined : c.uplink125.count + wide;
}

/** RX1's data rate for an uplink at `upDr` (RX1DROffset 0); RX2's when the table has none. */
export function rx1DataRate(r: Region, upDr: number): number {
  return r.rx1DataRate[upDr] ?? r.rx2.dr;
}

/**
 * The JoinAccept's CFList (16 bytes) for the region's plan, or empty: type 0
 * lists the extra channels' frequencies (100 Hz units, little-endian, 3 bytes
 * each), type 1 the channel mask of the channels the gateway listens to.
 */
export function cfList(r: Region): Buffer {
  const c = r.channels;
  const out = Buffer.alloc(16);
  if (c.plan === 'dynamic') {
    if (c.extraChannels.length === 0) return Buffer.alloc(0);
    c.extraChannels.forEach((f, i) => out.writeUIntLE(Math.round(f * 10_000), i * 3, 3));
    out[15] = 0;
    return out;
  }
  for (const ch of c.enabled) out[ch >> 3] = out[ch >> 3]! | (1 << (ch & 7));
  out[15] = 1;
  return out;
}

/** The channels a CFList carries, read back (for the test rig's devices and the decode CLI). */
export function readCfList(b: Buffer): { type: 'frequencies'; mhz: number[] } | { type: 'channel-mask'; channels: number[] } | null {
  if (b.length !== 16) return null;
  if (b[15] === 0) {
    const mhzs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const v = b.readUIntLE(i * 3, 3);
      if (v !== 0) mhzs.push(v / 10_000);
    }
    return { type: 'frequencies', mhz: mhzs };
  }
  const channels: number[] = [];
  for (let i = 0; i < 15 * 8; i++) if (b[i >> 3]! & (1 << (i & 7))) channels.push(i);
  return { type: 'channel-mask', channels };
}

/** The uplink channels a gateway of this hub listens to: [MHz, minDr, maxDr]. */
export function uplinkChannels(r: Region): Array<[number, number, number]> {
  const c = r.channels;
  if (c.plan === 'dynamic') return [...c.defaultChannels, ...c.extraChannels].map((f) => [f, c.drRange[0], c.drRange[1]]);
  const freqs = channelFrequencies(c);
  return c.enabled.map((ch) =>
    ch < c.uplink125.count ? [freqs[ch]!, c.uplink125.drRange[0], c.uplink125.drRange[1]] : [freqs[ch]!, c.uplink500!.dr, c.uplink500!.dr],
  );
}
