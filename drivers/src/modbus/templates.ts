import { DEFINITIONS_DIR } from '../lorawan/definitions.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RegisterReader } from './client.js';
import { applyScale, decodeWords, TYPE_SIZE, type RegisterType, type WordOrder } from './registers.js';

/**
 * Register maps for devices that do not speak SunSpec (water meters, most
 * cheap energy meters), as data: one file per vendor, a comment on every
 * register.
 */
export interface TemplateRegister {
  name: string;
  /** As printed in the vendor's manual. */
  address: number;
  /** Whether the manual counts registers from 0 or from 1. */
  base: 0 | 1;
  function: 'holding' | 'input';
  type: RegisterType;
  wordOrder?: WordOrder;
  /** Multiply by this… */
  scale?: number;
  /** …or by 10^(value of this register), SunSpec style. */
  scaleRegister?: string;
  unit: string | null;
  meaning: string;
  /** A counter that wraps at this value (e.g. 2^32); consumers difference it modulo. */
  rollover?: number;
}

export interface Template {
  id: string;
  vendor: string;
  model: string;
  description: string;
  registers: TemplateRegister[];
}

export const TEMPLATES_DIR = join(DEFINITIONS_DIR, 'modbus', 'templates');

export function loadTemplates(dir = TEMPLATES_DIR): Map<string, Template> {
  const out = new Map<string, Template>();
  for (const f of readdirSync(dir)
    .filter((x) => x.endsWith('.json'))
    .sort()) {
    const t = JSON.parse(readFileSync(join(dir, f), 'utf8')) as Template;
    out.set(t.id, t);
  }
  return out;
}

/** Reads every register of a template; a not-implemented value comes back as null. */
export async function readTemplate(t: Template, reader: RegisterReader): Promise<Record<string, { value: number | null; unit: string | null }>> {
  const raw: Record<string, number | null> = {};
  for (const r of t.registers) {
    const addr = r.address - r.base;
    const n = TYPE_SIZE[r.type];
    const words = r.function === 'holding' ? await reader.readHolding(addr, n) : await reader.readInput(addr, n);
    const v = decodeWords(r.type, words, r.wordOrder ?? 'big');
    raw[r.name] = typeof v === 'number' ? v : null;
  }
  const out: Record<string, { value: number | null; unit: string | null }> = {};
  for (const r of t.registers) {
    let v = raw[r.name] ?? null;
    if (v !== null && r.scale !== undefined) v = Number((v * r.scale).toPrecision(12));
    if (v !== null && r.scaleRegister) {
      const sf = raw[r.scaleRegister];
      v = typeof sf === 'number' ? applyScale(v, sf) : null;
    }
    if (r.type !== 'sunssf') out[r.name] = { value: v, unit: r.unit };
  }
  return out;
}

/** Growth of a counter between two reads, across one rollover. */
export function counterDelta(prev: number, next: number, rollover: number): number {
  return next >= prev ? next - prev : next + rollover - prev;
}
