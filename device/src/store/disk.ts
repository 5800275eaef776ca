import { statSync, statfsSync } from 'node:fs';
import type { Logger } from 'pino';
import { HubError } from '../errors.js';
import { refuse, type DiskState } from './contract.js';

/**
 * The SD card fills up: with sensor readings, photos, a log gone wild. The
 * hub watches the free space of its data folder and gives ground in order:
 * first it prunes old readings early (`pruning`), then it refuses new photos
 * (`low`), and only then every change (`full`), while reads and the console
 * keep working. The last floor leaves LMDB room to commit: a commit that
 * fails for want of space is also caught (Store), refused with 507 and
 * counted as `full` until a check finds room again. Nothing needs a restart.
 */
export type { DiskState };

export interface DiskFloors {
  pruneTelemetryBelowBytes: number;
  refusePhotosBelowBytes: number;
  refuseWritesBelowBytes: number;
  maxDatabaseBytes: number;
}

export const MIB = 1024 * 1024;

export function floorsFrom(s: {
  pruneTelemetryBelowMiB: number;
  refusePhotosBelowMiB: number;
  refuseWritesBelowMiB: number;
  maxDatabaseMiB: number;
}): DiskFloors {
  return {
    pruneTelemetryBelowBytes: s.pruneTelemetryBelowMiB * MIB,
    refusePhotosBelowBytes: s.refusePhotosBelowMiB * MIB,
    refuseWritesBelowBytes: s.refuseWritesBelowMiB * MIB,
    maxDatabaseBytes: s.maxDatabaseMiB * MIB,
  };
}

export interface DiskReport {
  state: DiskState;
  freeBytes: number;
  totalBytes: number;
  databaseBytes: number;
  maxDatabaseBytes: number;
  /** Why changes are refused, when they are. */
  reason: string | null;
}

const ORDER: Record<DiskState, number> = { ok: 0, pruning: 1, low: 2, full: 3 };
/** A state is trusted this long; a refused write re-checks once it is older, so room made by hand is seen within a second. */
const FRESH_MS = 1_000;

export class DiskGuard {
  private report: DiskReport;
  private checkedAt = -Infinity;
  /** When a commit last failed for want of space (monotonic ms), until a check finds room again. */
  private commitFailedAt: number | null = null;
  private readonly listeners: Array<(next: DiskState, prev: DiskState) => void> = [];

  constructor(
    private readonly dataDir: string,
    private readonly databaseFile: string,
    private readonly floors: DiskFloors,
    private readonly log: Logger,
    private readonly monotonic: () => number = () => performance.now(),
  ) {
    this.report = { state: 'ok', freeBytes: 0, totalBytes: 0, databaseBytes: 0, maxDatabaseBytes: floors.maxDatabaseBytes, reason: null };
  }

  /** Called on every change of state, after it is logged. */
  onChange(listener: (next: DiskState, prev: DiskState) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the disk now. */
  check(): DiskReport {
    const prev = this.report.state;
    const fs = statfsSync(this.dataDir);
    const freeBytes = fs.bavail * fs.bsize;
    let databaseBytes = 0;
    try {
      databaseBytes = statSync(this.databaseFile).size;
    } catch {
      // not created yet
    }
    const f = this.floors;
    // A failed commit holds `full` for a second at least, then until the disk has room above the write floor.
    if (this.commitFailedAt !== null && freeBytes > f.refuseWritesBelowBytes && this.monotonic() - this.commitFailedAt >= FRESH_MS) this.commitFailedAt = null;
    let state: DiskState = 'ok';
    let reason: string | null = null;
    if (this.commitFailedAt !== null) [state, reason] = ['full', 'a change could not be saved: the disk is full'];
    else if (freeBytes < f.refuseWritesBelowBytes) [state, reason] = ['full', `less than ${mib(f.refuseWritesBelowBytes)} free on the data disk`];
    else if (databaseBytes >= f.maxDatabaseBytes) [state, reason] = ['full', `the database has reached its cap of ${mib(f.maxDatabaseBytes)}`];
    else if (freeBytes < f.refusePhotosBelowBytes) [state, reason] = ['low', `less than ${mib(f.refusePhotosBelowBytes)} free: new photos are refused`];
    else if (freeBytes < f.pruneTelemetryBelowBytes) state = 'pruning';
    this.report = { state, freeBytes, totalBytes: fs.blocks * fs.bsize, databaseBytes, maxDatabaseBytes: f.maxDatabaseBytes, reason };
    this.checkedAt = this.monotonic();
    if (state !== prev) {
      const level = ORDER[state] > ORDER[prev] ? (state === 'full' ? 'error' : 'warn') : 'info';
      this.log[level](
        { module: 'storage', state, was: prev, freeBytes, databaseBytes, reason },
        state === 'ok' ? 'storage has room again' : `storage ${state}`,
      );
      for (const l of this.listeners) l(state, prev);
    }
    return this.report;
  }

  /** The last reading, refreshed when older than a second. */
  current(): DiskReport {
    return this.monotonic() - this.checkedAt < FRESH_MS ? this.report : this.check();
  }

  /**
   * Throws 507 when what is asked cannot be stored now. A refused write reads
   * the disk again first, so room a steward has made is used at once.
   */
  refuse(what: 'change' | 'photo'): void {
    let r = this.current();
    if (r.state === 'full' || (what === 'photo' && r.state === 'low')) {
      if (this.monotonic() - this.checkedAt > 50) r = this.check();
      if (r.state === 'full' || (what === 'photo' && r.state === 'low')) throw storageFull(r.reason ?? 'the disk is full');
    }
  }

  /** A commit failed for want of space (see Store): changes are refused until the disk has room. */
  noteCommitFailure(err: unknown): void {
    this.commitFailedAt = this.monotonic();
    this.log.error({ module: 'storage', err: (err as Error)?.message }, 'a commit failed; changes are refused until the disk has room');
    this.check();
  }

  /** At start: a cap the disk could never hold is said now, not found out when the card is full. */
  checkCapAtStart(): void {
    const r = this.check();
    const room = r.databaseBytes + r.freeBytes - this.floors.refuseWritesBelowBytes;
    if (r.maxDatabaseBytes > room)
      this.log.warn(
        { module: 'storage', maxDatabaseBytes: r.maxDatabaseBytes, roomBytes: room },
        `the database cap (${mib(r.maxDatabaseBytes)}) is more than this disk can hold (${mib(room)}); changes will be refused when the disk fills, before the cap`,
      );
  }
}

export function storageFull(detail: string): HubError {
  return refuse('storage-full', `${detail}. Nothing was changed; reading still works. Try again once a steward has made room.`);
}

function mib(bytes: number): string {
  return `${Math.round((bytes / MIB) * 10) / 10} MiB`;
}
