import type { Clock } from '../clock.js';
import { randomId } from '../ids.js';
import type { Store } from '../store/store.js';
import { emailOutbox } from './mailer.js';

/**
 * Console notifications: reminders and news for one member. Modules add
 * them inside their own transactions; a `key` makes a reminder idempotent,
 * so a nightly job can run twice without nagging twice.
 */
export interface Notification {
  id: string;
  memberId: string;
  at: number;
  kind: string;
  text: string;
  /** Link target inside the console, e.g. "library/T-0042". */
  ref: string | null;
  read: boolean;
  /** The facts in `text`, so that a console can say it in the member's language (times in ms). */
  params?: Record<string, string | number>;
}

/** Which notifications also go out by email, and to which address; null when email is off. */
export interface EmailRouting {
  kinds: string[];
  addressOf(memberId: string): string | null;
  hubName: string;
}

export class Notifications {
  private readonly items;
  private readonly keys;
  private readonly email;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly routing: EmailRouting | null = null,
  ) {
    this.items = store.db<Notification, [string, number, string]>('notifications');
    this.keys = store.db<true, string>('notification-keys');
    this.email = emailOutbox(store);
  }

  /** Inside the caller's transaction. Returns false when `key` was already sent. */
  addInTxn(memberId: string, kind: string, text: string, ref: string | null = null, key: string | null = null, params?: Record<string, string | number>): boolean {
    if (key) {
      if (this.keys.get(key)) return false;
      this.keys.put(key, true);
    }
    const at = this.clock.now();
    const n: Notification = { id: randomId('n_', 6), memberId, at, kind, text, ref, read: false, ...(params ? { params } : {}) };
    this.items.put([memberId, at, n.id], n);
    // Email, when configured, leaves in the same transaction as the notification: never one without the other.
    const to = this.routing?.kinds.includes(kind) ? this.routing.addressOf(memberId) : null;
    if (to) this.email.put([at, n.id], { to, subject: `${this.routing!.hubName}: ${text.length > 70 ? `${text.slice(0, 67)}…` : text}`, text: `${text}\n\n— ${this.routing!.hubName}`, kind, at });
    return true;
  }

  list(memberId: string, unreadOnly = false): Notification[] {
    const out: Notification[] = [];
    for (const { value } of this.items.getRange({ start: [memberId, Number.MAX_SAFE_INTEGER, ''], end: [memberId, -1, ''], reverse: true })) {
      if (unreadOnly && value.read) continue;
      out.push(value);
    }
    return out;
  }

  /** Marks this member's notifications read; another member's ids are ignored. Returns how many were unread. */
  async markRead(memberId: string, ids: string[]): Promise<number> {
    return this.store.write(() => this.markReadInTxn(memberId, ids));
  }

  markReadInTxn(memberId: string, ids: string[]): number {
    let n = 0;
    for (const { key, value } of this.items.getRange({ start: [memberId, -1, ''], end: [memberId, Number.MAX_SAFE_INTEGER, ''] })) {
      if (!value.read && ids.includes(value.id)) {
        this.items.put(key, { ...value, read: true });
        n++;
      }
    }
    return n;
  }
}
