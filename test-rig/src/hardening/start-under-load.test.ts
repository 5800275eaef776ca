import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubProcess } from '../hub-process.js';
import { loadCodecs } from '@hyphae/drivers/lorawan';

/**
 * A Pi that boots after a power cut starts the hub with every core busy, and
 * systemd's Restart=always turns a failed start into a loop. The hub must
 * start every time: here twenty starts in a row while `stress --cpu 4` keeps
 * both cores of this machine busy, with a neighbourhood codec that is slow to
 * load (longer than the 50 ms decode watchdog) and one that cannot load at
 * all, which is disabled and logged while the hub starts without it.
 */
const dir = mkdtempSync(join(tmpdir(), 'hyphae-load-'));
const SHIPPED = loadCodecs().size;
let stress: ChildProcess | undefined;

beforeAll(() => {
  const which = spawnSync('stress', ['--version']);
  if (which.error) throw new Error("this test needs Debian's `stress` (apt-get install stress; .ci/run installs it)");
  stress = spawn('stress', ['--cpu', '4', '--timeout', '600'], { stdio: 'ignore' });
});
afterAll(() => {
  stress?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function neighbourhoodCodecs(): string {
  const codecs = join(dir, 'codecs');
  mkdirSync(codecs, { recursive: true });
  const def = (id: string) => JSON.stringify({ id, vendor: 'Local', model: id, description: '', script: `${id}.js`, units: { v: null }, examples: [] });
  writeFileSync(join(codecs, 'slow-start.json'), def('slow-start'));
  writeFileSync(
    join(codecs, 'slow-start.js'),
    'var t0 = Date.now(); while (Date.now() - t0 < 120) {} function decodeUplink(i) { return { data: { v: i.bytes[0] } }; }',
  );
  writeFileSync(join(codecs, 'broken.json'), def('broken'));
  writeFileSync(join(codecs, 'broken.js'), 'throw new Error("this script is broken");');
  return codecs;
}

describe('starting under load', () => {
  it('starts twenty times in a row on a busy machine, disabling only the codec that cannot load', { timeout: 600_000 }, async () => {
    const data = join(dir, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, 'hub.json'), JSON.stringify({ version: 1, lorawan: { codecDirs: [neighbourhoodCodecs()] } }));
    for (let i = 0; i < 20; i++) {
      const hub = await startHubProcess({ dataDir: data, timeoutMs: 120_000 });
      try {
        const health = await fetch(`${hub.url}/api/v1/health`);
        expect(health.status, `start ${i + 1}`).toBe(200);
        const loaded = hub.logs.find((l) => l.msg === 'codecs loaded');
        expect(loaded?.codecs, `start ${i + 1}`).toBe(SHIPPED + 1); // the shipped ones, and the slow one
        const disabled = hub.logs.filter((l) => l.msg === 'codec disabled: it could not be loaded');
        expect(
          disabled.map((l) => String(l.file).split('/').pop()),
          `start ${i + 1}`,
        ).toEqual(['broken.json']);
      } finally {
        expect(await hub.stop()).toBe(0);
      }
    }
  });
});
