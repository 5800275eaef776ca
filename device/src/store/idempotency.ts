import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Store } from './store.js';
import { refuse } from './contract.js';

interface Remembered {
  fingerprint: string;
  result: unknown;
  at: number;
}

/**
 * Idempotency keys for create calls. Inside the same transaction as the
 * creation, `replay` returns the earlier result for a repeated key, and
 * `remember` stores the new one, so a retry after a lost response can never
 * create a second record. Reusing a key with a different request is a 409.
 */
export class Idempotency {
  private readonly db;
  constructor(store: Store) {
    this.db = store.db<Remembered, [string, string, string]>('idempotency');
  }

  static fingerprint(request: unknown): string {
    return sha256Hex(canonicalJson(request));
  }

  /** Must run inside a write transaction. */
  replay<T>(scope: string, principal: string, key: string, fingerprint: string): T | undefined {
    const hit = this.db.get([scope, principal, key]);
    if (!hit) return undefined;
    if (hit.fingerprint !== fingerprint) {
      throw refuse('idempotency-conflict', `the key ${JSON.stringify(key)} was already used for a different request`);
    }
    return hit.result as T;
  }

  /** Must run inside a write transaction. */
  remember(scope: string, principal: string, key: string, fingerprint: string, result: unknown, at: number): void {
    this.db.put([scope, principal, key], { fingerprint, result, at });
  }
}
