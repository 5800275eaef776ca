import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { folderOnFirstUse } from '../folder.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AuditLog } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { HubError } from '../errors.js';
import type { Governance, Proposal } from '../governance/governance.js';
import type { Members } from '../members/members.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Store } from '../store/store.js';
import { checkUpdate, compareVersions, type UpdateManifest } from './update-file.js';
import { refuse } from './contract.js';

/**
 * Software updates, decided by the community. A signed update file (see
 * update-file.ts) arrives by upload or on a USB stick. A regular release
 * opens a proposal of kind "update" showing the version, changelog and
 * signature check; the hub stages it only when that proposal passes. A
 * release marked as a security fix is staged at once and the stewards are
 * told.
 *
 * Staging only writes `staged.json` beside the file. The swap itself is done
 * by the card's root-owned helper (os-image: hyphae-update.path →
 * apply-update.sh), which checks the signature again with the key baked into
 * the image, keeps the old bundle, restarts the hub, and rolls back if the
 * new one does not answer its health check within five minutes. It writes
 * `result.json`, which the hub reads when it starts and reports.
 */
export const UPDATE_STATES = ['awaiting-decision', 'staged', 'installed', 'rolled-back', 'declined'] as const;
export type UpdateState = (typeof UPDATE_STATES)[number];

export interface UpdateRecord {
  version: string;
  security: boolean;
  changelog: string;
  keyFingerprint: string;
  receivedAt: number;
  receivedBy: string;
  proposalId: string | null;
  state: UpdateState;
  detail: string | null;
}

const StagedFile = z.object({ version: z.string(), file: z.string(), stagedAt: z.number(), decidedBy: z.string() });
const ResultFile = z.object({ version: z.string(), outcome: z.enum(['installed', 'rolled-back', 'refused']), at: z.number(), detail: z.string().default('') });
export type UpdateResult = z.infer<typeof ResultFile>;

export interface UpdatesDeps {
  /** dataDir/updates: update files, staged.json, result.json, inbox/. */
  dir: string;
  /** The release key's public half (PEM), or null when this hub takes no updates. */
  releaseKeyPem: string | null;
  running: string;
  store: Store;
  governance: Governance;
  members: Members;
  notifications: Notifications;
  audit: AuditLog;
  clock: Clock;
  log: Logger;
}

export class Updates {
  private readonly records;

  constructor(private readonly d: UpdatesDeps) {
    this.records = d.store.db<UpdateRecord, string>('updates');
    this.dir = folderOnFirstUse(d.dir);
    d.governance.onDecided((p) => this.decided(p));
  }

  /** dataDir's folder for these files, made on first use. */
  private readonly dir: () => string;

  get enabled(): boolean {
    return this.d.releaseKeyPem !== null;
  }

  list(): UpdateRecord[] {
    return [...this.records.getRange()].map((e) => e.value).sort((a, b) => compareVersions(b.version, a.version));
  }

  status(): { running: string; enabled: boolean; staged: string | null; lastResult: UpdateResult | null; updates: UpdateRecord[] } {
    return { running: this.d.running, enabled: this.enabled, staged: this.readStaged()?.version ?? null, lastResult: this.readResult(), updates: this.list() };
  }

