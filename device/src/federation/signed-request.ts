import { createHash, randomBytes, sign, verify, createPrivateKey } from 'node:crypto';
import type { HubIdentity } from '../identity.js';
import { publicKeyFromRaw } from './envelope.js';

/**
 * Requests one hub makes of another outside the message chain (the sealed
 * backups a linked hub keeps): signed with the sender's Ed25519 key over the
 * method, the path with its query, a nonce and the body's hash.
 *
 * The nonce is one the receiving hub handed out and takes back at first use,
 * so a request overheard on the mesh cannot be played again, and no clock is
 * involved: a hub that booted without a trusted time still checks them. Each
 * answer to a signed request carries the next nonce, so a long upload costs
 * one extra round trip, not one per chunk.
 */
export const SIGNED = {
  hub: 'x-hyphae-hub',
  nonce: 'x-hyphae-nonce',
  signature: 'x-hyphae-signature',
  nextNonce: 'x-hyphae-next-nonce',
} as const;

const EMPTY_SHA256 = createHash('sha256').digest('hex');

export function signingText(method: string, pathAndQuery: string, nonce: string, bodySha256: string): string {
  return `hyphae-request-v1\n${method.toUpperCase()}\n${pathAndQuery}\n${nonce}\n${bodySha256}`;
}

export function sha256Of(body: Uint8Array | undefined): string {
  return body && body.length > 0 ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
}

/** The headers that make a request the hub's own. */
export function signRequest(identity: HubIdentity, method: string, pathAndQuery: string, nonce: string, body?: Uint8Array): Record<string, string> {
  const sig = sign(null, Buffer.from(signingText(method, pathAndQuery, nonce, sha256Of(body))), createPrivateKey(identity.privateKeyPem));
  return { [SIGNED.hub]: identity.hubId, [SIGNED.nonce]: nonce, [SIGNED.signature]: sig.toString('base64url') };
}

export function signatureHolds(publicKeyRaw: string, method: string, pathAndQuery: string, nonce: string, bodySha256: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(signingText(method, pathAndQuery, nonce, bodySha256)), publicKeyFromRaw(publicKeyRaw), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * Nonces this hub handed out, each good once and for two minutes (on the
 * monotonic clock). Bounded: a flood of asks pushes out the oldest, and the
 * hub that loses one simply asks again.
 */
export class Nonces {
  private readonly issued = new Map<string, number>();

  constructor(
    private readonly ttlMs = 120_000,
    private readonly max = 1_000,
    private readonly monotonic: () => number = () => performance.now(),
  ) {}

  issue(): string {
    const now = this.monotonic();
    for (const [n, at] of this.issued) {
      if (now - at <= this.ttlMs && this.issued.size < this.max) break;
      this.issued.delete(n);
    }
    const nonce = randomBytes(18).toString('base64url');
    this.issued.set(nonce, now);
    return nonce;
  }

  /** True once for a nonce this hub issued and that has not expired. */
  take(nonce: string): boolean {
    const at = this.issued.get(nonce);
    if (at === undefined) return false;
    this.issued.delete(nonce);
    return this.monotonic() - at <= this.ttlMs;
  }
}
