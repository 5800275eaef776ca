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

let order = 0;
/**
 * A key part that sorts in the order it was made, for records keyed by time:
 * two made in the same millisecond (or under a clock that has not moved)
 * keep the order they happened in, where a random id would shuffle them.
 */
export function inOrder(id: string): string {
  return `${(order++).toString(36).padStart(8, '0')}${id}`;
}
