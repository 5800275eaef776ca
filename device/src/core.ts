import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { DAY_MS, systemClock, type Clock } from './clock.js';
import { chronycOnPath } from './time/chrony.js';
import { TimeKeeper, type SkippedInterval } from './time/time-keeper.js';
import type { HubConfig } from './config/schema.js';
import { Board, RESOURCES } from './flow/board.js';
import { DEFAULT_ECOLOGY, Ecology } from './ecology/ecology.js';
import { Governance } from './governance/governance.js';
import { defaultsFrom, Parameters } from './governance/parameters.js';
import { Ledger, type LedgerParams } from './ledger/ledger.js';
import { percentToBp } from './ledger/demurrage.js';
import { Library } from './library/library.js';
import { Members, publicMember } from './members/members.js';
import { Notifications } from './notifications/notifications.js';
import { DEFAULT_WEBHOOK_OPTIONS, Webhooks } from './notifications/webhooks.js';
import { DEFAULT_PUSH_OPTIONS, WebPush } from './notifications/push.js';
import { Reliability } from './reliability/reliability.js';
import { Skills } from './skills/skills.js';
import { Devices } from './sensing/devices.js';
import { Sensing } from './sensing/sensing.js';
import { InfluxMirror } from './telemetry/influx-mirror.js';
import { TelemetryStore } from './telemetry/store.js';
import { runMigrations, type Migration } from './store/migrations.js';
import { Store } from './store/store.js';
import { AuditLog } from './audit/audit.js';
import { DiskGuard, floorsFrom } from './store/disk.js';
import { VERSION } from './version.js';
import { Updates } from './updates/updates.js';

/**
 * The domain modules over one store, without HTTP or timers. The hub process,
 * the CLI and tests all build this; it is where modules are wired together.
 */
export interface Core {
  config: HubConfig;
  store: Store;
  disk: DiskGuard;
  audit: AuditLog;
  clock: Clock;
  /** The clock every module reads, and whether it can be acted on. */
  time: TimeKeeper;
  /** Stores what the clock needs at the next start (the last trusted time). */
  saveTime(): Promise<void>;
  log: Logger;
  reliability: Reliability;
  ledger: Ledger;
  members: Members;
  board: Board;
  notifications: Notifications;
  webhooks: Webhooks;
  push: WebPush;
  library: Library;
  skills: Skills;
  governance: Governance;
  ecology: Ecology;
  telemetry: TelemetryStore;
  influx: InfluxMirror | null;
  devices: Devices;
  sensing: Sensing;
  updates: Updates;
  exportData(): Record<string, unknown>;
  close(): Promise<void>;
}

/** The ledger reads the community's parameters as they stand at each moment (and each day, for demurrage). */
export function ledgerParamsFrom(config: HubConfig, params?: Parameters, time?: { chargeable(day: number): boolean }): LedgerParams {
  const rate = percentToBp(config.ledger.demurrageRatePercent);
  return {
    limits: (unit) =>
      params
        ? unit === 'credit'
          ? { floor: params.number('creditFloor'), ceiling: params.number('creditCeiling') }
          : { floor: params.number('hoursFloor'), ceiling: config.ledger.hours.ceiling }
        : unit === 'credit'
          ? config.ledger.credit
          : config.ledger.hours,
    warnRatio: config.ledger.warnRatio,
    fundFloor: config.ledger.fundFloor,
    // A day a clock jump skipped is not elapsed time: it is charged at rate 0.
    demurrageRateBp: (day) => (time && !time.chargeable(day) ? 0 : params ? percentToBp(params.number('demurrageRatePercent', day * DAY_MS)) : rate),
    requestTtlMs: config.ledger.requestTtlHours * 3_600_000,
    timeBankEnabled: config.timeBank.enabled,
  };
}

