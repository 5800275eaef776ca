import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { hyphae, startHubProcess } from '@hyphae/test-rig/hub-process';
import { medianOf, printGoals, rounds } from './goals.js';
import { fmt, profileArgs, tempDir } from './util.js';

/**
 * The hub's HTTP API under load from autocannon, with the hub in its own
 * process as in production. The reference is a bare Hono JSON route in its
 * own process (bare-hono.ts), measured in the same round: what HTTP costs
 * with no middleware, auth or domain work. The hub's /health is shown too,
 * to tell middleware cost from domain cost. Three rounds; goals on medians.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Balance reads at 50 connections, transfers at 10, as the goals say. */
const READ_CONNECTIONS = 50;
const WRITE_CONNECTIONS = 10;

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, connections: READ_CONNECTIONS, pipelining: 1, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

async function bareHono<T>(use: (url: string) => Promise<T>): Promise<T> {
  const child = fork(fileURLToPath(new URL('./bare-hono.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
    return await use(`http://127.0.0.1:${port}/json`);
  } finally {
    child.kill();
  }
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-http-');
  const hub = await startHubProcess({
    dataDir: dir.path,
    nodeArgs: profileArgs(),
    env: { HYPHAE_ADMIN_EMAIL: 'bench@example.org', HYPHAE_ADMIN_PASSWORD: 'bench-password', HYPHAE_LOG_LEVEL: 'info' },
  });
  try {
    const token = hyphae(['token', 'create', '--data', dir.path, '--email', 'bench@example.org']).out.trim();
    // As phones send them: they accept gzip, so the compression check runs on every answer.
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'accept-encoding': 'gzip' };
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) {
      const r = await fetch(`${hub.url}/api/v1/members`, { method: 'POST', headers, body: JSON.stringify({ name: `M${i}`, email: `m${i}@bench.example` }) });
      ids.push(((await r.json()) as { id: string }).id);
    }
    let n = 0;
    const round = async () => {
      const bare = await bareHono((url) => load({ url, headers: { 'accept-encoding': 'gzip' } }));
      const bareW = await bareHono((url) => load({ url, connections: WRITE_CONNECTIONS, headers: { 'accept-encoding': 'gzip' } }));
      const health = await load({ url: `${hub.url}/api/v1/health`, headers: { 'accept-encoding': 'gzip' } });
      const reads = await load({
        url: hub.url,
        headers,
        requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/accounts/${ids[n++ % ids.length]}` }) }],
      });
      const transfers = await load({
        url: hub.url,
        connections: WRITE_CONNECTIONS,
        headers,
        requests: [
          {
            method: 'POST',
            path: '/api/v1/transfers',
            setupRequest: (req) => {
              const a = n++ % ids.length;
              const b = (a + 1 + (n % (ids.length - 1))) % ids.length;
              // Each with its own Idempotency-Key, as the console sends them.
              return {
                ...req,
                headers: { ...req.headers, 'idempotency-key': `bench-${n}` },
                body: JSON.stringify({ payer: ids[a], payee: ids[b], amount: 1 + (n % 50) }),
              };
            },
          },
        ],
      });
      return { bare, bareW, health, reads, transfers };
    };
    const all = await rounds(round, ROUNDS);
    const row = (name: string, conns: number, r: autocannon.Result) => ({
      endpoint: name,
      connections: conns,
      'req/s': fmt(r.requests.average),
      'p50 ms': r.latency.p50,
      'p99 ms': r.latency.p99,
      errors: r.errors + r.non2xx,
    });
    console.log(`${DURATION} s each, ${ROUNDS} rounds; hub and reference each in their own process`);
    console.table(
      all.flatMap((r, i) => [
        row(`round ${i + 1}: bare Hono JSON (reference)`, READ_CONNECTIONS, r.bare),
        row(`round ${i + 1}: bare Hono JSON (reference)`, WRITE_CONNECTIONS, r.bareW),
        row(`round ${i + 1}: hub GET /health`, READ_CONNECTIONS, r.health),
        row(`round ${i + 1}: hub GET /accounts/{id}`, READ_CONNECTIONS, r.reads),
        row(`round ${i + 1}: hub POST /transfers`, WRITE_CONNECTIONS, r.transfers),
      ]),
    );
    const rate = (k: 'reads' | 'transfers') => all.map((r) => r[k].requests.average);
    const ratio = (k: 'reads' | 'transfers' | 'health') => all.map((r) => r[k].requests.average / (k === 'transfers' ? r.bareW : r.bare).requests.average);
    const p99 = (k: 'reads' | 'transfers') => all.map((r) => r[k].latency.p99);
    const errors = all.reduce((s, r) => s + r.reads.errors + r.reads.non2xx + r.transfers.errors + r.transfers.non2xx, 0);
    printGoals([
      { what: 'balance reads/s', median: medianOf(rate('reads')), worst: Math.min(...rate('reads')), unit: '/s', atLeast: 10_000 },
      { what: 'balance reads ÷ bare Hono JSON', median: medianOf(ratio('reads')), worst: Math.min(...ratio('reads')), unit: '×', atLeast: 0.5, digits: 2 },
      {
        what: `balance read p99 at ${READ_CONNECTIONS} connections`,
        median: medianOf(p99('reads')),
        worst: Math.max(...p99('reads')),
        unit: ' ms',
        atMost: 20,
      },
      { what: 'transfers/s with Idempotency-Key', median: medianOf(rate('transfers')), worst: Math.min(...rate('transfers')), unit: '/s', atLeast: 5_000 },
      { what: 'transfers ÷ bare Hono JSON', median: medianOf(ratio('transfers')), worst: Math.min(...ratio('transfers')), unit: '×', atLeast: 0.25, digits: 2 },
      {
        what: `transfer p99 at ${WRITE_CONNECTIONS} connections`,
        median: medianOf(p99('transfers')),
        worst: Math.max(...p99('transfers')),
        unit: ' ms',
        atMost: 20,
      },
      { what: 'hub /health ÷ bare Hono JSON (what the middleware costs)', median: medianOf(ratio('health')), unit: '×', digits: 2 },
      { what: 'errors and non-2xx answers', median: errors, unit: '', atMost: 0 },
    ]);
    const verify = await fetch(`${hub.url}/api/v1/ledger/verify`, { headers }).then((r) => r.json() as Promise<{ ok: boolean; transfers: number }>);
    console.log(`ledger after the run: ${verify.ok ? 'verifies' : 'DOES NOT VERIFY'}, ${fmt(verify.transfers)} transfers`);
  } finally {
    await hub.stop();
    dir.remove();
  }
}
