import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { inOrder, randomId } from '../ids.js';
import type { Store } from '../store/store.js';
import { DeliveryRounds } from './rounds.js';
import { NOTIFICATION_KINDS, type NotificationKind, type Notifier } from './kinds.js';
import type { SentEvent } from './notifications.js';
import { refuse } from './contract.js';

/**
 * Webhooks: other software hears of hub events over HTTP(S). Stewards
 * register hooks for the community's and the hub's events; a member may
 * register one for their own (a payment to them, their loan). Deliveries are
 * written in the transaction of the event, so none is lost to a restart;
 * each body is signed with HMAC-SHA256 over "<timestamp>.<body>" with the
 * hook's secret. A failing endpoint is retried with growing pauses, every
 * attempt is logged, and after repeated failures the hook is turned off and
 * the stewards (and its owner) are told.
 */
export interface Webhook {
  id: string;
  url: string;
  kinds: NotificationKind[];
  /** The member whose own events it receives; null for a stewards' hook (community and hub events). */
  owner: string | null;
  secret: string;
  createdBy: string;
  createdAt: number;
  enabled: boolean;
  disabledReason: string | null;
  /** Failed attempts in a row; a success resets it. */
  failuresInRow: number;
  lastAttempt: { at: number; ok: boolean; status: number | null; error: string | null } | null;
}

export interface Delivery {
  id: string;
  hookId: string;
  body: string;
  kind: string;
  attempts: number;
  createdAt: number;
}

export interface Attempt {
  deliveryId: string;
  kind: string;
  at: number;
  attempt: number;
  ok: boolean;
  status: number | null;
  error: string | null;
  ms: number;
}

export interface WebhookOptions {
  /** Attempts per delivery before it is given up (logged). */
  maxAttempts: number;
  /** Failed attempts in a row after which a hook is turned off. */
  disableAfter: number;
  /** Pause before attempt n+1, in ms: grows with n. */
  backoffMs(attempt: number): number;
  timeoutMs: number;
  /** Whether a resident's own hook may point at this host (loopback or link-local); stewards' hooks always may. Tests turn it on. */
  membersMayUseLoopback: boolean;
}

export const DEFAULT_WEBHOOK_OPTIONS: WebhookOptions = {
  maxAttempts: 8,
  disableAfter: 20,
  // 10 s, 30 s, 1.5 min, 4.5 min … at most an hour: a hub that is offline overnight still delivers in the morning.
  backoffMs: (n) => Math.min(3_600_000, 10_000 * 3 ** (n - 1)),
  timeoutMs: 10_000,
  membersMayUseLoopback: false,
};

/**
 * Whether a URL names this host: loopback or link-local, by address or as
 * "localhost". A resident's webhook there could reach the hub's own
 * services; a name that resolves there (DNS) is not caught here.
 */
export function pointsAtThisHost(url: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\./.test(host) ||
    host === '::1' ||
    /^169\.254\./.test(host) ||
    /^fe80:/.test(host) ||
    host === '0.0.0.0' ||
    host === '::'
  );
}

const KEEP_ATTEMPTS = 100;
const MAX_HOOKS = 50;

