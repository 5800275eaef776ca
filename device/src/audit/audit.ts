import { canonicalJson, sha256Hex } from '../canonical-json.js';
import type { Clock } from '../clock.js';
import type { Store } from '../store/store.js';

/**
 * The record of every privileged action: credit limits and capacity set,
 * roles changed, members suspended and reinstated, one-time passwords given,
 * a steward's emergency change of a parameter, money leaving the community
 * fund by decision, and library write-offs. Each entry says who did it, when,
 * what, to whom and why, is written in the same transaction as the action,
 * and carries the hash of the one before it, like the ledger's journal, so a
 * steward who goes rogue cannot quietly take one out.
 */
export const AUDIT_ACTIONS = [
  'limits',
  'capacity',
  'role',
  'suspend',
  'reinstate',
  'one-time-password',
  'emergency-change',
  'fund-spent',
  'write-off',
  'update-staged',
  'update-installed',
  'update-rolled-back',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  seq: number;
  at: number;
  /** A member's id, or null for the hub itself (a decision carried out). */
  actor: string | null;
  action: AuditAction;
  /** What it was done to: a member, an account, an item, a parameter. */
  subject: string;
  reason: string | null;
  detail: Record<string, unknown>;
  prev: string;
  hash: string;
}

const GENESIS = '0'.repeat(64);

export function hashAuditEntry(e: Omit<AuditEntry, 'hash'>): string {
  return sha256Hex(canonicalJson(e));
}

export class AuditLog {
  private readonly entries;

  constructor(
    store: Store,
    private readonly clock: Clock,
  ) {
    this.entries = store.db<AuditEntry, number>('audit');
  }

  /** Appends inside the caller's write transaction. */
  recordInTxn(actor: string | null, action: AuditAction, subject: string, detail: Record<string, unknown>, reason: string | null = null): AuditEntry {
    let head: AuditEntry | undefined;
    for (const { value } of this.entries.getRange({ reverse: true, limit: 1 })) head = value;
    const body = { seq: head ? head.seq + 1 : 0, at: this.clock.now(), actor, action, subject, reason, detail, prev: head?.hash ?? GENESIS };
    const entry: AuditEntry = { ...body, hash: hashAuditEntry(body) };
    this.entries.put(entry.seq, entry);
    return entry;
  }

  /** Newest first; `before` is the sequence number to continue below. */
  list(opts: { limit?: number; before?: number | null; action?: AuditAction } = {}): { entries: AuditEntry[]; next: number | null } {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const out: AuditEntry[] = [];
    for (const { value } of this.entries.getRange({ start: opts.before != null ? opts.before - 1 : Number.MAX_SAFE_INTEGER, reverse: true })) {
      if (opts.action && value.action !== opts.action) continue;
      out.push(value);
      if (out.length > limit) break;
    }
    const more = out.length > limit;
    if (more) out.pop();
    return { entries: out, next: more ? (out.at(-1)?.seq ?? null) : null };
  }

  *all(): Iterable<AuditEntry> {
    for (const { value } of this.entries.getRange({})) yield value;
  }

  /** Replays the chain: every entry in order, each hashing to what it says and naming the one before. */
  verify(): { ok: boolean; entries: number; problems: string[] } {
    const problems: string[] = [];
    let prev = GENESIS;
    let n = 0;
    for (const e of this.all()) {
      if (e.seq !== n) problems.push(`audit: expected entry ${n}, found ${e.seq}`);
      if (e.prev !== prev) problems.push(`audit: entry ${e.seq} does not chain to the one before it`);
      const { hash, ...body } = e;
      if (hashAuditEntry(body) !== hash) problems.push(`audit: entry ${e.seq} has been altered (hash mismatch)`);
      prev = hash;
      n = e.seq + 1;
    }
    return { ok: problems.length === 0, entries: n, problems };
  }
}
