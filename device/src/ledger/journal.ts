import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Store } from '../store/store.js';
import type { JournalEntry, JournalKind, Posting } from './types.js';

export const GENESIS_PREV = '0'.repeat(64);

export interface JournalHead {
  seq: number;
  hash: string;
  at: number;
}

/**
 * The hash of an entry covers every field in a fixed order. The postings are
 * written field by field rather than through generic canonical JSON because
 * this runs once per payment; `data` is small and free-form, so it is.
 */
export function hashEntry(e: Omit<JournalEntry, 'hash'>): string {
  let s = `${e.seq}|${e.at}|${e.kind}|${e.actor ?? ''}|${e.prev}|`;
  for (const p of e.postings) s += `${p.account},${p.unit},${p.delta},${p.balance ?? ''};`;
  return sha256Hex(s + '|' + canonicalJson(e.data));
}

/**
 * The append-only, hash-chained journal of every ledger change. Entries are
 * keyed by a sequence number, which is the order of record; wall-clock time
 * is kept for people as the hub's clock read it. It is not clamped: after a
 * clock that jumped a year ahead is corrected, entries carry real time again
 * at once (a 'clock.jump' entry says where the clock stepped).
 */
export class Journal {
  private readonly entries;
  private cached: JournalHead | undefined;

  constructor(store: Store) {
    this.entries = store.db<JournalEntry, number>('journal');
    store.onRollback(() => (this.cached = undefined));
  }

  /**
   * The last entry. The one this process appended last is remembered: a
   * rolled-back write forgets it at once (Store.onRollback), and an append by
   * another process (the CLI) shows as an entry after it, which sends us
   * back to the journal itself.
   */
  head(): JournalHead | undefined {
    const c = this.cached;
    if (c && !this.entries.doesExist(c.seq + 1)) return c;
    this.cached = undefined;
    for (const { value } of this.entries.getRange({ reverse: true, limit: 1 })) return (this.cached = { seq: value.seq, hash: value.hash, at: value.at });
    return undefined;
  }

  /** Appends inside the caller's write transaction and returns the entry. */
  append(kind: JournalKind, now: number, actor: string | null, postings: Posting[], data: Record<string, unknown>): JournalEntry {
    const head = this.head();
    const seq = head ? head.seq + 1 : 0;
    const at = now;
    // Built once with every field in its stored order (hash last), then hashed: no copy per payment.
    const entry: JournalEntry = { seq, at, kind, actor, postings, data, prev: head ? head.hash : GENESIS_PREV, hash: '' };
    entry.hash = hashEntry(entry);
    this.entries.put(seq, entry);
    this.cached = { seq, hash: entry.hash, at };
    return entry;
  }

  get(seq: number): JournalEntry | undefined {
    return this.entries.get(seq);
  }

  *scan(fromSeq = 0): Iterable<JournalEntry> {
    for (const { value } of this.entries.getRange({ start: fromSeq })) yield value;
  }
}
