import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support.js';

const CLI = fileURLToPath(new URL('../../bin/hyphae.js', import.meta.url));

function hyphae(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeEach(() => {
  dir = tempDir('hyphae-cli-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('hyphae CLI', () => {
  it('prints a commented default config', () => {
    const r = hyphae(['configfile']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\/\/ Hyphae hub configuration/);
    expect(r.out).toContain('"demurrageRatePercent": 2');
  });

  it('adds a member, creates a token, verifies and exports the ledger', () => {
    const add = hyphae(['member', 'add', '--data', dir, '--email', 'first@example.org', '--name', 'First', '--role', 'admin'], { HYPHAE_PASSWORD: 'longenough' });
    expect(add.code).toBe(0);
    expect(JSON.parse(add.out)).toMatchObject({ email: 'first@example.org', role: 'admin' });
    const tok = hyphae(['token', 'create', '--data', dir, '--email', 'first@example.org']);
    expect(tok.code).toBe(0);
    expect(tok.out.trim()).toMatch(/^hyp_[A-Za-z0-9_-]{20,}$/);
    const v = hyphae(['ledger', 'verify', '--data', dir]);
    expect(v.code).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ ok: true, problems: [] });
    const out = join(dir, 'export.json');
    const e = hyphae(['export', '--data', dir, '--out', out]);
    expect(e.code).toBe(0);
    const data = JSON.parse(readFileSync(out, 'utf8'));
    expect(data.members[0].email).toBe('first@example.org');
    expect(data.journal.length).toBeGreaterThan(1);
    expect(existsSync(out + '.tmp')).toBe(false);
  });

  it('fails with a message and a non-zero code on bad input', () => {
    const unknown = hyphae(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('unknown command "frobnicate"');
    const missing = hyphae(['ledger', 'verify']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--data is required');
    const badFlag = hyphae(['token', 'create', '--data', dir, '--emial', 'x']);
    expect(badFlag.code).toBe(2);
    writeFileSync(join(dir, 'hub.json'), '{"http": {"port": "eighty"}}');
    const badConfig = hyphae(['ledger', 'verify', '--data', dir]);
    expect(badConfig.code).toBe(1);
    expect(badConfig.err).toMatch(/hub.json: http.port/);
    rmSync(join(dir, 'hub.json'));
    const nobody = hyphae(['token', 'create', '--data', dir, '--email', 'nobody@example.org']);
    expect(nobody.code).toBe(2);
    expect(nobody.err).toContain('no member has the email nobody@example.org');
  });
});
