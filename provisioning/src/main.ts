import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { identityFromPhrase, PeerBackupClient, recoveryPhrase, REGION_IDS } from '@hyphae/device';
import { buildHubFiles, ProvisionError, type InitAnswers } from './hub-files.js';
import { flash, DEFAULT_MAX_BYTES } from './flash.js';
import { readFileFromImage, writeFilesToImage } from './image.js';
import { labelPdf, labelSvg, qrPayload } from './labels.js';
import { open as openBox } from './crypto-box.js';
import { printChecklist, verifyHub } from './verify.js';

const USAGE = `hyphae-provision: set up a Hyphae hub's SD card

  hyphae-provision init [--non-interactive] (--image FILE | --out DIR)
      --name NAME --place PLACE --ssid SSID --passphrase PASS --channel N --country CC
      --region EU868|US915|AU915|AS923-1…4|IN865|KR920|CN470|EU433 --steward-email EMAIL --currency NAME --symbol SYM --minor-units N
      --timezone TZ [--no-time-bank]
  hyphae-provision flash IMAGE DEVICE [--dry-run] [--force] [--max-gb N]
  hyphae-provision devices add lorawan --name NAME [--place P] [--codec ID]
      [--dev-eui HEX --app-key HEX --join-eui HEX] [--label FILE.svg|FILE.pdf]
      (--hub URL --token T | --image FILE | --out DIR)
  hyphae-provision devices add modbus --name NAME --template ID|sunspec --host H [--port 502] [--unit 1]
      [--place P] (--hub URL --token T | --image FILE | --out DIR)
  hyphae-provision verify --hub URL [--token T] [--stale-minutes 30]
  hyphae-provision backup --hub URL --token T --out FILE   (passphrase from HYPHAE_BACKUP_PASSPHRASE or asked)
  hyphae-provision restore --hub URL --token T --file FILE
  hyphae-provision recover --peer URL --out FILE [--file NAME] [--hub URL --token T]
      fetches this hub's newest sealed backup from a linked hub that keeps it, proving
      who it is with the hub key's recovery phrase (HYPHAE_RECOVERY_PHRASE or asked),
      checks it opens with the backup passphrase, and with --hub restores it there`;

class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

