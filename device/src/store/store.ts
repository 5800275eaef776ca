import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { open, type Database, type Key, type RootDatabase } from 'lmdb';

/**
 * One LMDB environment per hub, with a named sub-database per module.
 *
 * Writes go through `write()`: the callback runs inside an LMDB child
 * transaction that is batched with others into one commit (group commit), so
 * a callback that throws rolls back only its own writes. The promise resolves
 * once the batch is flushed to disk, so an acknowledged change survives a
 * power cut.
 */
const STRUCTURES = Symbol.for('structures');

export class Store {
  private constructor(readonly root: RootDatabase, readonly path: string) {}

  static open(dataDir: string): Store {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'hub.lmdb');
    // Every module keeps its own named sub-databases; LMDB needs the ceiling up front.
    const root = open({ path, maxDbs: 256, mapSize: 2 * 1024 ** 3 });
    return new Store(root, path);
  }

  db<V = unknown, K extends Key = Key>(name: string): Database<V, K> {
    // Shared msgpack structures: records are stored without repeating their field names.
    return this.root.openDB<V, K>({ name, sharedStructuresKey: STRUCTURES });
  }

  private readonly rollbackListeners: Array<() => void> = [];

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
    const result = (await this.root.childTransaction(this.guarded(fn) as () => unknown)) as T;
    await this.root.flushed;
    return result;
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
    const result = (await this.root.transaction(fn as () => unknown)) as T;
    await this.root.flushed;
    return result;
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
    return this.root.transactionSync(this.guarded(fn));
  }

  async close(): Promise<void> {
    await this.root.flushed;
    await this.root.close();
  }
}
