import { randomBytes } from 'node:crypto';

// Ids are drawn from a pooled block of random bytes: one randomBytes call per
// few hundred ids instead of one per id (it showed in every request's profile,
// since each request gets an id). Secrets below still get their own call.
let pool = Buffer.alloc(0);
let offset = 0;

function pooled(bytes: number): Buffer {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + bytes);
  offset += bytes;
  return out;
}

/** Short random identifiers with a prefix that says what they name (m_ member, t_ transfer ...). */
export function randomId(prefix: string, bytes = 9): string {
  return prefix + pooled(bytes).toString('base64url');
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
