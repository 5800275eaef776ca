import { createPrivateKey } from 'node:crypto';
import { entropyToMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { HubError } from './errors.js';
import { identityFromPem, type HubIdentity } from './identity.js';

/**
 * The hub key's recovery phrase: the 32-byte Ed25519 seed written as the 24
 * BIP39 words a steward can copy onto paper (the last word carries an 8-bit
 * checksum, so a wrong word or two swapped are caught, all but one time in
 * 256, rather than giving another key).
 * With it a new card proves to linked hubs that it is this hub, and fetches
 * the sealed backups they keep for it; the backup passphrase then opens them.
 * The phrase is the key itself: whoever holds it can speak as the hub.
 */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function recoveryPhrase(privateKeyPem: string): string {
  const der = createPrivateKey(privateKeyPem).export({ format: 'der', type: 'pkcs8' });
  if (der.length !== 48 || !der.subarray(0, 16).equals(PKCS8_ED25519_PREFIX)) throw new Error('not an Ed25519 hub key');
  return entropyToMnemonic(new Uint8Array(der.subarray(16)), wordlist);
}

export function identityFromPhrase(phrase: string): HubIdentity {
  const words = phrase.trim().toLowerCase().split(/\s+/);
  if (words.length !== 24) throw HubError.badRequest(`a recovery phrase has 24 words; this has ${words.length}`);
  const unknown = words.filter((w) => !wordlist.includes(w));
  if (unknown.length > 0) throw HubError.badRequest(`not words of a recovery phrase: ${unknown.join(', ')}`);
  let seed: Uint8Array;
  try {
    seed = mnemonicToEntropy(words.join(' '), wordlist);
  } catch {
    throw HubError.badRequest('the recovery phrase does not check out: a word is wrong or two are swapped');
  }
  return identityFromSeed(seed);
}

/** The hub identity whose Ed25519 key has this 32-byte seed. */
export function identityFromSeed(seed: Uint8Array): HubIdentity {
  const der = Buffer.concat([PKCS8_ED25519_PREFIX, Buffer.from(seed)]);
  const pem = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'pem', type: 'pkcs8' }).toString();
  return identityFromPem(pem);
}
