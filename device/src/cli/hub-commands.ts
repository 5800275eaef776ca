import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openCore, type Core } from '../core.js';
import { KEY_FILE } from '../backup.js';
import { Hub, type HubOptions } from '../hub.js';
import { guardProcess } from '../process-guards.js';
import { verifyLedger } from '../ledger/verify.js';
import { createLogger, silentLogger } from '../log.js';
import { ROLES, type Role } from '../members/members.js';
import { intOption, parse, required, UsageError, type Options, type Parsed, TEXT, FLAG } from './args.js';
import { resolveConfig } from './config.js';

/**
 * The commands that open the hub's data or run the hub. main.ts imports
 * this file only when one of them runs, so the light commands (flow solve,
 * codec run, update verify) do not pay for loading the whole hub.
 */

export async function start(argv: string[]): Promise<number> {
  const { values } = parse(argv, { data: TEXT, port: TEXT, host: TEXT, config: TEXT, demo: FLAG, 'lorawan-port': TEXT, 'station-port': TEXT, key: TEXT });
  const dataDir = required(values, 'data');
  let config = resolveConfig(dataDir, values.config as string | undefined);
  const port = intOption(values, 'port');
  if (port !== undefined) config.http.port = port;
  if (typeof values.host === 'string') config.http.host = values.host;
  const udp = intOption(values, 'lorawan-port');
  if (udp !== undefined) config.lorawan.port = udp;
  const station = intOption(values, 'station-port');
  if (station !== undefined) config.lorawan.basicsStation.port = station;
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
    keyFile:
      typeof values.key === 'string'
        ? values.key
        : typeof values.config === 'string' && existsSync(join(dirname(values.config), 'hub.key'))
          ? join(dirname(values.config), 'hub.key')
          : null,
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
export async function openapiDocument(): Promise<number> {
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

/** Runs a command on a hub's data folder (while its service is stopped), and closes the store however the command ends. */
async function withOfflineCore(argv: string[], extra: Options, run: (core: Core, values: Parsed['values']) => Promise<number> | number): Promise<number> {
  const { values } = parse(argv, { data: TEXT, config: TEXT, ...extra });
  const dataDir = required(values, 'data');
  const core = openCore(dataDir, resolveConfig(dataDir, values.config as string | undefined), silentLogger);
  try {
    return await run(core, values);
  } finally {
    await core.close();
  }
}

function memberByEmail(core: Core, values: Parsed['values']) {
  const email = required(values, 'email');
  const m = core.members.byEmail(email);
  if (!m) throw new UsageError(`no member has the email ${email}`);
  return m;
}

export function memberAdd(argv: string[]): Promise<number> {
  return withOfflineCore(argv, { email: TEXT, name: TEXT, role: { type: 'string', default: 'resident' } }, async (core, values) => {
    const role = values.role as string;
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`);
    const m = await core.members.create(
      { email: required(values, 'email'), name: required(values, 'name'), role: role as Role, password: process.env.HYPHAE_PASSWORD ?? null },
      null,
    );
    process.stdout.write(JSON.stringify({ id: m.id, email: m.email, role: m.role }) + '\n');
    return 0;
  });
}

export function memberPassword(argv: string[]): Promise<number> {
  return withOfflineCore(argv, { email: TEXT }, async (core, values) => {
    const m = memberByEmail(core, values);
    const { oneTimePassword } = await core.members.setPassword(m.id, process.env.HYPHAE_PASSWORD ?? null, null);
    process.stdout.write(JSON.stringify({ id: m.id, email: m.email, oneTimePassword }) + '\n');
    return 0;
  });
}

export function tokenCreate(argv: string[]): Promise<number> {
  return withOfflineCore(argv, { email: TEXT, name: { type: 'string', default: 'cli' } }, async (core, values) => {
    const m = memberByEmail(core, values);
    const { token } = await core.members.createToken(m.id, values.name as string);
    process.stdout.write(token + '\n');
    return 0;
  });
}

export async function keyPhrase(argv: string[]): Promise<number> {
  const { values } = parse(argv, { data: TEXT, key: TEXT });
  const file = typeof values.key === 'string' ? values.key : typeof values.data === 'string' ? join(values.data, KEY_FILE) : null;
  if (!file) throw new UsageError('key phrase needs --data DIR or --key FILE');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist: this hub has no key there`);
  const { recoveryPhrase } = await import('../recovery-phrase.js');
  process.stdout.write(recoveryPhrase(readFileSync(file, 'utf8')) + '\n');
  return 0;
}

export function ledgerVerify(argv: string[]): Promise<number> {
  return withOfflineCore(argv, {}, async (core) => {
    const report = verifyLedger(core.ledger);
    // The audit log is hash-chained like the journal, and checked with it.
    const audit = core.audit.verify();
    const ok = report.ok && audit.ok;
    process.stdout.write(JSON.stringify({ ...report, ok, audit }, null, 2) + '\n');
    return ok ? 0 : 1;
  });
}

export function exportData(argv: string[]): Promise<number> {
  return withOfflineCore(argv, { out: TEXT }, async (core, values) => {
    const out = required(values, 'out');
    const data = core.exportData();
    // Write beside, then rename: a crash never leaves half an export.
    writeFileSync(out + '.tmp', JSON.stringify(data, null, 2));
    renameSync(out + '.tmp', out);
    const counts = {
      members: (data.members as unknown[]).length,
      transfers: (data.transfers as unknown[]).length,
      journal: (data.journal as unknown[]).length,
    };
    process.stderr.write(`exported ${counts.members} members, ${counts.transfers} transfers, ${counts.journal} journal entries to ${out}\n`);
    return 0;
  });
}
