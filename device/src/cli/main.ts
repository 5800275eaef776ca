#!/usr/bin/env node
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { commentedDefaultConfig } from '../config/commented.js';
import { openCore } from '../core.js';
import { KEY_FILE } from '../backup.js';
import { isHubError } from '../errors.js';
import { Hub, type HubOptions } from '../hub.js';
import { guardProcess } from '../process-guards.js';
import { verifyLedger } from '../ledger/verify.js';
import { createLogger, silentLogger } from '../log.js';
import { ROLES, type Role } from '../members/members.js';
import { VERSION } from '../version.js';
import { intOption, parse, required, resolveConfig, UsageError, type Options } from './args.js';
import { clearCsv, flowSolve, InputFileError } from './flow.js';
import { codecList, codecRun, lorawanDecode } from './lorawan.js';
import { modbusScan } from './modbus.js';
import { updateVerify } from './update.js';

const USAGE = `hyphae ${VERSION}: the neighbourhood hub

Usage:
  hyphae start --data DIR [--port N] [--host H] [--lorawan-port N] [--config FILE] [--demo]
  hyphae configfile                       print a fully commented default config
  hyphae member add --data DIR --email E --name N [--role resident|steward|admin]
                    (password from HYPHAE_PASSWORD, or none)
  hyphae member password --data DIR --email E
                    a locked-out member's password: HYPHAE_PASSWORD, or a
                    one-time one printed once, to be changed at sign-in
  hyphae token create --data DIR --email E [--name N]
  hyphae key phrase (--data DIR | --key FILE)
                    the hub key's recovery phrase (24 words): with it and the
                    backup passphrase a new card gets the hub back from the
                    backups its linked hubs keep (hyphae-provision recover)
  hyphae ledger verify --data DIR         JSON report; exit 1 if anything is wrong
  hyphae export --data DIR --out FILE     all community data as JSON
  hyphae flow solve FILE [--algorithm ns|cs|pd] [--flows]
                                          solve a DIMACS min-cost flow problem
  hyphae lorawan decode --hex HEX [--nwkskey K --appskey K]
                                          decode a LoRaWAN frame (JSON)
  hyphae codec list                       the payload codecs the hub ships
  hyphae codec run --codec ID --fport N --hex HEX [--variables JSON]
                                          run a codec on a payload (JSON)
  hyphae modbus scan --host H [--port P] [--unit U]
  hyphae modbus scan --serial TTY [--baud N] [--parity none|even|odd] [--unit U]
                                          SunSpec discovery over TCP or RTU: models and points (JSON)
  hyphae clear FILE.csv [--out FILE] [--algorithm pd|cs|ns]
                                          multilateral set-off of debtor,creditor,amount lines
  hyphae openapi                          the API's OpenAPI 3.1 document (JSON), as a hub serves it
  hyphae update verify FILE --key PEM [--payload-out F]
                                          check a signed update file (JSON manifest); exit 1 if it fails

The first admin of an empty hub comes from HYPHAE_ADMIN_EMAIL and
HYPHAE_ADMIN_PASSWORD at start, or from 'hyphae member add --role admin'.`;

type Command = (argv: string[]) => Promise<number>;

const commands: Record<string, Command> = {
  start,
  configfile: async () => {
    process.stdout.write(commentedDefaultConfig());
    return 0;
  },
  'member add': memberAdd,
  'member password': memberPassword,
  'token create': tokenCreate,
  'key phrase': keyPhrase,
  'ledger verify': ledgerVerify,
  export: exportData,
  'flow solve': flowSolve,
  clear: clearCsv,
  'lorawan decode': lorawanDecode,
  'codec run': codecRun,
  'codec list': codecList,
  'modbus scan': modbusScan,
  'update verify': updateVerify,
  openapi: openapiDocument,
};

