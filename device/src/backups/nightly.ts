import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { folderOnFirstUse } from '../folder.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { BackupDocument } from '../backup.js';
import { DAY_MS, type Clock } from '../clock.js';
import { MIN_PASSPHRASE_LENGTH, sealBackup } from '../crypto-box.js';
import { HubError } from '../errors.js';
import type { PeerBackupPush, PeerPushStatus } from './peer-push.js';
import { refuse } from './contract.js';

/**
 * Backups that no one has to remember. Every night (once the clock is
 * trusted) the hub seals a whole backup, in the format `hyphae-provision
 * backup` writes, with the passphrase an admin chose once, and keeps the last
 * seven in its data folder. On the card, a USB stick labelled HYPHAE-BACKUP
 * gets the newest ones copied to it by a root helper, which writes
 * usb-status.json here; the stewards' page shows the last backup per
 * destination, and an overdue one becomes a notification.
 *
 * The passphrase sits on the hub (0600, its user only): what it protects is
 * every copy that leaves the hub, a stick that is lost or a file a laptop
 * keeps.
 */
export const KEEP_BACKUPS = 7;
export const OVERDUE_MS = 2 * DAY_MS;

export interface BackupFile {
  file: string;
  at: number;
  bytes: number;
}

const UsbStatus = z.object({ at: z.number(), file: z.string(), device: z.string().default(''), copies: z.number().int().default(1) });

export interface BackupStatus {
  passphraseSet: boolean;
  keep: number;
  local: BackupFile | null;
  usb: z.infer<typeof UsbStatus> | null;
  files: BackupFile[];
  overdue: boolean;
  lastError: string | null;
  /** Each linked hub that keeps our backups: the last one it confirmed, and whether that is overdue. */
  peers: Array<PeerPushStatus & { overdue: boolean }>;
  /** What this hub keeps for its linked hubs (sealed; only each owner can read its own). */
  kept: Array<{ hubId: string; name: string; count: number; bytes: number; newestAt: number | null }>;
}

export class NightlyBackups {
  private lastError: string | null = null;

  constructor(
    private readonly d: {
      /** dataDir/backups */
      dir: string;
      make: () => Promise<BackupDocument>;
      clock: Clock;
      log: Logger;
      /** When the hub started: a new hub is not overdue before its first night. */
      since: number;
      /** Sends the newest backup to the linked hubs that keep ours. */
      peers?: PeerBackupPush;
      /** What this hub keeps for its linked hubs. */
      kept?: () => BackupStatus['kept'];
    },
  ) {
    this.dir = folderOnFirstUse(d.dir, 0o700);
  }

  /** dataDir's folder for these files, made on first use. */
  private readonly dir: () => string;

  private get passphraseFile(): string {
    return join(this.dir(), 'passphrase');
  }

  get passphraseSet(): boolean {
    return existsSync(this.passphraseFile);
  }

  setPassphrase(passphrase: string): void {
    if (passphrase.length < MIN_PASSPHRASE_LENGTH) throw HubError.badRequest(`the backup passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
    writeFileSync(`${this.passphraseFile}.tmp`, passphrase, { mode: 0o600 });
    renameSync(`${this.passphraseFile}.tmp`, this.passphraseFile);
  }

  /** Seals a backup now and keeps the newest seven. */
  async run(): Promise<BackupFile> {
    if (!this.passphraseSet) {
      this.lastError = 'no backup passphrase has been chosen';
      throw refuse('no-backup-passphrase', "an admin chooses the passphrase nightly backups are sealed with, once, on the stewards' page");
    }
    try {
      const doc = await this.d.make();
      const sealed = sealBackup(Buffer.from(JSON.stringify(doc)), readFileSync(this.passphraseFile, 'utf8'), { hubId: doc.hubId, createdAt: doc.createdAt });
      const stamp = new Date(this.d.clock.now()).toISOString().replace(/[:.]/g, '-');
      const file = `hyphae-${doc.hubId}-${stamp}.backup.json`;
      const path = join(this.dir(), file);
      writeFileSync(`${path}.tmp`, JSON.stringify(sealed), { mode: 0o600 });
      renameSync(`${path}.tmp`, path);
      for (const old of this.files().slice(KEEP_BACKUPS)) rmSync(join(this.dir(), old.file), { force: true });
      this.lastError = null;
      const made = { file, at: this.d.clock.now(), bytes: statSync(path).size };
      this.d.log.info({ module: 'backups', ...made }, 'nightly backup sealed');
      return made;
    } catch (e) {
      this.lastError = (e as Error).message;
      throw e;
    }
  }

  /** Sealed backups in the data folder, newest first. */
  files(): BackupFile[] {
    return readdirSync(this.dir())
      .filter((f) => f.endsWith('.backup.json'))
      .map((file) => {
        const st = statSync(join(this.dir(), file));
        return { file, at: st.mtimeMs, bytes: st.size };
      })
      .sort((a, b) => b.file.localeCompare(a.file));
  }

  path(file: string): string {
    if (!this.files().some((f) => f.file === file)) throw HubError.notFound('backup');
    return join(this.dir(), file);
  }

  status(): BackupStatus {
    const files = this.files();
    const local = files[0] ?? null;
    let usb: BackupStatus['usb'] = null;
    try {
      const parsed = UsbStatus.safeParse(JSON.parse(readFileSync(join(this.dir(), 'usb-status.json'), 'utf8')));
      if (parsed.success) usb = parsed.data;
    } catch {
      // no stick has been seen
    }
    const now = this.d.clock.now();
    const newest = local?.at ?? this.d.since;
    const peers = (this.d.peers?.status() ?? []).map((p) => ({ ...p, overdue: now - (p.at ?? Math.max(p.firstTry, this.d.since)) > OVERDUE_MS }));
    return {
      passphraseSet: this.passphraseSet,
      keep: KEEP_BACKUPS,
      local,
      usb,
      files,
      overdue: now - newest > OVERDUE_MS,
      lastError: this.lastError,
      peers,
      kept: this.d.kept?.() ?? [],
    };
  }

  /** Sends the newest sealed backup to every linked hub that lacks it (nightly, and again while one is missing). */
  async pushToPeers(): Promise<PeerPushStatus[]> {
    const newest = this.files()[0];
    if (!this.d.peers || !newest) return this.d.peers?.status() ?? [];
    return this.d.peers.push({ file: newest.file, path: join(this.dir(), newest.file) });
  }
}