export function signBody(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export class Webhooks extends DeliveryRounds {
  private readonly hooks;
  private readonly deliveries;
  private readonly attempts;
  /** The hooks as fan-out needs them, read once and again after any change to one: every payment asks. */
  private live: Webhook[] | null = null;
  /** When each delivery may be tried next, on the monotonic clock; a delivery not here is due now (after a restart, say). */
  private readonly dueAt = new Map<string, number>();
  readonly counts = { delivered: 0, failed: 0, givenUp: 0 };
  /** Named in every body; the hub process sets it once it has loaded its identity. */
  hubId = '';

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly notifier: Notifier,
    /** Retry and timeout policy (tests shorten the pauses). */
    public options: WebhookOptions,
    private readonly log: Logger,
    private readonly post: (url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }) => Promise<number> = httpPost,
  ) {
    super();
    this.hooks = store.collection<Webhook, string>('webhooks', 'webhook');
    this.deliveries = store.collection<Delivery, string>('webhook-deliveries', 'delivery');
    this.attempts = store.db<Attempt, [string, number, string]>('webhook-attempts');
  }

  // ── registering ──

  async register(by: { id: string; steward: boolean }, input: { url: string; kinds: NotificationKind[]; forMe: boolean; secret?: string }): Promise<Webhook> {
    const owner = input.forMe || !by.steward ? by.id : null;
    if (!by.steward && !this.options.membersMayUseLoopback && pointsAtThisHost(input.url)) {
      throw HubError.badRequest("url: a member's webhook cannot point at the hub itself (a loopback or link-local address)", { field: 'url' });
    }
    const wrong = input.kinds.filter((k) =>
      owner === null ? NOTIFICATION_KINDS[k].audience === 'member' : NOTIFICATION_KINDS[k].audience === 'stewards' && !by.steward,
    );
    if (wrong.length > 0) {
      throw HubError.badRequest(
        owner === null
          ? `kinds: ${wrong.join(', ')} are about one member's own affairs; only that member's own webhook receives them`
          : `kinds: ${wrong.join(', ')} go to stewards only`,
        { field: 'kinds', kinds: wrong },
      );
    }
    const hook: Webhook = {
      id: randomId('wh_', 6),
      url: input.url,
      kinds: [...new Set(input.kinds)],
      owner,
      secret: input.secret ?? randomBytes(24).toString('base64url'),
      createdBy: by.id,
      createdAt: this.clock.now(),
      enabled: true,
      disabledReason: null,
      failuresInRow: 0,
      lastAttempt: null,
    };
    await this.store.write(() => {
      if (this.hooks.getCount() >= MAX_HOOKS) throw refuse('too-many-webhooks', `a hub keeps at most ${MAX_HOOKS} webhooks; remove one first`);
      this.hooks.put(hook.id, hook);
      this.changed();
    });
    this.log.info({ module: 'webhooks', hook: hook.id, url: hook.url, kinds: hook.kinds, owner, by: by.id }, 'webhook registered');
    return hook;
  }

  private changed(): void {
    this.live = null;
  }

  list(filter: { owner?: string } = {}): Webhook[] {
    return this.hooks.where((h) => filter.owner === undefined || h.owner === filter.owner);
  }

  get(id: string): Webhook {
    return found(this.hooks.get(id), `webhook ${id}`);
  }

  async remove(id: string): Promise<void> {
    await this.store.write(() => {
      this.get(id);
      this.hooks.remove(id);
      this.changed();
      for (const { key, value } of this.deliveries.getRange({})) if (value.hookId === id) this.deliveries.remove(key);
    });
  }

  async enable(id: string): Promise<Webhook> {
    const next = await this.store.write(() => {
      const h = { ...this.get(id), enabled: true, disabledReason: null, failuresInRow: 0 };
      this.hooks.put(id, h);
      this.changed();
      return h;
    });
    this.kick();
    return next;
  }

  attemptsOf(hookId: string): Attempt[] {
    return [...this.attempts.getRange({ start: [hookId, Number.MAX_SAFE_INTEGER, ''], end: [hookId, -1, ''], reverse: true })].map((e) => e.value);
  }

  /** A "ping" delivery, to check an endpoint and its signature check. */
  async ping(id: string): Promise<Delivery> {
    const h = this.get(id);
    const d = await this.store.write(() =>
      this.enqueueInTxn(h, { id: randomId('ev_', 6), kind: 'ping', at: this.clock.now(), params: {}, text: 'A test delivery from the hub' }),
    );
    this.kick();
    return d;
  }

  // ── fan-out, inside the event's transaction ──

  onSentInTxn(e: SentEvent): void {
    this.live ??= this.hooks.where((h) => h.enabled);
    if (this.live.length === 0) return;
    const audience = NOTIFICATION_KINDS[e.kind].audience;
    for (const h of this.live) {
      if (!h.kinds.includes(e.kind)) continue;
      // A member's own events reach only that member's hook; community and hub events reach stewards' hooks, and a member's hook when the member was told.
      const reaches = h.owner === null ? audience !== 'member' : e.recipients.includes(h.owner);
      if (reaches) this.enqueueInTxn(h, { id: e.id, kind: e.kind, at: e.at, params: e.params, text: e.text });
    }
  }

  private enqueueInTxn(h: Webhook, event: { id: string; kind: string; at: number; params: Record<string, unknown>; text: string }): Delivery {
    const body = JSON.stringify({ hub: this.hubId, event: event.id, kind: event.kind, at: event.at, params: event.params, text: event.text });
    const d: Delivery = { id: randomId('dl_', 6), hookId: h.id, kind: event.kind, body, attempts: 0, createdAt: event.at };
    this.deliveries.put(d.id, d);
    return d;
  }

  // ── delivering ──

  pending(): number {
    return this.deliveries.getCount();
  }

  protected async deliverDue(): Promise<void> {
    const now = performance.now();
    const due = this.deliveries.where((d) => (this.dueAt.get(d.id) ?? 0) <= now);
    // Endpoints are independent: a slow one does not hold up the others.
    const byHook = new Map<string, Delivery[]>();
    for (const d of due) byHook.set(d.hookId, [...(byHook.get(d.hookId) ?? []), d]);
    await Promise.all(
      [...byHook.entries()].map(async ([hookId, list]) => {
        for (const d of list) {
          const h = this.hooks.get(hookId);
          if (!h?.enabled) return;
          if (!(await this.attempt(h, d))) return; // keep order: the rest wait for this one
        }
      }),
    );
  }

  private async attempt(h: Webhook, d: Delivery): Promise<boolean> {
    const timestamp = String(Math.floor(this.clock.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Hyphae-Webhook/1',
      'x-hyphae-event': d.kind,
      'x-hyphae-delivery': d.id,
      'x-hyphae-timestamp': timestamp,
      'x-hyphae-signature': signBody(h.secret, timestamp, d.body),
    };
    const t0 = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.post(h.url, { headers, body: d.body, timeoutMs: this.options.timeoutMs });
      if (status < 200 || status >= 300) error = `answered ${status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    const ok = error === null;
    const attempt = d.attempts + 1;
    const at = this.clock.now();
    const rec: Attempt = { deliveryId: d.id, kind: d.kind, at, attempt, ok, status, error, ms: Math.round(performance.now() - t0) };
    let disabled = false;
    let gaveUp = false;
    await this.store.write(() => {
      this.attempts.put([h.id, at, inOrder(d.id)], rec);
      this.trimAttemptsInTxn(h.id);
      const cur = this.hooks.get(h.id);
      if (!cur) return;
      const next: Webhook = { ...cur, lastAttempt: { at, ok, status, error }, failuresInRow: ok ? 0 : cur.failuresInRow + 1 };
      if (ok || attempt >= this.options.maxAttempts) {
        this.deliveries.remove(d.id);
        gaveUp = !ok;
      } else this.deliveries.put(d.id, { ...d, attempts: attempt });
      if (!ok && next.failuresInRow >= this.options.disableAfter) {
        next.enabled = false;
        next.disabledReason = `${next.failuresInRow} failed attempts in a row; the last: ${error}`;
        disabled = true;
        const tell = { hookId: h.id, url: h.url, why: next.disabledReason };
        this.notifier.sendInTxn('stewards', 'webhook-disabled', tell, { ref: 'webhooks' });
        if (h.owner) this.notifier.sendInTxn([h.owner], 'webhook-disabled', tell, { ref: 'webhooks' });
      }
      this.hooks.put(h.id, next);
      this.changed();
    });
    if (ok) {
      this.dueAt.delete(d.id);
      this.counts.delivered++;
      this.log.info({ module: 'webhooks', hook: h.id, delivery: d.id, kind: d.kind, status, attempt }, 'webhook delivered');
    } else {
      this.counts.failed++;
      this.dueAt.set(d.id, performance.now() + this.options.backoffMs(attempt));
      if (gaveUp) {
        this.counts.givenUp++;
        this.dueAt.delete(d.id);
      }
      this.log.warn(
        {
          module: 'webhooks',
          hook: h.id,
          url: h.url,
          delivery: d.id,
          kind: d.kind,
          attempt,
          error,
          gaveUp,
          nextInMs: gaveUp ? null : this.options.backoffMs(attempt),
        },
        gaveUp ? 'webhook delivery given up' : 'webhook delivery failed; trying again later',
      );
      if (disabled) this.log.error({ module: 'webhooks', hook: h.id, url: h.url }, 'webhook turned off after repeated failures; stewards told');
    }
    return ok;
  }

  private trimAttemptsInTxn(hookId: string): void {
    const keys = [...this.attempts.getKeys({ start: [hookId, -1, ''], end: [hookId, Number.MAX_SAFE_INTEGER, ''] })];
    for (const k of keys.slice(0, Math.max(0, keys.length - KEEP_ATTEMPTS))) this.attempts.remove(k);
  }
}

async function httpPost(url: string, init: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<number> {
  // No redirects: a signed body goes only where the hook says.
  const res = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(init.timeoutMs) });
  await res.arrayBuffer().catch(() => undefined);
  return res.status;
}
