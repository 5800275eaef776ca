import { createHash } from 'node:crypto';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { DAY_MS, type Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { KEEP_BACKUPS } from './nightly.js';
import { refuse } from './contract.js';

/**
 * The sealed backups this hub keeps for its linked hubs. Each arrives in
 * chunks (an upload resumes at the offset the keeper already has), is
 * checked against the hash its owner declared, and is kept under the
 * owner's hub id; the newest seven per hub stay. Only the owner may list or
 * read its own (the routes check the owner's signature), and what is kept is
 * sealed with a passphrase this hub never sees.
 *
 *   <dir>/<hubId>/<file>              a complete backup
 *   <dir>/<hubId>/<file>.json         its size, hash and when it was kept
 *   <dir>/<hubId>/<file>.part(.json)  an upload under way
 */
export const BACKUP_FILE = /^[A-Za-z0-9._-]{1,160}\.backup\.json$/;
/** An upload left unfinished this long is dropped. */
const STALE_PART_MS = 2 * DAY_MS;

const Meta = z.object({ bytes: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/), at: z.number() });
const PartMeta = z.object({ total: z.number().int().positive(), sha256: z.string().regex(/^[0-9a-f]{64}$/), startedAt: z.number() });
export type KeptBackup = z.infer<typeof Meta> & { file: string };

export interface Upload {
  offset: number;
  total: number;
  sha256: string;
}

export class PeerBackupKeeper {
  constructor(
    private readonly d: {
      dir: string;
      clock: Clock;
      log: Logger;
      /** Largest sealed backup accepted from one hub. */
      maxBytes: number;
      /** Asked before anything is written: a nearly full disk refuses others' backups first. */
      refuseIfLow?: () => void;
    },
  ) {}

  private hubDir(hubId: string): string {
    if (!/^[a-z0-9]{1,100}$/.test(hubId)) throw HubError.badRequest('not a hub id');
    return join(this.d.dir, hubId);
  }

  private static checkName(file: string): void {
    if (!BACKUP_FILE.test(file)) throw HubError.badRequest('a backup file is named like hyphae-<hub>-<time>.backup.json');
  }

  /** How much of an upload is here: what to resume from. */
  progress(hubId: string, file: string): { received: number; complete: boolean } {
    PeerBackupKeeper.checkName(file);
    const dir = this.hubDir(hubId);
    if (existsSync(join(dir, `${file}.json`))) return { received: statSync(join(dir, file)).size, complete: true };
    const part = join(dir, `${file}.part`);
    return { received: existsSync(part) ? statSync(part).size : 0, complete: false };
  }

  /** Appends one chunk at its offset. A chunk already here is acknowledged again; a gap is refused. */
  put(hubId: string, file: string, up: Upload, chunk: Buffer): { received: number; complete: boolean } {
    PeerBackupKeeper.checkName(file);
    if (up.total > this.d.maxBytes) throw refuse('backup-too-large', `this hub keeps sealed backups of up to ${this.d.maxBytes} bytes`);
    if (up.offset + chunk.length > up.total) throw HubError.badRequest('the chunk runs past the declared size');
    const dir = this.hubDir(hubId);
    const done = this.progress(hubId, file);
    if (done.complete) return done;
    this.d.refuseIfLow?.();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const part = join(dir, `${file}.part`);
    const partMeta = join(dir, `${file}.part.json`);
    const meta = this.readPartMeta(partMeta);
    // The same name with other contents (a backup sealed again): start over.
    if (!meta || meta.total !== up.total || meta.sha256 !== up.sha256) {
      rmSync(part, { force: true });
      writeFileSync(partMeta, JSON.stringify({ total: up.total, sha256: up.sha256, startedAt: this.d.clock.now() }), { mode: 0o600 });
    }
    const received = existsSync(part) ? statSync(part).size : 0;
    if (up.offset > received) throw refuse('upload-out-of-step', `this hub has ${received} bytes of ${file}; send from there`, { received });
    const fresh = chunk.subarray(received - up.offset);
    if (fresh.length > 0) appendFileSync(part, fresh, { mode: 0o600 });
    const now = received + fresh.length;
    if (now < up.total) return { received: now, complete: false };
    const sha = createHash('sha256').update(readFileSync(part)).digest('hex');
    if (sha !== up.sha256) {
      rmSync(part, { force: true });
      rmSync(partMeta, { force: true });
      throw HubError.badRequest('the backup does not match its declared hash; send it again');
    }
    renameSync(part, join(dir, file));
    writeFileSync(join(dir, `${file}.json`), JSON.stringify({ bytes: up.total, sha256: sha, at: this.d.clock.now() }), { mode: 0o600 });
    rmSync(partMeta, { force: true });
    this.prune(hubId);
    this.d.log.info({ module: 'backups', owner: hubId, file, bytes: up.total }, "kept a linked hub's sealed backup");
    return { received: up.total, complete: true };
  }

