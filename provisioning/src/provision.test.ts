import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identityFromPem, parseConfig, REGION_IDS } from '@hyphae/device';
import { mountedPartitions } from './flash.js';

const BIN = fileURLToPath(new URL('../bin/hyphae-provision.js', import.meta.url));
const run = (args: string[]) => {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
};
const dir = mkdtempSync(join(tmpdir(), 'hyphae-provision-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A real SD-card image: MBR, one FAT32 boot partition from 1 MiB, built with Debian's fdisk and dosfstools. */
function makeImage(name: string, sizeMiB = 48): string {
  const img = join(dir, name);
  execFileSync('truncate', ['-s', `${sizeMiB}M`, img]);
  execFileSync('sfdisk', ['--quiet', img], { input: 'label: dos\nstart=2048, type=c, bootable\n' });
  const sectors = (sizeMiB * 1024 * 1024) / 512 - 2048;
  execFileSync('mkfs.vfat', ['-F', '32', '-n', 'BOOT', '--offset', '2048', img, String(sectors / 2)], { stdio: 'ignore' });
  return img;
}
/** Reads a file back from the image's FAT partition with mtools, independently of the tool under test. */
function mtype(img: string, path: string): string {
  return execFileSync('mtype', ['-i', `${img}@@1M`, `::${path}`], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } });
}
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

const initArgs = (img: string) => [
  'init',
  '--non-interactive',
  '--image',
  img,
  '--name',
  'Riverside Commons',
  '--ssid',
  'riverside',
  '--passphrase',
  'correct horse battery',
  '--country',
  'SE',
  '--region',
  'EU868',
  '--steward-email',
  'steward@riverside.example',
  '--timezone',
  'Europe/Stockholm',
];

let image: string;
beforeAll(() => {
  image = makeImage('card.img');
});

describe('hyphae-provision init into a real disk image', () => {
  it('writes hub.json and hub.key into the FAT boot partition without mounting it', () => {
    const r = run(initArgs(image));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/One-time password \(shown only now[^)]*\): [a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}/);
    const json = mtype(image, 'hyphae/hub.json');
    const config = parseConfig(json, 'hub.json');
    expect(config.hub).toMatchObject({ name: 'Riverside Commons', timezone: 'Europe/Stockholm' });
    expect(config.network).toMatchObject({ ssid: 'riverside', passphrase: 'correct horse battery', country: 'SE' });
    expect(config.lorawan.region).toBe('EU868');
    expect(config.gpio).toEqual({ io: 'raspi-io', sensors: [] });
    expect(config.firstSteward).toMatchObject({ email: 'steward@riverside.example' });
    expect(config.firstSteward!.passwordHash).toMatch(/^\$argon2id\$/);
    const otp = /\): ([a-z2-9]{4}(?:-[a-z2-9]{4}){3})/.exec(r.out)![1]!;
    expect(json).not.toContain(otp); // only its argon2id hash is stored
    const key = mtype(image, 'hyphae/hub.key');
    expect(key).toMatch(/-----BEGIN PRIVATE KEY-----/);
    const id = identityFromPem(key);
    expect(JSON.parse(json).identity).toEqual({ hubId: id.hubId, publicKey: id.publicKey });
  });

  it('leaves the image exactly as it was when a run fails', () => {
    const before = sha(image);
    const args = initArgs(image);
    args[args.indexOf('SE')] = 'Sweden'; // not a two-letter country code
    const bad = run(args);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/hyphae-provision: /);
    expect(sha(image)).toBe(before);
    // A write that fails half-way (the partition fills up) also leaves it untouched.
    const tiny = makeImage('tiny.img', 34);
    const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
    const free = Number(/([\d ]+) bytes free/.exec(execFileSync('mdir', ['-i', `${tiny}@@1M`, '::'], { encoding: 'utf8', env }))![1]!.replace(/ /g, ''));
    // Leave room for the folder but not for hub.json: the run fails after it has started writing.
    writeFileSync(join(dir, 'filler'), Buffer.alloc(free - 1536));
    execFileSync('mcopy', ['-i', `${tiny}@@1M`, join(dir, 'filler'), '::filler'], { env });
    const tinyBefore = sha(tiny);
    const full = run(initArgs(tiny));
    expect(full.code).not.toBe(0);
    expect(full.err).toMatch(/nothing was changed/);
    expect(sha(tiny)).toBe(tinyBefore);
    expect(existsSync(join(dir, '.tiny.img.provisioning'))).toBe(false);
  });

  it('writes to a folder with --out, the key readable only by its owner', () => {
    const out = join(dir, 'folder');
    const r = run([
      'init',
      '--non-interactive',
      '--out',
      out,
      '--name',
      'Hill',
      '--ssid',
      'hill',
      '--country',
      'ES',
      '--region',
      'EU868',
      '--steward-email',
      's@hill.example',
    ]);
    expect(r.code, r.err).toBe(0);
    expect(statSync(join(out, 'hyphae', 'hub.key')).mode & 0o777).toBe(0o600);
    expect(parseConfig(readFileSync(join(out, 'hyphae', 'hub.json'), 'utf8')).network.country).toBe('ES');
    expect(run(['init', '--non-interactive', '--out', out]).code).toBe(2);
  });

  it('accepts every region the hub has a file for, and names them when given another', () => {
    for (const region of REGION_IDS) {
      const out = join(dir, `region-${region}`);
      const r = run([
        'init',
        '--non-interactive',
        '--out',
        out,
        '--name',
        'Hill',
        '--ssid',
        'hill',
        '--country',
        'ES',
        '--region',
        region,
        '--steward-email',
        's@hill.example',
      ]);
      expect(r.code, r.err).toBe(0);
      expect(parseConfig(readFileSync(join(out, 'hyphae', 'hub.json'), 'utf8')).lorawan.region).toBe(region);
    }
    const bad = run([
      'init',
      '--non-interactive',
      '--out',
      join(dir, 'region-bad'),
      '--name',
      'Hill',
      '--ssid',
      'hill',
      '--country',
      'ES',
      '--region',
      'EU869',
      '--steward-email',
      's@hill.example',
    ]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--region must be one of EU868, US915, AU915, AS923-1, AS923-2, AS923-3, AS923-4, IN865, KR920, CN470, EU433/);
  });
});

