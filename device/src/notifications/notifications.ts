import type { Clock } from '../clock.js';
import { inOrder, randomId } from '../ids.js';
import type { Store } from '../store/store.js';
import { emailOutbox } from './mailer.js';
import type { WebPush } from './push.js';
import { englishOf, isNotificationKind, NOTIFICATION_KINDS, type Audience, type NotificationKind, type Notifier, type ParamsOf } from './kinds.js';
import type { Channel } from './contract.js';

/**
 * Console notifications: reminders and news for one member. Modules send
 * them inside their own transactions; a `key` makes a reminder idempotent,
 * so a nightly job can run twice without nagging twice.
 */
export interface Notification {
  id: string;
  memberId: string;
  at: number;
  kind: string;
  /** In English, for email and for a console that does not know the kind. */
  text: string;
  /** Link target inside the console, e.g. "library/T-0042". */
  ref: string | null;
  read: boolean;
  /** The facts in `text`, so that a console can say it in the member's language (times in ms). */
  params?: Record<string, unknown>;
}

/** As kept: the text is made from the facts when read (records from before 2026-12 carry their own). */
type StoredNotification = Omit<Notification, 'text'> & { text?: string };

/**
 * How a member wants one kind: the console inbox always, plus an alert on
 * their phones (Web Push, where the hub can send it), email now, or email in
 * a daily digest.
 */
export type { Channel };
export type Preferences = Partial<Record<NotificationKind, Channel>>;

/** Who the hub's people are, as notifications need them. */
export interface Directory {
  everyone(): string[];
  stewards(): string[];
  emailOf(memberId: string): string | null;
  /** A member's name for English text; an account id when it is not a member's. */
  nameOf(memberId: string): string;
  /** An amount in minor units as the hub's currency writes it ("12.50 HC"). */
  money(minor: number): string;
}

/** Email, when configured: the hub's name for subjects and the kinds that go by email unless a member chose otherwise. */
export interface EmailRouting {
  defaultKinds: readonly string[];
  hubName: string;
}

/** One event as sent, for listeners in the same transaction (webhooks). */
export interface SentEvent {
  id: string;
  kind: NotificationKind;
  params: Record<string, unknown>;
  text: string;
  at: number;
  audience: Audience;
  recipients: string[];
  ref: string | null;
}

interface DigestEntry {
  text: string;
  at: number;
  kind: string;
}

