import type { Store } from '../store/store.js';
import type { Journal } from './journal.js';
import { transferIdOf, type HistoryRow, type JournalEntry, type Unit } from './types.js';

type HistoryKey = [string, Unit, number];

export interface HistoryPage {
  items: HistoryRow[];
  nextCursor: number | null;
}

/**
 * Account statements, keyed by account then sequence number. They are a
 * projection of the journal, not a second truth: the write path only appends
 * the journal, and the index is brought up to date in one large transaction
 * before any read and by the nightly job, so a payment costs no extra writes.
 * It can be rebuilt from the journal at any time.
 */
export class HistoryIndex {
  private readonly rows;
  private readonly meta;

  constructor(
    private readonly store: Store,
    private readonly journal: Journal,
  ) {
    // The index holds only keys; rows are built from the journal entry when read.
    this.rows = store.db<number, HistoryKey>('history');
    this.meta = store.db<number, string>('history-meta');
  }

  private indexedTo(): number {
    return this.meta.get('indexedTo') ?? -1;
  }

  private projectInTxn(): number {
    const from = this.indexedTo() + 1;
    let last = from - 1;
    for (const e of this.journal.scan(from)) {
      if (e.kind === 'transfer' || e.kind === 'demurrage') for (const p of e.postings) this.rows.put([p.account, p.unit, e.seq], 1);
      last = e.seq;
    }
    if (last >= from) this.meta.put('indexedTo', last);
    return last - from + 1;
  }

  /** Brings the projection up to the journal's head before a read. */
  catchUp(): void {
    const head = this.journal.head();
    if (!head || head.seq <= this.indexedTo()) return;
    this.store.writeSync(() => this.projectInTxn());
  }

  /** Newest first. `cursor` is the sequence number to continue below. */
  page(account: string, unit: Unit, opts: { limit?: number; cursor?: number | null; from?: number; to?: number; kind?: HistoryRow['kind'] } = {}): HistoryPage {
    this.catchUp();
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const items: HistoryRow[] = [];
    const start: HistoryKey = [account, unit, opts.cursor != null ? opts.cursor - 1 : Number.MAX_SAFE_INTEGER];
    const end: HistoryKey = [account, unit, -1];
    for (const key of this.rows.getKeys({ start, end, reverse: true })) {
      const value = this.rowAt(account, key[2]);
      if (!value) continue;
      if (opts.to !== undefined && value.at > opts.to) continue;
      // Times follow the hub's clock, which may have stepped back: an older one can come later.
      if (opts.from !== undefined && value.at < opts.from) continue;
      if (opts.kind && value.kind !== opts.kind) continue;
      items.push(value);
      if (items.length > limit) break;
    }
    const more = items.length > limit;
    if (more) items.pop();
    return { items, nextCursor: more ? (items.at(-1)?.seq ?? null) : null };
  }

  *all(account: string, unit: Unit): Iterable<HistoryRow> {
    this.catchUp();
    for (const key of this.rows.getKeys({ start: [account, unit, -1], end: [account, unit, Number.MAX_SAFE_INTEGER] })) {
      const row = this.rowAt(account, key[2]);
      if (row) yield row;
    }
  }

  private rowAt(account: string, seq: number): HistoryRow | undefined {
    const e = this.journal.get(seq);
    return e ? rowsOf(e).find((r) => r.account === account)?.row : undefined;
  }
}

function rowsOf(e: JournalEntry): Array<{ account: string; unit: Unit; row: HistoryRow }> {
  if (e.kind !== 'transfer' && e.kind !== 'demurrage') return [];
  const memo = typeof e.data.memo === 'string' ? e.data.memo : null;
  const category = typeof e.data.category === 'string' ? e.data.category : null;
  const transferId = e.kind === 'transfer' ? transferIdOf(e.seq) : null;
  return e.postings.map((p) => {
    const other = e.postings.find((q) => q.account !== p.account);
    return {
      account: p.account,
      unit: p.unit,
      row: {
        seq: e.seq,
        at: e.at,
        kind: e.kind as HistoryRow['kind'],
        unit: p.unit,
        delta: p.delta,
        balance: p.balance ?? 0,
        counterparty: other?.account ?? null,
        memo,
        category,
        transferId,
      },
    };
  });
}
