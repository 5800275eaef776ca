import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test-support.js';
import { DiskGuard, MIB } from './disk.js';

function logged() {
  const lines: Array<{ msg: string; state?: string }> = [];
  const log = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s) as { msg: string }) });
  return { log, lines };
}

describe('DiskGuard', () => {
  it('treats a database at its cap as a full disk: changes and photos refused with 507, reads unaffected', () => {
    const dir = tempDir();
    const file = join(dir, 'hub.lmdb');
    writeFileSync(file, Buffer.alloc(64 * 1024));
    const { log } = logged();
    const guard = new DiskGuard(
      dir,
      file,
      { pruneTelemetryBelowBytes: 0, refusePhotosBelowBytes: 0, refuseWritesBelowBytes: 0, maxDatabaseBytes: 32 * 1024 },
      log,
    );
    expect(guard.check()).toMatchObject({ state: 'full', reason: expect.stringMatching(/reached its cap/) });
    expect(() => guard.refuse('change')).toThrow(expect.objectContaining({ status: 507, slug: 'insufficient-storage' }));
    expect(() => guard.refuse('photo')).toThrow(expect.objectContaining({ status: 507 }));
  });

  it('gives ground in order by free space, and says so once per change of state', () => {
    const dir = tempDir();
    const { log, lines } = logged();
    // Floors far above any real disk's free space, then lowered: the states step back down to ok.
    const floors = { pruneTelemetryBelowBytes: 1e15, refusePhotosBelowBytes: 1e15, refuseWritesBelowBytes: 1e15, maxDatabaseBytes: 1e15 };
    const guard = new DiskGuard(dir, join(dir, 'none'), floors, log);
    const states: string[] = [];
    guard.onChange((next) => states.push(next));
    expect(guard.check().state).toBe('full');
    floors.refuseWritesBelowBytes = 0;
    expect(guard.check().state).toBe('low');
    expect(() => guard.refuse('photo')).toThrow(expect.objectContaining({ status: 507 }));
    expect(() => guard.refuse('change')).not.toThrow();
    floors.refusePhotosBelowBytes = 0;
    expect(guard.check().state).toBe('pruning');
    floors.pruneTelemetryBelowBytes = 0;
    guard.check();
    guard.check();
    expect(states).toEqual(['full', 'low', 'pruning', 'ok']);
    expect(lines.filter((l) => l.state).map((l) => l.msg)).toEqual(['storage full', 'storage low', 'storage pruning', 'storage has room again']);
  });

  it('warns at start when the cap is more than the disk can hold', () => {
    const dir = tempDir();
    const { log, lines } = logged();
    new DiskGuard(
      dir,
      join(dir, 'none'),
      { pruneTelemetryBelowBytes: 0, refusePhotosBelowBytes: 0, refuseWritesBelowBytes: 0, maxDatabaseBytes: 1e18 },
      log,
    ).checkCapAtStart();
    expect(lines.some((l) => /is more than this disk can hold/.test(l.msg))).toBe(true);
    const quiet = logged();
    new DiskGuard(
      dir,
      join(dir, 'none'),
      { pruneTelemetryBelowBytes: 0, refusePhotosBelowBytes: 0, refuseWritesBelowBytes: 0, maxDatabaseBytes: MIB },
      quiet.log,
    ).checkCapAtStart();
    expect(quiet.lines.some((l) => /more than this disk/.test(l.msg))).toBe(false);
  });
});
