import { GENESIS_PREV, hashEntry } from './journal.js';
import type { Ledger } from './ledger.js';
import { isSystemAccount, transferFromEntry, UNITS, type Unit } from './types.js';

export interface VerifyReport {
  ok: boolean;
  entries: number;
  accounts: number;
  transfers: number;
  head: { seq: number; hash: string } | null;
  totals: Record<Unit, number>;
  problems: string[];
}

/**
 * Checks the ledger from first principles: the journal's hash chain, that
 * each entry and the whole ledger sum to zero, and that every stored balance
 * and transfer equals what a replay of the journal gives.
 */
export function verifyLedger(ledger: Ledger, maxProblems = 100): VerifyReport {
  const problems: string[] = [];
  const problem = (p: string) => {
    if (problems.length < maxProblems) problems.push(p);
  };
  const replayed = new Map<string, number>();
  const transferSeqs = new Map<string, number>();
  let prevHash = GENESIS_PREV;
  let expectSeq = 0;
  let entries = 0;
  let head: VerifyReport['head'] = null;

  for (const entry of ledger.journal.scan()) {
    entries++;
    if (entry.seq !== expectSeq) problem(`journal: expected seq ${expectSeq}, found ${entry.seq}`);
    expectSeq = entry.seq + 1;
    if (entry.prev !== prevHash) problem(`journal: entry ${entry.seq} does not chain to the one before it`);
    const { hash, ...body } = entry;
    if (hashEntry(body) !== hash) problem(`journal: entry ${entry.seq} has been altered (hash mismatch)`);
    prevHash = hash;
    head = { seq: entry.seq, hash };
    const sums: Record<string, number> = {};
    for (const p of entry.postings) {
      if (!Number.isSafeInteger(p.delta)) problem(`journal: entry ${entry.seq} has a non-integer amount`);
      sums[p.unit] = (sums[p.unit] ?? 0) + p.delta;
      const k = `${p.unit}\u0000${p.account}`;
      const running = (replayed.get(k) ?? 0) + p.delta;
      replayed.set(k, running);
      if (p.balance !== undefined && p.balance !== running)
        problem(`journal: entry ${entry.seq} records ${p.account} at ${p.balance} but the replay gives ${running}`);
    }
    for (const [unit, s] of Object.entries(sums)) if (s !== 0) problem(`journal: entry ${entry.seq} does not sum to zero in ${unit} (${s})`);
    if (entry.kind === 'transfer') transferSeqs.set(String(entry.seq), entry.seq);
  }

  const totals = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  const accounts = ledger.storedAccounts();
  const seen = new Set<string>();
  for (const a of accounts) {
    const k = `${a.unit}\u0000${a.id}`;
    seen.add(k);
    totals[a.unit] += a.balance;
    const r = replayed.get(k) ?? 0;
    if (r !== a.balance) problem(`balance: ${a.id} (${a.unit}) is stored as ${a.balance} but the journal gives ${r}`);
    // The community's own accounts never go below their stated floor (a member may sit below a floor raised since their last payment).
    if (isSystemAccount(a.id)) {
      const { floor } = ledger.limitsOf(a);
      if (a.balance < floor) problem(`floor: ${a.id} (${a.unit}) is at ${a.balance}, below its floor of ${floor}`);
    }
  }
  for (const [k, v] of replayed) {
    if (!seen.has(k) && v !== 0) problem(`balance: the journal moves money for ${k.replace('\u0000', ' ')} but no such account exists`);
  }
  for (const u of UNITS) if (totals[u] !== 0) problem(`zero-sum: balances in ${u} sum to ${totals[u]}`);

  // Transfers are their journal entries; count them and check their shape.
  let transfers = 0;
  for (const seq of transferSeqs.values()) {
    transfers++;
    const entry = ledger.journal.get(seq);
    const t = entry && transferFromEntry(entry);
    if (!t || t.amount <= 0) problem(`transfer: journal entry ${seq} is not a well-formed transfer`);
  }

  return { ok: problems.length === 0, entries, accounts: accounts.length, transfers, head, totals, problems };
}
