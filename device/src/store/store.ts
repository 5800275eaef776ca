import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase, type RootDatabaseOptionsWithPath } from 'lmdb';
import { HubError } from '../errors.js';
import { asCollection, type Collection } from './collection.js';
import { storageFull } from './disk.js';

/**
 * One LMDB environment per hub, with a named sub-database per module.
 *
 * Writes go through `write()`: the callback runs inside an LMDB child
 * transaction that is batched with others into one commit (group commit), so
 * a callback that throws rolls back only its own writes. The promise resolves
 * once the batch is flushed to disk, so an acknowledged change survives a
 * power cut.
 *
 * A commit that fails (a full disk) rejects every write in its batch with a
 * 507 and nothing of it is stored; the caches that remembered those writes
 * are dropped (onRollback), so the journal's next entry chains to the last
 * one really stored. The map grows as the database does (lmdb-js resizes
 * it); DiskGuard caps the size.
 */
const STRUCTURES = Symbol.for('structures');

/**
 * How much of the file LMDB maps. On a 64-bit system the map is address
 * space, not memory or disk (without a writable map the file grows only as
 * data is written), so it is made as large as the database may grow, with
 * room for the commit that finds it full. A map that starts small is grown
 * by mapping the file again, and the pages read through the old map stayed
 * resident beside the new one: a database grown to 370 MiB that way held
 * 720 MiB of the file in the process's memory, against 412 MiB mapped once.
 * A 32-bit system has no address space for that: lmdb-js maps the file in
 * chunks there (remapChunks), which it does by itself when no size is given.
 */
export function mapOptions(maxBytes: number): { mapSize?: number } {
  return process.arch.endsWith('64') ? { mapSize: maxBytes + 64 * 1024 ** 2 } : {};
}

export class Store {
  private constructor(
    readonly root: RootDatabase,
    readonly path: string,
  ) {}

  /** `maxBytes`: the size the database may grow to (storage.maxDatabaseMiB); the map is made that large up front. */
  static open(dataDir: string, maxBytes = 64 * 1024 ** 2): Store {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, 'hub.lmdb');
    // Every module keeps its own named sub-databases; LMDB needs the ceiling up front.
    // No read-ahead: a read of one page through the map would fault in its neighbours too, and on
    // a Pi those pages of a large file count against the hub's memory for nothing.
    // (lmdb-js supports the flag; its typings leave it out.)
    const root = open({ path, maxDbs: 256, noReadAhead: true, ...mapOptions(maxBytes) } as RootDatabaseOptionsWithPath);
    return new Store(root, path);
  }

  db<V = unknown, K extends Key = Key>(name: string): Database<V, K> {
    // Shared msgpack structures: records are stored without repeating their field names.
    return this.root.openDB<V, K>({ name, sharedStructuresKey: STRUCTURES });
  }

  /** A sub-database of raw bytes (values are stored as given, with no msgpack), for formats of a module's own. */
  binaryDb<K extends Key = Key>(name: string): Database<Buffer, K> {
    return this.root.openDB<Buffer, K>({ name, encoding: 'binary' });
  }

  /** A sub-database of records called `noun` ("proposal"), with the common reads (collection.ts). */
  collection<V, K extends Key = string>(name: string, noun: string): Collection<V, K> {
    return asCollection(this.db<V, K>(name), noun);
  }

  private readonly rollbackListeners: Array<() => void> = [];
  private readonly failureListeners: Array<(err: unknown) => void> = [];
  /** Asked before every write; throws to refuse it (DiskGuard on a full disk). */
  gate: (() => void) | undefined;

  /** The file LMDB keeps its data in (a single file: the path has an extension), for size checks. */
  get dataFile(): string {
    return this.path;
  }

  /** Called when a commit fails, after the rollback listeners. */
  onCommitFailure(listener: (err: unknown) => void): void {
    this.failureListeners.push(listener);
  }

  /**
   * A rejection from LMDB's commit (not from the callback, which throws its
   * own errors): the writes of the batch are gone, so caches are dropped, and
   * the caller is told with a 507. lmdb-js hangs the cause on a second promise
   * (`commitError`), handled here so it cannot go unhandled.
   */
  private commitFailed(e: unknown): unknown {
    if (e instanceof HubError || !isCommitFailure(e)) return e;
    (e as { commitError?: Promise<unknown> }).commitError?.catch(() => undefined);
    for (const l of this.rollbackListeners) l();
    for (const l of this.failureListeners) l(e);
    return storageFull('the hub could not save this change: its disk is full');
  }

  /** Called synchronously when a write callback throws and its writes are undone. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  private guarded<T>(fn: () => T): () => T {
    return () => {
      try {
        return fn();
      } catch (e) {
        for (const l of this.rollbackListeners) l();
        throw e;
      }
    };
  }

  /** Atomic, durable write; resolves after the commit is flushed. */
  async write<T>(fn: () => T): Promise<T> {
    this.gate?.();
    try {
      const result = (await this.root.childTransaction(this.guarded(fn) as () => unknown)) as T;
      await this.root.flushed;
      return result;
    } catch (e) {
      throw this.commitFailed(e);
    }
  }

  /**
   * As write(), for callbacks that make every check before their first write
   * (the ledger's payments). Such a callback that throws has written
   * nothing, so it runs in the batch's own transaction without a child
   * transaction of its own, which LMDB makes costly (a nested transaction
   * allocates its own page lists). A callback that could throw after writing
   * must use write().
   */
  async writeChecksFirst<T>(fn: () => T): Promise<T> {
    // No rollback listeners either: a callback that threw wrote nothing, so no cache went stale.
    this.gate?.();
    try {
      const result = (await this.root.transaction(fn as () => unknown)) as T;
      await this.root.flushed;
      return result;
    } catch (e) {
      throw this.commitFailed(e);
    }
  }

  /**
   * Inside a write: runs `fn` in a nested transaction of its own, so that if
   * it throws, its writes alone are undone and the caller's stand.
   */
  nestedInTxn<T>(fn: () => T): T {
    return this.root.childTransaction(this.guarded(fn)) as T;
  }

  /** Atomic write committed before returning; for start-up and the CLI, not hot paths. */
  writeSync<T>(fn: () => T): T {
    this.gate?.();
    try {
      return this.root.transactionSync(this.guarded(fn));
    } catch (e) {
      throw this.commitFailed(e);
    }
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}

const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'MDB_MAP_FULL']);

/** Whether an error is LMDB failing to store a commit (as opposed to a bug): a full or failing disk. */
export function isCommitFailure(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { message?: unknown; code?: unknown; commitError?: unknown };
  if (
    err.commitError !== undefined ||
    (typeof err.message === 'string' && /^Commit failed|MDB_MAP_FULL|No space left|Input\/output error|Disk quota/.test(err.message))
  )
    return true;
  // lmdb-js reports errno as a number: EIO 5, ENOSPC 28, EROFS 30, EDQUOT 122.
  return STORAGE_CODES.has(String(err.code)) || [5, 28, 30, 122].includes(err.code as number);
}
