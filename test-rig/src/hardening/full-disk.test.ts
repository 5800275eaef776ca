import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hyphae, startHubProcess, type HubProcess } from '../hub-process.js';
import { until } from '../wait.js';

/**
 * The data folder on a small tmpfs, filled as an SD card fills. The hub must
 * refuse changes with 507, keep serving reads, never exit, lose nothing it
 * acknowledged, keep its journal's chain whole, and write again as soon as
 * there is room, without a restart.
 */
const root = mkdtempSync(join(tmpdir(), 'hyphae-disk-'));
const mnt = join(root, 'card');
const data = join(mnt, 'data');
const filler = join(mnt, 'filler');
const env = { HYPHAE_ADMIN_EMAIL: 'admin@example.org', HYPHAE_ADMIN_PASSWORD: 'full-disk-pw' };

beforeAll(() => {
  mkdirSync(mnt);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
  } catch (e) {
    throw new Error(`this test mounts a small tmpfs and needs root: ${(e as Error).message}`);
  }
  mkdirSync(data);
});
afterAll(() => {
  try {
    execFileSync('umount', ['-l', mnt]);
  } catch {
    // already gone
  }
  rmSync(root, { recursive: true, force: true });
});

const free = () => {
  const s = statfsSync(mnt);
  return s.bavail * s.bsize;
};

