import { createHash } from 'node:crypto';
import type { Agent } from 'node:https';
import type { Logger } from 'pino';
import webpush from 'web-push';
import type { Clock } from '../clock.js';
import { found, HubError } from '../errors.js';
import { randomId } from '../ids.js';
import type { Store } from '../store/store.js';
import { DeliveryRounds } from './rounds.js';
import { NOTIFICATION_KINDS, type NotificationKind } from './kinds.js';
import { pointsAtThisHost } from './webhooks.js';
import { refuse, type AlertLanguage } from './contract.js';

/**
 * Web Push (RFC 8030, with VAPID, RFC 8292, and message encryption, RFC
 * 8291) to the phones of members who turned alerts on. It only works when
 * the hub reaches the internet: every browser hands its subscription to its
 * maker's push service (Google's, Mozilla's, Apple's), and the hub posts the
 * encrypted message there. And only with HTTPS: browsers give push to secure
 * pages alone. Without either the console's inbox still works, polled while
 * it is open. Messages are written in the transaction of the notification
 * they carry, so a restart loses none; the clock must be trusted before one
 * leaves, because the VAPID token carries an expiry time.
 */
export interface PushSubscriptionRecord {
  /** A hash of the endpoint: the same phone subscribing twice is one record. */
  id: string;
  memberId: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The console's language on that phone: the alert is worded in it. */
  lang: AlertLanguage;
  createdAt: number;
  lastOkAt: number | null;
  failuresInRow: number;
}

export type PushSubscriptionInfo = Omit<PushSubscriptionRecord, 'keys' | 'endpoint'> & { endpointHost: string };

export interface PushMessage {
  subId: string;
  memberId: string;
  kind: string;
  /** The JSON the phone's service worker receives (encrypted on the way). */
  payload: string;
  urgency: 'high' | 'normal';
  /** Seconds the push service keeps it for a phone that is off. */
  ttl: number;
  attempts: number;
  createdAt: number;
}

/** What a phone's service worker gets: the facts to word in its language, the English as a fallback. */
export interface PushPayload {
  v: 1;
  id: string;
  kind: string;
  params: Record<string, unknown>;
  ref: string | null;
  at: number;
  hub: string;
  lang: AlertLanguage;
  /** In English, for a service worker that does not know the kind. */
  text: string;
  /** Members named in the params, as the service worker cannot look them up. */
  names: Record<string, string>;
  currency: { symbol: string; minorUnits: number };
}

export interface PushOptions {
  /** Whether push can work: the hub's public address is https://. */
  available: boolean;
  /** VAPID subject: a mailto: or https: address the push services can reach the hub's people at. */
  subject: string;
  hubName: string;
  currency: { symbol: string; minorUnits: number };
  maxAttempts: number;
  backoffMs(attempt: number): number;
  timeoutMs: number;
  /** Whether a subscription may name this host (tests run their push service on loopback). */
  allowLoopback: boolean;
  /** TLS agent for the push services (tests trust their own certificate through it). */
  agent?: Agent;
}

export const DEFAULT_PUSH_OPTIONS: Omit<PushOptions, 'available' | 'subject' | 'hubName' | 'currency'> = {
  maxAttempts: 6,
  // 15 s, 1 min, 4 min, 16 min, 1 h: a push service that is down for a while still delivers.
  backoffMs: (n) => Math.min(3_600_000, 15_000 * 4 ** (n - 1)),
  timeoutMs: 15_000,
  allowLoopback: false,
};

const MAX_PER_MEMBER = 10;
/** Push services accept about 4 KiB; past this the message carries the English text only. */
const MAX_PAYLOAD = 3_000;
/** A day for news, three for an emergency: a phone that was off for a night still hears of it. */
const TTL_NORMAL = 86_400;
const TTL_MANDATORY = 3 * 86_400;
/** A subscription whose messages keep failing (not "gone", which removes it at once) is dropped after this many in a row. */
const DROP_AFTER_FAILURES = 12;

export type SendPush = (
  sub: { endpoint: string; keys: { p256dh: string; auth: string } },
  payload: string,
  options: webpush.RequestOptions,
) => Promise<{ statusCode: number }>;

interface VapidKeys {
  publicKey: string;
  privateKey: string;
}