async function start(argv: string[]): Promise<number> {
  const { values } = parse(argv, {
    data: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    config: { type: 'string' },
    demo: { type: 'boolean', default: false },
    'lorawan-port': { type: 'string' },
    key: { type: 'string' },
  });
  const dataDir = required(values, 'data');
  let config = resolveConfig(dataDir, values.config as string | undefined);
  const port = intOption(values, 'port');
  if (port !== undefined) config.http.port = port;
  if (typeof values.host === 'string') config.http.host = values.host;
  const udp = intOption(values, 'lorawan-port');
  if (udp !== undefined) config.lorawan.port = udp;
  const log = createLogger(process.env.HYPHAE_LOG_LEVEL ?? config.log.level);

  let demo: DemoModule | undefined;
  let logins: DemoLogin[] = [];
  if (values.demo) {
    // The demo lives in test-rig; the hub reaches it only here, at the CLI's edge.
    const spec = '@hyphae/test-rig/demo';
    demo = (await import(spec)) as DemoModule;
    if (demo.demoConfig) config = demo.demoConfig(config);
    const seeded = await demo.seedDemo({ dataDir, config, log });
    logins = seeded.logins;
  }

  // Devices the installer queued beside the config on the card.
  const configDir = typeof values.config === 'string' ? dirname(values.config) : dataDir;
  const queuedFile = join(configDir, 'devices.json');
  const queuedDevices = existsSync(queuedFile) ? (JSON.parse(readFileSync(queuedFile, 'utf8')) as HubOptions['queuedDevices']) : [];

  const envEmail = process.env.HYPHAE_ADMIN_EMAIL;
  const envPassword = process.env.HYPHAE_ADMIN_PASSWORD;
  const hub = new Hub({
    dataDir,
    config,
    log,
    bootstrapAdmin: envEmail && envPassword ? { email: envEmail, password: envPassword } : null,
    queuedDevices,
    keyFile: typeof values.key === 'string' ? values.key : typeof values.config === 'string' && existsSync(join(dirname(values.config), 'hub.key')) ? join(dirname(values.config), 'hub.key') : null,
    // After a restore is staged the process exits; systemd (or the installer) starts it again.
    onRestartRequested: () => process.kill(process.pid, 'SIGTERM'),
  });
  guardProcess(log, {
    onStorageFailure: (err) => {
      // Before the store is open there is nothing to hold off.
      if (hub.started) hub.modules.disk.noteCommitFailure(err);
    },
    stop: () => hub.stop(),
  });
  await hub.start();
  const stopDemo = demo?.runDemo ? await demo.runDemo(hub, { log }) : undefined;

  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? 'localhost' : config.http.host;
  const url = config.hub.publicUrl || `http://${host}:${hub.port}`;
  const lines = [`\nHyphae hub "${config.hub.name}" is running.`, `  Console: ${url}/`, `  API:     ${url}/api/v1 (OpenAPI: ${url}/api/v1/openapi.json)`];
  if (logins.length) {
    lines.push('  Sign in as:');
    for (const l of logins) lines.push(`    ${l.role.padEnd(9)} ${l.email}  password: ${l.password}`);
  } else if (hub.modules.members.count() === 0) {
    lines.push('  No members yet: set HYPHAE_ADMIN_EMAIL and HYPHAE_ADMIN_PASSWORD, or run "hyphae member add --role admin".');
  }
  lines.push('  Stop with Ctrl-C.\n');
  process.stderr.write(lines.join('\n') + '\n');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const shutdown = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ module: 'hub', signal }, 'shutting down');
      void (async () => {
        await stopDemo?.();
        await hub.stop();
        resolve();
      })();
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return 0;
}

interface DemoLogin {
  role: string;
  email: string;
  password: string;
}
interface DemoModule {
  /** The demo community's own settings (its name, its rules), applied before seeding and for the hub that runs. */
  demoConfig?(config: ReturnType<typeof resolveConfig>): ReturnType<typeof resolveConfig>;
  seedDemo(opts: { dataDir: string; config: ReturnType<typeof resolveConfig>; log: ReturnType<typeof createLogger> }): Promise<{ logins: DemoLogin[] }>;
  runDemo?(hub: Hub, opts: { log: ReturnType<typeof createLogger> }): Promise<() => Promise<void>>;
}