export function openCore(dataDir: string, config: HubConfig, log: Logger, wall: Clock = systemClock): Core {
  const store = Store.open(dataDir, config.storage.maxDatabaseMiB * 1024 ** 2);
  // Every module reads this clock: it knows when the time can be acted on, and which days a jump skipped.
  const monotonic = 'monotonic' in wall && typeof wall.monotonic === 'function' ? () => (wall as { monotonic(): number }).monotonic() : () => performance.now();
  const source = config.time.source === 'auto' ? (chronycOnPath() ? 'chrony' : 'system') : config.time.source;
  const clock = new TimeKeeper(
    wall,
    monotonic,
    { source, jumpBoundMs: config.time.jumpBoundMinutes * 60_000, settleMs: config.time.settleMinutes * 60_000 },
    log,
  );
  const clockDb = store.db<unknown, string>('clock');
  // Every change asks the disk first; a commit that fails for want of space holds changes off until there is room.
  const disk = new DiskGuard(dataDir, store.dataFile, floorsFrom(config.storage), log);
  store.gate = () => disk.refuse('change');
  store.onCommitFailure((err) => disk.noteCommitFailure(err));
  const reliability = new Reliability(store);
  const parameters = new Parameters(store, clock, defaultsFrom(config));
  // The ecology engine is built later; the ledger asks it through this late-bound hook.
  let ecologyRef: Ecology | undefined;
  const params = {
    ...ledgerParamsFrom(config, parameters, clock),
    floorFor: (id: string, unit: string) => (unit === 'credit' ? (ecologyRef?.floorFor(id) ?? null) : null),
  };
  // Every privileged action is recorded, hash-chained, in the transaction that does it.
  const audit = new AuditLog(store, clock);
  const ledger = new Ledger(store, clock, () => params, reliability, log, audit);
  // What the clock knew when the hub last stopped; a hub from before that was stored starts from its journal's last time.
  clock.restore({
    skipped: (clockDb.get('skipped') as SkippedInterval[] | undefined) ?? [],
    lastTrusted: (clockDb.get('lastTrusted') as number | undefined) ?? ledger.journal.head()?.at ?? 0,
  });
  const members = new Members(
    store,
    ledger,
    clock,
    {
      sessionTtlMs: config.auth.sessionTtlHours * 3_600_000,
      inviteTtlMs: config.auth.inviteTtlHours * 3_600_000,
      loginAttempts: config.auth.loginAttempts,
      loginWindowMs: config.auth.loginWindowMinutes * 60_000,
    },
    log,
    audit,
  );

  const board = new Board(
    store,
    ledger,
    reliability,
    clock,
    () => ({
      allocation: { costPerKm: config.flow.costPerKm, maxShare: config.flow.maxSupplierShare, unknownDistanceKm: 5 },
      autoAcceptBelow: config.flow.autoAcceptBelow,
      crisisPriority: config.flow.crisisPriority,
      vulnerablePriority: config.flow.vulnerablePriority,
      clearingAutomatic: config.flow.clearingAutomatic,
    }),
    log,
  );

  // Alerts on phones, when the hub is on the internet under https://: browsers give push to secure pages only.
  const push = new WebPush(
    store,
    clock,
    { nameOf: (id) => members.find(id)?.name ?? null },
    {
      ...DEFAULT_PUSH_OPTIONS,
      available: config.push.enabled && config.hub.publicUrl.startsWith('https://'),
      subject: config.push.contact || config.hub.publicUrl,
      hubName: config.hub.name,
      currency: { symbol: config.currency.symbol, minorUnits: config.currency.minorUnits },
    },
    log,
  );
  const notifications = new Notifications(
    store,
    clock,
    {
      everyone: () => members.list({ status: 'active' }).map((m) => m.id),
      stewards: () => members.activeStewards().map((m) => m.id),
      emailOf: (id) => members.find(id)?.email ?? null,
      nameOf: (id) => members.find(id)?.name ?? id,
      money: (m) => `${(m / 10 ** config.currency.minorUnits).toFixed(config.currency.minorUnits)} ${config.currency.symbol}`,
    },
    config.email.enabled ? { defaultKinds: config.email.kinds, hubName: config.hub.name } : null,
    push,
  );
  members.joinAttemptHook = (existing) => void notifications.sendInTxn([existing.id], 'join-attempt', {});
  // Webhook deliveries are written in the transaction of the event they carry.
  const webhooks = new Webhooks(store, clock, notifications, DEFAULT_WEBHOOK_OPTIONS, log);
  notifications.onSentInTxn((e) => webhooks.onSentInTxn(e));
  ledger.notifier = notifications;
  board.notifier = notifications;
  const library = new Library(
    store,
    ledger,
    reliability,
    notifications,
    clock,
    () => ({
      pickupWindowMs: config.library.pickupWindowDays * DAY_MS,
      selfService: config.library.selfService,
      maxBookingDays: config.library.maxBookingDays,
    }),
    log,
    audit,
  );

  const skills = new Skills(store, ledger, notifications, clock, log);
  const governance = new Governance(store, ledger, members, parameters, clock, () => config.governance, log, audit);
  governance.notifier = notifications;
  const t = config.telemetry;
  const telemetry = new TelemetryStore(
    store,
    clock,
    {
      rawRetentionDays: t.rawRetentionDays,
      rollupRetentionDays: { '5m': t.retention5mDays, '1h': t.retention1hDays, '1d': t.retention1dDays },
      flushIntervalMs: t.flushIntervalMs,
      maxBatch: t.maxBatch,
    },
    log,
  );

  const influx = t.influx ? new InfluxMirror(store, { ...t.influx, batchSize: 1000 }, log) : null;
  if (influx) telemetry.addSink(influx);

  const devices = new Devices(store, clock);
  const sensing = new Sensing(devices, telemetry, clock, config.lorawan, log);
  // A flow decision acts: a pledged surplus whose post names a device (a tank's valve, a pump) sends it a confirmed downlink.
  board.onPledge((pr, offer) => {
    const { actuator } = offer;
    if (!actuator) return;
    const object = { ...actuator.object, quantity: pr.quantity, unit: RESOURCES[pr.resource] };
    sensing
      .queueDownlink(actuator.devEui, { object, confirmed: true }, null)
      .then((d) =>
        log.info(
          { module: 'flow', proposal: pr.id, device: actuator.devEui, downlink: d.id, quantity: pr.quantity },
          'pledge sent to the device that hands it out',
        ),
      )
      .catch((err: Error) =>
        log.error({ module: 'flow', proposal: pr.id, device: actuator.devEui, err: err.message }, 'the pledge could not be sent to its device'),
      );
  });
  const ecology = new Ecology(store, telemetry, devices, ledger, parameters, clock, DEFAULT_ECOLOGY, log, notifications, audit);
  ecologyRef = ecology;
  // A large limit change put to the community is applied (or declined) by the decision.
  governance.onDecided(async (p) => {
    if (p.kind !== 'limits' || typeof p.payload.change !== 'string') return;
    if (p.status === 'executed' || p.status === 'failed') await ledger.decideLimitChange(p.payload.change, p.id, p.status === 'executed');
  });
  const updates = new Updates({
    dir: join(dataDir, 'updates'),
    releaseKeyPem: existsSync(config.updates.releaseKeyFile) ? readFileSync(config.updates.releaseKeyFile, 'utf8') : null,
    running: VERSION,
    store,
    governance,
    members,
    notifications,
    audit,
    clock,
    log,
  });

  const migrations: Migration[] = [
    { id: 1, name: 'ledger genesis and community fund', up: () => ledger.initInTxn() },
    { id: 2, name: 'tool library deposit escrow and fee pool', up: () => library.initInTxn() },
  ];
  runMigrations(store, migrations, clock, log);

  // A jump is stored and journalled after the read that noticed it (which may be inside another write).
  clock.onJump((jump, skipped) => {
    setImmediate(() => {
      store
        .write(() => {
          clockDb.put('skipped', skipped);
          ledger.recordClockJumpInTxn(jump);
        })
        .catch((err: unknown) => log.error({ module: 'time', err: (err as Error).message }, 'the clock jump could not be recorded'));
    });
  });
  const saveTime = async () => {
    const lastTrusted = clock.lastTrustedTime();
    if (lastTrusted > 0) await store.write(() => clockDb.put('lastTrusted', lastTrusted));
  };

  return {
    config,
    store,
    disk,
    audit,
    clock,
    time: clock,
    saveTime,
    log,
    reliability,
    ledger,
    members,
    board,
    notifications,
    webhooks,
    push,
    library,
    skills,
    governance,
    ecology,
    telemetry,
    influx,
    devices,
    sensing,
    updates,
    exportData: () => ({
      format: 'hyphae-export',
      formatVersion: 1,
      hubVersion: VERSION,
      exportedAt: new Date(clock.now()).toISOString(),
      hub: config.hub,
      currency: config.currency,
      members: members.list().map(publicMember),
      invites: members.listInvites(),
      reliability: reliability.all(),
      library: library.reports.exportAll(),
      skills: skills.exportAll(),
      governance: { ...governance.exportAll(), parameters: parameters.list() },
      devices: devices.list().map(Devices.public),
      board: { posts: board.listPosts(), proposals: board.proposalsFor(null), clearingRuns: board.listClearingRuns() },
      ...ledger.exportAll(),
    }),
    close: async () => {
      influx?.stop();
      await webhooks.stop();
      await push.stop();
      await sensing.stop();
      await telemetry.stop();
      await board.solver.close();
      await saveTime().catch(() => undefined);
      try {
        ledger.indexHistory();
      } catch (err) {
        // An index, rebuilt from the journal at the next start: a full disk must not fail a shutdown.
        log.warn({ module: 'ledger', err: (err as Error).message }, 'history index not brought up to date before closing');
      }
      await store.close();
    },
  };
}