function args(argv: string[], options: NonNullable<Parameters<typeof parseArgs>[0]>['options']) {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

const str = (v: Values, k: string): string | undefined => (typeof v[k] === 'string' ? (v[k] as string) : undefined);

async function init(argv: string[]): Promise<number> {
  const { values: v } = args(argv, {
    'non-interactive': { type: 'boolean', default: false },
    image: { type: 'string' },
    out: { type: 'string' },
    name: { type: 'string' },
    place: { type: 'string' },
    ssid: { type: 'string' },
    passphrase: { type: 'string' },
    channel: { type: 'string' },
    country: { type: 'string' },
    region: { type: 'string' },
    'steward-email': { type: 'string' },
    currency: { type: 'string' },
    symbol: { type: 'string' },
    'minor-units': { type: 'string' },
    timezone: { type: 'string' },
    'no-time-bank': { type: 'boolean', default: false },
  });
  const image = str(v, 'image');
  const out = str(v, 'out');
  if (!image === !out) throw new UsageError('give exactly one of --image FILE or --out DIR');
  let answers: InitAnswers;
  if (v['non-interactive']) {
    const need = (k: string) => {
      const x = str(v, k);
      if (!x) throw new UsageError(`--${k} is required with --non-interactive`);
      return x;
    };
    answers = {
      name: need('name'),
      place: str(v, 'place') ?? '',
      ssid: need('ssid'),
      passphrase: str(v, 'passphrase') ?? '',
      channel: Number(str(v, 'channel') ?? 6),
      country: need('country'),
      region: need('region') as InitAnswers['region'],
      stewardEmail: need('steward-email'),
      currencyName: str(v, 'currency') ?? 'Hyphae credit',
      currencySymbol: str(v, 'symbol') ?? 'HC',
      minorUnits: Number(str(v, 'minor-units') ?? 2),
      timezone: str(v, 'timezone') ?? 'UTC',
      timeBank: !v['no-time-bank'],
    };
    if (!(REGION_IDS as readonly string[]).includes(answers.region)) throw new UsageError(`--region must be one of ${REGION_IDS.join(', ')}`);
  } else {
    answers = await ask(v);
  }
  const hub = await buildHubFiles(answers);
  if (image) await writeFilesToImage(image, hub.files);
  else if (out) {
    for (const [path, content] of Object.entries(hub.files)) {
      const target = join(out, path);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(`${target}.tmp`, content, { mode: path.endsWith('.key') ? 0o600 : 0o644 });
      renameSync(`${target}.tmp`, target);
    }
  }
  process.stdout.write(
    [
      `Hub "${hub.config.hub.name}" (${hub.identity.hubId}) written to ${image ?? out}.`,
      `  Wi-Fi: ${hub.config.network.ssid} on channel ${hub.config.network.channel} (${hub.config.network.country}); LoRaWAN ${hub.config.lorawan.region}`,
      `  First steward: ${answers.stewardEmail}`,
      `  One-time password (shown only now; write it down for the steward): ${hub.stewardPassword}`,
      `  Recovery phrase of the hub's key (shown only now; keep it on paper, apart from the hub):`,
      `    ${recoveryPhrase(hub.identity.privateKeyPem)}`,
      `    With it and the backup passphrase, a new card gets this hub back from the backups its linked hubs keep (hyphae-provision recover).`,
      '',
    ].join('\n'),
  );
  return 0;
}

/** The interactive questions, for installers at a laptop. */
async function ask(v: Values): Promise<InitAnswers> {
  const { input, password, select, confirm, number } = await import('@inquirer/prompts');
  return {
    name: await input({ message: 'Name of the neighbourhood hub', default: str(v, 'name'), required: true }),
    place: await input({ message: 'Where is it (in words residents recognise)?', default: str(v, 'place') ?? '' }),
    currencyName: await input({ message: 'Currency name', default: str(v, 'currency') ?? 'Hyphae credit' }),
    currencySymbol: await input({ message: 'Currency symbol', default: str(v, 'symbol') ?? 'HC' }),
    minorUnits: (await number({ message: 'Decimal places (2: 1 credit = 100 minor units)', default: 2, min: 0, max: 6 })) ?? 2,
    timeBank: await confirm({ message: 'Keep time-bank hours too?', default: true }),
    ssid: await input({ message: 'Wi-Fi network name', default: str(v, 'ssid') ?? 'hyphae', required: true }),
    passphrase: await password({ message: 'Wi-Fi passphrase (8–63 characters, empty for an open network)', mask: '*' }),
    channel: (await number({ message: 'Wi-Fi channel', default: 6, min: 1, max: 165 })) ?? 6,
    country: await input({
      message: 'Country code (two letters)',
      default: str(v, 'country') ?? 'SE',
      validate: (x) => /^[A-Za-z]{2}$/.test(x) || 'two letters, e.g. SE',
    }),
    region: await select({ message: 'LoRaWAN region', choices: REGION_IDS.map((value) => ({ value })) }),
    stewardEmail: await input({ message: "First steward's email", required: true, validate: (x) => /^[^@\s]+@[^@\s]+$/.test(x) || 'an email address' }),
    timezone: await input({ message: 'Timezone', default: Intl.DateTimeFormat().resolvedOptions().timeZone }),
  };
}

async function flashCmd(argv: string[]): Promise<number> {
  const { values: v, positionals } = args(argv, {
    'dry-run': { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    'max-gb': { type: 'string' },
  });
  const [image, device] = positionals;
  if (!image || !device) throw new UsageError('flash needs IMAGE and DEVICE');
  const maxGb = str(v, 'max-gb');
  const r = await flash(image, device, {
    dryRun: Boolean(v['dry-run']),
    force: Boolean(v.force),
    maxBytes: maxGb ? Number(maxGb) * 1024 ** 3 : DEFAULT_MAX_BYTES,
  });
  process.stdout.write(
    r.dryRun
      ? `dry run: would write ${r.bytes} bytes from ${image} to ${device}; the checks passed\n`
      : `wrote and verified ${r.bytes} bytes (sha256 ${r.sha256})\n`,
  );
  return 0;
}

/** Queues a device in the card's hyphae/devices.json, which the hub registers at its first start. */
async function queueDevice(v: Values, device: Record<string, unknown>): Promise<string> {
  const image = str(v, 'image');
  const out = str(v, 'out');
  if (image) {
    let list: unknown[] = [];
    try {
      list = JSON.parse((await readFileFromImage(image, 'hyphae/devices.json')).toString('utf8')) as unknown[];
    } catch {
      list = [];
    }
    await writeFilesToImage(image, { 'hyphae/devices.json': JSON.stringify([...list, device], null, 2) + '\n' });
    return `queued in ${image}`;
  }
  if (!out) throw new UsageError('give --image FILE or --out DIR to queue the device in');
  const file = join(out, 'hyphae', 'devices.json');
  const list = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown[]) : [];
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify([...list, device], null, 2) + '\n');
  renameSync(`${file}.tmp`, file);
  return `queued in ${file}`;
}

