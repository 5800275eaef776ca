import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HYPHAE_BIN, hyphae, startHubProcess } from '@hyphae/test-rig/hub-process';
import { medianOf, printGoals, rounds } from './goals.js';
import { fmt, tempDir } from './util.js';

/**
 * How long things take to start, wall clock: `hyphae flow solve` on a
 * two-node file (the CLI imports a command's modules only when it runs),
 * and a hub restarting on a data folder until /health answers. The
 * reference is Node starting and exiting with nothing to do, in the same
 * round.
 */
const RUNS = 5;

function wallMs(args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return performance.now() - t0;
}

export async function run(): Promise<void> {
  const dir = tempDir('hyphae-bench-startup-');
  try {
    const file = join(dir.path, 'two.min');
    writeFileSync(file, 'p min 2 1\nn 1 5\nn 2 -5\na 1 2 0 10 3\n');
    const cli = await rounds(() => {
      const node = medianOf(Array.from({ length: RUNS }, () => wallMs(['-e', ''])));
      const solve = medianOf(Array.from({ length: RUNS }, () => wallMs([HYPHAE_BIN, 'flow', 'solve', file])));
      return { node, solve };
    });

    // A hub with members and history on disk, started again as systemd would after a restart.
    const data = join(dir.path, 'hub');
    const first = await startHubProcess({ dataDir: data, env: { HYPHAE_ADMIN_EMAIL: 'bench@example.org', HYPHAE_ADMIN_PASSWORD: 'bench-password' } });
    const token = hyphae(['token', 'create', '--data', data, '--email', 'bench@example.org']).out.trim();
    for (let i = 0; i < 50; i++) await fetch(`${first.url}/api/v1/members`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: `M${i}`, email: `m${i}@bench.example` }) });
    await first.stop();
    const restart = await rounds(async () => {
      const t0 = performance.now();
      const hub = await startHubProcess({ dataDir: data });
      for (;;) {
        const ok = await fetch(`${hub.url}/api/v1/health`).then((r) => r.ok, () => false);
        if (ok) break;
      }
      const ms = performance.now() - t0;
      await hub.stop();
      return ms;
    });

    console.table([
      ...cli.map((r, i) => ({ round: i + 1, 'node -e "" (reference) ms': fmt(r.node), 'hyphae flow solve, 2 nodes ms': fmt(r.solve), 'hub restart to /health ms': fmt(restart[i]!) })),
    ]);
    printGoals([
      { what: 'hyphae flow solve on a 2-node file, wall', median: medianOf(cli.map((r) => r.solve)), worst: Math.max(...cli.map((r) => r.solve)), unit: ' ms', atMost: 300 },
      { what: 'hyphae flow solve ÷ bare node start', median: medianOf(cli.map((r) => r.solve / r.node)), unit: '×', digits: 2 },
      { what: 'hub restart until /health answers', median: medianOf(restart), worst: Math.max(...restart), unit: ' ms', atMost: 1_000 },
      { what: 'hub restart ÷ bare node start', median: medianOf(restart) / medianOf(cli.map((r) => r.node)), unit: '×', digits: 1 },
    ]);
  } finally {
    dir.remove();
  }
}
