import { readFileSync, rmSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hyphae, startHubProcess } from './hub-process.js';
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
    const data = JSON.parse(readFileSync(out, 'utf8')) as { transfers: Array<{ id: string; memo: string; amount: number; payer: string }> };
    const byKey = new Map<string, number>();
    for (const t of data.transfers) byKey.set(t.memo, (byKey.get(t.memo) ?? 0) + 1);
    // Nothing applied twice.
    expect([...byKey.values()].filter((n) => n > 1)).toEqual([]);
    // Everything acknowledged is there, as acknowledged.
    const ids = new Map(data.transfers.map((t) => [t.id, t]));
    for (const [key, { id, sent }] of acked) {
      const t = ids.get(id);
      expect(t, `acknowledged transfer ${key} is missing`).toBeDefined();
      expect(t!.amount).toBe(sent.amount);
    }
    for (const key of refused) expect(byKey.has(key)).toBe(false);
    const verify = hyphae(['ledger', 'verify', '--data', dir]);
    expect(verify.code, verify.out).toBe(0);
    expect(JSON.parse(verify.out)).toMatchObject({ ok: true, totals: { credit: 0, hour: 0 } });
  });
});
