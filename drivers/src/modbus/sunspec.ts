import { DEFINITIONS_DIR } from '../lorawan/definitions.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DriverError } from '../sensor.js';
import type { RegisterReader } from './client.js';
import { applyScale, decodeWords, TYPE_SIZE, type RegisterType } from './registers.js';

export interface PointDef {
  name: string;
  type: RegisterType;
  units?: string;
  sf?: string;
}

export interface ModelDef {
  id: number;
  name: string;
  length: number;
  points: PointDef[];
  repeating?: PointDef[];
  repeatLength?: number;
}

export const SUNSPEC_MODELS_FILE = join(DEFINITIONS_DIR, 'modbus', 'sunspec-models.json');

export function loadSunSpecModels(file = SUNSPEC_MODELS_FILE): Map<number, ModelDef> {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { models: ModelDef[] };
  return new Map(doc.models.map((m) => [m.id, m]));
}

/** Where SunSpec devices put their "SunS" marker (0-based register addresses). */
export const SUNSPEC_BASES = [40000, 0, 50000];
const SUNS = [0x5375, 0x6e53];

export interface DecodedPoint {
  value: number | string | null;
  units: string | null;
}

export interface DecodedModel {
  id: number;
  name: string | null;
  address: number;
  length: number;
  points: Record<string, DecodedPoint> | null;
  modules?: Array<Record<string, DecodedPoint>>;
}

/** Decodes one block of words, applying its scale factors; not-implemented values are null. */
export function decodeBlock(points: PointDef[], words: number[]): Record<string, DecodedPoint> {
  const raw: Record<string, number | string | null> = {};
  let off = 0;
  for (const p of points) {
    const n = TYPE_SIZE[p.type];
    raw[p.name] = decodeWords(p.type, words.slice(off, off + n));
    off += n;
  }
  return scaled(points, raw, {});
}

function scaled(
  points: PointDef[],
  raw: Record<string, number | string | null>,
  outerSf: Record<string, number | string | null>,
): Record<string, DecodedPoint> {
  const out: Record<string, DecodedPoint> = {};
  for (const p of points) {
    if (p.type === 'sunssf' || p.type === 'pad') continue;
    let v = raw[p.name] ?? null;
    if (typeof v === 'number' && p.sf) {
      const sf = raw[p.sf] ?? outerSf[p.sf];
      v = typeof sf === 'number' ? applyScale(v, sf) : null; // no scale factor, no honest value
    }
    out[p.name] = { value: v, units: p.units ?? null };
  }
  return out;
}

/**
 * Finds the SunS marker, walks the model chain to its 0xFFFF end, and
 * decodes every model it knows; unknown models are listed without points.
 */
export async function scanSunSpec(reader: RegisterReader, models = loadSunSpecModels()): Promise<{ base: number; models: DecodedModel[] }> {
  let base = -1;
  for (const b of SUNSPEC_BASES) {
    try {
      const w = await reader.readHolding(b, 2);
      if (w[0] === SUNS[0] && w[1] === SUNS[1]) {
        base = b;
        break;
      }
    } catch (e) {
      if (e instanceof DriverError && !e.retryable) continue; // illegal address: try the next base
      throw e;
    }
  }
  if (base < 0) throw new DriverError('no SunSpec marker at 40000, 0 or 50000', false, 'sunspec-not-found');
  const out: DecodedModel[] = [];
  let addr = base + 2;
  for (let guard = 0; guard < 64; guard++) {
    const [id, length] = await reader.readHolding(addr, 2);
    if (id === 0xffff) break;
    if (id === undefined || length === undefined) throw new DriverError(`a short read of the SunSpec model header at ${addr}`, true, 'modbus-error');
    const def = models.get(id);
    const block = length > 0 ? await reader.readHolding(addr + 2, length) : [];
    const m: DecodedModel = { id, name: def?.name ?? null, address: addr, length, points: null };
    if (def) {
      const fixed = block.slice(0, def.length);
      m.points = decodeBlock(def.points, fixed);
      if (def.repeating && def.repeatLength) {
        const fixedRaw: Record<string, number | string | null> = {};
        let off = 0;
        for (const p of def.points) {
          fixedRaw[p.name] = decodeWords(p.type, fixed.slice(off, off + TYPE_SIZE[p.type]));
          off += TYPE_SIZE[p.type];
        }
        m.modules = [];
        for (let o = def.length; o + def.repeatLength <= block.length; o += def.repeatLength) {
          const w = block.slice(o, o + def.repeatLength);
          const raw: Record<string, number | string | null> = {};
          let k = 0;
          for (const p of def.repeating) {
            raw[p.name] = decodeWords(p.type, w.slice(k, k + TYPE_SIZE[p.type]));
            k += TYPE_SIZE[p.type];
          }
          m.modules.push(scaled(def.repeating, raw, fixedRaw));
        }
      }
    }
    out.push(m);
    addr += 2 + length;
  }
  return { base, models: out };
}
