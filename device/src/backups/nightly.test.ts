import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeBackup, type BackupDocument } from '../backup.js';
import { DAY_MS } from '../clock.js';
import { openBackup } from '../crypto-box.js';
import { coreDeps, createApp } from '../http/app.js';
import { generateIdentity } from '../identity.js';
import { silentLogger } from '../log.js';
import { caller, makeCore, withMembers, type TestCore } from '../test-support.js';
import { KEEP_BACKUPS, NightlyBackups } from './nightly.js';
import { PeerBackupPush } from './peer-push.js';

let core: TestCore;
let backups: NightlyBackups;
const identity = generateIdentity();
beforeEach(() => {
  core = makeCore();
  backups = new NightlyBackups({
    dir: join(core.dataDir, 'backups'),
    make: () => makeBackup(core, core.dataDir, identity),
    clock: core.clock,
    log: silentLogger,
    since: core.clock.now(),
  });
});
afterEach(() => core.cleanup());

describe('nightly backups', () => {
  it('are built without touching the disk: the folder is made when first used, owner-only', () => {
    const dir = join(core.dataDir, 'later', 'backups');
    const later = new NightlyBackups({ dir, make: () => makeBackup(core, core.dataDir, identity), clock: core.clock, log: silentLogger, since: 0 });
    expect(existsSync(dir)).toBe(false);
    expect(later.files()).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("are sealed with the admins' passphrase in the provisioning tool's format, seven kept, readable only by the hub", async () => {
    await expect(backups.run()).rejects.toMatchObject({ status: 409, title: 'No backup passphrase' });
    backups.setPassphrase('river stones and moss');
    const ana = await core.members.create({ name: 'Ana', email: 'ana@example.org' }, null);
    for (let night = 0; night < 9; night++) {
      await backups.run();
      core.clock.advance(DAY_MS);
    }
    const files = backups.files();
    expect(files).toHaveLength(KEEP_BACKUPS);
    expect(readdirSync(join(core.dataDir, 'backups')).filter((f) => f.endsWith('.backup.json'))).toHaveLength(KEEP_BACKUPS);
    const newest = readFileSync(join(core.dataDir, 'backups', files[0]!.file), 'utf8');
    expect(JSON.parse(newest)).toMatchObject({ format: 'hyphae-encrypted-backup', hubId: identity.hubId });
    const doc = JSON.parse(openBackup(newest, 'river stones and moss').toString('utf8')) as BackupDocument;
    expect(doc).toMatchObject({ format: 'hyphae-backup', hubId: identity.hubId, privateKeyPem: identity.privateKeyPem });
    expect(doc.createdAt.slice(0, 10)).toBe(new Date(core.clock.now() - DAY_MS).toISOString().slice(0, 10));
    expect(() => openBackup(newest, 'a wrong passphrase')).toThrow();
    expect(statSync(join(core.dataDir, 'backups', files[0]!.file)).mode & 0o077).toBe(0);
    expect(statSync(join(core.dataDir, 'backups', 'passphrase')).mode & 0o077).toBe(0);
    expect(newest).not.toContain(ana.email);
  });

  it('say when they are overdue, and what the USB stick last got', async () => {
    expect(backups.status()).toMatchObject({ passphraseSet: false, local: null, usb: null, overdue: false });
    core.clock.advance(3 * DAY_MS);
    expect(backups.status().overdue).toBe(true);
    backups.setPassphrase('river stones and moss');
    const made = await backups.run();
    expect(backups.status()).toMatchObject({ passphraseSet: true, local: { file: made.file }, overdue: false });
    // The card's root helper writes this when it copies to a stick labelled HYPHAE-BACKUP.
    writeFileSync(join(core.dataDir, 'backups', 'usb-status.json'), JSON.stringify({ at: core.clock.now(), file: made.file, device: '/dev/sda1', copies: 1 }));
    expect(backups.status().usb).toMatchObject({ file: made.file, device: '/dev/sda1' });
    expect(() => backups.setPassphrase('short')).toThrow(/at least 8/);
  });

  it('say which linked hub has not had one for two days, and why, and try it again', async () => {
    const peers = new PeerBackupPush({
      dir: join(core.dataDir, 'backups'),
      identity,
      clock: core.clock,
      log: silentLogger,
      targets: () => [{ hubId: 'hdown', name: 'Riverside', url: async () => 'http://127.0.0.1:1' }],
    });
    const withPeers = new NightlyBackups({
      dir: join(core.dataDir, 'backups'),
      make: () => makeBackup(core, core.dataDir, identity),
      clock: core.clock,
      log: silentLogger,
      since: core.clock.now(),
      peers,
    });
    expect(withPeers.status().peers).toEqual([expect.objectContaining({ hubId: 'hdown', name: 'Riverside', file: null, at: null, overdue: false })]);
    withPeers.setPassphrase('river stones and moss');
    await withPeers.run();
    const [first] = await withPeers.pushToPeers();
    expect(first).toMatchObject({ file: null, error: expect.stringMatching(/fetch failed|ECONNREFUSED/) });
    core.clock.advance(DAY_MS);
    await withPeers.run();
    await withPeers.pushToPeers();
    expect(withPeers.status().peers[0]).toMatchObject({ overdue: false, lastTry: core.clock.now() });
    core.clock.advance(DAY_MS + 1);
    expect(withPeers.status().peers[0]).toMatchObject({ overdue: true, error: expect.any(String) });
  });

  it('are set up and fetched by admins over HTTP, and seen by stewards', async () => {
    const app = createApp({ ...coreDeps(core, silentLogger), backups });
    const { tok } = await withMembers(core, { ada: 'admin', sam: 'steward', bo: 'resident' });
    const call = caller(app, tok);
    expect((await call('bo', 'GET', '/api/v1/backups')).status).toBe(403);
    expect((await call('sam', 'PUT', '/api/v1/backups/passphrase', { passphrase: 'river stones and moss' })).status).toBe(403);
    expect((await call('ada', 'PUT', '/api/v1/backups/passphrase', { passphrase: 'river stones and moss' })).status).toBe(204);
    const made = await call('ada', 'POST', '/api/v1/backups');
    expect(made.status).toBe(201);
    expect((await call('sam', 'GET', '/api/v1/backups')).json).toMatchObject({ passphraseSet: true, local: { file: made.json.file } });
    const file = await call('ada', 'GET', `/api/v1/backups/${made.json.file}`);
    expect(file.status).toBe(200);
    expect(file.json).toMatchObject({ format: 'hyphae-encrypted-backup' });
    expect((await call('sam', 'GET', `/api/v1/backups/${made.json.file}`)).status).toBe(403);
    expect((await call('ada', 'GET', '/api/v1/backups/..%2Fpassphrase')).status).toBe(400);
    expect((await call('ada', 'GET', '/api/v1/backups/nothing.backup.json')).status).toBe(404);
  });
});
