import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { canonicalJson, sha256Hex } from '../canonical-json.js';
import { randomId } from '../ids.js';

/**
 * Messages between hubs: canonical JSON, signed with the sender's Ed25519
 * key, numbered per link and carrying the hash of the previous message on
 * that link, so each direction of a link is a hash chain both ends can check.
 */
export interface Envelope {
  v: 1;
  id: string;
  from: string;
  to: string;
  seq: number;
  ts: number;
  prev: string;
  type: string;
  body: Record<string, unknown>;
  sig: string;
}

export const GENESIS = '0'.repeat(64);

export function body(e: Omit<Envelope, 'sig'> | Envelope): string {
  const { sig: _sig, ...rest } = e as Envelope;
  return canonicalJson(rest);
}

export function envelopeHash(e: Envelope): string {
  return sha256Hex(body(e) + e.sig);
}

export function seal(fields: Omit<Envelope, 'v' | 'id' | 'sig'>, privateKeyPem: string): Envelope {
  const unsigned = { v: 1 as const, id: randomId('env_'), ...fields };
  const sig = sign(null, Buffer.from(body(unsigned)), createPrivateKey(privateKeyPem)).toString('base64url');
  return { ...unsigned, sig };
}

/** The raw 32-byte Ed25519 public key (base64url) as a key object. */
export function publicKeyFromRaw(raw: string) {
  const prefix = Buffer.from('302a300506032b6570032100', 'hex'); // SPKI header for Ed25519
  return createPublicKey({ key: Buffer.concat([prefix, Buffer.from(raw, 'base64url')]), format: 'der', type: 'spki' });
}

export function signatureValid(e: Envelope, publicKeyRaw: string): boolean {
  try {
    return verify(null, Buffer.from(body(e)), publicKeyFromRaw(publicKeyRaw), Buffer.from(e.sig, 'base64url'));
  } catch {
    return false;
  }
}