async function registerWithHub(hubUrl: string, v: Values, device: Record<string, unknown>): Promise<string> {
  const hub = hubUrl.replace(/\/$/, '');
  const token = str(v, 'token');
  if (!token) throw new UsageError('--token is required with --hub');
  const res = await fetch(`${hub}/api/v1/devices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(device),
  }).catch((e: Error) => {
    throw new ProvisionError(`cannot reach ${hub}: ${e.message}`);
  });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new ProvisionError(`the hub refused the device: ${p.title ?? res.status}${p.detail ? `: ${p.detail}` : ''}`);
  }
  return `registered with ${hub}`;
}

const hex = (x: string | undefined, n: number, name: string) => {
  if (x === undefined) return randomBytes(n).toString('hex');
  if (!new RegExp(`^[0-9a-fA-F]{${n * 2}}$`).test(x)) throw new UsageError(`--${name} must be ${n * 2} hex digits`);
  return x.toLowerCase();
};

async function devicesAdd(argv: string[]): Promise<number> {
  const kind = argv[0];
  const { values: v } = args(argv.slice(1), {
    name: { type: 'string' },
    place: { type: 'string' },
    codec: { type: 'string' },
    'dev-eui': { type: 'string' },
    'app-key': { type: 'string' },
    'join-eui': { type: 'string' },
    label: { type: 'string' },
    hub: { type: 'string' },
    token: { type: 'string' },
    image: { type: 'string' },
    out: { type: 'string' },
    template: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    unit: { type: 'string' },
  });
  const name = str(v, 'name');
  if (!name) throw new UsageError('--name is required');
  if ([str(v, 'hub'), str(v, 'image'), str(v, 'out')].filter(Boolean).length !== 1) throw new UsageError('give one of --hub URL, --image FILE or --out DIR');
  let device: Record<string, unknown>;
  if (kind === 'lorawan') {
    const otaa = {
      devEui: hex(str(v, 'dev-eui'), 8, 'dev-eui'),
      joinEui: hex(str(v, 'join-eui') ?? '0000000000000000', 8, 'join-eui'),
      appKey: hex(str(v, 'app-key'), 16, 'app-key'),
    };
    device = { kind: 'lorawan', name, place: str(v, 'place'), profile: str(v, 'codec') ?? 'dragino-lse01', otaa };
    const label = str(v, 'label');
    if (label) {
      const info = { name, devEui: otaa.devEui, joinEui: otaa.joinEui, place: str(v, 'place') ?? null };
      writeFileSync(label, label.toLowerCase().endsWith('.pdf') ? await labelPdf(info) : await labelSvg(info));
    }
    const hub = str(v, 'hub');
    const where = hub ? await registerWithHub(hub, v, device) : await queueDevice(v, device);
    process.stdout.write(
      JSON.stringify({ ...otaa, qr: qrPayload({ name, devEui: otaa.devEui, joinEui: otaa.joinEui, place: null }), where, label: label ?? null }, null, 2) +
        '\n',
    );
    return 0;
  }
  if (kind === 'modbus') {
    const host = str(v, 'host');
    const template = str(v, 'template');
    if (!host || !template) throw new UsageError('--host and --template are required');
    device = {
      kind: 'modbus',
      name,
      place: str(v, 'place'),
      profile: template,
      modbus: { host, port: Number(str(v, 'port') ?? 502), unit: Number(str(v, 'unit') ?? 1), pollSeconds: 60, timeoutMs: 1000, retries: 2 },
    };
    const hub = str(v, 'hub');
    const where = hub ? await registerWithHub(hub, v, device) : await queueDevice(v, device);
    process.stdout.write(JSON.stringify({ name, template, host, where }) + '\n');
    return 0;
  }
  throw new UsageError('devices add takes lorawan or modbus');
}

async function verifyCmd(argv: string[]): Promise<number> {
  const { values: v } = args(argv, { hub: { type: 'string' }, token: { type: 'string' }, 'stale-minutes': { type: 'string' } });
  const hub = str(v, 'hub');
  if (!hub) throw new UsageError('--hub URL is required');
  const checks = await verifyHub({ hub, token: str(v, 'token') ?? null, staleMinutes: Number(str(v, 'stale-minutes') ?? 30) });
  printChecklist(checks);
  return checks.every((c) => c.ok) ? 0 : 1;
}

async function passphrase(confirmIt: boolean): Promise<string> {
  const env = process.env.HYPHAE_BACKUP_PASSPHRASE;
  if (env) return env;
  const { password } = await import('@inquirer/prompts');
  const p = await password({ message: 'Backup passphrase', mask: '*' });
  if (confirmIt && (await password({ message: 'Again', mask: '*' })) !== p) throw new ProvisionError('the passphrases differ');
  return p;
}

async function backupCmd(argv: string[]): Promise<number> {
  const { values: v } = args(argv, { hub: { type: 'string' }, token: { type: 'string' }, out: { type: 'string' } });
  const hub = str(v, 'hub')?.replace(/\/$/, '');
  const out = str(v, 'out');
  if (!hub || !str(v, 'token') || !out) throw new UsageError('backup needs --hub, --token and --out');
  // The hub seals the backup itself: its key never crosses the network in the clear.
  const res = await fetch(`${hub}/api/v1/backup`, {
    headers: { authorization: `Bearer ${str(v, 'token')}`, 'x-backup-passphrase': await passphrase(true) },
  }).catch((e: Error) => {
    throw new ProvisionError(`cannot reach ${hub}: ${e.message}`);
  });
  if (!res.ok) throw new ProvisionError(`the hub refused the backup: HTTP ${res.status}`);
  const sealed = await res.text();
  writeFileSync(`${out}.tmp`, sealed, { mode: 0o600 });
  renameSync(`${out}.tmp`, out);
  const doc = JSON.parse(sealed) as { hubId: string; createdAt: string };
  process.stdout.write(`backup of ${doc.hubId} taken at ${doc.createdAt}: ${out} (${(sealed.length / 1024).toFixed(0)} KiB, encrypted)\n`);
  return 0;
}

async function restoreCmd(argv: string[]): Promise<number> {
  const { values: v } = args(argv, { hub: { type: 'string' }, token: { type: 'string' }, file: { type: 'string' } });
  const hub = str(v, 'hub')?.replace(/\/$/, '');
  const file = str(v, 'file');
  if (!hub || !str(v, 'token') || !file) throw new UsageError('restore needs --hub, --token and --file');
  if (!existsSync(file)) throw new ProvisionError(`${file} does not exist`);
  // Checked here first, so a wrong passphrase is said before anything is sent; the hub opens it again itself.
  const sealed = readFileSync(file, 'utf8');
  const pass = await passphrase(false);
  openBox(sealed, pass);
  const res = await fetch(`${hub}/api/v1/restore`, {
    method: 'POST',
    headers: { authorization: `Bearer ${str(v, 'token')}`, 'content-type': 'application/json', 'x-backup-passphrase': pass },
    body: sealed,
  }).catch((e: Error) => {
    throw new ProvisionError(`cannot reach ${hub}: ${e.message}`);
  });
  if (res.status !== 202) {
    const p = (await res.json().catch(() => ({}))) as { title?: string; detail?: string };
    throw new ProvisionError(`the hub refused the restore: ${p.title ?? res.status}${p.detail ? `: ${p.detail}` : ''}`);
  }
  process.stdout.write(`restore staged on ${hub}; the hub restarts into it\n`);
  return 0;
}

async function recoveryPhraseInput(): Promise<string> {
  const env = process.env.HYPHAE_RECOVERY_PHRASE;
  if (env) return env;
  const { password } = await import('@inquirer/prompts');
  return password({ message: 'Recovery phrase of the hub key (24 words)', mask: '*' });
}

/**
 * A lost or broken card: the hub's key comes back from its recovery phrase,
 * signs the request to a linked hub that keeps its sealed backups, and the
 * newest one (or --file) comes down in resumable chunks.
 */
async function recoverCmd(argv: string[]): Promise<number> {
  const { values: v } = args(argv, {
    peer: { type: 'string' },
    out: { type: 'string' },
    file: { type: 'string' },
    hub: { type: 'string' },
    token: { type: 'string' },
  });
  const peer = str(v, 'peer');
  const out = str(v, 'out');
  if (!peer || !out) throw new UsageError('recover needs --peer and --out');
  if (str(v, 'hub') && !str(v, 'token')) throw new UsageError('recover --hub needs --token as well');
  let identity;
  try {
    identity = identityFromPhrase(await recoveryPhraseInput());
  } catch (e) {
    throw new ProvisionError((e as { detail?: string }).detail ?? (e as Error).message);
  }
  const client = new PeerBackupClient(peer, identity);
  const fail = (e: Error) => {
    throw new ProvisionError(/fetch failed|ECONNREFUSED|timeout/i.test(e.message) ? `cannot reach ${peer}: ${e.message}` : e.message);
  };
  const kept = await client.list().catch(fail);
  if (kept.length === 0) throw new ProvisionError(`${peer} keeps no backups of hub ${identity.hubId}`);
  const chosen = str(v, 'file') ? kept.find((k) => k.file === str(v, 'file')) : kept[0];
  if (!chosen) throw new ProvisionError(`${peer} keeps no backup named ${str(v, 'file')}; it keeps: ${kept.map((k) => k.file).join(', ')}`);
  process.stdout.write(`hub ${identity.hubId}: ${kept.length} backup(s) kept on ${peer}; fetching ${chosen.file} (${(chosen.bytes / 1024).toFixed(0)} KiB)\n`);
  const data = await client.download(chosen.file, (got, total) => process.stderr.write(`\r  ${Math.floor((got / total) * 100)} %`)).catch(fail);
  process.stderr.write('\n');
  const sealed = data.toString('utf8');
  const pass = await passphrase(false);
  const doc = JSON.parse(openBox(sealed, pass).toString('utf8')) as { hubId?: string };
  if (doc.hubId !== identity.hubId) throw new ProvisionError(`the backup is of hub ${doc.hubId}, not ${identity.hubId}`);
  writeFileSync(`${out}.tmp`, sealed, { mode: 0o600 });
  renameSync(`${out}.tmp`, out);
  process.stdout.write(`backup of ${identity.hubId} saved to ${out}; it opens with the passphrase\n`);
  const hub = str(v, 'hub');
  const token = str(v, 'token');
  if (hub) return restoreCmd(['--hub', hub, ...(token ? ['--token', token] : []), '--file', out]);
  process.stdout.write(`next: hyphae-provision restore --hub URL --token T --file ${out}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === 'init') return init(rest);
  if (cmd === 'flash') return flashCmd(rest);
  if (cmd === 'devices' && rest[0] === 'add') return devicesAdd(rest.slice(1));
  if (cmd === 'verify') return verifyCmd(rest);
  if (cmd === 'backup') return backupCmd(rest);
  if (cmd === 'restore') return restoreCmd(rest);
  if (cmd === 'recover') return recoverCmd(rest);
  throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    if (e instanceof UsageError) process.stderr.write(`hyphae-provision: ${e.message}\n\n${USAGE}\n`);
    else if (e instanceof ProvisionError) process.stderr.write(`hyphae-provision: ${e.message}\n`);
    else process.stderr.write(`hyphae-provision: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  },
);
