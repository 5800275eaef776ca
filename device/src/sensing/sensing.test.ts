import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify.js';
import { makeCore, tempDir, type TestCore } from '../test-support.js';

let core: TestCore | undefined;
afterEach(async () => {
  await core?.cleanup();
  core = undefined;
});

function codecDir(script: string): string {
  const dir = join(tempDir('hyphae-codec-'), 'codecs');
  mkdirSync(dir);
  writeFileSync(
    join(dir, 'local.json'),
    JSON.stringify({ id: 'local', vendor: 'Local', model: 'x', description: '', script: 'local.js', units: {}, examples: [] }),
  );
  writeFileSync(join(dir, 'local.js'), script);
  return dir;
}

describe('sensing', () => {
  it("loads no codec for work that decodes nothing (the CLI's ledger verify and export)", () => {
    core = makeCore({ lorawan: { codecDirs: [codecDir('throw new Error("fails at load")')] } });
    expect(verifyLedger(core.ledger).ok).toBe(true);
    core.exportData();
    expect(core.sensing.counters['codec-load-failed']).toBeUndefined();
    // The first use loads them; the one that fails is counted and left out, the shipped ones stay.
    expect(core.sensing.codecs.has('dragino-lse01')).toBe(true);
    expect(core.sensing.codecs.has('local')).toBe(false);
    expect(core.sensing.counters['codec-load-failed']).toBe(1);
  });

  it('lets a neighbourhood codec replace a shipped one of the same id', () => {
    const dir = codecDir('');
    writeFileSync(
      join(dir, 'local.json'),
      JSON.stringify({ id: 'dragino-lse01', vendor: 'Local', model: 'fix', description: '', script: 'local.js', units: {}, examples: [] }),
    );
    writeFileSync(join(dir, 'local.js'), 'function decodeUplink() { return { data: { fixed: 1 } }; }');
    core = makeCore({ lorawan: { codecDirs: [dir] } });
    expect(core.sensing.codecs.get('dragino-lse01')!.decode({ bytes: [], fPort: 2 }).data).toEqual({ fixed: 1 });
  });
});
