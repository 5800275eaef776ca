import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKUPS_PATH, CHUNK_BYTES, generateIdentity, identityFromPem, openBackup, PeerBackupClient, signRequest } from '@hyphae/device';
import { afterAll, describe, expect, it } from 'vitest';
import { HubRig, type RigHub } from './federation-harness.js';
import { hyphae, startHubProcess, type HubProcess } from './hub-process.js';
import { provision } from './provision-process.js';
import { until } from './wait.js';

/**
 * Linked hubs keep each other's sealed backups, and a card that is lost
 * comes back from them: three real hub processes on loopback, the installers'
 * tool, and nothing but the recovery phrase and the backup passphrase.
 */
const rig = new HubRig();
const extra: HubProcess[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const p of extra) await p.stop().catch(() => undefined);
  await rig.stopAll();
  rig.cleanup();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'hyphae-peer-backups-'));
  dirs.push(d);
  return d;
};
const PASSPHRASE = 'moss grows on the north side';
const url = (h: RigHub) => `http://127.0.0.1:${h.port}`;

async function signedFetch(base: string, identity: ReturnType<typeof generateIdentity>, path: string, claim = identity.hubId): Promise<Response> {
  const { nonce } = (await (await fetch(`${base}${BACKUPS_PATH}/nonce`, { method: 'POST' })).json()) as { nonce: string };
  return fetch(`${base}${path}`, { headers: { ...signRequest(identity, 'GET', path, nonce), 'x-hyphae-hub': claim } });
}