export class Notifications implements Notifier {
  private readonly items;
  private readonly keys;
  private readonly prefs;
  private readonly digest;
  private readonly email;
  private readonly listeners: Array<(e: SentEvent) => void> = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly directory: Directory,
    private readonly routing: EmailRouting | null = null,
    private readonly push: WebPush | null = null,
  ) {
    this.items = store.db<StoredNotification, [string, number, string]>('notifications');
    this.keys = store.db<true, string>('notification-keys');
    this.prefs = store.db<Preferences, string>('notification-prefs');
    this.digest = store.db<DigestEntry, [string, number, string]>('notification-digest');
    this.email = emailOutbox(store);
  }

  /** Called with every event sent, inside its transaction. */
  onSentInTxn(listener: (e: SentEvent) => void): void {
    this.listeners.push(listener);
  }

  /**
   * Inside the caller's transaction: one notification per recipient, and its
   * email or digest entry as each chose. Returns how many were sent (a `key`
   * already used for a recipient sends nothing to them again).
   */
  sendInTxn<K extends NotificationKind>(to: Audience, kind: K, params: ParamsOf<K>, opts: { ref?: string | null; key?: string | null } = {}): number {
    const recipients = to === 'everyone' ? this.directory.everyone() : to === 'stewards' ? this.directory.stewards() : [...new Set(to)];
    // The English text is made only when something needs it (an email, a webhook, a read): a payment is on the ledger's hot path.
    let made: string | undefined;
    const text = () => (made ??= this.english(kind, params as Record<string, unknown>));
    const at = this.clock.now();
    const ref = opts.ref ?? null;
    const id = randomId('n_', 6);
    let sent = 0;
    const reached: string[] = [];
    for (const memberId of recipients) {
      if (opts.key) {
        // Keys made before kinds were typed had no member suffix for a single recipient.
        const k = `${opts.key}:${memberId}`;
        if (this.keys.get(k) || this.keys.get(opts.key)) continue;
        this.keys.put(k, true);
      }
      const n: StoredNotification = {
        id: recipients.length === 1 ? id : `${id}${sent.toString(36)}`,
        memberId,
        at,
        kind,
        ref,
        read: false,
        params: params as Record<string, unknown>,
      };
      this.items.put([memberId, at, inOrder(n.id)], n);
      this.routeInTxn(memberId, kind, text, n);
      reached.push(memberId);
      sent++;
    }
    if (sent === 0 && opts.key) return 0;
    for (const l of this.listeners)
      l({
        id,
        kind,
        params: params as Record<string, unknown>,
        get text() {
          return text();
        },
        at,
        audience: to,
        recipients: reached,
        ref,
      });
    return sent;
  }

  /** Email now, a line in tonight's digest, or the inbox only: as the member chose, or the hub's default. Emergencies reach every channel. */
  private english(kind: string, params: Record<string, unknown>): string {
    return isNotificationKind(kind)
      ? englishOf(kind, params as never, { name: (id) => this.directory.nameOf(id), money: (m) => this.directory.money(m) })
      : kind;
  }

  /** A stored notification as read: its English text made from its facts (older records carry their own). */
  private withText(n: StoredNotification): Notification {
    return n.text !== undefined ? (n as Notification) : { ...n, text: this.english(n.kind, n.params ?? {}) };
  }

  private routeInTxn(memberId: string, kind: NotificationKind, textOf: () => string, n: StoredNotification): void {
    const { id, at } = n;
    const channel = this.channelOf(memberId, kind);
    // Emergencies alert every phone too; others when the member chose alerts (the default once a phone takes them).
    if (this.push && (channel === 'push' || NOTIFICATION_KINDS[kind].mandatory))
      this.push.enqueueInTxn(memberId, { id, kind, params: n.params ?? {}, ref: n.ref, at }, textOf);
    if (!this.routing) return;
    if (channel === 'inbox' || channel === 'push') return;
    const to = this.directory.emailOf(memberId);
    if (!to) return;
    const text = textOf();
    if (channel === 'digest') {
      this.digest.put([memberId, at, inOrder(id)], { text, at, kind });
      return;
    }
    const hub = this.routing.hubName;
    // Email leaves in the same transaction as the notification: never one without the other.
    this.email.put([at, id], { to, subject: `${hub}: ${text.length > 70 ? `${text.slice(0, 67)}…` : text}`, text: `${text}\n\n— ${hub}`, kind, at });
  }

  /**
   * The member's choice; else alerts when one of their phones takes them
   * (they just asked for it); else the hub's email default; else the inbox.
   * A choice of alerts with no phone that takes them is the inbox in effect.
   */
  channelOf(memberId: string, kind: NotificationKind): Channel {
    if (NOTIFICATION_KINDS[kind].mandatory) return 'email';
    const chosen = this.prefs.get(memberId)?.[kind];
    if (chosen && (chosen !== 'push' || this.push?.available)) return chosen;
    if (this.push?.has(memberId)) return 'push';
    return this.routing?.defaultKinds.includes(kind) ? 'email' : 'inbox';
  }

  /** Every kind with the channel it goes by for this member; emergencies cannot be turned down. */
  preferencesOf(memberId: string): Array<{ kind: NotificationKind; channel: Channel; mandatory: boolean; group: string }> {
    return (Object.keys(NOTIFICATION_KINDS) as NotificationKind[]).map((kind) => ({
      kind,
      channel: this.channelOf(memberId, kind),
      mandatory: NOTIFICATION_KINDS[kind].mandatory,
      group: NOTIFICATION_KINDS[kind].group,
    }));
  }

  /** Merges a member's choices; a mandatory kind or an unknown one is refused by the caller's schema, and ignored here. */
  async setPreferences(memberId: string, choices: Partial<Record<string, Channel>>): Promise<void> {
    await this.store.write(() => {
      const next: Preferences = { ...(this.prefs.get(memberId) ?? {}) };
      for (const [k, ch] of Object.entries(choices)) if (ch && isNotificationKind(k) && !NOTIFICATION_KINDS[k].mandatory) next[k] = ch;
      this.prefs.put(memberId, next);
    });
  }

  /** One email per member with everything their digest collected since the last; run daily. Returns how many emails were queued. */
  async sendDigests(): Promise<number> {
    if (!this.routing) return 0;
    const hub = this.routing.hubName;
    const byMember = new Map<string, Array<{ key: [string, number, string]; value: DigestEntry }>>();
    for (const e of this.digest.getRange({})) {
      const list = byMember.get(e.key[0]) ?? [];
      list.push(e as { key: [string, number, string]; value: DigestEntry });
      byMember.set(e.key[0], list);
    }
    if (byMember.size === 0) return 0;
    return this.store.write(() => {
      let queued = 0;
      const at = this.clock.now();
      for (const [memberId, entries] of byMember) {
        for (const e of entries) this.digest.remove(e.key);
        const to = this.directory.emailOf(memberId);
        if (!to) continue;
        const lines = entries.map((e) => `• ${new Date(e.value.at).toISOString().slice(0, 16).replace('T', ' ')}  ${e.value.text}`);
        this.email.put([at, randomId('d_', 6)], {
          to,
          subject: `${hub}: ${entries.length} ${entries.length === 1 ? 'notification' : 'notifications'} today`,
          text: `${lines.join('\n')}\n\n— ${hub}`,
          kind: 'digest',
          at,
        });
        queued++;
      }
      return queued;
    });
  }

  list(memberId: string, unreadOnly = false, limit = 200): Notification[] {
    const out: Notification[] = [];
    for (const { value } of this.items.getRange({ start: [memberId, Number.MAX_SAFE_INTEGER, ''], end: [memberId, -1, ''], reverse: true })) {
      if (unreadOnly && value.read) continue;
      out.push(this.withText(value));
      if (out.length >= limit) break;
    }
    return out;
  }

  unreadCount(memberId: string): number {
    let n = 0;
    for (const { value } of this.items.getRange({ start: [memberId, -1, ''], end: [memberId, Number.MAX_SAFE_INTEGER, ''] })) if (!value.read) n++;
    return n;
  }

  /** Marks this member's notifications read; another member's ids are ignored. Returns how many were unread. */
  async markRead(memberId: string, ids: string[] | 'all'): Promise<number> {
    return this.store.write(() => this.markReadInTxn(memberId, ids));
  }

  markReadInTxn(memberId: string, ids: string[] | 'all'): number {
    const wanted = ids === 'all' ? null : new Set(ids);
    let n = 0;
    for (const { key, value } of this.items.getRange({ start: [memberId, -1, ''], end: [memberId, Number.MAX_SAFE_INTEGER, ''] })) {
      if (!value.read && (wanted === null || wanted.has(value.id))) {
        this.items.put(key, { ...value, read: true });
        n++;
      }
    }
    return n;
  }

  /** Drops read notifications older than `olderThanMs`: the inbox has retention like every other store. */
  async prune(olderThanMs: number): Promise<number> {
    const before = this.clock.now() - olderThanMs;
    const old: Array<[string, number, string]> = [];
    for (const { key, value } of this.items.getRange({})) if (value.read && value.at < before) old.push(key as [string, number, string]);
    if (old.length === 0) return 0;
    await this.store.write(() => {
      for (const k of old) this.items.remove(k);
    });
    return old.length;
  }
}
