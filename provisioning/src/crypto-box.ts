import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { ProvisionError } from './hub-files.js';

/**
 * Passphrase encryption for backups: scrypt to derive the key, AES-256-GCM
 * to encrypt and authenticate, so a wrong passphrase or a damaged file is
 * refused rather than restored.
 */
const N = 2 ** 15;

export function seal(plain: Buffer, passphrase: string): string {
  if (passphrase.length < 8) throw new ProvisionError('the backup passphrase must have at least 8 characters');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase, salt, 32, { N, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  const c = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([c.update(plain), c.final()]);
  return JSON.stringify({ format: 'hyphae-encrypted-backup', kdf: { name: 'scrypt', N, r: 8, p: 1, salt: salt.toString('base64') }, cipher: 'aes-256-gcm', iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), data: data.toString('base64') });
}

export function open(sealed: string, passphrase: string): Buffer {
  let doc: { format?: string; kdf: { N: number; r: number; p: number; salt: string }; iv: string; tag: string; data: string };
  try {
    doc = JSON.parse(sealed);
  } catch {
    throw new ProvisionError('not a Hyphae backup file');
  }
  if (doc.format !== 'hyphae-encrypted-backup') throw new ProvisionError('not a Hyphae backup file');
  const key = scryptSync(passphrase, Buffer.from(doc.kdf.salt, 'base64'), 32, { N: doc.kdf.N, r: doc.kdf.r, p: doc.kdf.p, maxmem: 64 * 1024 * 1024 });
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(doc.iv, 'base64'));
  d.setAuthTag(Buffer.from(doc.tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(doc.data, 'base64')), d.final()]);
  } catch {
    throw new ProvisionError('wrong passphrase, or the backup file is damaged');
  }
}
