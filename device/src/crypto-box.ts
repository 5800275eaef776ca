import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { HubError } from './errors.js';

/**
 * Passphrase encryption for backups, the one format the hub's API and the
 * installers' tool share: scrypt derives the key, AES-256-GCM encrypts and
 * authenticates, so a wrong passphrase or a damaged file is refused rather
 * than restored. A backup carries the hub's private key: it never leaves the
 * hub except sealed like this.
 */
const N = 2 ** 15;
export const SEALED_FORMAT = 'hyphae-encrypted-backup';
export const MIN_PASSPHRASE_LENGTH = 8;

export interface SealedBackup {
  format: typeof SEALED_FORMAT;
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  cipher: 'aes-256-gcm';
  iv: string;
  tag: string;
  data: string;
  /** Said in the clear, so a file can be recognised without its passphrase. */
  hubId?: string;
  createdAt?: string;
}

export function sealBackup(plain: Buffer, passphrase: string, about: { hubId?: string; createdAt?: string } = {}): SealedBackup {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw HubError.badRequest(`the backup passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase, salt, 32, { N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  return {
    format: SEALED_FORMAT,
    kdf: { name: 'scrypt', N, r: 8, p: 1, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    data: data.toString('base64'),
    ...about,
  };
}

export function isSealedBackup(doc: unknown): doc is SealedBackup {
  return typeof doc === 'object' && doc !== null && (doc as { format?: unknown }).format === SEALED_FORMAT;
}

export function openBackup(sealed: string | SealedBackup, passphrase: string): Buffer {
  let doc: SealedBackup;
  try {
    doc = typeof sealed === 'string' ? (JSON.parse(sealed) as SealedBackup) : sealed;
  } catch {
    throw HubError.badRequest('not a Hyphae backup file');
  }
  if (!isSealedBackup(doc)) throw HubError.badRequest('not a Hyphae backup file');
  const key = scryptSync(passphrase, Buffer.from(doc.kdf.salt, 'base64'), 32, { N: doc.kdf.N, r: doc.kdf.r, p: doc.kdf.p, maxmem: 64 * 1024 * 1024 });
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(doc.iv, 'base64'));
  d.setAuthTag(Buffer.from(doc.tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(doc.data, 'base64')), d.final()]);
  } catch {
    throw HubError.badRequest('wrong passphrase, or the backup file is damaged');
  }
}
