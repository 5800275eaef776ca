import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('the hub bundle for the SD card', () => {
  it('builds one file with the definitions beside it, prints its size, and runs', () => {
    // Inside the repository, so the native modules resolve from its node_modules as they will from the bundle's own.
    const out = join(ROOT, '.test-data', 'bundle-test');
    rmSync(out, { recursive: true, force: true });
    const b = spawnSync(process.execPath, [join(ROOT, 'os-image', 'build-bundle.mjs'), '--out', out], { encoding: 'utf8' });
    expect(b.status, b.stderr).toBe(0);
    expect(b.stdout).toMatch(/hyphae\.mjs: \d+ KiB \(\d+ KiB gzip\)/);
    expect(existsSync(join(out, 'definitions', 'lorawan', 'codecs', 'dragino.js'))).toBe(true);
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).dependencies).toHaveProperty('lmdb');
    expect(JSON.parse(readFileSync(join(out, 'package.json'), 'utf8')).optionalDependencies).toHaveProperty('raspi-io');
    expect(existsSync(join(out, 'definitions', 'gpio', 'maxim-ds18b20.json'))).toBe(true);
    const version = spawnSync(process.execPath, [join(out, 'hyphae.mjs'), '--version'], { encoding: 'utf8', cwd: out });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'device', 'package.json'), 'utf8')).version);
    const codecs = spawnSync(process.execPath, [join(out, 'hyphae.mjs'), 'codec', 'list'], { encoding: 'utf8', cwd: '/' });
    expect(JSON.parse(codecs.stdout).length).toBeGreaterThanOrEqual(25);
    // The solver thread's file, beside hyphae.mjs where the hub looks for it, answers a clearing on its own.
    const solver = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { Worker } from 'node:worker_threads';
         const w = new Worker(${JSON.stringify(join(out, 'solver-worker.js'))}, { execArgv: [] });
         w.on('message', (m) => { if (m.ready) return; console.log(JSON.stringify(m)); w.terminate(); });
         w.postMessage({ id: 1, op: 'clear', args: [[{ debtor: 'a', creditor: 'b', amount: 3 }, { debtor: 'b', creditor: 'a', amount: 2 }]] });`,
      ],
      { encoding: 'utf8', cwd: '/' },
    );
    expect(JSON.parse(solver.stdout)).toMatchObject({ id: 1, ok: true, value: { cleared: 4 } });
    rmSync(out, { recursive: true, force: true });
  });
});
