import { randomBytes } from 'node:crypto';

/** Short random identifiers with a prefix that says what they name (m_ member, t_ transfer ...). */
export function randomId(prefix: string, bytes = 9): string {
  return prefix + randomBytes(bytes).toString('base64url');
}

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
