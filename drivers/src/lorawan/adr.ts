import { dataRate, type AdrSettings, type Region } from './regions.js';

export type { AdrSettings };

/**
 * Adaptive data rate, as Semtech's reference network server and ChirpStack's
 * default algorithm do it: from the best SNR of a device's last 20 uplinks,
 * the margin over what its data rate needs to be demodulated (less an
 * installation margin) is spent 3 dB at a time, first on a faster data rate,
 * then on less transmit power; a negative margin buys power back. Unlike the
 * reference, a device already at full power with a negative margin is told to
 * slow down, so a sensor moved away from the gateway is not left to its own
 * ADRACKReq back-off to be heard again.
 *
 * Pure: the network server keeps the history and sends what this decides.
 */

export const ADR_HISTORY = 20;
/** dB kept in reserve for fading; ChirpStack's default. */
export const INSTALLATION_MARGIN_DB = 10;

/** SNR a LoRa demodulator needs at each spreading factor (Semtech SX1276 datasheet, table 13). */
const REQUIRED_SNR: Record<number, number> = { 7: -7.5, 8: -10, 9: -12.5, 10: -15, 11: -17.5, 12: -20 };

export interface AdrInput {
  /** Best SNR (dB) across gateways of each of the last uplinks, oldest first. */
  snrs: number[];
  /** The data rate the device used last. */
  dr: number;
  /** The TX power index the device last acknowledged (0: its maximum). */
  txPowerIndex: number;
}

export interface AdrTarget {
  dr: number;
  txPowerIndex: number;
  nbTrans: number;
}

/** The spreading factor of a 125 kHz LoRa data rate; null for others (ADR leaves wide channels and FSK alone). */
export function spreadingFactor(region: Region, dr: number): number | null {
  const d = dataRate(region, dr);
  return d?.modulation === 'LORA' && d.bw === 125 ? d.sf : null;
}

/**
 * What the device should use, or null when it should stay as it is (too few
 * uplinks yet, or already right).
 */
export function adrTarget(region: Region, s: AdrSettings, input: AdrInput): AdrTarget | null {
  if (input.snrs.length < ADR_HISTORY) return null;
  const sf = spreadingFactor(region, input.dr);
  if (sf === null || REQUIRED_SNR[sf] === undefined) return null; // a data rate ADR does not manage (FSK, wide channels)
  const maxSnr = Math.max(...input.snrs.slice(-ADR_HISTORY));
  const margin = maxSnr - REQUIRED_SNR[sf]! - INSTALLATION_MARGIN_DB;
  let steps = Math.trunc(margin / 3);
  let dr = Math.min(input.dr, s.maxDr);
  let tx = input.txPowerIndex;
  while (steps > 0 && dr < s.maxDr) {
    dr++;
    steps--;
  }
  while (steps > 0 && tx < s.maxTxPowerIndex) {
    tx++;
    steps--;
  }
  while (steps < 0 && tx > 0) {
    tx--;
    steps++;
  }
  // At full power and still short of margin: slower, one data rate per missing step.
  while (steps < 0 && dr > s.minDr) {
    dr--;
    steps++;
  }
  if (dr === input.dr && tx === input.txPowerIndex) return null;
  return { dr, txPowerIndex: tx, nbTrans: 1 };
}

/** LinkADRReq commands (CID 0x03) for a target, one per channel-mask block, as they go in FOpts. */
export function linkAdrReq(s: AdrSettings, t: AdrTarget): Buffer {
  return Buffer.concat(
    s.channelMasks.map((m) =>
      Buffer.from([
        0x03,
        ((t.dr & 0x0f) << 4) | (t.txPowerIndex & 0x0f),
        m.chMask & 0xff,
        (m.chMask >> 8) & 0xff,
        ((m.chMaskCntl & 0x07) << 4) | (t.nbTrans & 0x0f),
      ]),
    ),
  );
}

/** A LinkADRAns status byte: the device takes the request only if it acknowledges all three. */
export function linkAdrAccepted(status: number): { accepted: boolean; powerAck: boolean; dataRateAck: boolean; channelMaskAck: boolean } {
  const powerAck = !!(status & 4);
  const dataRateAck = !!(status & 2);
  const channelMaskAck = !!(status & 1);
  return { accepted: powerAck && dataRateAck && channelMaskAck, powerAck, dataRateAck, channelMaskAck };
}
