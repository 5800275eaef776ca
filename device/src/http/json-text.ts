import { HubError } from '../errors.js';

/**
 * What the hub takes as JSON from outside, checked once at the boundary so
 * that nothing the journal hashes or a peer signs can differ from what LMDB
 * stores:
 * - text must be well-formed Unicode: a lone UTF-16 surrogate ("\ud800") is
 *   stored as U+FFFD, so a hash of the original would never match again and
 *   `ledger verify` would report tampering for good;
 * - numbers must be finite (`1e400` parses as Infinity);
 * - nesting is bounded, so a body of thousands of brackets is a 400 and
 *   never a stack overflow;
 * - text is normalised to NFC (the same name typed on two phones is the
 *   same bytes), and the bidirectional controls that can show "evil" as
 *   "live" are removed. Passwords are left exactly as typed.
 */
export const MAX_JSON_DEPTH = 64;

/** Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export interface CleanOptions {
  /** NFC and bidi stripping; off where the text is signed by someone else (a peer hub's envelopes). */
  normalise: boolean;
}

export function cleanJsonText(text: string, opts: CleanOptions = { normalise: true }): string {
  // No body at all (a POST that carries none but names JSON): left for the route, which may need none.
  if (text.trim() === '') return text;
  checkDepth(text);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw HubError.badRequest(`the body is not valid JSON: ${(e as Error).message}`);
  }
  const state = { changed: false };
  const cleaned = clean(value, '', opts, state, false);
  return state.changed ? JSON.stringify(cleaned) : text;
}

function refuse(path: string, message: string): never {
  throw HubError.validation(`${path || 'body'}: ${message}`, [{ path, message }]);
}

function clean(v: unknown, path: string, opts: CleanOptions, state: { changed: boolean }, secret: boolean): unknown {
  if (typeof v === 'string') return cleanText(v, path, opts, state, secret);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) refuse(path, 'the number is too large');
    return v;
  }
  if (Array.isArray(v)) return v.map((x, i) => clean(x, path ? `${path}.${i}` : String(i), opts, state, secret));
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const key = cleanText(k, path, opts, state, false);
      out[key] = clean(x, path ? `${path}.${key}` : key, opts, state, secret || /password|passphrase/i.test(key));
    }
    return out;
  }
  return v;
}

function cleanText(s: string, path: string, opts: CleanOptions, state: { changed: boolean }, secret: boolean): string {
  if (!s.isWellFormed()) refuse(path, 'the text is not well-formed Unicode (it has a lone surrogate)');
  if (!opts.normalise || secret) return s;
  const out = s.normalize('NFC').replace(BIDI_CONTROLS, '');
  if (out !== s) state.changed = true;
  return out;
}

/** Counts brackets outside strings, without parsing: JSON.parse of deep nesting can overflow the stack. */
function checkDepth(text: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) throw HubError.badRequest(`the body nests deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 125 || c === 93) depth--;
  }
}
