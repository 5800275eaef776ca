import autocannon from 'autocannon';
import { hyphae, startHubProcess } from '@hyphae/test-rig/hub-process';
import { fmt, tempDir } from './util.js';

/**
 * The hub's HTTP API under load from autocannon, with the hub in its own
 * process as in production. The reference is the hub's own health endpoint
 * in the same run: the cost of HTTP, routing and auth with no domain work.
 * Targets: ≥ 5,000 transfers/s and ≥ 10,000 balance reads/s, p99 < 20 ms.
 */
const DURATION = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 32;

async function load(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon({ duration: DURATION, connections: CONNECTIONS, pipelining: 1, ...opts }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-http-');
  const hub = await startHubProcess({
    dataDir: dir.path,
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
    const health = await load({ url: `${hub.url}/api/v1/health`, headers: { 'accept-encoding': 'gzip' } });
    const reads = await load({
      url: hub.url,
      headers,
      requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/v1/accounts/${ids[n++ % ids.length]}` }) }],
    });
    const transfers = await load({
      url: hub.url,
      headers,
      requests: [
        {
          method: 'POST',
          path: '/api/v1/transfers',
          setupRequest: (req) => {
            const a = n++ % ids.length;
            const b = (a + 1 + (n % (ids.length - 1))) % ids.length;
            return { ...req, body: JSON.stringify({ payer: ids[a], payee: ids[b], amount: 1 + (n % 50) }) };
          },
        },
      ],
    });
    const row = (name: string, r: autocannon.Result) => ({
      endpoint: name,
      'req/s': fmt(r.requests.average),
      'p50 ms': r.latency.p50,
      'p99 ms': r.latency.p99,
      errors: r.errors + r.non2xx,
    });
    console.log(`${DURATION} s each, ${CONNECTIONS} connections, hub in its own process`);
    console.table([row('GET /health (reference)', health), row('GET /accounts/{id}', reads), row('POST /transfers', transfers)]);
    console.log(`ratio to reference: balance reads ${fmt(reads.requests.average / health.requests.average, 2)}, transfers ${fmt(transfers.requests.average / health.requests.average, 2)}`);
    const ok = (c: boolean) => (c ? 'met' : 'NOT met');
    console.log(`targets: transfers ≥ 5,000/s → ${ok(transfers.requests.average >= 5000)}; reads ≥ 10,000/s → ${ok(reads.requests.average >= 10_000)}; p99 < 20 ms → ${ok(reads.latency.p99 < 20 && transfers.latency.p99 < 20)}`);
    const verify = await fetch(`${hub.url}/api/v1/ledger/verify`, { headers }).then((r) => r.json() as Promise<{ ok: boolean; transfers: number }>);
    console.log(`ledger after the run: ${verify.ok ? 'verifies' : 'DOES NOT VERIFY'}, ${fmt(verify.transfers)} transfers`);
  } finally {
    await hub.stop();
    dir.remove();
  }
}