describe('hyphae-provision devices add', () => {
  it('generates keys, writes a QR label and queues the device on the card', () => {
    const label = join(dir, 'label.svg');
    const r = run([
      'devices',
      'add',
      'lorawan',
      '--name',
      'Allotment probe',
      '--place',
      'Allotments',
      '--codec',
      'dragino-lse01',
      '--label',
      label,
      '--image',
      image,
    ]);
    expect(r.code, r.err).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.devEui).toMatch(/^[0-9a-f]{16}$/);
    expect(out.appKey).toMatch(/^[0-9a-f]{32}$/);
    const svg = readFileSync(label, 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain(out.devEui.toUpperCase());
    const queued = JSON.parse(mtype(image, 'hyphae/devices.json'));
    expect(queued).toEqual([
      {
        kind: 'lorawan',
        name: 'Allotment probe',
        place: 'Allotments',
        profile: 'dragino-lse01',
        otaa: { devEui: out.devEui, joinEui: out.joinEui, appKey: out.appKey },
      },
    ]);
    const m = run(['devices', 'add', 'modbus', '--name', 'Inverter', '--template', 'sunspec', '--host', '10.42.0.20', '--image', image]);
    expect(m.code, m.err).toBe(0);
    expect(JSON.parse(mtype(image, 'hyphae/devices.json'))).toHaveLength(2);
    const pdfLabel = join(dir, 'label.pdf');
    expect(run(['devices', 'add', 'lorawan', '--name', 'Pond probe', '--label', pdfLabel, '--image', image]).code).toBe(0);
    expect(readFileSync(pdfLabel).subarray(0, 5).toString()).toBe('%PDF-');
    expect(run(['devices', 'add', 'lorawan', '--name', 'x', '--dev-eui', 'nothex', '--image', image]).code).toBe(2);
  });
});

describe('hyphae-provision flash', () => {
  it('writes an image to a device with progress, reads it back, and refuses what looks like a system disk', () => {
    const card = join(dir, 'card-device');
    writeFileSync(card, Buffer.alloc(64 * 1024 * 1024));
    const dry = run(['flash', image, card, '--dry-run']);
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/dry run/);
    expect(readFileSync(card).every((b) => b === 0)).toBe(true); // a dry run writes nothing
    const r = run(['flash', image, card]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/writing .*MiB\/s \| ETA/);
    expect(r.err).toMatch(/verifying/);
    expect(r.out).toMatch(/wrote and verified \d+ bytes/);
    expect(
      createHash('sha256')
        .update(readFileSync(card).subarray(0, statSync(image).size))
        .digest('hex'),
    ).toBe(sha(image));
    const big = run(['flash', image, card, '--max-gb', '0.01']);
    expect(big.code).toBe(1);
    expect(big.err).toMatch(/refusing to write .* more than an SD card/);
    expect(run(['flash', image, card, '--max-gb', '0.01', '--force']).code).toBe(0);
  });

  it('writes an .img.xz as the image build makes it, decompressing on the way, and refuses a truncated one', () => {
    const card = join(dir, 'card-xz');
    writeFileSync(card, Buffer.alloc(64 * 1024 * 1024));
    execFileSync('sh', ['-c', 'xz -T1 -1 -kc "$1" > "$1.xz"', 'xz', image]);
    const r = run(['flash', `${image}.xz`, card]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(new RegExp(`wrote and verified ${statSync(image).size} bytes \\(sha256 ${sha(image)}\\)`));
    expect(
      createHash('sha256')
        .update(readFileSync(card).subarray(0, statSync(image).size))
        .digest('hex'),
    ).toBe(sha(image));
    const xz = readFileSync(`${image}.xz`);
    writeFileSync(`${image}.cut.xz`, xz.subarray(0, Math.floor(xz.length / 2)));
    const cut = run(['flash', `${image}.cut.xz`, card]);
    expect(cut.code).toBe(1);
    expect(cut.err).toMatch(/cannot (read|tell the size of)|could not decompress|ended after/);
  });

  it('recognises a mounted device', () => {
    const mounts = join(dir, 'mounts');
    writeFileSync(mounts, '/dev/sda2 / ext4 rw 0 0\n/dev/sda1 /boot vfat rw 0 0\n/dev/mmcblk0p1 /media/x vfat rw 0 0\n');
    expect(mountedPartitions('/dev/sda', mounts)).toEqual(['/dev/sda2 on /', '/dev/sda1 on /boot']);
    expect(mountedPartitions('/dev/mmcblk0', mounts)).toEqual(['/dev/mmcblk0p1 on /media/x']);
    expect(mountedPartitions('/dev/sdb', mounts)).toEqual([]);
  });
});