export class WebPush extends DeliveryRounds {
  private readonly subs;
  private readonly outbox;
  private readonly state;
  private readonly dueAt = new Map<string, number>();
  readonly counts = { delivered: 0, failed: 0, givenUp: 0, gone: 0 };

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly names: { nameOf(memberId: string): string | null },
    public options: PushOptions,
    private readonly log: Logger,
    private readonly send: SendPush = (sub, payload, options) => webpush.sendNotification(sub, payload, options),
  ) {
    super();
    this.subs = store.db<PushSubscriptionRecord, [string, string]>('push-subscriptions');
    this.outbox = store.db<PushMessage, string>('push-outbox');
    this.state = store.db<VapidKeys, string>('push-state');
  }

  get available(): boolean {
    return this.options.available;
  }

  /** The hub's VAPID public key, made once and kept: a new one would silently break every phone's subscription. */
  async publicKey(): Promise<string> {
    const kept = this.state.get('vapid');
    if (kept) return kept.publicKey;
    const made = webpush.generateVAPIDKeys();
    return this.store.write(() => {
      const again = this.state.get('vapid');
      if (again) return again.publicKey;
      this.state.put('vapid', made);
      return made.publicKey;
    });
  }

  // ── subscriptions ──

  async subscribe(memberId: string, input: { endpoint: string; keys: { p256dh: string; auth: string }; lang: AlertLanguage }): Promise<PushSubscriptionInfo> {
    if (!this.available)
      throw refuse('push-is-not-available', 'this hub has no https:// public address, so phones cannot be sent alerts; the inbox works without them');
    const url = new URL(input.endpoint);
    if (url.protocol !== 'https:') throw HubError.badRequest('endpoint: a push service address starts with https://', { field: 'endpoint' });
    if (!this.options.allowLoopback && pointsAtThisHost(input.endpoint))
      throw HubError.badRequest('endpoint: a push service is not on the hub itself', { field: 'endpoint' });
    const id = createHash('sha256').update(input.endpoint).digest('base64url').slice(0, 16);
    const rec = await this.store.write(() => {
      // A phone that changed hands (or was signed in as someone else) is now the new member's.
      for (const { key, value } of this.subs.getRange({})) if (value.id === id && value.memberId !== memberId) this.subs.remove(key);
      const existing = this.subs.get([memberId, id]);
      if (!existing && this.countOf(memberId) >= MAX_PER_MEMBER) {
        throw refuse('too-many-phones', `alerts go to at most ${MAX_PER_MEMBER} phones per member; turn them off on one first`);
      }
      const next: PushSubscriptionRecord = {
        id,
        memberId,
        endpoint: input.endpoint,
        keys: input.keys,
        lang: input.lang,
        createdAt: existing?.createdAt ?? this.clock.now(),
        lastOkAt: existing?.lastOkAt ?? null,
        failuresInRow: 0,
      };
      this.subs.put([memberId, id], next);
      return next;
    });
    this.log.info({ module: 'push', member: memberId, subscription: id, service: url.host }, 'push subscription added');
    return info(rec);
  }

  async unsubscribe(memberId: string, id: string): Promise<void> {
    await this.store.write(() => {
      found(this.subs.get([memberId, id]), `push subscription ${id}`);
      this.removeInTxn(memberId, id);
    });
  }

  subscriptionsOf(memberId: string): PushSubscriptionInfo[] {
    return this.recordsOf(memberId).map(info);
  }

  private recordsOf(memberId: string): PushSubscriptionRecord[] {
    return [...this.subs.getRange({ start: [memberId, ''], end: [memberId, '\uffff'] })].map((e) => e.value);
  }

  private countOf(memberId: string): number {
    return this.subs.getKeysCount({ start: [memberId, ''], end: [memberId, '\uffff'] });
  }

  /** Whether any phone of this member takes alerts (the default channel is then "push"). */
  has(memberId: string): boolean {
    return this.available && this.countOf(memberId) > 0;
  }

  private removeInTxn(memberId: string, id: string): void {
    this.subs.remove([memberId, id]);
    for (const { key, value } of this.outbox.getRange({})) if (value.subId === id) this.outbox.remove(key);
  }

  // ── fan-out, inside the notification's transaction ──

  enqueueInTxn(
    memberId: string,
    n: { id: string; kind: NotificationKind; params: Record<string, unknown>; ref: string | null; at: number },
    text: () => string,
  ): number {
    if (!this.available) return 0;
    const subs = this.recordsOf(memberId);
    if (subs.length === 0) return 0;
    const mandatory = NOTIFICATION_KINDS[n.kind].mandatory;
    const names: Record<string, string> = {};
    for (const v of Object.values(n.params)) {
      if (typeof v !== 'string' || v.length > 40) continue;
      const name = this.names.nameOf(v);
      if (name) names[v] = name;
    }
    for (const s of subs) {
      const full: PushPayload = {
        v: 1,
        id: n.id,
        kind: n.kind,
        params: n.params,
        ref: n.ref,
        at: n.at,
        hub: this.options.hubName,
        lang: s.lang,
        text: text(),
        names,
        currency: this.options.currency,
      };
      let payload = JSON.stringify(full);
      if (Buffer.byteLength(payload) > MAX_PAYLOAD) payload = JSON.stringify({ ...full, params: {}, names: {}, text: text().slice(0, 1_000) });
      this.outbox.put(randomId('pm_', 6), {
        subId: s.id,
        memberId,
        kind: n.kind,
        payload,
        urgency: mandatory ? 'high' : 'normal',
        ttl: mandatory ? TTL_MANDATORY : TTL_NORMAL,
        attempts: 0,
        createdAt: n.at,
      });
    }
    return subs.length;
  }

  // ── delivering ──

  pending(): number {
    return this.outbox.getCount();
  }

  protected async deliverDue(): Promise<void> {
    // The VAPID token says until when it is valid: with a clock that may be years off, wait.
    if (!this.available || !this.clock.trusted()) return;
    const now = performance.now();
    const due = [...this.outbox.getRange({})].filter((e) => (this.dueAt.get(e.key) ?? 0) <= now);
    if (due.length === 0) return;
    const keys = await this.vapid();
    await Promise.all(due.map((e) => this.attempt(e.key, e.value, keys)));
  }

  private async vapid(): Promise<VapidKeys> {
    await this.publicKey();
    const keys = this.state.get('vapid');
    if (!keys) throw new Error('the VAPID keys were made but cannot be read back');
    return keys;
  }

  private async attempt(key: string, m: PushMessage, keys: VapidKeys): Promise<void> {
    const sub = this.subs.get([m.memberId, m.subId]);
    if (!sub) {
      await this.store.write(() => this.outbox.remove(key));
      return;
    }
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await this.send({ endpoint: sub.endpoint, keys: sub.keys }, m.payload, {
        vapidDetails: { subject: this.options.subject, publicKey: keys.publicKey, privateKey: keys.privateKey },
        TTL: m.ttl,
        urgency: m.urgency,
        timeout: this.options.timeoutMs,
        contentEncoding: 'aes128gcm',
        ...(this.options.agent ? { agent: this.options.agent } : {}),
      });
      status = res.statusCode;
    } catch (e) {
      const err = e as { statusCode?: number; message?: string; body?: string };
      status = err.statusCode ?? null;
      error = status ? `answered ${status}${err.body ? `: ${String(err.body).slice(0, 120)}` : ''}` : (err.message ?? String(e));
    }
    const attempt = m.attempts + 1;
    // 404 and 410: the phone unsubscribed or the browser dropped it; the subscription is over (RFC 8030 §7.3).
    const gone = status === 404 || status === 410;
    const ok = error === null;
    const hopeless = gone || status === 400 || status === 403 || status === 413 || attempt >= this.options.maxAttempts;
    let dropped = false;
    await this.store.write(() => {
      const cur = this.subs.get([m.memberId, m.subId]);
      if (ok || hopeless) this.outbox.remove(key);
      else this.outbox.put(key, { ...m, attempts: attempt });
      if (!cur) return;
      if (gone || (!ok && cur.failuresInRow + 1 >= DROP_AFTER_FAILURES)) {
        this.removeInTxn(m.memberId, m.subId);
        dropped = true;
      } else this.subs.put([m.memberId, m.subId], { ...cur, lastOkAt: ok ? this.clock.now() : cur.lastOkAt, failuresInRow: ok ? 0 : cur.failuresInRow + 1 });
    });
    const where = new URL(sub.endpoint).host;
    if (ok) {
      this.dueAt.delete(key);
      this.counts.delivered++;
      this.log.info({ module: 'push', member: m.memberId, subscription: m.subId, kind: m.kind, service: where, status }, 'push delivered');
      return;
    }
    this.counts.failed++;
    if (gone) this.counts.gone++;
    if (hopeless) {
      this.dueAt.delete(key);
      if (!gone) this.counts.givenUp++;
    } else this.dueAt.set(key, performance.now() + this.options.backoffMs(attempt));
    const what = gone
      ? 'push subscription gone; removed'
      : dropped
        ? 'push failing repeatedly; subscription removed'
        : hopeless
          ? 'push given up'
          : 'push failed; trying again later';
    this.log.warn({ module: 'push', member: m.memberId, subscription: m.subId, kind: m.kind, service: where, attempt, status, error }, what);
  }
}

function info(r: PushSubscriptionRecord): PushSubscriptionInfo {
  const { keys: _k, endpoint, ...rest } = r;
  return { ...rest, endpointHost: new URL(endpoint).host };
}
