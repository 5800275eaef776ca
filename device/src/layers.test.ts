import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The borders of ARCHITECTURE.md, checked on the source: which folder may
 * import which. A test file may reach across (a domain test may build the
 * HTTP app); shipped code may not.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'dist' ? [] : sources(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module specifier a file imports, statically or dynamically. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)].map((m) => (m[1] ?? m[2])!);
}

const rel = (f: string) => relative(ROOT, f);

describe('who may import whom', () => {
  it('no domain module imports the HTTP layer (routes call the domain, never the other way)', () => {
    const outside = new Set(['http', 'cli']);
    const wrong = sources(join(ROOT, 'device/src'))
      .filter((f) => {
        const top = rel(f).split('/')[2]!;
        // The composition roots (and the tests' helper) build the HTTP app; every folder but http/ and cli/ is domain or adapter.
        return !outside.has(top) && !['hub.ts', 'index.ts', 'test-support.ts'].includes(top);
      })
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => /(^|\/)http\//.test(s))
          .map((s) => `${rel(f)} → ${s}`),
      );
    expect(wrong).toEqual([]);
  });

  it('drivers know nothing of the hub, and the console reaches it only over /api/v1', () => {
    const wrong = [
      ...sources(join(ROOT, 'drivers/src')).flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith('@hyphae/device') || s.includes('/device/'))
          .map((s) => `${rel(f)} → ${s}`),
      ),
      ...sources(join(ROOT, 'console/src')).flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith('@hyphae/') || s.includes('/device/') || s.includes('/drivers/'))
          .map((s) => `${rel(f)} → ${s}`),
      ),
    ];
    expect(wrong).toEqual([]);
  });

  it("the hub never imports the test rig, but for the demo at the CLI's edge", () => {
    const wrong = sources(join(ROOT, 'device/src'))
      .filter((f) => !rel(f).endsWith('cli/hub-commands.ts'))
      .flatMap((f) =>
        importsOf(f)
          .filter((s) => s.startsWith('@hyphae/test-rig'))
          .map((s) => `${rel(f)} → ${s}`),
      );
    expect(wrong).toEqual([]);
  });

  it('the flow solvers are pure: no I/O, no store, no clock', () => {
    const solvers = ['allocate', 'clearing', 'cost-scaling', 'network-simplex', 'primal-dual', 'potentials', 'problem', 'residual', 'certificate'].map((n) =>
      join(ROOT, 'device/src/flow', `${n}.ts`),
    );
    const wrong = solvers.flatMap((f) =>
      importsOf(f)
        .filter((s) => s.startsWith('node:') || /store|clock|ledger|http/.test(s))
        .map((s) => `${rel(f)} → ${s}`),
    );
    expect(wrong).toEqual([]);
  });

  it("a module does not open another module's sub-databases", () => {
    // store.db('name') in one folder only: each LMDB sub-database has one owner.
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const f of sources(join(ROOT, 'device/src'))) {
      const folder = rel(f).split('/').slice(0, -1).join('/');
      for (const m of readFileSync(f, 'utf8').matchAll(/\.db(?:<.*?>)?\('([\w-]+)'/g)) {
        const was = owner.get(m[1]!);
        if (was && was !== folder) clashes.push(`${m[1]}: ${was} and ${folder}`);
        owner.set(m[1]!, folder);
      }
    }
    expect(owner.size).toBeGreaterThan(20);
    expect(clashes).toEqual([]);
  });

  it('the HTTP schemas restate no domain type: an inline z.enum list is a query flag or a format, never a status or kind', () => {
    // Statuses, kinds and modes come from the modules' contract.ts arrays (z.enum(ITEM_STATUSES)).
    const allowed = new Set([
      "'true', 'false'",
      "'csv', 'json'",
      "'json', 'csv'",
      "'en', 'sv', 'es'",
      "'incoming', 'outgoing'",
      "'session', 'token'",
      "'catalogue', 'loans'",
    ]);
    const lists = sources(join(ROOT, 'device/src/http')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/z\.enum\(\[([^\]]*)\]\)/g)].map((m) => ({ at: rel(f), list: m[1]! })),
    );
    expect(lists.length).toBeGreaterThan(0);
    // A list that spreads a domain array and adds a query-only value ("auto") is derived, not restated.
    expect(lists.filter((l) => !allowed.has(l.list) && !/^\.\.\.[A-Z_]+,/.test(l.list))).toEqual([]);
  });

  it('time comes from the injected Clock: the wall clock is read only where it is the point', () => {
    // A hub with no RTC corrects its Clock (trusted or not, skipped intervals); a module that read Date.now() would not see that.
    const allowed = new Map([
      ['device/src/clock.ts', 'the system clock itself'],
      ['device/src/backup.ts', 'a temporary file name'],
      ['device/src/updates/update-file.ts', 'the release tool, on a developer machine'],
      ['device/src/http/routes/health.ts', "the operating system's time, shown beside the hub's"],
      ['device/src/store/migrations.ts', 'when a migration ran, before the clock is restored'],
    ]);
    const readers = sources(join(ROOT, 'device/src'))
      .filter((f) => /Date\.now\(\)|new Date\(\)/.test(readFileSync(f, 'utf8')))
      .map(rel);
    expect(readers.filter((f) => !allowed.has(f))).toEqual([]);
  });
});
