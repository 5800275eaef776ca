import { join } from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import type { HubConfig } from './config/schema.js';
import { openCore, type Core } from './core.js';
import { coreDeps, createApp } from './http/app.js';
import type { App } from './http/context.js';
import { scheduleJobs } from './jobs/schedule.js';
import { VERSION } from './version.js';
import { NightlyBackups } from './backups/nightly.js';
import { PeerBackupKeeper } from './backups/peer-keeper.js';
import { PeerBackupPush } from './backups/peer-push.js';
import { applyStagedRestore, loadOrCreateIdentity, makeBackup, stageRestore, type BackupDocument } from './backup.js';
import type { HubIdentity } from './identity.js';
import { Federation } from './federation/federation.js';
import { Mailer } from './notifications/mailer.js';
import { MqttBridge } from './mqtt/bridge.js';
import { EmbeddedBroker } from './mqtt/embedded-broker.js';
import { bridgeSources } from './mqtt/sources.js';
import type { NotificationKind, ParamsOf } from './notifications/kinds.js';
import { askChrony } from './time/chrony.js';
import { secureDataDir } from './store/permissions.js';

export interface HubOptions {
  dataDir: string;
  config: HubConfig;
  log: Logger;
  clock?: Clock;
  /** The first admin on an empty data folder (from HYPHAE_ADMIN_EMAIL / _PASSWORD). */
  bootstrapAdmin?: { email: string; password: string; name?: string } | null;
  /** The Ed25519 private key from the card; without one the hub uses DATA/hub.key, or makes it. */
  keyFile?: string | null;
  /** Called when a staged restore asks for a restart (the CLI exits; systemd or the installer starts it again). */
  onRestartRequested?: () => void;
  /** Skip scheduled jobs (tests drive them by hand). */
  jobs?: boolean;
  /** Devices the provisioning tool queued on the card (hyphae/devices.json), registered once. */
  queuedDevices?: Array<Parameters<Core['devices']['register']>[0]>;
}

/**
 * The hub process. The constructor only remembers its options; `start()`
 * opens the store, runs migrations, starts HTTP and the jobs; `stop()` undoes
 * it in reverse order so nothing is cut off half-written.
 */
export class Hub {
  private core: Core | undefined;
  private server: ServerType | undefined;
  private tasks: ScheduledTask[] = [];
  private diskTimer: NodeJS.Timeout | undefined;
  private updatesTimer: NodeJS.Timeout | undefined;
  private peerBackupTimer: NodeJS.Timeout | undefined;
  /** Nightly sealed backups (present once the hub has started). */
  backups: NightlyBackups | undefined;
  private timeTimer: NodeJS.Timeout | undefined;
  private mailer: Mailer | undefined;
  mqtt: MqttBridge | undefined;
  mqttBroker: EmbeddedBroker | undefined;
  app: App | undefined;
  port = 0;
  identity: HubIdentity | undefined;
  federation: Federation | undefined;

  constructor(private readonly opts: HubOptions) {}

  get started(): boolean {
    return this.core !== undefined;
  }

  get modules(): Core {
    if (!this.core) throw new Error('hub not started');
    return this.core;
  }

