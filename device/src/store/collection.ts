import type { Database, Key } from 'lmdb';
import { found } from '../errors.js';

/**
 * A sub-database with the reads every module used to write by hand: every
 * record (`all`), those that pass a test (`where`), one or a 404 naming it
 * (`need`), and a page of the newest (`newest`).
 *
 * It is the lmdb-js Database itself with these added, not a wrapper, so
 * transactions, ranges and the rest of lmdb's API stay as they are.
 */
export interface Collection<V, K extends Key = string> extends Database<V, K> {
  /** Every record, in key order. */
  all(): V[];
  /** The records that pass `test`, in key order. */
  where(test: (value: V) => boolean): V[];
  /** The record under `key`, or a 404 that names it ("proposal p_x1"). */
  need(key: K): V;
  /** Up to `limit` records that pass `test`, newest first by `at`. */
  newest(at: (value: V) => number, opts?: { test?: (value: V) => boolean; limit?: number }): V[];
}

export function asCollection<V, K extends Key = string>(db: Database<V, K>, noun: string): Collection<V, K> {
  const all = (): V[] => Array.from(db.getRange({}), (e) => e.value);
  const methods: Pick<Collection<V, K>, 'all' | 'where' | 'need' | 'newest'> = {
    all,
    where: (test) => all().filter(test),
    need: (key) => found(db.get(key), `${noun} ${String(key)}`),
    newest: (at, opts = {}) => {
      const picked = opts.test ? all().filter(opts.test) : all();
      return picked.sort((a, b) => at(b) - at(a)).slice(0, opts.limit ?? Infinity);
    },
  };
  return Object.assign(db, methods);
}
