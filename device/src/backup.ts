import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Core } from './core.js';
import { HubError } from './errors.js';
import { generateIdentity, identityFromPem, type HubIdentity } from './identity.js';
import { VERSION } from './version.js';

/**
 * The hub's identity key, its backup and its restore. The key travels with
 * the data it signs: a backup holds both, so a restored hub is the same hub
 * to its neighbours.
 */
export const KEY_FILE = 'hub.key';
const STAGED = 'restore-staged.lmdb';

/** The key from the data folder, or from the card (--key), or a new one saved beside the data. */
export function loadOrCreateIdentity(dataDir: string, keyFile?: string | null): HubIdentity {
  const own = join(dataDir, KEY_FILE);
  for (const f of [keyFile, own]) if (f && existsSync(f)) return identityFromPem(readFileSync(f, 'utf8'));
  const id = generateIdentity();
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(own, id.privateKeyPem, { mode: 0o600 });
  return id;
}

export function storage(dataDir: string): { freeBytes: number; totalBytes: number } {
  const s = statfsSync(dataDir);
  return { freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize };
}

export interface BackupDocument {
  format: 'hyphae-backup';
  formatVersion: 1;
  hubVersion: string;
  createdAt: string;
  hubId: string;
  privateKeyPem: string;
  config: unknown;
  /** A consistent LMDB snapshot of the whole store, base64. */
  lmdb: string;
}

export async function makeBackup(core: Core, dataDir: string, identity: HubIdentity): Promise<BackupDocument> {
  await core.telemetry.flush();
  const tmp = join(dataDir, `backup-${process.pid}-${Date.now()}.lmdb`);
  try {
    await core.store.root.backup(tmp, true);
    return {
      format: 'hyphae-backup',
      formatVersion: 1,
      hubVersion: VERSION,
      createdAt: new Date(core.clock.now()).toISOString(),
      hubId: identity.hubId,
      privateKeyPem: identity.privateKeyPem,
      config: core.config,
      lmdb: readFileSync(tmp).toString('base64'),
    };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Stages a backup on a blank hub: the snapshot and key are written beside
 * the data, and take its place the next time the hub starts (it restarts
 * itself, or systemd does).
 */
export function stageRestore(core: Core, dataDir: string, doc: BackupDocument): void {
  if (doc?.format !== 'hyphae-backup' || typeof doc.lmdb !== 'string' || typeof doc.privateKeyPem !== 'string')
    throw HubError.badRequest('not a Hyphae backup');
  const transfers = [...core.ledger.storedTransfers()].length;
  if (core.members.count() > 1 || transfers > 0) throw HubError.conflict('this hub is not blank: restore only onto a fresh data folder');
  identityFromPem(doc.privateKeyPem); // refuse a broken key before touching anything
  writeFileSync(join(dataDir, `${STAGED}.tmp`), Buffer.from(doc.lmdb, 'base64'));
  renameSync(join(dataDir, `${STAGED}.tmp`), join(dataDir, STAGED));
  writeFileSync(join(dataDir, `${KEY_FILE}.restored`), doc.privateKeyPem, { mode: 0o600 });
}

/** At start, before the store opens: put a staged restore in place. */
export function applyStagedRestore(dataDir: string): boolean {
  const staged = join(dataDir, STAGED);
  if (!existsSync(staged)) return false;
  for (const f of ['hub.lmdb', 'hub.lmdb-lock']) rmSync(join(dataDir, f), { force: true });
  renameSync(staged, join(dataDir, 'hub.lmdb'));
  if (existsSync(join(dataDir, `${KEY_FILE}.restored`))) {
    renameSync(join(dataDir, `${KEY_FILE}.restored`), join(dataDir, KEY_FILE));
    chmodSync(join(dataDir, KEY_FILE), 0o600);
  }
  return true;
}