describe('backups kept by linked hubs', () => {
  it('sends every backup to the linked hubs, which keep seven and give them only to their owner; a new card comes back from them', {
    timeout: 240_000,
  }, async () => {
    const a = await rig.start('alpha');
    const b = await rig.start('beta');
    const c = await rig.start('gamma');
    await rig.link(a, b);
    await rig.link(c, b);
    const neighbour = (await rig.call(a, 'POST', '/api/v1/members', { name: 'Neighbour', email: 'n@alpha.example' })).id as string;
    expect(await rig.call(a, 'POST', '/api/v1/transfers', { payer: a.member, payee: neighbour, amount: 250, memo: 'before the card was lost' })).toMatchObject({
      amount: 250,
    });
    const chosen = await fetch(`${url(a)}/api/v1/backups/passphrase`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ passphrase: PASSPHRASE }),
    });
    expect(chosen.status).toBe(204);

    // Nine backups, each sent on as it is made: beta keeps the newest seven.
    let newest = '';
    for (let night = 0; night < 9; night++) {
      newest = (await rig.call(a, 'POST', '/api/v1/backups')).file as string;
      await until(
        async () => (await rig.call(a, 'GET', '/api/v1/backups')).peers.some((p: { hubId: string; file: string }) => p.hubId === b.hubId && p.file === newest),
        `beta to confirm ${newest}`,
        { timeoutMs: 30_000, everyMs: 100 },
      );
    }
    const mine = await rig.call(a, 'GET', '/api/v1/backups');
    expect(mine.peers).toEqual([expect.objectContaining({ hubId: b.hubId, file: newest, error: null, overdue: false })]);
    const theirs = await rig.call(b, 'GET', '/api/v1/backups');
    expect(theirs.kept).toEqual([expect.objectContaining({ hubId: a.hubId, count: 7 })]);

    // Alpha, with its own key, lists and reads its backups on beta, byte for byte.
    const alpha = identityFromPem(readFileSync(join(a.dir, 'hub.key'), 'utf8'));
    const asAlpha = new PeerBackupClient(url(b), alpha);
    const kept = await asAlpha.list();
    expect(kept).toHaveLength(7);
    expect(kept[0]!.file).toBe(newest);
    expect((await asAlpha.download(newest)).equals(readFileSync(join(a.dir, 'backups', newest)))).toBe(true);

    // Nobody else: gamma (linked to beta) sees only its own, none; claiming to be alpha with
    // gamma's key, an unlinked hub, and a request played again are all refused.
    const gamma = identityFromPem(readFileSync(join(c.dir, 'hub.key'), 'utf8'));
    expect(await new PeerBackupClient(url(b), gamma).list()).toEqual([]);
    expect((await signedFetch(url(b), gamma, `${BACKUPS_PATH}/${newest}`)).status).toBe(404);
    const forged = await signedFetch(url(b), gamma, BACKUPS_PATH, a.hubId);
    expect(forged.status).toBe(401);
    expect(forged.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await signedFetch(url(b), generateIdentity(), BACKUPS_PATH)).status).toBe(401);
    const { nonce } = (await (await fetch(`${url(b)}${BACKUPS_PATH}/nonce`, { method: 'POST' })).json()) as { nonce: string };
    const once = { headers: signRequest(alpha, 'GET', BACKUPS_PATH, nonce) };
    expect((await fetch(`${url(b)}${BACKUPS_PATH}`, once)).status).toBe(200);
    expect((await fetch(`${url(b)}${BACKUPS_PATH}`, once)).status).toBe(401);

    // An upload that broke off resumes where beta's copy stops.
    const big = randomBytes(3 * CHUNK_BYTES + 123);
    const bigName = `hyphae-${a.hubId}-2000-01-01T00-00-00-000Z.backup.json`;
    const path = `${BACKUPS_PATH}/${bigName}`;
    const { nonce: n2 } = (await (await fetch(`${url(b)}${BACKUPS_PATH}/nonce`, { method: 'POST' })).json()) as { nonce: string };
    const first = big.subarray(0, CHUNK_BYTES);
    const put = await fetch(`${url(b)}${path}`, {
      method: 'PUT',
      headers: {
        ...signRequest(alpha, 'PUT', path, n2, first),
        'content-type': 'application/octet-stream',
        'x-hyphae-offset': '0',
        'x-hyphae-total': String(big.length),
        'x-hyphae-sha256': createHash('sha256').update(big).digest('hex'),
      },
      body: new Uint8Array(first),
    });
    expect(await put.json()).toEqual({ received: CHUNK_BYTES, complete: false });
    expect(await asAlpha.upload(bigName, big)).toEqual({ sent: big.length - CHUNK_BYTES, resumedAt: CHUNK_BYTES });
    // It is the oldest by name, so keeping seven drops it at once: the real ones stay.
    expect((await asAlpha.list()).map((k) => k.file)).toEqual(kept.map((k) => k.file));

    // The card is lost. The installer has the recovery phrase and the passphrase.
    const phrase = hyphae(['key', 'phrase', '--data', a.dir]);
    expect(phrase.code, phrase.err).toBe(0);
    expect(phrase.out.trim().split(' ')).toHaveLength(24);
    await a.proc.kill9();
    rmSync(a.dir, { recursive: true, force: true });

    const fresh = tmp();
    const card = await startHubProcess({ dataDir: fresh, env: { HYPHAE_ADMIN_EMAIL: 'installer@example.org', HYPHAE_ADMIN_PASSWORD: 'new-card-pw' } });
    extra.push(card);
    const token = hyphae(['token', 'create', '--data', fresh, '--email', 'installer@example.org']).out.trim();
    const out = join(tmp(), 'alpha.backup.json');
    const words = phrase.out.trim().split(' ');
    const misread = [...words.slice(0, 23), words[23] === 'zoo' ? 'zebra' : 'zoo'].join(' ');
    const wrongWord = await provision(['recover', '--peer', url(b), '--out', out], { HYPHAE_RECOVERY_PHRASE: misread, HYPHAE_BACKUP_PASSPHRASE: PASSPHRASE });
    expect(wrongWord.code).toBe(1);
    // The last word carries the phrase's checksum, which catches a misread one 255 times in 256; the other time
    // the phrase makes another key, and the linked hub refuses its signature ("Not signed by a linked hub").
    expect(wrongWord.err).toMatch(/does not check out|keeps no backups|not signed/i);
    const wrongPass = await provision(['recover', '--peer', url(b), '--out', out], {
      HYPHAE_RECOVERY_PHRASE: phrase.out,
      HYPHAE_BACKUP_PASSPHRASE: 'not the passphrase',
    });
    expect(wrongPass.code).toBe(1);
    expect(wrongPass.err).toMatch(/wrong passphrase/);

    const r = await provision(['recover', '--peer', url(b), '--out', out, '--hub', card.url, '--token', token], {
      HYPHAE_RECOVERY_PHRASE: phrase.out,
      HYPHAE_BACKUP_PASSPHRASE: PASSPHRASE,
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`${newest}`);
    expect(r.out).toContain('restore staged');
    expect(JSON.parse(openBackup(readFileSync(out, 'utf8'), PASSPHRASE).toString('utf8'))).toMatchObject({ hubId: a.hubId });
    await until(() => card.child.exitCode !== null, 'the new card to restart into the restore', { timeoutMs: 20_000, everyMs: 100 });
    const back = await startHubProcess({ dataDir: fresh, env: {} });
    extra.push(back);
    // The new card is alpha: its id, its members, its admin's token.
    expect(((await (await fetch(`${back.url}/api/v1/health`)).json()) as { hubId: string }).hubId).toBe(a.hubId);
    const member = (await (await fetch(`${back.url}/api/v1/accounts/${a.member}`, { headers: { authorization: `Bearer ${a.token}` } })).json()) as {
      id?: string;
      balance?: number;
    };
    expect(member).toMatchObject({ memberId: a.member, balance: -250 });
  });
});
