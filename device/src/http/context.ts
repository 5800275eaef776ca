import { isSystemAccount } from '../ledger/types.js';
import { requestHeader } from './request-header.js';
import type { Context } from 'hono';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { HubConfig } from '../config/schema.js';
import { HubError } from '../errors.js';
import type { Board } from '../flow/board.js';
import type { Ecology } from '../ecology/ecology.js';
import type { Governance } from '../governance/governance.js';
import type { Ledger } from '../ledger/ledger.js';
import type { Library } from '../library/library.js';
import type { Notifications } from '../notifications/notifications.js';
import type { Devices } from '../sensing/devices.js';
import type { Sensing } from '../sensing/sensing.js';
import type { Skills } from '../skills/skills.js';
import type { TelemetryStore } from '../telemetry/store.js';
import { hasRole, type Member, type Members, type Role, type Session } from '../members/members.js';
import type { Reliability } from '../reliability/reliability.js';

/** What routes may reach: domain modules only, never the store. */
export interface HubInfo {
  dataDir: string;
  identity: import('../identity.js').HubIdentity;
  backup(): Promise<import('../backup.js').BackupDocument>;
  /** Stages a backup and restarts into it. */
  restore(doc: import('../backup.js').BackupDocument): void;
}

export interface HttpDeps {
  /** Present when a whole hub runs (not in route tests): identity, data folder, restart. */
  hubInfo?: HubInfo;
  config: HubConfig;
  version: string;
  members: Members;
  ledger: Ledger;
  reliability: Reliability;
  board: Board;
  library: Library;
  skills: Skills;
  governance: Governance;
  ecology: Ecology;
  notifications: Notifications;
  webhooks: import('../notifications/webhooks.js').Webhooks;
  push: import('../notifications/push.js').WebPush;
  devices: Devices;
  sensing: Sensing;
  telemetry: TelemetryStore;
  /** The record of privileged actions (stewards read it). */
  audit?: import('../audit/audit.js').AuditLog;
  /** The clock modules read, and whether time-based actions may run. */
  time: import('../time/time-keeper.js').TimeKeeper;
  /** Free space on the data disk: refuses photos, then changes, as it fills. */
  disk?: import('../store/disk.js').DiskGuard;
  log: Logger;
  exportData(): unknown;
  /** Links to other hubs (present when a whole hub runs). */
  federation?: import('../federation/federation.js').Federation;
  /** The captive portal's release list (shared so tests can inspect it). */
  captive?: import('./captive.js').CaptivePortal;
  /** Nightly sealed backups (present when a whole hub runs). */
  backups?: import('../backups/nightly.js').NightlyBackups;
  /** The MQTT bridge's state (present when a whole hub runs; null when MQTT is off). */
  mqtt?: () => ReturnType<import('../hub.js').Hub['mqttStatus']>;
  /** The sealed backups this hub keeps for its linked hubs (present when a whole hub runs). */
  peerBackups?: import('../backups/peer-keeper.js').PeerBackupKeeper;
  /** Signed software updates, decided by the community. */
  updates?: import('../updates/updates.js').Updates;
  /** Serve the built console at / (default: when it has been built). */
  serveConsole?: boolean;
}

/** How a caller signed in: the console's session cookie, or a bearer token (scripts). */
export const SIGN_IN_VIA = ['session', 'token'] as const;

export interface Principal {
  member: Member;
  via: (typeof SIGN_IN_VIA)[number];
  session: Session | null;
  sessionToken: string | null;
}

/** headersComplete: the response was made with the base headers in it (security-headers.ts). */
export type AppEnv = { Variables: { principal: Principal | null; requestId: string; headersComplete: boolean } };
export type App = OpenAPIHono<AppEnv>;
export type Ctx = Context<AppEnv>;

export const SESSION_COOKIE = 'hyphae_session';
export const CSRF_HEADER = 'x-csrf-token';

/** The address phones reach the hub at, for links and QR codes: its public URL when set, else the one this request came in on. */
export function hubAddress(c: Ctx, deps: { config: HubConfig }): string {
  return deps.config.hub.publicUrl || new URL(c.req.url).origin;
}

/** Who is calling, with how they signed in; 401 for nobody. */
export function requirePrincipal(c: Ctx): Principal {
  const p = c.get('principal');
  if (!p) throw HubError.unauthenticated();
  return p;
}

export function requireMember(c: Ctx): Member {
  return requirePrincipal(c).member;
}

export function requireRole(c: Ctx, role: Role): Member {
  const m = requireMember(c);
  if (!hasRole(m, role)) throw HubError.forbidden(`this needs the ${role} role`);
  return m;
}

/** Members may act on their own records; stewards on anyone's. */
export function requireSelfOrSteward(c: Ctx, memberId: string): Member {
  const m = requireMember(c);
  if (m.id !== memberId && !hasRole(m, 'steward')) throw HubError.forbidden('you can only see your own account');
  return m;
}

export function idempotencyKey(c: Ctx): string | null {
  const k = requestHeader(c, 'idempotency-key');
  if (k === undefined) return null;
  if (k.length === 0 || k.length > 128) throw HubError.badRequest('Idempotency-Key must be 1 to 128 characters');
  return k;
}

/**
 * The community's own accounts (the fund, the library's pool and deposit
 * escrow, the clearing accounts of hub links) move only through the
 * operation that owns them: fees and deposits, a passed proposal or budget
 * round, demurrage, settlement between hubs. Never through a plain payment,
 * whoever asks: a steward paying themself from the pool is exactly what this
 * stops. Gifts to the fund have their own route.
 */
export function refuseSystemAccounts(...ids: Array<string | undefined>): void {
  for (const id of ids)
    if (id && isSystemAccount(id)) throw HubError.forbidden(`${id} is one of the community's own accounts; it moves only through the operation that owns it`);
}
