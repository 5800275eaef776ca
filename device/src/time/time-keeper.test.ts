import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, ManualClock } from '../clock.js';
import { silentLogger } from '../log.js';
import { T0 } from '../test-support.js';
import { askChrony, parseTracking } from './chrony.js';
import { TimeKeeper } from './time-keeper.js';

const HOUR = 3_600_000;
const settings = { source: 'system' as const, jumpBoundMs: HOUR, settleMs: 2 * 60_000 };

function keeper(start = T0, s: Partial<typeof settings> | { source: 'chrony' } = {}) {
  const wall = new ManualClock(start);
  return { wall, time: new TimeKeeper(wall, () => wall.monotonic(), { ...settings, ...s }, silentLogger) };
}

describe('TimeKeeper', () => {
  it('follows small steps (chrony slewing) and flags a step beyond the bound as a jump, either way', () => {
    const { wall, time } = keeper();
    const jumps: number[] = [];
    time.onJump((j) => jumps.push(j.byMs));
    expect(time.trusted()).toBe(true);
    wall.jump(30 * 60_000); // half an hour: within the bound
    wall.advance(10_000);
    expect(time.trusted()).toBe(true);
    wall.jump(365 * DAY_MS);
    expect(time.trusted()).toBe(false);
    expect(time.status().reason).toMatch(/jumped/);
    wall.jump(-365 * DAY_MS);
    time.now();
    expect(jumps).toEqual([365 * DAY_MS, -365 * DAY_MS]);
    // Trusted again once the clock has been steady for the settle time.
    wall.advance(60_000);
    expect(time.trusted()).toBe(false);
    wall.advance(61_000);
    expect(time.trusted()).toBe(true);
  });

  it('skips the days a forward jump covers, and gives back what a step back returns to', () => {
    const { wall, time } = keeper();
    const day = Math.floor(T0 / DAY_MS);
    wall.jump(10 * DAY_MS);
    time.now();
    // Days wholly inside the jump are not elapsed time; the day it started in is.
    expect([day, day + 1, day + 9, day + 10].map((d) => time.chargeable(d))).toEqual([true, false, false, true]);
    wall.jump(-6 * DAY_MS); // corrected to four days after T0: those days will be lived for real
    time.now();
    expect([day + 1, day + 2, day + 3, day + 4, day + 5].map((d) => time.chargeable(d))).toEqual([false, false, false, true, true]);
  });

  it('does not trust a clock that reads well before the last time the hub knew (a boot at 1970), until it is set', () => {
    const { wall, time } = keeper(0);
    time.restore({ skipped: [], lastTrusted: T0 });
    expect(time.status()).toMatchObject({ state: 'waiting', reason: expect.stringMatching(/1970-01-01.*before 2026-01-01/) });
    wall.jump(T0 + DAY_MS); // someone sets the date
    expect(time.trusted()).toBe(false); // settling
    wall.advance(3 * 60_000);
    expect(time.trusted()).toBe(true);
  });

  it('with chrony as the source, waits until chrony says the clock is synchronised', () => {
    const { time } = keeper(T0, { source: 'chrony' });
    expect(time.status()).toMatchObject({ state: 'waiting', source: 'chrony', synced: null });
    time.setSynced(false);
    expect(time.trusted()).toBe(false);
    time.setSynced(true);
    expect(time.trusted()).toBe(true);
  });
});

describe('chrony', () => {
  const synced = 'C0A80001,192.168.0.1,3,1733400000.123,0.000001,0.000002,0.000003,-12.3,0.001,0.02,0.01,0.001,64.2,Normal';
  const unsynced = '00000000,,0,0.000000000,0.000000000,0.000000000,0.000000000,0.000,0.000,0.000,1.000000000,1.000000000,0.0,Not synchronised';

  it('reads the leap status of chronyc -c tracking', () => {
    expect(parseTracking(synced)).toBe(true);
    expect(parseTracking(unsynced)).toBe(false);
    expect(parseTracking('506 Cannot talk to daemon')).toBe(false);
  });

  describe('asks the chronyc on the PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyphae-chronyc-'));
    const path = process.env.PATH;
    afterEach(() => {
      process.env.PATH = path;
    });
    it('and counts a chronyc that fails as not synchronised', async () => {
      const fake = (out: string, code = 0) => {
        writeFileSync(join(dir, 'chronyc'), `#!/bin/sh\n[ "$1 $2" = "-c tracking" ] || exit 3\necho '${out}'\nexit ${code}\n`);
        chmodSync(join(dir, 'chronyc'), 0o755);
      };
      process.env.PATH = `${dir}:${path}`;
      fake(synced);
      expect(await askChrony()).toBe(true);
      fake(unsynced);
      expect(await askChrony()).toBe(false);
      fake('506 Cannot talk to daemon', 1);
      expect(await askChrony()).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    });
  });
});
