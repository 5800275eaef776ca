import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFINITIONS_DIR } from './definitions.js';
import {
  cfList,
  datrOf,
  drOf,
  loadRegions,
  maxAppPayload,
  readCfList,
  REGION_IDS,
  RegionFileError,
  rx1DataRate,
  rx1Frequency,
  uplinkChannels,
} from './regions.js';

const regions = loadRegions();
const get = (id: (typeof REGION_IDS)[number]) => regions.get(id)!;

describe('regional parameters as data', () => {
  it('loads every region file against the schema, one per region the hub offers', () => {
    expect([...regions.keys()].sort()).toEqual([...REGION_IDS].sort());
    for (const r of regions.values()) {
      // Every region can answer a join: RX2 is a data rate it has, and a gateway has channels to listen to.
      expect(datrOf(r, r.rx2.dr)).toMatch(/^SF\d+BW\d+$/);
      expect(uplinkChannels(r).length).toBeGreaterThanOrEqual(2);
      for (const [mhz] of uplinkChannels(r)) expect(mhz).toBeGreaterThanOrEqual(r.band.minMHz);
    }
  });

  it('reads data rates both ways, the uplink rate winning over a downlink-only one of the same modulation', () => {
    const us = get('US915');
    expect(drOf(us, 'SF10BW125')).toBe(0);
    expect(drOf(us, 'SF8BW500')).toBe(4); // DR12 is SF8BW500 too, but downlink only
    expect(datrOf(us, 12)).toBe('SF8BW500');
    expect(drOf(get('EU868'), 'SF7BW250')).toBe(6);
    expect(drOf(get('EU868'), 'SF7BW500')).toBeUndefined();
  });

  it('puts RX1 on the right channel and data rate for each kind of plan', () => {
    expect(rx1Frequency(get('EU868'), 867.5)).toBe(867.5);
    // US915: uplink channel 8 (903.9 MHz) answers on downlink channel 0; channel 65 (904.6, 500 kHz) on channel 1.
    expect(rx1Frequency(get('US915'), 903.9)).toBe(923.3);
    expect(rx1Frequency(get('US915'), 904.6)).toBe(923.9);
    expect(rx1Frequency(get('AU915'), 916.8)).toBe(923.3);
    // CN470: 96 uplink channels fold onto 48 downlink ones.
    expect(rx1Frequency(get('CN470'), 480.3)).toBe(500.7);
    expect(rx1DataRate(get('US915'), 0)).toBe(10);
    expect(rx1DataRate(get('AU915'), 5)).toBe(13);
    // AS923 with the downlink dwell time: never below DR2.
    expect(rx1DataRate(get('AS923-1'), 0)).toBe(2);
    expect(rx1DataRate(get('EU868'), 3)).toBe(3);
  });

  it('knows what each data rate carries, dwell time included', () => {
    expect(maxAppPayload(get('EU868'), 0)).toBe(51);
    expect(maxAppPayload(get('EU868'), 5)).toBe(242);
    expect(maxAppPayload(get('US915'), 0, 'uplink')).toBe(11);
    expect(maxAppPayload(get('AS923-2'), 2, 'uplink')).toBe(11); // 400 ms dwell time in force
    expect(maxAppPayload(get('AS923-2'), 0, 'uplink')).toBe(0); // DR0 cannot be used with it
    expect(maxAppPayload(get('AU915'), 2, 'uplink')).toBe(51); // no dwell time unless the network sets one
  });

  it('writes the JoinAccept CFList as the Regional Parameters lay it out', () => {
    // EU868: 867.1 MHz = 8,671,000 × 100 Hz = 0x844f18, little-endian; CFListType 0 last.
    const eu = cfList(get('EU868'));
    expect(eu.length).toBe(16);
    expect(eu.subarray(0, 3).toString('hex')).toBe('184f84');
    expect(eu[15]).toBe(0);
    expect(readCfList(eu)).toEqual({ type: 'frequencies', mhz: [867.1, 867.3, 867.5, 867.7, 867.9] });
    // US915 sub-band 2: channels 8–15 (byte 1 all set) and 65 (byte 8, bit 1); CFListType 1.
    const us = cfList(get('US915'));
    expect(us.toString('hex')).toBe('00ff000000000000020000000000000' + '1');
    expect(readCfList(us)).toEqual({ type: 'channel-mask', channels: [8, 9, 10, 11, 12, 13, 14, 15, 65] });
    // A region with no extra channels sends none.
    expect(cfList(get('IN865')).length).toBe(0);
  });

  it('refuses a broken region file, naming the file and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regions-'));
    try {
      const eu = JSON.parse(readFileSync(join(DEFINITIONS_DIR, 'lorawan', 'regions', 'eu868.json'), 'utf8'));
      writeFileSync(join(dir, 'eu868.json'), JSON.stringify({ ...eu, rx2: { freq: 869.525, dr: 9 } }));
      expect(() => loadRegions(dir)).toThrow(RegionFileError);
      expect(() => loadRegions(dir)).toThrow(/eu868\.json: rx2\.dr: RX2's DR9 is not in dataRates/);
      writeFileSync(join(dir, 'eu868.json'), JSON.stringify({ ...eu, channels: { ...eu.channels, extraChannels: [915.1] } }));
      expect(() => loadRegions(dir)).toThrow(/channel 915.1 MHz is outside the band/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