  /** An update file, from a steward's upload or the USB inbox. */
  async receive(file: Buffer, by: string): Promise<UpdateRecord> {
    if (!this.d.releaseKeyPem) throw refuse('updates-are-off', 'this hub has no release key to check updates with (updates.releaseKeyFile)');
    const { manifest, keyFingerprint } = checkUpdate(file, this.d.releaseKeyPem, this.d.running);
    const known = this.records.get(manifest.version);
    if (known && known.state !== 'declined' && known.state !== 'rolled-back')
      throw refuse('update-already-received', `version ${manifest.version} has already been received (${known.state})`);
    const path = this.fileOf(manifest.version);
    writeFileSync(`${path}.tmp`, file, { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    const record: UpdateRecord = {
      version: manifest.version,
      security: manifest.security,
      changelog: manifest.changelog,
      keyFingerprint,
      receivedAt: this.d.clock.now(),
      receivedBy: by,
      proposalId: null,
      state: 'awaiting-decision',
      detail: null,
    };
    if (manifest.security) {
      this.stage(manifest.version, 'security release');
      const staged = { ...record, state: 'staged' as const, detail: 'a security release, installed without waiting for a decision' };
      await this.d.store.write(() => {
        this.records.put(staged.version, staged);
        this.d.audit.recordInTxn(by === 'usb' ? null : by, 'update-staged', manifest.version, { security: true, keyFingerprint }, 'security release');
        this.tellStewardsInTxn('update-security', manifest.version);
      });
      this.d.log.warn({ module: 'updates', version: manifest.version, by }, 'security update staged for installation');
      return staged;
    }
    const proposer = by === 'usb' ? this.anySteward() : by;
    const proposal = await this.d.governance.propose(
      proposer,
      {
        kind: 'update',
        title: `Update Hyphae to ${manifest.version}`,
        rationale: manifest.changelog || `Version ${manifest.version}`,
        payload: proposalPayload(manifest, keyFingerprint, this.d.running),
      },
      { byHub: true },
    );
    const proposed = { ...record, proposalId: proposal.id };
    await this.d.store.write(() => {
      this.records.put(proposed.version, proposed);
      this.tellStewardsInTxn('update-proposed', manifest.version);
    });
    this.d.log.info({ module: 'updates', version: manifest.version, by, proposal: proposal.id }, 'update received; proposal opened');
    return proposed;
  }

  /** Update files a USB stick's helper copied into inbox/ (and any a steward left there). */
  async scanInbox(): Promise<number> {
    let n = 0;
    // Made here, not at construction; the USB helper makes it too when a stick comes.
    const inbox = join(this.dir(), 'inbox');
    mkdirSync(inbox, { recursive: true });
    for (const name of readdirSync(inbox).filter((f) => f.endsWith('.hyphae-update'))) {
      const path = join(inbox, name);
      try {
        await this.receive(readFileSync(path), 'usb');
        n++;
      } catch (e) {
        this.d.log.warn({ module: 'updates', file: name, err: (e as HubError).detail ?? (e as Error).message }, 'update from the USB inbox refused');
      } finally {
        rmSync(path, { force: true });
      }
    }
    return n;
  }

  /** At start: what the root helper did with the last staged update. */
  async noteResult(): Promise<UpdateResult | null> {
    const result = this.readResult();
    if (!result) return null;
    const record = this.records.get(result.version);
    const state: UpdateState = result.outcome === 'installed' ? 'installed' : result.outcome === 'rolled-back' ? 'rolled-back' : 'declined';
    if (!record || record.state === state) return result;
    await this.d.store.write(() => {
      this.records.put(result.version, { ...record, state, detail: result.detail || null });
      this.d.audit.recordInTxn(
        null,
        result.outcome === 'installed' ? 'update-installed' : 'update-rolled-back',
        result.version,
        { outcome: result.outcome },
        result.detail || null,
      );
      if (result.outcome === 'installed') this.tellStewardsInTxn('update-installed', result.version);
      else
        this.d.notifications.sendInTxn(
          'stewards',
          'update-rolled-back',
          { version: result.version, detail: result.detail },
          { ref: 'updates', key: `update-rolled-back:${result.version}` },
        );
    });
    this.d.log[result.outcome === 'installed' ? 'info' : 'warn']({ module: 'updates', ...result }, 'update outcome');
    return result;
  }

  private async decided(p: Proposal): Promise<void> {
    if (p.kind !== 'update') return;
    const version = String(p.payload.version);
    const record = this.records.get(version);
    if (!record) return;
    if (p.status === 'executed') {
      this.stage(version, `proposal ${p.id}`);
      await this.d.store.write(() => {
        this.records.put(version, { ...record, state: 'staged', detail: null });
        this.d.audit.recordInTxn(null, 'update-staged', version, { proposal: p.id }, p.title);
      });
      this.d.log.info({ module: 'updates', version, proposal: p.id }, 'update approved and staged for installation');
    } else if (p.status === 'failed') {
      await this.d.store.write(() => this.records.put(version, { ...record, state: 'declined', detail: p.tally?.reason ?? null }));
      rmSync(this.fileOf(version), { force: true });
    }
  }

  private stage(version: string, decidedBy: string): void {
    const staged = { version, file: this.fileOf(version), stagedAt: this.d.clock.now(), decidedBy };
    const path = join(this.dir(), 'staged.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(staged) + '\n');
    // The root helper's path unit wakes on this rename.
    renameSync(`${path}.tmp`, path);
  }

  private readStaged() {
    return readJson(join(this.dir(), 'staged.json'), StagedFile);
  }

  private readResult(): UpdateResult | null {
    return readJson(join(this.dir(), 'result.json'), ResultFile);
  }

  private fileOf(version: string): string {
    return join(this.dir(), `${version}.hyphae-update`);
  }

  private anySteward(): string {
    const s = this.d.members.activeStewards()[0];
    if (!s) throw refuse('no-steward', "an update from a USB stick is proposed in a steward's name, and this hub has none");
    return s.id;
  }

  private tellStewardsInTxn(kind: 'update-security' | 'update-proposed' | 'update-installed', version: string): void {
    this.d.notifications.sendInTxn('stewards', kind, { version }, { ref: 'updates', key: `${kind}:${version}` });
  }
}

function proposalPayload(m: UpdateManifest, keyFingerprint: string, running: string): Record<string, unknown> {
  return {
    version: m.version,
    from: running,
    changelog: m.changelog,
    signature: `valid, release key ${keyFingerprint}`,
    sha256: m.payload.sha256,
    bytes: m.payload.bytes,
  };
}

/** A file the root helper and the hub hand each other: null when missing, unreadable or not of its shape. */
function readJson<T>(path: string, schema: z.ZodType<T>): T | null {
  if (!existsSync(path)) return null;
  try {
    const r = schema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}
