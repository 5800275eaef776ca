import { execFileSync, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUpdate } from '@hyphae/device';

/**
 * The card's root installer (os-image/debian/rootfs/usr/lib/hyphae/apply-update.sh),
 * run for real on a scratch root: it checks the staged file with the running
 * hub's own CLI and the image's release key, swaps /opt/hyphae, restarts, and
 * rolls back when the new version does not answer its health check.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = join(REPO, 'os-image', 'debian', 'rootfs', 'usr', 'lib', 'hyphae', 'apply-update.sh');
const root = mkdtempSync(join(tmpdir(), 'hyphae-update-root-'));
const data = join(root, 'var/lib/hyphae/updates');
const releases = join(root, 'opt/hyphae-releases');
const { publicKey, privateKey } = generateKeyPairSync('ed25519');
const releasePem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const stranger = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
let port = 0;

/** A release folder: the hub's CLI (for `update verify`) and a stand-in server that answers health as `version`, or dies at once. */
function release(dir: string, version: string, broken = false) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'hyphae.mjs'), `await import(${JSON.stringify(join(REPO, 'device/dist/cli/main.js'))});\n`);
  writeFileSync(
    join(dir, 'server.mjs'),
    broken
      ? `console.error('cannot find module lmdb'); process.exit(1);\n`
      : `import { createServer } from 'node:http';\ncreateServer((q, r) => { r.setHeader('content-type', 'application/json'); r.end(JSON.stringify({ status: 'ok', version: ${JSON.stringify(version)} })); }).listen(Number(process.env.PORT), '127.0.0.1');\n`,
  );
}

function packed(version: string, broken = false): Buffer {
  const dir = join(root, 'build', version);
  release(dir, version, broken);
  return execFileSync('sh', ['-c', 'tar -C "$1" -cf - . | gzip -n', 'tar', dir]);
}

function stage(version: string, file: Buffer) {
  const path = join(data, `${version}.hyphae-update`);
  writeFileSync(path, file);
  writeFileSync(join(data, 'staged.json'), JSON.stringify({ version, file: path, stagedAt: Date.now(), decidedBy: 'test' }));
}

function install() {
  return spawnSync('sh', [SCRIPT], {
    encoding: 'utf8',
    env: {
      ...process.env,
      HYPHAE_ROOT: root,
      HYPHAE_NODE: process.execPath,
      HYPHAE_RESTART: `sh ${join(root, 'restart.sh')}`,
      HYPHAE_HEALTH_URL: `http://127.0.0.1:${port}/api/v1/health`,
      HYPHAE_HEALTH_SECONDS: '10',
    },
  });
}

