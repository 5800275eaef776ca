import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { identityFromPhrase } from '@hyphae/device';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EndDevice } from './lorawan/end-device.js';
import { PacketForwarder } from './lorawan/packet-forwarder.js';
import { ModbusSimulator } from './modbus/simulator.js';
import { hyphae, startHubProcess, type HubProcess } from './hub-process.js';
import { provision } from './provision-process.js';
import { until } from './wait.js';

const slowly = { timeoutMs: 10_000, everyMs: 100 };

/** The installer's tool against real hub processes on loopback. */
const dirs: string[] = [];
const hubs: HubProcess[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hyphae-prov-e2e-'));
  dirs.push(d);
  return d;
};
afterAll(async () => {
  for (const h of hubs) await h.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const admin = { HYPHAE_ADMIN_EMAIL: 'admin@example.org', HYPHAE_ADMIN_PASSWORD: 'provision-test' };

describe('hyphae-provision verify', () => {
  it('is all green for a working hub; a stopped Modbus device turns its item red and the exit code non-zero', { timeout: 60_000 }, async () => {
    const data = tmp();
    const hub = await startHubProcess({ dataDir: data, env: admin });
    hubs.push(hub);
    const token = hyphae(['token', 'create', '--data', data, '--email', 'admin@example.org']).out.trim();
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const inverter = ModbusSimulator.fromFixture('sunspec-inverter.json');
    await inverter.start();
    const dev = EndDevice.random();
    await fetch(`${hub.url}/api/v1/devices`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        kind: 'lorawan',
        name: 'Soil probe',
        profile: 'dragino-lse01',
        otaa: { devEui: dev.devEui.toString('hex'), joinEui: dev.joinEui.toString('hex'), appKey: dev.appKey.toString('hex') },
      }),
    });
    await fetch(`${hub.url}/api/v1/devices`, {
      method: 'POST',
      headers: h,
      body: JSON.stringify({
        kind: 'modbus',
        name: 'Inverter',
        profile: 'sunspec',
        modbus: { host: '127.0.0.1', port: inverter.port, unit: 1, pollSeconds: 1, timeoutMs: 2000, retries: 0 },
      }),
    });
    const gw = new PacketForwarder('aa555a00000000ff', { host: '127.0.0.1', port: hub.lorawanPort });
    await gw.start();
    try {
      await dev.join(gw);
      gw.push(dev.uplink(2, [12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0]));
      await until(
        async () => ((await (await fetch(`${hub.url}/api/v1/gateways`, { headers: h })).json()) as { modbus: Array<{ reads: number }> }).modbus[0]!.reads > 0,
        'a Modbus read',
        slowly,
      );
      const ok = await provision(['verify', '--hub', hub.url, '--token', token]);
      const lines = ok.out.split('\n');
      for (const item of [
        'health and version',
        'time in sync',
        'free storage',
        'gateway seen',
        'Modbus inverter answering',
        'sensor Soil probe reporting',
        'console reachable',
      ]) {
        expect(
          lines.find((l) => l.includes(item)),
          `${item}\n${ok.out}`,
        ).toMatch(/^✔/);
      }
      expect(ok.out).toContain('All green.');
      expect(ok.code).toBe(0);

      await inverter.stop();
      await until(
        async () =>
          ((await (await fetch(`${hub.url}/api/v1/gateways`, { headers: h })).json()) as { modbus: Array<{ failures: number }> }).modbus[0]!.failures > 0,
        'a Modbus failure',
        slowly,
      );
      const red = await provision(['verify', '--hub', hub.url, '--token', token]);
      expect(red.out.split('\n').find((l) => l.includes('Modbus inverter answering'))).toMatch(/^✘ .*failing/);
      expect(red.code).toBe(1);
      const gone = await provision(['verify', '--hub', 'http://127.0.0.1:1']);
      expect(gone.code).toBe(1);
      expect(gone.out).toMatch(/✘ hub answers/);
    } finally {
      await gw.stop();
      await inverter.stop();
    }
  });
});

