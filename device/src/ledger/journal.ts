import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Store } from '../store/store.js';
import type { JournalEntry, JournalKind, Posting } from './types.js';

export const GENESIS_PREV = '0'.repeat(64);

export interface JournalHead {
  seq: number;
  hash: string;
  at: number;
}

export function hashEntry(entry: Omit<JournalEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(entry));
}

/**
 * The append-only, hash-chained journal of every ledger change. Entries are
 * keyed by a sequence number, which is the order of record; wall-clock time
 * is kept for people and is clamped so it never runs backwards.
 */
export class Journal {
  private readonly entries;
  private readonly meta;

  constructor(store: Store) {
    this.entries = store.db<JournalEntry, number>('journal');
    this.meta = store.db<JournalHead, string>('journal-meta');
  }

  head(): JournalHead | undefined {
    return this.meta.get('head');
  }

  /** Appends inside the caller's write transaction and returns the entry. */
  append(kind: JournalKind, now: number, actor: string | null, postings: Posting[], data: Record<string, unknown>): JournalEntry {
    const head = this.head();
    const seq = head ? head.seq + 1 : 0;
    const at = head ? Math.max(now, head.at) : now;
    const body: Omit<JournalEntry, 'hash'> = { seq, at, kind, actor, postings, data, prev: head ? head.hash : GENESIS_PREV };
    const entry: JournalEntry = { ...body, hash: hashEntry(body) };
    this.entries.put(seq, entry);
    this.meta.put('head', { seq, hash: entry.hash, at });
    return entry;
  }

  get(seq: number): JournalEntry | undefined {
    return this.entries.get(seq);
  }

  *scan(fromSeq = 0): Iterable<JournalEntry> {
    for (const { value } of this.entries.getRange({ start: fromSeq })) yield value;
  }
}
