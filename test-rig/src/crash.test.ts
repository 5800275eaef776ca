import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyphae, hyphaeAsync, startHubProcess } from './hub-process.js';
import { Rng } from './random.js';

/**
 * kill -9 the real hub process at random moments while transfers stream in,
 * 20 times. Every transfer the hub acknowledged must survive, nothing may be
 * applied twice (clients retry with the same Idempotency-Key), and the
 * ledger must verify.
 */
const dir = mkdtempSync(join(tmpdir(), 'hyphae-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Sent {
  key: string;
  payer: string;
  payee: string;
  amount: number;
}

describe('crash safety', () => {
  it('keeps every acknowledged transfer through 20 kill -9 restarts', { timeout: 240_000 }, async () => {
    const rng = new Rng(42);
    const env = { HYPHAE_ADMIN_EMAIL: 'admin@example.org', HYPHAE_ADMIN_PASSWORD: 'crash-test-pw' };
    let hub = await startHubProcess({ dataDir: dir, env });
    const token = hyphae(['token', 'create', '--data', dir, '--email', 'admin@example.org']).out.trim();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const members: string[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${hub.url}/api/v1/members`, { method: 'POST', headers, body: JSON.stringify({ name: `M${i}`, email: `m${i}@example.org` }) });
      members.push(((await r.json()) as { id: string }).id);
    }

    const acked = new Map<string, { id: string; sent: Sent }>();
    const refused = new Set<string>();
    let unknown: Sent[] = []; // sent, but the hub died before answering
    let seq = 0;

    const send = async (url: string, s: Sent) => {
      const res = await fetch(`${url}/api/v1/transfers`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': s.key },
        body: JSON.stringify({ payer: s.payer, payee: s.payee, amount: s.amount, memo: s.key }),
      });
      const body = (await res.json()) as { id?: string };
      if (res.status === 201) acked.set(s.key, { id: body.id!, sent: s });
      else if (res.status === 422) refused.add(s.key);
      else throw new Error(`unexpected ${res.status}`);
    };

    for (let round = 0; round < 20; round++) {
      // Retry what was in flight when the hub died, with the same keys.
      const retry = unknown;
      unknown = [];
      for (const s of retry) await send(hub.url, s);

      const url = hub.url;
      let dead = false;
      const worker = async () => {
        while (!dead) {
          const payer = rng.pick(members);
          let payee = rng.pick(members);
          while (payee === payer) payee = rng.pick(members);
          const s: Sent = { key: `k${seq++}`, payer, payee, amount: rng.int(1, 500) };
          try {
            await send(url, s);
          } catch {
            unknown.push(s);
          }
        }
      };
      const workers = Array.from({ length: 6 }, worker);
      await new Promise((r) => setTimeout(r, rng.int(50, 400)));
      await hub.kill9();
      dead = true;
      await Promise.all(workers);
      hub = await startHubProcess({ dataDir: dir, env });
    }
    for (const s of unknown.splice(0)) await send(hub.url, s);
    await hub.stop();

    expect(acked.size).toBeGreaterThan(100);
    const out = join(dir, 'export.json');
    expect(hyphae(['export', '--data', dir, '--out', out]).code).toBe(0);
    const data = JSON.parse(readFileSync(out, 'utf8')) as { transfers: Array<{ id: string; memo: string; amount: number; payer: string; payee: string }> };
    const byKey = new Map<string, number>();
    for (const t of data.transfers) byKey.set(t.memo, (byKey.get(t.memo) ?? 0) + 1);
    // Nothing applied twice.
    expect([...byKey.values()].filter((n) => n > 1)).toEqual([]);
    // Everything acknowledged is there, as acknowledged.
    const ids = new Map(data.transfers.map((t) => [t.id, t]));
    for (const [key, { id, sent }] of acked) {
      const t = ids.get(id);
      expect(t, `acknowledged transfer ${key} is missing`).toBeDefined();
      expect({ amount: t!.amount, payer: t!.payer, payee: t!.payee, memo: t!.memo }).toEqual({
        amount: sent.amount,
        payer: sent.payer,
        payee: sent.payee,
        memo: key,
      });
    }
    for (const key of refused) expect(byKey.has(key)).toBe(false);
    const verify = hyphae(['ledger', 'verify', '--data', dir]);
    expect(verify.code, verify.out).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, totals: { credit: 0, hour: 0 } });
  });

  it('keeps every acknowledged check-out, check-in and vote through kill -9 restarts that reopen with LMDB safe restore', { timeout: 240_000 }, async () => {
    const rng = new Rng(7);
    const data = mkdtempSync(join(tmpdir(), 'hyphae-crash-desk-'));
    const env = { HYPHAE_ADMIN_EMAIL: 'admin@example.org', HYPHAE_ADMIN_PASSWORD: 'crash-test-pw' };
    // After a power cut the hub reopens LMDB the careful way: lmdb-js's safe restore.
    const restart = () => startHubProcess({ dataDir: data, env: { ...env, LMDB_RESTORE: 'safe' } });
    let hub = await startHubProcess({ dataDir: data, env });
    const admin = hyphae(['token', 'create', '--data', data, '--email', env.HYPHAE_ADMIN_EMAIL]).out.trim();
    const call = async (url: string, token: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const members: Array<{ id: string; token: string }> = [];
    for (let i = 0; i < 5; i++) {
      const m = await call(hub.url, admin, 'POST', '/api/v1/members', { name: `V${i}`, email: `v${i}@example.org` });
      members.push({ id: String(m.json.id), token: '' });
    }
    // Not spawnSync: a blocked event loop cannot see the hub close an idle keep-alive
    // connection, and the next request would go out on a socket that is gone.
    for (const [i, m] of members.entries()) m.token = (await hyphaeAsync(['token', 'create', '--data', data, '--email', `v${i}@example.org`])).out.trim();
    const items: string[] = [];
    for (let i = 0; i < 4; i++)
      items.push(
        String((await call(hub.url, admin, 'POST', '/api/v1/library/items', { name: `Tool ${i}`, category: 'tools', deposit: 500, fee: 50 })).json.code),
      );
    const proposals: string[] = [];
    for (let i = 0; i < 6; i++)
      proposals.push(
        String(
          (
            await call(hub.url, admin, 'POST', '/api/v1/proposals', {
              kind: 'parameter',
              title: `Rate ${i}`,
              rationale: 'r',
              payload: { name: 'demurrageRatePercent', value: 3 },
            })
          ).json.id,
        ),
      );

    const checkouts = new Map<string, { item: string; member: string }>(); // loan id → what was acknowledged
    const checkins = new Set<string>(); // loan ids acknowledged as returned
    const votes = new Map<string, string>(); // `${proposal} ${member}` → choice
    const open = new Map<string, string>(); // item → its open loan, as the hub last said

    const op = async (url: string) => {
      if (rng.int(0, 2) === 0) {
        const proposal = rng.pick(proposals);
        const m = rng.pick(members);
        const choice = rng.pick(['yes', 'no', 'abstain']);
        const r = await call(url, m.token, 'POST', `/api/v1/proposals/${proposal}/votes`, { choice });
        if (r.status === 201) votes.set(`${proposal} ${m.id}`, choice);
        else if (r.status !== 409) throw new Error(`vote: unexpected ${r.status}`);
        return;
      }
      const item = rng.pick(items);
      const loan = open.get(item);
      if (loan) {
        const r = await call(url, admin, 'POST', `/api/v1/library/loans/${loan}/checkin`, { condition: 'good' });
        if (r.status === 200) {
          checkins.add(loan);
          open.delete(item);
        } else if (r.status !== 409 && r.status !== 422) throw new Error(`checkin: unexpected ${r.status} ${JSON.stringify(r.json)}`);
      } else {
        const member = rng.pick(members).id;
        const r = await call(url, admin, 'POST', `/api/v1/library/items/${item}/checkout`, { memberId: member });
        if (r.status === 201) {
          checkouts.set(String(r.json.id), { item, member });
          open.set(item, String(r.json.id));
        } else if (r.status !== 409 && r.status !== 422) throw new Error(`checkout: unexpected ${r.status} ${JSON.stringify(r.json)}`);
      }
    };
    /** After a restart, what is open is what the hub says: an in-flight check-out or check-in may or may not have landed. */
    const resync = async (url: string) => {
      open.clear();
      const loans = (await call(url, admin, 'GET', '/api/v1/library/loans')).json as unknown as Array<{
        id: string;
        itemId: string;
        returnedAt: number | null;
      }>;
      const list = (await call(url, admin, 'GET', '/api/v1/library/items')).json as unknown as Array<{ id: string; code: string }>;
      const codeOf = new Map(list.map((i) => [i.id, i.code]));
      for (const l of loans) if (l.returnedAt === null) open.set(codeOf.get(l.itemId)!, l.id);
    };

    for (let round = 0; round < 10; round++) {
      const url = hub.url;
      let dead = false;
      const worker = async () => {
        while (!dead) {
          try {
            await op(url);
          } catch (e) {
            if (!dead && !(e instanceof TypeError)) throw e; // a refused connection once the hub is gone
          }
        }
      };
      const workers = Array.from({ length: 3 }, worker);
      await new Promise((r) => setTimeout(r, rng.int(100, 500)));
      await hub.kill9();
      dead = true;
      await Promise.all(workers);
      hub = await restart();
      await resync(hub.url);
    }
    await hub.stop();

    expect(checkouts.size).toBeGreaterThan(5);
    expect(votes.size).toBeGreaterThan(5);
    const out = join(data, 'export.json');
    expect(hyphae(['export', '--data', data, '--out', out]).code).toBe(0);
    const dump = JSON.parse(readFileSync(out, 'utf8')) as {
      library: { items: Array<{ id: string; code: string }>; loans: Array<{ id: string; itemId: string; memberId: string; returnedAt: number | null }> };
      governance: { votes: Array<{ proposalId: string; memberId: string; choice: string }> };
    };
    const itemCode = new Map(dump.library.items.map((i) => [i.id, i.code]));
    const loans = new Map(dump.library.loans.map((l) => [l.id, l]));
    for (const [id, want] of checkouts) {
      const l = loans.get(id);
      expect(l, `acknowledged check-out ${id} is missing`).toBeDefined();
      expect({ item: itemCode.get(l!.itemId), member: l!.memberId }).toEqual(want);
    }
    for (const id of checkins) expect(loans.get(id)?.returnedAt, `acknowledged check-in ${id} is undone`).not.toBeNull();
    // At most one open loan per item, whatever was in flight.
    const openPerItem = new Map<string, number>();
    for (const l of dump.library.loans) if (l.returnedAt === null) openPerItem.set(l.itemId, (openPerItem.get(l.itemId) ?? 0) + 1);
    expect([...openPerItem.values()].filter((n) => n > 1)).toEqual([]);
    const stored = new Map<string, string>();
    for (const v of dump.governance.votes) {
      const k = `${v.proposalId} ${v.memberId}`;
      expect(stored.has(k), `vote ${k} counted twice`).toBe(false);
      stored.set(k, v.choice);
    }
    for (const [k, choice] of votes) expect(stored.get(k), `acknowledged vote ${k}`).toBe(choice);
    const verify = hyphae(['ledger', 'verify', '--data', data]);
    expect(verify.code, verify.out).toBe(0);
    rmSync(data, { recursive: true, force: true });
  });
});
