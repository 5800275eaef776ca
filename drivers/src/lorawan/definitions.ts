import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Device definitions live as data under drivers/definitions, one file per
 * vendor or device. A bundled hub ships them beside the bundle and says
 * where with HYPHAE_DEFINITIONS.
 */
export const DEFINITIONS_DIR = process.env.HYPHAE_DEFINITIONS ?? fileURLToPath(new URL('../../definitions/', import.meta.url));

export interface Region {
  id: string;
  description: string;
  joinAcceptDelay1: number;
  joinAcceptDelay2: number;
  receiveDelay1: number;
  receiveDelay2: number;
  rx1: { mode: 'same-channel' } | { mode: 'us915'; uplinkBase: number; uplinkStep: number; downlinkBase: number; downlinkStep: number; downlinkChannels: number; datr: Record<string, string> };
  rx2: { freq: number; datr: string };
  dataRates: Record<string, number>;
  rx2DataRate: number;
  txPower: number;
  /** ADR's bounds and the channel mask its LinkADRReq keeps (EU868: the three default channels; US915: sub-band 2, as 8-channel gateways listen). */
  adr: import('./adr.js').AdrSettings;
}

export function loadRegions(dir = join(DEFINITIONS_DIR, 'lorawan', 'regions')): Map<string, Region> {
  const out = new Map<string, Region>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Region;
    out.set(r.id, r);
  }
  return out;
}