/** Fills the card until `leave` bytes are free (0: until the kernel says no). */
function fill(leave: number): void {
  const fd = openSync(filler, 'a');
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) {
      const room = free() - leave;
      if (room <= 0) break;
      writeSync(fd, chunk, 0, Math.min(chunk.length, room));
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

function config(storage: Record<string, number>) {
  writeFileSync(join(data, 'hub.json'), JSON.stringify({ version: 1, lorawan: { enabled: false }, storage }));
}

interface Api {
  hub: HubProcess;
  payee: string;
  token: string;
  pay(memo: string): Promise<Response>;
  get(path: string): Promise<Response>;
}

let payee = '';

async function open(): Promise<Api> {
  const hub = await startHubProcess({ dataDir: data, env });
  const token = hyphae(['token', 'create', '--data', data, '--email', env.HYPHAE_ADMIN_EMAIL]).out.trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const get = (path: string) => fetch(`${hub.url}${path}`, { headers });
  payee ||= (
    (await (await fetch(`${hub.url}/api/v1/members`, { method: 'POST', headers, body: JSON.stringify({ name: 'Bo', email: 'bo@example.org' }) })).json()) as {
      id: string;
    }
  ).id;
  return {
    hub,
    payee,
    token,
    get,
    pay: (memo) => fetch(`${hub.url}/api/v1/transfers`, { method: 'POST', headers, body: JSON.stringify({ payee, amount: 1, memo }) }),
  };
}

describe('a full disk', () => {
  let acked = 0;

  it('refuses a change whose commit fails with 507, keeps serving, and writes again once there is room', { timeout: 120_000 }, async () => {
    // No floors: the disk really runs out under LMDB's commit.
    config({ pruneTelemetryBelowMiB: 0, refusePhotosBelowMiB: 0, refuseWritesBelowMiB: 0 });
    const api = await open();
    try {
      fill(0);
      let refused: Response | undefined;
      for (let i = 0; i < 5000 && !refused; i++) {
        const res = await api.pay(`while full ${i} ${'x'.repeat(150)}`);
        if (res.status === 201) acked++;
        else if (res.status === 507) refused = res;
        else throw new Error(`unexpected ${res.status}: ${await res.text()}`);
      }
      expect(refused, 'a commit failed').toBeDefined();
      expect(refused!.headers.get('content-type')).toMatch(/problem\+json/);
      expect(((await refused!.json()) as { type: string }).type).toBe('urn:hyphae:problem:insufficient-storage');
      // Still up, still reading, and saying why.
      expect(api.hub.child.exitCode).toBeNull();
      expect((await api.get(`/api/v1/accounts/${api.payee}`)).status).toBe(200);
      const health = (await (await api.get('/api/v1/health')).json()) as { disk: { state: string } };
      expect(health.disk.state).toBe('full');
      expect((await api.pay('still full')).status).toBe(507);

      rmSync(filler);
      // Room again: the next change goes through, with no restart.
      await until(async () => (await api.pay('after room')).status === 201, 'a write after freeing space');
      acked++;
      expect(api.hub.child.exitCode).toBeNull();
      expect(api.hub.logs.some((l) => l.msg === 'unhandled rejection: the hub stops')).toBe(false);
    } finally {
      rmSync(filler, { force: true });
      const code = await api.hub.stop();
      expect(code, JSON.stringify(api.hub.logs.filter((l) => Number(l.level) >= 40).slice(-8))).toBe(0);
    }
    // Nothing acknowledged was lost, and the chain is whole: the head was re-read after the failed commit.
    const report = JSON.parse(hyphae(['ledger', 'verify', '--data', data]).out) as { ok: boolean; transfers: number; problems: string[] };
    expect(report.problems).toEqual([]);
    expect(report.transfers).toBe(acked);
  });

  it('gives ground in order as the disk fills: photos first, then changes, and tells the stewards', { timeout: 120_000 }, async () => {
    config({ pruneTelemetryBelowMiB: 12, refusePhotosBelowMiB: 8, refuseWritesBelowMiB: 4 });
    const api = await open();
    const img = new PNG({ width: 2, height: 2 });
    img.data.fill(60);
    const png = PNG.sync.write(img);
    const item = (
      (await (
        await fetch(`${api.hub.url}/api/v1/library/items`, {
          method: 'POST',
          headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ name: 'Ladder', category: 'tools' }),
        })
      ).json()) as { code: string }
    ).code;
    const photo = () =>
      fetch(`${api.hub.url}/api/v1/library/items/${item}/photos`, {
        method: 'POST',
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'image/png' },
        body: png,
      });
    const state = async () => ((await (await api.get('/api/v1/health')).json()) as { disk: { state: string } }).disk.state;
    try {
      expect(await state()).toBe('ok');
      expect((await photo()).status).toBe(201);
      fill(10 * 1024 * 1024);
      await until(async () => (await state()) === 'pruning', 'pruning below 12 MiB');
      expect((await photo()).status).toBe(201);
      fill(6 * 1024 * 1024);
      await until(async () => (await state()) === 'low', 'disk low');
      const refusedPhoto = await photo();
      expect(refusedPhoto.status).toBe(507);
      // Ledger writes still go through; the stewards are told.
      expect((await api.pay('low but fine')).status).toBe(201);
      acked++;
      const notes = (await (await api.get('/api/v1/notifications')).json()) as Array<{ kind: string }>;
      expect(notes.map((n) => n.kind)).toContain('storage-low');
      fill(2 * 1024 * 1024);
      await until(async () => {
        const res = await api.pay('below the floor');
        if (res.status === 201) acked++; // the guard reads the disk at most once a second
        return res.status === 507;
      }, 'changes refused below the floor');
      expect(await state()).toBe('full');
      expect((await api.get(`/api/v1/accounts/${api.payee}`)).status).toBe(200);
      rmSync(filler);
      await until(async () => (await api.pay('room again')).status === 201, 'writes with room again');
      acked++;
      expect((await photo()).status).toBe(201);
      // A full disk could not store a notification; the stewards hear of it now there is room.
      await until(
        async () => ((await (await api.get('/api/v1/notifications')).json()) as Array<{ kind: string }>).some((n) => n.kind === 'storage-was-full'),
        'stewards told the disk was full',
      );
    } finally {
      rmSync(filler, { force: true });
      expect(await api.hub.stop()).toBe(0);
    }
    const report = JSON.parse(hyphae(['ledger', 'verify', '--data', data]).out) as { ok: boolean; transfers: number };
    expect(report).toMatchObject({ ok: true, transfers: acked });
  });
});
