import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '../clock.js';
import { HubError } from '../errors.js';
import { silentLogger } from '../log.js';
import { storageFull } from '../store/disk.js';
import { KEEP_BACKUPS } from './nightly.js';
import { PeerBackupKeeper } from './peer-keeper.js';

let dir: string;
let clock: ManualClock;
let keeper: PeerBackupKeeper;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hyphae-keeper-'));
  clock = new ManualClock(Date.parse('2026-12-01T03:30:00Z'));
  keeper = new PeerBackupKeeper({ dir, clock, log: silentLogger, maxBytes: 1 << 20 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const owner = 'habcdefghijklmnop';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const name = (i: number) => `hyphae-${owner}-2026-12-${String(i + 1).padStart(2, '0')}T03-30-00-000Z.backup.json`;
function send(file: string, data: Buffer, chunk: number, from = 0) {
  let r = { received: from, complete: false };
  for (let off = from; off < data.length; off += chunk)
    r = keeper.put(owner, file, { offset: off, total: data.length, sha256: sha(data) }, data.subarray(off, off + chunk));
  return r;
}

describe('the backups a hub keeps for its linked hubs', () => {
  it('takes a backup in chunks, resumes where an upload broke off, and keeps it only when its hash matches', () => {
    const data = randomBytes(10_000);
    const file = name(0);
    keeper.put(owner, file, { offset: 0, total: data.length, sha256: sha(data) }, data.subarray(0, 4000));
    expect(keeper.progress(owner, file)).toEqual({ received: 4000, complete: false });
    expect(keeper.list(owner)).toEqual([]);
    // A gap is refused with what the keeper has; a chunk sent twice is taken once.
    expect(() => keeper.put(owner, file, { offset: 6000, total: data.length, sha256: sha(data) }, data.subarray(6000, 8000))).toThrow(/has 4000 bytes/);
    keeper.put(owner, file, { offset: 2000, total: data.length, sha256: sha(data) }, data.subarray(2000, 6000));
    expect(keeper.progress(owner, file).received).toBe(6000);
    expect(send(file, data, 3000, 6000)).toEqual({ received: 10_000, complete: true });
    expect(keeper.list(owner)).toEqual([{ file, bytes: 10_000, sha256: sha(data), at: clock.now() }]);
    const back = Buffer.concat([keeper.read(owner, file, 0, 6000).bytes, keeper.read(owner, file, 6000, 6000).bytes]);
    expect(back.equals(data)).toBe(true);

    // Bytes that do not hash to what the owner declared are dropped, not kept.
    const other = name(1);
    const bad = Buffer.from(data);
    expect(() => keeper.put(owner, other, { offset: 0, total: bad.length, sha256: sha(randomBytes(8)) }, bad)).toThrow(/declared hash/);
    expect(keeper.progress(owner, other)).toEqual({ received: 0, complete: false });
    expect(keeper.list(owner)).toHaveLength(1);
  });

  it('keeps the newest seven per hub, drops uploads left unfinished for two days, and refuses what is too large', () => {
    for (let i = 0; i < KEEP_BACKUPS + 2; i++) send(name(i), randomBytes(500), 200);
    expect(keeper.list(owner).map((k) => k.file)).toEqual(Array.from({ length: KEEP_BACKUPS }, (_, i) => name(KEEP_BACKUPS + 1 - i)));
    expect(keeper.held()).toEqual([{ hubId: owner, count: KEEP_BACKUPS, bytes: KEEP_BACKUPS * 500, newestAt: clock.now() }]);

    const stale = name(20);
    keeper.put(owner, stale, { offset: 0, total: 900, sha256: 'a'.repeat(64) }, randomBytes(100));
    keeper.prune();
    expect(keeper.progress(owner, stale).received).toBe(100);
    clock.advance(2 * DAY_MS + 1);
    keeper.prune();
    expect(keeper.progress(owner, stale).received).toBe(0);
    expect(readdirSync(join(dir, owner)).filter((f) => f.includes('.part'))).toEqual([]);

    expect(() => keeper.put(owner, name(21), { offset: 0, total: (1 << 20) + 1, sha256: 'a'.repeat(64) }, randomBytes(10))).toThrow(/up to 1048576 bytes/);
  });

  it("reads only a hub's own backups, refuses odd names, and asks the disk before it writes", () => {
    send(name(0), randomBytes(300), 300);
    expect(() => keeper.read('hzzzzzzzzzzzzzzzz', name(0), 0, 10)).toThrow(HubError);
    expect(keeper.list('hzzzzzzzzzzzzzzzz')).toEqual([]);
    expect(() => keeper.progress(owner, '../../etc/passwd')).toThrow(/named like/);
    expect(() => keeper.list('../x')).toThrow(/not a hub id/);

    const full = new PeerBackupKeeper({
      dir,
      clock,
      log: silentLogger,
      maxBytes: 1 << 20,
      refuseIfLow: () => {
        throw storageFull('nearly full');
      },
    });
    expect(() => full.put(owner, name(5), { offset: 0, total: 10, sha256: 'a'.repeat(64) }, randomBytes(10))).toThrow(HubError);
    expect(existsSync(join(dir, owner, `${name(5)}.part`))).toBe(false);
  });
});
