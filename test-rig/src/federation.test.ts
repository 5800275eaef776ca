import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyphae, startHubProcess, type HubProcess } from './hub-process.js';
import { callHub, until } from './wait.js';

/** Real hub processes on loopback, linked, paying each other, one of them killed mid-payment. */
const dirs: string[] = [];
const running: HubProcess[] = [];
afterAll(async () => {
  for (const h of running) await h.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface TestHub {
  dir: string;
  port: number;
  proc: HubProcess;
  token: string;
  member: string;
  hubId: string;
}
const basePort = 21_000 + Math.floor(Math.random() * 20_000);

async function hub(i: number): Promise<TestHub> {
  const dir = mkdtempSync(join(tmpdir(), `hyphae-fed-${i}-`));
  dirs.push(dir);
  const port = basePort + i;
  const proc = await startHubProcess({ dataDir: dir, port, env: { HYPHAE_ADMIN_EMAIL: `admin@hub${i}.example`, HYPHAE_ADMIN_PASSWORD: 'federation-test' } });
  running.push(proc);
  const token = hyphae(['token', 'create', '--data', dir, '--email', `admin@hub${i}.example`]).out.trim();
  const m = await call(port, token, 'POST', '/api/v1/members', { name: `Member ${i}`, email: `m@hub${i}.example` });
  const hubId = (await call(port, token, 'GET', '/api/v1/health')).hubId as string;
  return { dir, port, proc, token, member: m.id as string, hubId };
}

const call = (port: number, token: string, method: string, path: string, body?: unknown) => callHub(`http://127.0.0.1:${port}`, token, method, path, body);

describe('federation between hub processes', () => {
  it('links two hubs, pays across them, and survives kill -9 of the payee hub mid-payment', { timeout: 120_000 }, async () => {
    const a = await hub(0);
    const b = await hub(1);
    const { token } = await call(a.port, a.token, 'POST', '/api/v1/federation/invitations', { trustOut: 100_000, trustIn: 100_000 });
    const link = await call(b.port, b.token, 'POST', '/api/v1/federation/links', { token, rate: { num: 1, den: 1 }, trustOut: 100_000, trustIn: 100_000 });
    expect(link.hubId).toBe(a.hubId);
    await until(async () => (await call(a.port, a.token, 'GET', '/api/v1/federation/links')).links.length === 1, 'A records the link', { timeoutMs: 20_000, everyMs: 200 });

    const p1 = await call(b.port, b.token, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 700 });
    await until(async () => (await call(b.port, b.token, 'GET', `/api/v1/federation/payments/${p1.id}`)).status === 'completed', 'first payment', { timeoutMs: 20_000, everyMs: 200 });
    expect((await call(a.port, a.token, 'GET', `/api/v1/accounts/${a.member}`)).balance).toBe(700);

    // The payee hub dies; the payment waits in the payer hub's outbox and completes after the restart.
    await a.proc.kill9();
    const p2 = await call(b.port, b.token, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 300 });
    expect(p2.status).toBe('pending');
    await new Promise((r) => setTimeout(r, 1500));
    const restarted = await startHubProcess({ dataDir: a.dir, port: a.port, env: {} });
    running.push(restarted);
    await until(async () => (await call(b.port, b.token, 'GET', `/api/v1/federation/payments/${p2.id}`)).status === 'completed', 'payment after the restart', { timeoutMs: 60_000, everyMs: 200 });
    expect((await call(a.port, a.token, 'GET', `/api/v1/accounts/${a.member}`)).balance).toBe(1_000);

    // Both ledgers zero-sum and verified; the clearing accounts mirror each other.
    const linksA = (await call(a.port, a.token, 'GET', '/api/v1/federation/links')).links;
    const linksB = (await call(b.port, b.token, 'GET', '/api/v1/federation/links')).links;
    expect(linksA[0].clearingBalance).toBe(-linksB[0].clearingBalance);
    await restarted.stop();
    await b.proc.stop();
    for (const d of [a.dir, b.dir]) {
      const v = hyphae(['ledger', 'verify', '--data', d]);
      expect(JSON.parse(v.out)).toMatchObject({ ok: true, totals: { credit: 0 } });
    }
  });
});
