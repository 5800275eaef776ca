import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * A hub's identity: an Ed25519 key pair. The hub id is derived from the
 * public key, so anyone holding the key can check the id, and nobody can
 * claim an id without the private key.
 */
export interface HubIdentity {
  hubId: string;
  publicKey: string;
  privateKeyPem: string;
}

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

export function rawPublicKey(key: KeyObject): Buffer {
  // The last 32 bytes of the SPKI DER are the raw Ed25519 key.
  return key.export({ format: 'der', type: 'spki' }).subarray(-32);
}

/** "h" + the first 80 bits of sha256(public key), in lowercase base32. */
export function hubIdFromPublicKey(raw: Buffer): string {
  const h = createHash('sha256').update(raw).digest();
  let bits = 0;
  let value = 0;
  let out = 'h';
  for (const byte of h.subarray(0, 10)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += B32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

export function generateIdentity(): HubIdentity {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const raw = rawPublicKey(publicKey);
  return {
    hubId: hubIdFromPublicKey(raw),
    publicKey: raw.toString('base64url'),
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  };
}

export function identityFromPem(pem: string): HubIdentity {
  const priv = createPrivateKey(pem);
  const raw = rawPublicKey(createPublicKey(priv));
  return { hubId: hubIdFromPublicKey(raw), publicKey: raw.toString('base64url'), privateKeyPem: pem };
}
