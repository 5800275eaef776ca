import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cardNodeArgs, HYPHAE_BIN, hyphae, startHubProcess } from '@hyphae/test-rig/hub-process';
import { medianOf, printGoals, rounds } from './goals.js';
import { fmt, residentMiB, tempDir } from './util.js';

/**
 * How long things take to start, wall clock: `hyphae flow solve` on a
 * two-node file (the CLI imports a command's modules only when it runs),
 * a hub restarting on a data folder until /health answers, and the demo
 * hub's resident memory once it has settled. The reference is Node
 * starting and exiting with nothing to do, in the same round.
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
    for (let i = 0; i < 50; i++)
      await fetch(`${first.url}/api/v1/members`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `M${i}`, email: `m${i}@bench.example` }),
      });
    await first.stop();
    const restart = await rounds(async () => {
      const t0 = performance.now();
      const hub = await startHubProcess({ dataDir: data });
      for (;;) {
        const ok = await fetch(`${hub.url}/api/v1/health`).then(
          (r) => r.ok,
          () => false,
        );
        if (ok) break;
      }
      const ms = performance.now() - t0;
      await hub.stop();
      return ms;
    });

    // The demo neighbourhood, left to settle, then its resident memory sampled for ten seconds.
    const demoDir = join(dir.path, 'demo');
    const steady = await rounds(async () => {
      const demo = await startHubProcess({ dataDir: demoDir, args: ['--demo'], nodeArgs: cardNodeArgs(), timeoutMs: 60_000 });
      try {
        await new Promise((r) => setTimeout(r, 20_000));
        const samples: Array<{ rss: number; anon: number }> = [];
        for (let i = 0; i < 10; i++) {
          samples.push(residentMiB(demo.child.pid!) ?? { rss: NaN, anon: NaN });
          await new Promise((r) => setTimeout(r, 1_000));
        }
        return { rss: medianOf(samples.map((x) => x.rss)), anon: medianOf(samples.map((x) => x.anon)) };
      } finally {
        await demo.stop();
      }
    });

    console.table([
      ...cli.map((r, i) => ({
        round: i + 1,
        'node -e "" (reference) ms': fmt(r.node),
        'hyphae flow solve, 2 nodes ms': fmt(r.solve),
        'hub restart to /health ms': fmt(restart[i]!),
        'demo hub RSS MiB (own)': `${fmt(steady[i]!.rss)} (${fmt(steady[i]!.anon)})`,
      })),
    ]);
    printGoals([
      {
        what: 'hyphae flow solve on a 2-node file, wall',
        median: medianOf(cli.map((r) => r.solve)),
        worst: Math.max(...cli.map((r) => r.solve)),
        unit: ' ms',
        atMost: 300,
      },
      { what: 'hyphae flow solve ÷ bare node start', median: medianOf(cli.map((r) => r.solve / r.node)), unit: '×', digits: 2 },
      { what: 'hub restart until /health answers', median: medianOf(restart), worst: Math.max(...restart), unit: ' ms', atMost: 1_000 },
      { what: 'hub restart ÷ bare node start', median: medianOf(restart) / medianOf(cli.map((r) => r.node)), unit: '×', digits: 1 },
      {
        what: 'demo hub resident memory, steady (LMDB map pages included)',
        median: medianOf(steady.map((s) => s.rss)),
        worst: Math.max(...steady.map((s) => s.rss)),
        unit: ' MiB',
        atMost: 150,
      },
      { what: "demo hub's own memory, steady (anonymous)", median: medianOf(steady.map((s) => s.anon)), unit: ' MiB' },
    ]);
  } finally {
    dir.remove();
  }
}
