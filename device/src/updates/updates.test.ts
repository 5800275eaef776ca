import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { caller, makeApp, makeCore, tempDir, tokensFor, type TestCore } from '../test-support.js';
import { VERSION } from '../version.js';
import { checkUpdate, compareVersions, makeUpdate } from './update-file.js';

/** Updates arrive signed, wait for the community's decision (unless they fix a security hole), and report how they went. */
const keys = () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pub: publicKey.export({ format: 'pem', type: 'spki' }).toString(), priv: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
};
const release = keys();
const stranger = keys();
const payload = Buffer.from('a .tar.gz of the hub bundle, in a real update');
const next = (v = '99.0.0', extra: { security?: boolean; key?: string } = {}) =>
  makeUpdate(payload, { version: v, changelog: `Hyphae ${v}: faster clearing.`, security: extra.security }, extra.key ?? release.priv);

let core: TestCore;
const m: Record<string, string> = {};
beforeEach(async () => {
  const dir = tempDir('hyphae-release-');
  writeFileSync(join(dir, 'release-key.pub'), release.pub);
  core = makeCore({ updates: { releaseKeyFile: join(dir, 'release-key.pub') }, governance: { modes: { update: 'majority' }, quorum: 0.3 } });
  for (const n of ['ana', 'bo', 'cy'])
    m[n] = (await core.members.create({ name: n, email: `${n}@example.org`, role: n === 'ana' ? 'steward' : 'resident' }, null)).id;
});
afterEach(() => core.cleanup());
const updatesDir = () => join(core.dataDir, 'updates');

describe('an update file', () => {
  it('is refused unless the release key signed it, it is whole, and it is newer than what runs', () => {
    expect(checkUpdate(next(), release.pub, VERSION).manifest.version).toBe('99.0.0');
    expect(() => checkUpdate(next('99.0.0', { key: stranger.priv }), release.pub, VERSION)).toThrow(/signature does not match the release key/);
    const tampered = next();
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect(() => checkUpdate(tampered, release.pub, VERSION)).toThrow(/do not match its signed checksum/);
    expect(() => checkUpdate(next().subarray(0, next().length - 3), release.pub, VERSION)).toThrow(/damaged or incomplete/);
    expect(() => checkUpdate(next('0.0.1'), release.pub, VERSION)).toThrow(/already runs/);
    expect(() => checkUpdate(Buffer.from('PK\u0003\u0004 a zip'), release.pub, VERSION)).toThrow(/not a Hyphae update file/);
    // A signed manifest cannot be edited into a security release.
    const text = next().toString('latin1').replace('"security":false', '"security":true ');
    expect(() => checkUpdate(Buffer.from(text, 'latin1'), release.pub, VERSION)).toThrow(/signature/);
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('1.0.0-rc.1', '1.0.0')).toBeLessThan(0);
  });
});