/** The document a hub serves at /api/v1/openapi.json, from a throwaway hub: the console's types are generated from it. */
async function openapiDocument(): Promise<number> {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { coreDeps, createApp } = await import('../http/app.js');
  const { configSchema } = await import('../config/schema.js');
  const dir = mkdtempSync(join(tmpdir(), 'hyphae-openapi-'));
  const core = openCore(dir, configSchema.parse({}), silentLogger);
  try {
    const app = createApp({ ...coreDeps(core, silentLogger), serveConsole: false });
    const res = await app.request('/api/v1/openapi.json');
    process.stdout.write(JSON.stringify(await res.json(), null, 2) + '\n');
    return 0;
  } finally {
    await core.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function offlineCore(argv: string[], extra: Options = {}) {
  const { values } = parse(argv, { data: { type: 'string' }, config: { type: 'string' }, ...extra });
  const dataDir = required(values, 'data');
  const config = resolveConfig(dataDir, values.config as string | undefined);
  return { core: openCore(dataDir, config, silentLogger), values };
}

async function memberAdd(argv: string[]): Promise<number> {
  const { core, values } = offlineCore(argv, { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string', default: 'resident' } });
  try {
    const role = values.role as string;
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const m = await core.members.create(
      { email: required(values, 'email'), name: required(values, 'name'), role: role as Role, password: process.env.HYPHAE_PASSWORD ?? null },
      null,
    );
    process.stdout.write(JSON.stringify({ id: m.id, email: m.email, role: m.role }) + '\n');
    return 0;
  } finally {
    await core.close();
  }
}

async function memberPassword(argv: string[]): Promise<number> {
  const { core, values } = offlineCore(argv, { email: { type: 'string' } });
  try {
    const email = required(values, 'email');
    const m = core.members.byEmail(email);
    if (!m) throw new UsageError(`no member has the email ${email}`);
    const { oneTimePassword } = await core.members.setPassword(m.id, process.env.HYPHAE_PASSWORD ?? null, null);
    process.stdout.write(JSON.stringify({ id: m.id, email: m.email, oneTimePassword }) + '\n');
    return 0;
  } finally {
    await core.close();
  }
}

async function tokenCreate(argv: string[]): Promise<number> {
  const { core, values } = offlineCore(argv, { email: { type: 'string' }, name: { type: 'string', default: 'cli' } });
  try {
    const email = required(values, 'email');
    const m = core.members.byEmail(email);
    if (!m) throw new UsageError(`no member has the email ${email}`);
    const { token } = await core.members.createToken(m.id, values.name as string);
    process.stdout.write(token + '\n');
    return 0;
  } finally {
    await core.close();
  }
}

async function keyPhrase(argv: string[]): Promise<number> {
  const { values } = parse(argv, { data: { type: 'string' }, key: { type: 'string' } });
  const file = typeof values.key === 'string' ? values.key : typeof values.data === 'string' ? join(values.data, KEY_FILE) : null;
  if (!file) throw new UsageError('key phrase needs --data DIR or --key FILE');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: this hub has no key there`);
  const { recoveryPhrase } = await import('../recovery-phrase.js');
  process.stdout.write(recoveryPhrase(readFileSync(file, 'utf8')) + '\n');
  return 0;
}

async function ledgerVerify(argv: string[]): Promise<number> {
  const { core } = offlineCore(argv);
  try {
    const report = verifyLedger(core.ledger);
    // The audit log is hash-chained like the journal, and checked with it.
    const audit = core.audit.verify();
    const ok = report.ok && audit.ok;
    process.stdout.write(JSON.stringify({ ...report, ok, audit }, null, 2) + '\n');
    return ok ? 0 : 1;
  } finally {
    await core.close();
  }
}

async function exportData(argv: string[]): Promise<number> {
  const { core, values } = offlineCore(argv, { out: { type: 'string' } });
  try {
    const out = required(values, 'out');
    const data = core.exportData();
    // Write beside, then rename: a crash never leaves half an export.
    writeFileSync(out + '.tmp', JSON.stringify(data, null, 2));
    renameSync(out + '.tmp', out);
    const counts = { members: (data.members as unknown[]).length, transfers: (data.transfers as unknown[]).length, journal: (data.journal as unknown[]).length };
    process.stderr.write(`exported ${counts.members} members, ${counts.transfers} transfers, ${counts.journal} journal entries to ${out}\n`);
    return 0;
  } finally {
    await core.close();
  }
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(USAGE + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === '--version') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const two = `${argv[0]} ${argv[1] ?? ''}`;
  const [name, rest] = commands[two] ? [two, argv.slice(2)] : [argv[0]!, argv.slice(1)];
  const cmd = commands[name];
  if (!cmd) throw new UsageError(`unknown command "${argv.slice(0, 2).join(' ')}"`);
  return cmd(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof InputFileError) {
      process.stderr.write(`hyphae: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof UsageError) {
      process.stderr.write(`hyphae: ${err.message}\n\n${USAGE}\n`);
      process.exitCode = 2;
    } else if (isHubError(err)) {
      process.stderr.write(`hyphae: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`hyphae: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
