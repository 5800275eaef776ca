import type { Clock } from '../clock.js';
import { randomId } from '../ids.js';
import type { Store } from '../store/store.js';

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
}

export class Notifications {
  private readonly items;
  private readonly keys;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.items = store.db<Notification, [string, number, string]>('notifications');
    this.keys = store.db<true, string>('notification-keys');
  }

  /** Inside the caller's transaction. Returns false when `key` was already sent. */
  addInTxn(memberId: string, kind: string, text: string, ref: string | null = null, key: string | null = null): boolean {
    if (key) {
      if (this.keys.get(key)) return false;
      this.keys.put(key, true);
    }
    const at = this.clock.now();
    const n: Notification = { id: randomId('n_', 6), memberId, at, kind, text, ref, read: false };
    this.items.put([memberId, at, n.id], n);
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