describe('a regular release', () => {
  it('opens an "update" proposal with its version, changelog and signature check, and is staged only when it passes', async () => {
    const r = await core.updates.receive(next(), m.ana!);
    expect(r).toMatchObject({ version: '99.0.0', state: 'awaiting-decision', security: false });
    const p = core.governance.get(r.proposalId!);
    expect(p).toMatchObject({ kind: 'update', title: 'Update Hyphae to 99.0.0', rationale: 'Hyphae 99.0.0: faster clearing.' });
    expect(p.payload).toMatchObject({ version: '99.0.0', from: VERSION, signature: expect.stringMatching(/^valid, release key [0-9a-f]{16}$/) });
    // The stewards hear of it; nothing is staged before the decision.
    expect(core.notifications.list(m.ana!).map((n) => n.kind)).toContain('update-proposed');
    expect(existsSync(join(updatesDir(), 'staged.json'))).toBe(false);
    for (const who of ['ana', 'bo']) await core.governance.vote(p.id, m[who]!, 'yes');
    core.clock.advance(8 * DAY_MS);
    await core.governance.closeDue();
    const staged = JSON.parse(readFileSync(join(updatesDir(), 'staged.json'), 'utf8'));
    expect(staged).toMatchObject({ version: '99.0.0', decidedBy: `proposal ${p.id}` });
    expect(checkUpdate(readFileSync(staged.file), release.pub, VERSION).manifest.version).toBe('99.0.0');
    expect(core.updates.status()).toMatchObject({ staged: '99.0.0', updates: [{ version: '99.0.0', state: 'staged' }] });
    expect(core.audit.list({}).entries.map((e) => e.action)).toContain('update-staged');
  });

  it('is declined, and its file removed, when the community says no', async () => {
    const r = await core.updates.receive(next(), m.ana!);
    for (const who of ['ana', 'bo', 'cy']) await core.governance.vote(r.proposalId!, m[who]!, 'no');
    core.clock.advance(8 * DAY_MS);
    await core.governance.closeDue();
    expect(core.updates.status()).toMatchObject({ staged: null, updates: [{ version: '99.0.0', state: 'declined' }] });
    expect(existsSync(join(updatesDir(), '99.0.0.hyphae-update'))).toBe(false);
  });

  it('cannot be proposed by hand: an update proposal opens only from a signed file', async () => {
    await expect(
      core.governance.propose(m.bo!, { kind: 'update', title: 'Install my build', rationale: 'trust me', payload: { version: '99.0.0' } }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('a security release', () => {
  it('is staged at once, with the stewards told and the audit log written', async () => {
    const r = await core.updates.receive(next('99.0.1', { security: true }), m.ana!);
    expect(r).toMatchObject({ state: 'staged', security: true, proposalId: null });
    expect(JSON.parse(readFileSync(join(updatesDir(), 'staged.json'), 'utf8'))).toMatchObject({ version: '99.0.1', decidedBy: 'security release' });
    expect(core.notifications.list(m.ana!).map((n) => n.kind)).toContain('update-security');
    expect(core.audit.list({}).entries[0]).toMatchObject({ action: 'update-staged', subject: '99.0.1', reason: 'security release' });
  });
});

describe('the outcome', () => {
  it("is read from what the card's installer wrote: installed, or rolled back with the reason, told to the stewards once", async () => {
    await core.updates.receive(next('99.0.1', { security: true }), m.ana!);
    writeFileSync(
      join(updatesDir(), 'result.json'),
      JSON.stringify({
        version: '99.0.1',
        outcome: 'rolled-back',
        at: core.clock.now(),
        detail: 'the new version did not answer its health check within 300 s',
      }),
    );
    await core.updates.noteResult();
    await core.updates.noteResult();
    expect(core.updates.status().updates[0]).toMatchObject({ state: 'rolled-back', detail: expect.stringMatching(/health check/) });
    expect(core.notifications.list(m.ana!).filter((n) => n.kind === 'update-rolled-back')).toHaveLength(1);
    expect(core.audit.list({}).entries[0]).toMatchObject({ action: 'update-rolled-back', subject: '99.0.1' });
  });
});

describe('the USB inbox', () => {
  it("takes update files a stick brought, in a steward's name, and drops what it refuses", async () => {
    // The stick's helper (os-image usb-import.sh) makes the inbox; the hub does not make it until it looks.
    expect(existsSync(join(updatesDir(), 'inbox'))).toBe(false);
    mkdirSync(join(updatesDir(), 'inbox'), { recursive: true });
    writeFileSync(join(updatesDir(), 'inbox', 'hyphae-99.0.0.hyphae-update'), next());
    writeFileSync(join(updatesDir(), 'inbox', 'forged.hyphae-update'), next('99.1.0', { key: stranger.priv }));
    expect(await core.updates.scanInbox()).toBe(1);
    expect(core.updates.status().updates.map((u) => [u.version, u.receivedBy])).toEqual([['99.0.0', 'usb']]);
    expect(core.governance.list('open')[0]).toMatchObject({ kind: 'update', createdBy: m.ana });
    expect(existsSync(join(updatesDir(), 'inbox', 'forged.hyphae-update'))).toBe(false);
  });
});

describe('over HTTP', () => {
  it('lets stewards upload and read updates, and no one else', async () => {
    const app = makeApp(core);
    const call = caller(app, await tokensFor(core, { ana: m.ana!, bo: m.bo! }));
    const raw = { 'content-type': 'application/octet-stream' };
    expect((await call('bo', 'POST', '/api/v1/updates', new Uint8Array(next()), raw)).status).toBe(403);
    expect((await call('bo', 'GET', '/api/v1/updates')).status).toBe(403);
    const forged = await call('ana', 'POST', '/api/v1/updates', new Uint8Array(next('99.0.0', { key: stranger.priv })), raw);
    expect(forged.status).toBe(422);
    expect(forged.type).toMatch(/application\/problem\+json/);
    expect(forged.json.detail).toMatch(/signature/);
    const ok = await call('ana', 'POST', '/api/v1/updates', new Uint8Array(next()), raw);
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ version: '99.0.0', state: 'awaiting-decision' });
    expect((await call('ana', 'POST', '/api/v1/updates', new Uint8Array(next()), raw)).status).toBe(409);
    const s = await call('ana', 'GET', '/api/v1/updates');
    expect(s.json).toMatchObject({ running: VERSION, enabled: true, updates: [{ version: '99.0.0' }] });
    expect((await call('bo', 'POST', '/api/v1/proposals', { kind: 'update', title: 'x', rationale: 'y' })).status).toBe(400);
  });
});
