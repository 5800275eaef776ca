import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Store } from './store.js';

/**
 * A migration is a numbered function that runs once, at start, inside one
 * transaction together with the record that it ran. Modules contribute their
 * own migrations; numbers are global so the order is explicit.
 */
export interface Migration {
  id: number;
  name: string;
  up(store: Store): void;
}

interface MigrationRecord {
  id: number;
  name: string;
  at: string;
}

export function runMigrations(store: Store, migrations: Migration[], clock: Clock, log?: Logger): number[] {
  const done = store.db<MigrationRecord, number>('migrations');
  const sorted = [...migrations].sort((a, b) => a.id - b.id);
  const ids = new Set<number>();
  for (const m of sorted) {
    if (ids.has(m.id)) throw new Error(`two migrations share number ${m.id}`);
    ids.add(m.id);
  }
  const ran: number[] = [];
  for (const m of sorted) {
    if (done.get(m.id)) continue;
    store.writeSync(() => {
      if (done.get(m.id)) return; // another process got there first
      m.up(store);
      done.putSync(m.id, { id: m.id, name: m.name, at: new Date(clock.now()).toISOString() });
    });
    ran.push(m.id);
    log?.info({ module: 'store', migration: m.id, name: m.name }, 'migration applied');
  }
  return ran;
}

export function appliedMigrations(store: Store): MigrationRecord[] {
  const done = store.db<MigrationRecord, number>('migrations');
  return [...done.getRange({})].map((e) => e.value);
}
