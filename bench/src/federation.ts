import { HubRig, type RigHub } from '@hyphae/test-rig/federation-harness';
import { fmt, median } from './util.js';

/**
 * Inter-hub payments between two hub processes on loopback: how many
 * complete per second (proposal, acceptance, both ledgers), and how long
 * one takes from send to completion. The reference is the same number of
 * local transfers on the payer's hub, in the same run, through the same
 * HTTP API: the ratio is what the second phase and the link cost.
 */
const PAYMENTS = Number(process.env.BENCH_FED_PAYMENTS ?? 2_000);
const CONCURRENCY = 16;
const SAMPLES = 40;

async function pool(n: number, work: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < n) await work(next++);
    }),
  );
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const rig = new HubRig();
  try {
    const a = await rig.start('bench-a');
    const b = await rig.start('bench-b');
    await rig.link(a, b, { num: 1, den: 1 }, 1_000_000_000);
    const payers: string[] = [];
    for (let i = 0; i < 20; i++) payers.push((await rig.call(b, 'POST', '/api/v1/members', { name: `Payer ${i}`, email: `p${i}@b.example` })).id);
    const post = async (h: RigHub, path: string, body: unknown) => {
      const r = await rig.call(h, 'POST', path, body);
      if (!r.id) throw new Error(`${path} failed: ${JSON.stringify(r)}`);
      return r;
    };

    const localMs = await pool(PAYMENTS, async (i) => {
      await post(b, '/api/v1/transfers', { payer: payers[i % payers.length], payee: payers[(i + 1) % payers.length], amount: 1 });
    });

    const sendMs = await pool(PAYMENTS, async (i) => {
      await post(b, '/api/v1/federation/payments', { payer: payers[i % payers.length], to: `${a.member}@${a.hubId}`, amount: 1 });
    });
    const t0 = performance.now() - sendMs;
    for (;;) {
      const pending = (await rig.call(b, 'GET', '/api/v1/federation/payments?status=pending')).payments.length;
      if (pending === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const interMs = performance.now() - t0;
    const received = await rig.balance(a);
    if (received !== PAYMENTS) throw new Error(`alpha received ${received}, expected ${PAYMENTS}`);

    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const s = performance.now();
      const p = await post(b, '/api/v1/federation/payments', { payer: payers[i % payers.length], to: `${a.member}@${a.hubId}`, amount: 1 });
      while ((await rig.payment(b, p.id)).status !== 'completed') await new Promise((r) => setTimeout(r, 1));
      latencies.push(performance.now() - s);
    }
    latencies.sort((x, y) => x - y);

    const localRate = (PAYMENTS / localMs) * 1000;
    const interRate = (PAYMENTS / interMs) * 1000;
    console.table([
      { what: 'local transfers on one hub (reference)', 'per s': fmt(localRate), 'total ms': fmt(localMs) },
      { what: 'inter-hub payments, sent and completed', 'per s': fmt(interRate), 'total ms': fmt(interMs) },
    ]);
    console.log(
      `send → completion, one at a time: median ${fmt(median(latencies), 1)} ms, p90 ${fmt(latencies[Math.floor(latencies.length * 0.9)]!, 1)} ms (${SAMPLES} payments)`,
    );
    console.log(`ratio inter-hub / local: ${fmt(interRate / localRate, 2)}`);
  } finally {
    await rig.stopAll();
    rig.cleanup();
  }
}
