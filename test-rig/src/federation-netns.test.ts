import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyphae, startHubProcess, type HubProcess } from './hub-process.js';
import { callHub, until } from './wait.js';

/**
 * Two hubs in their own network namespaces, joined by one veth "radio
 * link". The test reaches each hub over a separate veth from the root
 * namespace, so cutting the hub-to-hub link leaves the test able to watch
 * both sides while they cannot see each other.
 *
 *   root 10.77.1.1 ── 10.77.1.2 [ns A] 10.77.3.1 ══ link ══ 10.77.3.2 [ns B] 10.77.2.2 ── 10.77.2.1 root
 */
const tag = `${process.pid % 10_000}`;
const NS_A = `hyA${tag}`;
const NS_B = `hyB${tag}`;
const LINK_A = `hyl${tag}a`;

function ip(...args: string[]) {
  execFileSync('ip', args, { stdio: 'pipe' });
}
function canMakeNamespaces(): boolean {
  const probe = `hyP${tag}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
  if (r.status !== 0) return false;
  spawnSync('ip', ['netns', 'del', probe]);
  return true;
}
const netnsOk = canMakeNamespaces();

function buildTopology(): void {
  for (const ns of [NS_A, NS_B]) ip('netns', 'add', ns);
  for (const [ns, side, net] of [
    [NS_A, 'a', '1'],
    [NS_B, 'b', '2'],
  ] as const) {
    const outer = `hyr${tag}${side}`;
    ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', 'uplink', 'netns', ns);
    ip('addr', 'add', `10.77.${net}.1/24`, 'dev', outer);
    ip('link', 'set', outer, 'up');
    ip('-n', ns, 'addr', 'add', `10.77.${net}.2/24`, 'dev', 'uplink');
    ip('-n', ns, 'link', 'set', 'uplink', 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
  ip('-n', NS_A, 'link', 'add', LINK_A, 'type', 'veth', 'peer', 'name', 'radio', 'netns', NS_B);
  ip('-n', NS_A, 'addr', 'add', '10.77.3.1/24', 'dev', LINK_A);
  ip('-n', NS_B, 'addr', 'add', '10.77.3.2/24', 'dev', 'radio');
  ip('-n', NS_A, 'link', 'set', LINK_A, 'up');
  ip('-n', NS_B, 'link', 'set', 'radio', 'up');
}
const cutLink = () => ip('-n', NS_A, 'link', 'set', LINK_A, 'down');
const restoreLink = () => ip('-n', NS_A, 'link', 'set', LINK_A, 'up');

const dirs: string[] = [];
const running: HubProcess[] = [];
afterAll(async () => {
  for (const h of running) await h.stop().catch(() => undefined);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  if (netnsOk) {
    for (const ns of [NS_A, NS_B]) spawnSync('ip', ['netns', 'del', ns]);
    for (const side of ['a', 'b']) spawnSync('ip', ['link', 'del', `hyr${tag}${side}`], { stdio: 'pipe' });
  }
});

const PORT = 8080;
const call = (host: string, token: string, method: string, path: string, body?: unknown) => callHub(`http://${host}:${PORT}`, token, method, path, body);
const slowly = { timeoutMs: 30_000, everyMs: 200 };

async function hubIn(ns: string, i: number, api: string, linkAddr: string) {
  const dir = mkdtempSync(join(tmpdir(), `hyphae-netns-${i}-`));
  dirs.push(dir);
  // Peers reach this hub over the radio link; the test reaches it over its uplink.
  const config = join(dir, 'hub.json');
  writeFileSync(config, JSON.stringify({ hub: { name: `Hub ${i}`, publicUrl: `http://${linkAddr}:${PORT}` } }));
  const proc = await startHubProcess({
    dataDir: dir,
    netns: ns,
    host: '0.0.0.0',
    port: PORT,
    args: ['--config', config],
    env: { HYPHAE_ADMIN_EMAIL: `admin@hub${i}.example`, HYPHAE_ADMIN_PASSWORD: 'federation-test' },
  });
  running.push(proc);
  const token = hyphae(['token', 'create', '--data', dir, '--email', `admin@hub${i}.example`]).out.trim();
  const m = await call(api, token, 'POST', '/api/v1/members', { name: `Member ${i}`, email: `m@hub${i}.example` });
  const hubId = (await call(api, token, 'GET', '/api/v1/health')).hubId as string;
  return { dir, proc, token, api, member: m.id as string, hubId };
}

describe.skipIf(!netnsOk)('federation across a link that is cut (network namespaces)', () => {
  it('holds a payment while the hubs cannot reach each other and completes it when the link returns', { timeout: 150_000 }, async () => {
    buildTopology();
    const a = await hubIn(NS_A, 0, '10.77.1.2', '10.77.3.1');
    const b = await hubIn(NS_B, 1, '10.77.2.2', '10.77.3.2');

    const { token } = await call(a.api, a.token, 'POST', '/api/v1/federation/invitations', { trustOut: 100_000, trustIn: 100_000 });
    const link = await call(b.api, b.token, 'POST', '/api/v1/federation/links', { token, rate: { num: 1, den: 1 }, trustOut: 100_000, trustIn: 100_000 });
    expect(link.hubId).toBe(a.hubId);
    await until(async () => (await call(a.api, a.token, 'GET', '/api/v1/federation/links')).links.length === 1, 'A records the link', slowly);

    const p1 = await call(b.api, b.token, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 500 });
    await until(async () => (await call(b.api, b.token, 'GET', `/api/v1/federation/payments/${p1.id}`)).status === 'completed', 'first payment', slowly);

    cutLink();
    const p2 = await call(b.api, b.token, 'POST', '/api/v1/federation/payments', { payer: b.member, to: `${a.member}@${a.hubId}`, amount: 300 });
    expect(p2.status).toBe('pending');
    // The payer's hub notices and says so once; the payment stays held.
    await until(async () => b.proc.logs.some((l) => l.level === 40 && /link unreachable/.test(String(l.msg))), 'B logs the link as unreachable', slowly);
    expect((await call(b.api, b.token, 'GET', `/api/v1/federation/payments/${p2.id}`)).status).toBe('pending');
    expect((await call(a.api, a.token, 'GET', `/api/v1/accounts/${a.member}`)).balance).toBe(500);

    restoreLink();
    await until(
      async () => (await call(b.api, b.token, 'GET', `/api/v1/federation/payments/${p2.id}`)).status === 'completed',
      'held payment after the link returns',
      { timeoutMs: 90_000, everyMs: 200 },
    );
    expect((await call(a.api, a.token, 'GET', `/api/v1/accounts/${a.member}`)).balance).toBe(800);
    expect((await call(b.api, b.token, 'GET', `/api/v1/accounts/${b.member}`)).balance).toBe(-800);
    const linksA = (await call(a.api, a.token, 'GET', '/api/v1/federation/links')).links;
    const linksB = (await call(b.api, b.token, 'GET', '/api/v1/federation/links')).links;
    expect(linksA[0].clearingBalance).toBe(-linksB[0].clearingBalance);
    await until(async () => b.proc.logs.some((l) => l.level === 30 && /link reachable again/.test(String(l.msg))), 'B logs the link as back', slowly);
  });
});