describe('hyphae-provision backup and restore', () => {
  it('round-trips a hub between two processes: same identity, same balances, a ledger that verifies', { timeout: 60_000 }, async () => {
    const a = tmp();
    const hubA = await startHubProcess({ dataDir: a, env: admin });
    hubs.push(hubA);
    const token = hyphae(['token', 'create', '--data', a, '--email', 'admin@example.org']).out.trim();
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const ids: string[] = [];
    for (const n of ['ana', 'bo', 'cy'])
      ids.push(
        (
          (await (
            await fetch(`${hubA.url}/api/v1/members`, { method: 'POST', headers: h, body: JSON.stringify({ name: n, email: `${n}@example.org` }) })
          ).json()) as { id: string }
        ).id,
      );
    for (let i = 0; i < 20; i++)
      await fetch(`${hubA.url}/api/v1/transfers`, {
        method: 'POST',
        headers: h,
        body: JSON.stringify({ payer: ids[i % 3], payee: ids[(i + 1) % 3], amount: 100 + i }),
      });
    const balances = async (url: string) =>
      Promise.all(ids.map(async (id) => ((await (await fetch(`${url}/api/v1/accounts/${id}`, { headers: h })).json()) as { balance: number }).balance));
    const before = await balances(hubA.url);
    const idA = ((await (await fetch(`${hubA.url}/api/v1/health`)).json()) as { hubId: string }).hubId;

    // The hub hands out its backup only sealed: no passphrase, no backup; and never the key in the clear.
    expect((await fetch(`${hubA.url}/api/v1/backup`, { headers: h })).status).toBe(400);
    const sealed = await (await fetch(`${hubA.url}/api/v1/backup`, { headers: { ...h, 'x-backup-passphrase': 'another passphrase' } })).text();
    expect(JSON.parse(sealed)).toMatchObject({ format: 'hyphae-encrypted-backup', hubId: idA });
    expect(sealed).not.toMatch(/PRIVATE KEY|privateKeyPem/);

    const file = join(tmp(), 'hub.backup');
    const env = { HYPHAE_BACKUP_PASSPHRASE: 'a long passphrase' };
    const b = await provision(['backup', '--hub', hubA.url, '--token', token, '--out', file], env);
    expect(b.code, b.err).toBe(0);
    expect(b.out).toContain(idA);
    expect((await provision(['restore', '--hub', hubA.url, '--token', token, '--file', file], { HYPHAE_BACKUP_PASSPHRASE: 'wrong passphrase' })).err).toMatch(
      /wrong passphrase/,
    );

    // A blank hub with its own first admin.
    const bDir = tmp();
    const hubB = await startHubProcess({ dataDir: bDir, env: { HYPHAE_ADMIN_EMAIL: 'new@example.org', HYPHAE_ADMIN_PASSWORD: 'blank-hub-pw' } });
    const tokenB = hyphae(['token', 'create', '--data', bDir, '--email', 'new@example.org']).out.trim();
    expect((await provision(['restore', '--hub', hubA.url, '--token', token, '--file', file], env)).err).toMatch(/not blank/);
    const r = await provision(['restore', '--hub', hubB.url, '--token', tokenB, '--file', file], env);
    expect(r.code, r.err).toBe(0);
    await until(() => hubB.child.exitCode !== null, 'hub B to exit', slowly);
    const hubB2 = await startHubProcess({ dataDir: bDir, env: {} });
    hubs.push(hubB2);
    expect(((await (await fetch(`${hubB2.url}/api/v1/health`)).json()) as { hubId: string }).hubId).toBe(idA);
    expect(await balances(hubB2.url)).toEqual(before); // hub A's token works: the restored hub is hub A
    await hubB2.stop();
    const v = hyphae(['ledger', 'verify', '--data', bDir]);
    expect(v.code, v.out).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, transfers: 20 });
  });
});

describe('a provisioned hub', () => {
  it('starts with the first steward from hub.json, whose one-time password works once and must be replaced', { timeout: 60_000 }, async () => {
    const out = tmp();
    const init = await provision([
      'init',
      '--non-interactive',
      '--out',
      out,
      '--name',
      'Hill',
      '--ssid',
      'hill',
      '--country',
      'SE',
      '--region',
      'EU868',
      '--steward-email',
      'first@hill.example',
    ]);
    expect(init.code, init.err).toBe(0);
    const oneTime = /One-time password[^:]*: (\S+)/.exec(init.out)![1]!;
    // The key's recovery phrase is printed once, and is the key written to the card.
    const phrase = /Recovery phrase[^\n]*\n\s+((?:[a-z]+ ){23}[a-z]+)\n/.exec(init.out)![1]!;
    expect(identityFromPhrase(phrase).privateKeyPem).toBe(readFileSync(join(out, 'hyphae', 'hub.key'), 'utf8'));
    const hub = await startHubProcess({ dataDir: tmp(), args: ['--config', join(out, 'hyphae', 'hub.json')] });
    hubs.push(hub);
    const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${hub.url}/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const signIn = await post('/sessions', { email: 'first@hill.example', password: oneTime });
    expect(signIn.status).toBe(200);
    const session = (await signIn.json()) as { member: { role: string; mustChangePassword?: boolean }; csrfToken: string };
    expect(session.member).toMatchObject({ role: 'admin', mustChangePassword: true });
    const auth = { cookie: signIn.headers.get('set-cookie')!.split(';')[0]!, 'x-csrf-token': session.csrfToken };
    const changed = await post('/sessions/current/password', { currentPassword: oneTime, newPassword: 'the-stewards-own' }, auth);
    expect(changed.status).toBe(200);
    expect(((await changed.json()) as { mustChangePassword?: boolean }).mustChangePassword).toBeUndefined();
    expect((await post('/sessions', { email: 'first@hill.example', password: oneTime })).status).toBe(401);
    expect((await post('/sessions', { email: 'first@hill.example', password: 'the-stewards-own' })).status).toBe(200);
  });
});