  private readPartMeta(path: string): z.infer<typeof PartMeta> | null {
    try {
      const p = PartMeta.safeParse(JSON.parse(readFileSync(path, 'utf8')));
      return p.success ? p.data : null;
    } catch {
      return null;
    }
  }

  /** One hub's complete backups here, newest first. */
  list(hubId: string): KeptBackup[] {
    const dir = this.hubDir(hubId);
    if (!existsSync(dir)) return [];
    const out: KeptBackup[] = [];
    for (const f of readdirSync(dir)) {
      if (!f.endsWith('.backup.json.json')) continue;
      try {
        const m = Meta.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
        if (m.success) out.push({ file: f.slice(0, -'.json'.length), ...m.data });
      } catch {
        // a damaged record: the file is not offered
      }
    }
    return out.sort((a, b) => b.file.localeCompare(a.file));
  }

  /** Up to `max` bytes of one of the hub's own backups, from an offset (a download resumes). */
  read(hubId: string, file: string, offset: number, max: number): { bytes: Buffer; total: number; sha256: string } {
    PeerBackupKeeper.checkName(file);
    const kept = found(
      this.list(hubId).find((k) => k.file === file),
      `backup ${file}`,
    );
    if (offset > kept.bytes) throw HubError.badRequest(`the backup has ${kept.bytes} bytes`);
    const fd = openSync(join(this.hubDir(hubId), file), 'r');
    try {
      const buf = Buffer.alloc(Math.min(max, kept.bytes - offset));
      const n = readSync(fd, buf, 0, buf.length, offset);
      return { bytes: buf.subarray(0, n), total: kept.bytes, sha256: kept.sha256 };
    } finally {
      closeSync(fd);
    }
  }

  /** What is kept per hub, for the stewards' page. */
  held(): Array<{ hubId: string; count: number; bytes: number; newestAt: number | null }> {
    if (!existsSync(this.d.dir)) return [];
    return readdirSync(this.d.dir)
      .filter((h) => /^[a-z0-9]{1,100}$/.test(h))
      .map((hubId) => {
        const kept = this.list(hubId);
        return {
          hubId,
          count: kept.length,
          bytes: kept.reduce((s, k) => s + k.bytes, 0),
          newestAt: kept.length > 0 ? Math.max(...kept.map((k) => k.at)) : null,
        };
      });
  }

  /** The newest seven per hub stay; uploads left unfinished for two days go. */
  prune(hubId?: string): void {
    const hubs = hubId ? [hubId] : existsSync(this.d.dir) ? readdirSync(this.d.dir).filter((h) => /^[a-z0-9]{1,100}$/.test(h)) : [];
    for (const h of hubs) {
      const dir = this.hubDir(h);
      for (const old of this.list(h).slice(KEEP_BACKUPS)) {
        rmSync(join(dir, old.file), { force: true });
        rmSync(join(dir, `${old.file}.json`), { force: true });
      }
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((x) => x.endsWith('.part.json'))) {
        const meta = this.readPartMeta(join(dir, f));
        if (meta && this.d.clock.now() - meta.startedAt < STALE_PART_MS) continue;
        rmSync(join(dir, f), { force: true });
        rmSync(join(dir, f.slice(0, -'.json'.length)), { force: true });
      }
    }
  }
}