/** The version answering health, once the stand-in server (restarted in the background) listens; null if none does within 10 s. */
async function runningVersion(): Promise<string | null> {
  for (let i = 0; i < 100; i++) {
    try {
      return ((await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as { version: string }).version;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return null;
}

const result = () => JSON.parse(readFileSync(join(data, 'result.json'), 'utf8'));
const current = () => readlinkSync(join(root, 'opt/hyphae'));

/** A port nobody holds now: a random one collided with other tests' ephemeral ports in a full run. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

beforeAll(async () => {
  port = await freePort();
  mkdirSync(data, { recursive: true });
  mkdirSync(join(root, 'usr/share/hyphae'), { recursive: true });
  writeFileSync(join(root, 'usr/share/hyphae/release-key.pub'), publicKey.export({ format: 'pem', type: 'spki' }));
  release(join(releases, '0.1.0'), '0.1.0');
  execFileSync('ln', ['-sfn', join(releases, '0.1.0'), join(root, 'opt/hyphae')]);
  // What systemctl restart hyphae does on the card: stop the old process, start what /opt/hyphae points at.
  writeFileSync(
    join(root, 'restart.sh'),
    `[ -f ${root}/pid ] && kill $(cat ${root}/pid) 2>/dev/null; sleep 0.3\nPORT=${port} nohup ${process.execPath} ${root}/opt/hyphae/server.mjs >/dev/null 2>&1 &\necho $! > ${root}/pid\n`,
  );
  execFileSync('sh', [join(root, 'restart.sh')]);
});

afterAll(() => {
  spawnSync('sh', ['-c', `[ -f ${root}/pid ] && kill $(cat ${root}/pid)`]);
  rmSync(root, { recursive: true, force: true });
});

describe('installing an approved update on the card', () => {
  it('swaps to the new version when it answers, keeping the one before', async () => {
    stage('99.0.0', makeUpdate(packed('99.0.0'), { version: '99.0.0', changelog: 'Faster clearing' }, releasePem));
    const r = install();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/installing 99\.0\.0 in place of 0\.1\.0/);
    expect(current()).toBe(join(releases, '99.0.0'));
    expect(await runningVersion()).toBe('99.0.0');
    expect(result()).toMatchObject({ version: '99.0.0', outcome: 'installed' });
    expect(existsSync(join(data, 'staged.json'))).toBe(false);
    expect(existsSync(join(releases, '0.1.0', 'hyphae.mjs'))).toBe(true);
  });

  it('rolls back to the running version when the new one does not answer its health check', async () => {
    stage('99.0.1', makeUpdate(packed('99.0.1', true), { version: '99.0.1', changelog: 'Broken on purpose' }, releasePem));
    const r = install();
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/did not answer within 10 s; going back to 99\.0\.0/);
    expect(current()).toBe(join(releases, '99.0.0'));
    expect(await runningVersion()).toBe('99.0.0');
    expect(result()).toMatchObject({ version: '99.0.1', outcome: 'rolled-back', detail: expect.stringMatching(/health check/) });
    expect(existsSync(join(releases, '99.0.1'))).toBe(false);
  }, 30_000);

  it('refuses a file the release key did not sign, even one the hub staged, and changes nothing', async () => {
    stage('99.0.2', makeUpdate(packed('99.0.2'), { version: '99.0.2', changelog: 'Not ours' }, stranger));
    const r = install();
    expect(r.status).toBe(1);
    expect(result()).toMatchObject({ version: '99.0.2', outcome: 'refused', detail: expect.stringMatching(/signature/) });
    expect(current()).toBe(join(releases, '99.0.0'));
    expect(existsSync(join(releases, '99.0.2'))).toBe(false);
    // And a staged path outside the update folder is never read.
    writeFileSync(join(data, 'staged.json'), JSON.stringify({ version: '99.0.3', file: '/etc/shadow', stagedAt: 0, decidedBy: 'x' }));
    expect(install().status).toBe(1);
    expect(result()).toMatchObject({ outcome: 'refused', detail: expect.stringMatching(/not in the hub's update folder/) });
  });
});

describe('copying backups to a HYPHAE-BACKUP stick', () => {
  it('puts the newest seven sealed backups on the stick, keeps seven there, and tells the hub', () => {
    const stickRoot = mkdtempSync(join(tmpdir(), 'hyphae-stick-'));
    const backups = join(root, 'var/lib/hyphae/backups');
    mkdirSync(backups, { recursive: true });
    // An old copy already on the stick, and nine on the hub (the hub keeps seven; the stick must too).
    mkdirSync(join(stickRoot, 'hyphae-backups'), { recursive: true });
    writeFileSync(join(stickRoot, 'hyphae-backups', 'hyphae-hx-2026-01-01T03-30-00-000Z.backup.json'), '{"format":"hyphae-encrypted-backup"}');
    for (let d = 2; d <= 9; d++)
      writeFileSync(join(backups, `hyphae-hx-2026-01-0${d}T03-30-00-000Z.backup.json`), `{"format":"hyphae-encrypted-backup","n":${d}}`);
    const r = spawnSync('sh', [join(REPO, 'os-image/debian/rootfs/usr/lib/hyphae/usb-backup.sh'), stickRoot], {
      encoding: 'utf8',
      env: { ...process.env, HYPHAE_ROOT: root },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/7 sealed backup\(s\) on .*, newest hyphae-hx-2026-01-09/);
    const onStick = execFileSync('ls', [join(stickRoot, 'hyphae-backups')], { encoding: 'utf8' })
      .trim()
      .split('\n');
    expect(onStick).toHaveLength(7);
    expect(onStick[0]).toBe('hyphae-hx-2026-01-03T03-30-00-000Z.backup.json');
    expect(readFileSync(join(stickRoot, 'hyphae-backups', 'hyphae-hx-2026-01-09T03-30-00-000Z.backup.json'), 'utf8')).toContain('"n":9');
    expect(JSON.parse(readFileSync(join(backups, 'usb-status.json'), 'utf8'))).toMatchObject({
      file: 'hyphae-hx-2026-01-09T03-30-00-000Z.backup.json',
      copies: 7,
    });
    rmSync(stickRoot, { recursive: true, force: true });
  });
});
