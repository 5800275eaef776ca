import { describe, expect, it } from 'vitest';
import { ADR_HISTORY, adrTarget, linkAdrAccepted, linkAdrReq, spreadingFactor } from './adr.js';
import { loadRegions } from './regions.js';
import { deviceTimeAns } from './network-server.js';

const eu = loadRegions().get('EU868')!;
const us = loadRegions().get('US915')!;
const history = (snr: number) => Array.from({ length: ADR_HISTORY }, () => snr);

describe('ADR', () => {
  it('waits for 20 uplinks before deciding anything', () => {
    expect(adrTarget(eu, eu.adr, { snrs: history(10).slice(1), dr: 0, txPowerIndex: 0 })).toBeNull();
  });

  it('spends margin on data rate first, then on less power, 3 dB a step', () => {
    expect(spreadingFactor(eu, 0)).toBe(12);
    // SF12 needs −20 dB; +10 dB less the 10 dB installation margin leaves 20 dB: 6 steps, 5 of them to DR5, one to power.
    expect(adrTarget(eu, eu.adr, { snrs: history(10), dr: 0, txPowerIndex: 0 })).toEqual({ dr: 5, txPowerIndex: 1, nbTrans: 1 });
    // The best SNR of the window counts, not the last.
    expect(adrTarget(eu, eu.adr, { snrs: [...history(-30).slice(1), 10], dr: 0, txPowerIndex: 0 })).toEqual({ dr: 5, txPowerIndex: 1, nbTrans: 1 });
    // Power never goes below the region's last step.
    expect(adrTarget(eu, eu.adr, { snrs: history(40), dr: 5, txPowerIndex: 0 })).toEqual({ dr: 5, txPowerIndex: 7, nbTrans: 1 });
  });

  it('buys power back first and slows down only at full power; leaves a device alone within a step', () => {
    // SF7 needs −7.5 dB: at −12 dB it is 14.5 short (−4 steps). From power index 2: two steps of power, then two of data rate.
    expect(adrTarget(eu, eu.adr, { snrs: history(-12), dr: 5, txPowerIndex: 2 })).toEqual({ dr: 3, txPowerIndex: 0, nbTrans: 1 });
    expect(adrTarget(eu, eu.adr, { snrs: history(-40), dr: 1, txPowerIndex: 0 })).toEqual({ dr: 0, txPowerIndex: 0, nbTrans: 1 });
    expect(adrTarget(eu, eu.adr, { snrs: history(4), dr: 5, txPowerIndex: 0 })).toBeNull();
  });

  it('writes LinkADRReq as the spec lays it out, one per channel-mask block', () => {
    // EU868: the three default channels and the five the JoinAccept's CFList adds (mask 0x00ff).
    expect(linkAdrReq(eu.adr, { dr: 5, txPowerIndex: 1, nbTrans: 1 }).toString('hex')).toBe('0351ff0001');
    // US915, sub-band 2: the 125 kHz channels off and 500 kHz channel 65 on, then channels 8–15.
    expect(linkAdrReq(us.adr, { dr: 3, txPowerIndex: 0, nbTrans: 1 }).toString('hex')).toBe('0330020071033000ff01');
  });

  it('reads LinkADRAns: taken only when all three are acknowledged', () => {
    expect(linkAdrAccepted(7).accepted).toBe(true);
    expect(linkAdrAccepted(5)).toEqual({ accepted: false, powerAck: true, dataRateAck: false, channelMaskAck: true });
  });
});

describe('DeviceTimeAns', () => {
  it('is seconds since the GPS epoch with the leap seconds, little-endian, then 1/256 s', () => {
    // 2026-12-05 10:00:00.5 UTC: 1,796,464,800 Unix seconds, GPS 1,796,464,800 − 315,964,800 + 18.
    const b = deviceTimeAns(1_796_464_800_500);
    expect(b[0]).toBe(0x0d);
    expect(b.readUInt32LE(1)).toBe(1_480_500_018);
    expect(b[5]).toBe(128);
  });
});
