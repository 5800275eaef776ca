import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { HubError } from './errors.js';

/**
 * Canonical JSON: object keys sorted, no whitespace, integers only where the
 * ledger is concerned. The same value always gives the same bytes, so hashes
 * chain reliably and signatures verify on another machine.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') {
    // LMDB stores a lone surrogate as U+FFFD: hashed as it came, it would never verify again.
    if (!value.isWellFormed()) throw HubError.badRequest('text that is not well-formed Unicode cannot be recorded');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw HubError.badRequest('a number too large to record (canonical JSON has no NaN or Infinity)');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort();
    return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot encode ${typeof value}`);
}

const oneShot = (crypto as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

export function sha256Hex(text: string): string {
  // crypto.hash (Node ≥ 20.12) is the one-shot form: half the cost of a Hash object, and it runs once per payment.
  return oneShot ? oneShot('sha256', text, 'hex') : createHash('sha256').update(text).digest('hex');
}