  async start(): Promise<void> {
    const { opts } = this;
    const log = opts.log;
    if (applyStagedRestore(opts.dataDir)) log.warn({ module: 'hub', data: opts.dataDir }, 'restored the data folder from a backup');
    this.identity = loadOrCreateIdentity(opts.dataDir, opts.keyFile);
    const core = openCore(opts.dataDir, opts.config, log, opts.clock);
    secureDataDir(opts.dataDir, log);
    this.core = core;
    if (core.members.count() === 0 && opts.config.firstSteward) {
      const { email, passwordHash } = opts.config.firstSteward;
      // The installer printed this password once and may still know it: the console asks for the steward's own.
      const admin = await core.members.create({ name: 'First steward', email, passwordHash, role: 'admin', mustChangePassword: true }, null);
      log.info({ module: 'hub', member: admin.id }, 'first steward created from the provisioned config');
    }
    if (opts.bootstrapAdmin && core.members.count() === 0) {
      const { email, password, name } = opts.bootstrapAdmin;
      const admin = await core.members.create({ name: name ?? 'Hub admin', email, password, role: 'admin' }, null);
      log.info({ module: 'hub', member: admin.id }, 'first admin created from the environment');
    }
    for (const d of opts.queuedDevices ?? []) {
      const id = d.otaa?.devEui ?? d.abp?.devEui ?? d.id ?? d.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
      if (core.devices.list().some((x) => x.id === id.toLowerCase())) continue;
      try {
        await core.devices.register(d);
        log.info({ module: 'hub', device: id }, 'queued device registered');
      } catch (e) {
        log.warn({ module: 'hub', device: id, err: (e as Error).message }, 'a queued device could not be registered');
      }
    }
    const identity = this.identity;
    const hubInfo = {
      dataDir: opts.dataDir,
      identity,
      backup: () => makeBackup(core, opts.dataDir, identity),
      restore: (doc: BackupDocument) => {
        stageRestore(core, opts.dataDir, doc);
        setTimeout(() => opts.onRestartRequested?.(), 100).unref();
      },
    };
    // Links to other hubs: the outbox is flushed to each peer's inbox over HTTP.
    let federation: Federation | undefined;
    const fedProxy = { get: () => federation };
    const backupsProxy = { get: () => this.backups };
    // Sealed backups of linked hubs: refused first when the disk runs low, as photos are.
    const peerBackups = new PeerBackupKeeper({
      dir: join(opts.dataDir, 'peer-backups'),
      clock: core.clock,
      log,
      maxBytes: opts.config.backups.keepForLinkedHubsMaxMiB * 1048576,
      refuseIfLow: () => core.disk.refuse('photo'),
    });
    const app = createApp({
      ...coreDeps(core, log),
      hubInfo,
      peerBackups,
      get federation() {
        return fedProxy.get();
      },
      get backups() {
        return backupsProxy.get();
      },
      mqtt: () => this.mqttStatus(),
    });
    this.app = app;
    await new Promise<void>((resolve, reject) => {
      const server = serve({ fetch: app.fetch, port: opts.config.http.port, hostname: opts.config.http.host }, (info: AddressInfo) => {
        this.port = info.port;
        resolve();
      });
      server.on('error', reject);
      this.server = server;
    });
    const host = opts.config.http.host === '0.0.0.0' || opts.config.http.host === '::' ? '127.0.0.1' : opts.config.http.host;
    const selfUrl = opts.config.hub.publicUrl || `http://${host}:${this.port}`;
    federation = new Federation(
      core.store,
      core.ledger,
      {
        identity,
        url: selfUrl,
        name: opts.config.hub.name,
        currency: { symbol: opts.config.currency.symbol, minorUnits: opts.config.currency.minorUnits },
        place: opts.config.federation.location ? { name: opts.config.hub.place || opts.config.hub.name, ...opts.config.federation.location } : null,
      },
      core.clock,
      async (url, envelopes) => {
        const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/federation/inbox`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(envelopes),
          signal: AbortSignal.timeout(10_000),
        });
        if (!res.ok) throw new Error(`peer answered ${res.status}`);
        return (await res.json()) as { ackedSeq: number };
      },
      log,
      {
        board: core.board,
        paymentTimeoutMs: opts.config.federation.paymentTimeoutHours * 3_600_000,
        summaryEveryMs: opts.config.federation.summaryEveryMinutes * 60_000,
        probe: async (url) => {
          const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/health`, { signal: AbortSignal.timeout(10_000), redirect: 'error' });
          return res.ok ? (((await res.json()) as { hubId?: string }).hubId ?? null) : null;
        },
      },
    );
    federation.notifier = core.notifications;
    core.webhooks.hubId = identity.hubId;
    core.webhooks.start();
    core.push.start();
    this.federation = federation;
    federation.start();
    core.influx?.start();
    if (opts.config.email.enabled) {
      this.mailer = new Mailer(core.store, opts.config.email, log);
      this.mailer.start();
    }
    if (opts.config.mqtt.enabled) await this.startMqtt(core, identity.hubId);
    await core.sensing.start();
    await core.sensing.startConfiguredGpio(opts.config.gpio);
    const backupsDir = join(opts.dataDir, 'backups');
    const fed = federation;
    this.backups = new NightlyBackups({
      dir: backupsDir,
      make: hubInfo.backup,
      clock: core.clock,
      log,
      since: core.clock.now(),
      // Every linked hub keeps our sealed backups, once its address answers as that hub; a closed link does not.
      peers: opts.config.backups.toLinkedHubs
        ? new PeerBackupPush({
            dir: backupsDir,
            identity,
            clock: core.clock,
            log,
            targets: () =>
              fed
                .allPeers()
                .filter((p) => p.status !== 'closed')
                .map((p) => ({ hubId: p.hubId, name: p.name, url: () => fed.confirmedUrl(p.hubId) })),
          })
        : undefined,
      kept: () => {
        const names = new Map(fed.allPeers().map((p) => [p.hubId, p.name]));
        return peerBackups.held().map((h) => ({ ...h, name: names.get(h.hubId) ?? h.hubId }));
      },
    });
    if (opts.jobs !== false) this.tasks = scheduleJobs(core, log, [['backup', opts.config.backups.cron, () => this.nightlyBackup(core)]]);
    // A linked hub that was down at night gets the backup when it is back (the upload resumes); stale partial uploads go.
    this.peerBackupTimer = setInterval(() => {
      peerBackups.prune();
      if (this.backups?.passphraseSet)
        void this.backups.pushToPeers().catch((err: unknown) => log.warn({ module: 'backups', err: (err as Error).message }, 'backups to linked hubs failed'));
    }, 15 * 60_000);
    this.peerBackupTimer.unref();
    this.watchDisk(core);
    this.watchTime(core);
    this.watchUpdates(core);
    log.info(
      {
        module: 'hub',
        port: this.port,
        lorawanPort: core.sensing.port,
        stationPort: core.sensing.station?.port ?? null,
        hubId: this.identity.hubId,
        data: opts.dataDir,
        version: VERSION,
      },
      'hub started',
    );
  }

  /** What the MQTT bridge has done, for stewards and the bench; null when MQTT is off. */
  mqttStatus(): { broker: 'embedded' | 'external'; connected: boolean; embeddedClients: number | null; counts: MqttBridge['counts'] } | null {
    if (!this.opts.config.mqtt.enabled) return null;
    return {
      broker: this.opts.config.mqtt.broker,
      connected: this.mqtt?.connected ?? false,
      embeddedClients: this.mqttBroker ? this.mqttBroker.clients : null,
      counts: { ...(this.mqtt?.counts ?? { published: 0, dropped: 0, downlinksQueued: 0, downlinksRefused: 0, connects: 0 }) },
    };
  }

  /**
   * MQTT for Home Assistant and friends: an embedded broker when the
   * neighbourhood has none, then the bridge as a client of either. A broker
   * that cannot listen (the port is taken) is logged and the hub runs on.
   */
  private async startMqtt(core: Core, hubId: string): Promise<void> {
    const cfg = this.opts.config.mqtt;
    let url = cfg.url;
    if (cfg.broker === 'embedded') {
      this.mqttBroker = new EmbeddedBroker({ host: cfg.host, port: cfg.port, username: cfg.username, password: cfg.password, log: this.opts.log });
      try {
        const port = await this.mqttBroker.start();
        const auth = cfg.username ? `${encodeURIComponent(cfg.username)}:${encodeURIComponent(cfg.password)}@` : '';
        url = `mqtt://${auth}127.0.0.1:${port}`;
      } catch (err) {
        this.opts.log.error(
          { module: 'mqtt', port: cfg.port, err: (err as Error).message },
          'the embedded MQTT broker could not start; MQTT is off until the next start',
        );
        this.mqttBroker = undefined;
        return;
      }
    }
    const bridge = new MqttBridge({ ...cfg, username: cfg.broker === 'embedded' ? '' : cfg.username }, url, bridgeSources(core, hubId), this.opts.log);
    core.telemetry.addSink(bridge);
    // An emergency declared or ended is on the crisis topic at once, not at the next refresh.
    core.board.onCrisisChange(() => bridge.nudge());
    bridge.start();
    this.mqtt = bridge;
  }

  /**
   * Reads the data disk every 30 s (and on every refused write) and gives
   * ground in order: old readings pruned early, then photos refused with the
   * stewards told, then changes refused. Room made by hand is used without a
   * restart.
   */
  private watchDisk(core: Core): void {
    const log = this.opts.log;
    core.disk.checkCapAtStart();
    const tellStewards = <K extends 'storage-low' | 'storage-was-full'>(kind: K, params: ParamsOf<K>) =>
      void tellStewardsOnce(core, kind, params, null).catch((err: unknown) =>
        log.warn({ module: 'storage', kind, err: (err as Error).message }, 'stewards could not be told about storage'),
      );
    let fullSince: number | null = null;
    core.disk.onChange((next, prev) => {
      if (next !== 'ok' && prev === 'ok') {
        core.telemetry.prune().catch((err: unknown) => log.warn({ module: 'storage', err: (err as Error).message }, 'early pruning failed'));
      }
      const freeMiB = Math.round(core.disk.current().freeBytes / 1048576);
      // Still above the write floor: the stewards hear of it while a notification can be stored.
      if (next === 'low') tellStewards('storage-low', { freeMiB });
      // A full disk cannot store a notification: the stewards hear of it once there is room again.
      if (next === 'full') fullSince ??= core.clock.now();
      else if (prev === 'full' && fullSince !== null) {
        tellStewards('storage-was-full', { from: fullSince, freeMiB });
        fullSince = null;
      }
    });
    this.diskTimer = setInterval(() => core.disk.check(), 30_000);
    this.diskTimer.unref();
  }

  /**
   * Asks chrony every 30 s whether the clock is synchronised (when it is the
   * source), and stores the last trusted time every 10 minutes, so a boot at
   * 1970 or at an old fake-hwclock time is recognised. Neither is awaited:
   * the hub never waits for the clock to start.
   */
  private watchTime(core: Core): void {
    const chrony = core.time.status().source === 'chrony';
    let ticks = 0;
    const tick = () => {
      if (chrony) void askChrony().then((synced) => core.time.setSynced(synced));
      if (ticks++ % 20 === 0 && core.time.trusted()) core.saveTime().catch(() => undefined);
    };
    tick();
    this.timeTimer = setInterval(tick, 30_000);
    this.timeTimer.unref();
  }

  /**
   * The nightly backup, and a word to the stewards when none has been made
   * for two days (no passphrase chosen yet, or backups failing).
   */
  async nightlyBackup(core: Core): Promise<unknown> {
    const backups = this.backups;
    if (!backups) return { skipped: 'the hub has not started' };
    const made = backups.passphraseSet ? await backups.run().catch((e: Error) => ({ error: e.message })) : { skipped: 'no backup passphrase yet' };
    if (backups.passphraseSet) await backups.pushToPeers();
    const status = backups.status();
    if (status.overdue) {
      const why = status.passphraseSet ? (status.lastError ?? 'unknown') : 'no backup passphrase has been chosen';
      await tellStewardsOnce(core, 'backup-overdue', { why }, 'backups');
    }
    for (const p of status.peers.filter((x) => x.overdue && status.passphraseSet)) {
      await tellStewardsOnce(core, 'backup-peer-overdue', { hub: p.name, why: p.error ?? '' }, 'backups', `:${p.hubId}`);
    }
    return made;
  }

  /**
   * Reports what the card's installer did with the last staged update, and
   * takes in update files a USB stick's helper copied into the inbox. Neither
   * holds up the start.
   */
  private watchUpdates(core: Core): void {
    const log = this.opts.log;
    const scan = () =>
      void core.updates.scanInbox().catch((err: unknown) => log.warn({ module: 'updates', err: (err as Error).message }, 'the update inbox could not be read'));
    void core.updates
      .noteResult()
      .catch((err: unknown) => log.warn({ module: 'updates', err: (err as Error).message }, "the last update's outcome could not be recorded"))
      .then(scan);
    this.updatesTimer = setInterval(scan, 60_000);
    this.updatesTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.updatesTimer) clearInterval(this.updatesTimer);
    if (this.peerBackupTimer) clearInterval(this.peerBackupTimer);
    if (this.diskTimer) clearInterval(this.diskTimer);
    if (this.timeTimer) clearInterval(this.timeTimer);
    await this.federation?.stop();
    await this.mailer?.stop();
    await this.mqtt?.stop();
    await this.mqttBroker?.stop();
    for (const t of this.tasks) await t.stop();
    this.tasks = [];
    if (this.server) {
      const server = this.server;
      this.server = undefined;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Idle keep-alive connections would hold close() open.
        (server as unknown as { closeIdleConnections?: () => void }).closeIdleConnections?.();
      });
    }
    if (this.core) {
      await this.core.close();
      this.core = undefined;
    }
    this.opts.log.info({ module: 'hub' }, 'hub stopped');
  }
}

/** One notification to every active steward, at most once a day per kind (and per thing it is about). */
function tellStewardsOnce<K extends NotificationKind>(core: Core, kind: K, params: ParamsOf<K>, ref: string | null, about = ''): Promise<void> {
  const day = new Date(core.clock.now()).toISOString().slice(0, 10);
  return core.store.write(() => void core.notifications.sendInTxn('stewards', kind, params, { ref, key: `${kind}${about}:${day}` }));
}
