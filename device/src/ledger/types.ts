import type { RequestStatus, AccountStatus, HistoryKind } from './contract.js';
export const UNITS = ['credit', 'hour'] as const;
export type Unit = (typeof UNITS)[number];

/** The community fund: receives demurrage, pays regeneration credits. */
export const FUND = 'fund';
/** Clearing accounts hold a hub link's balance: `clearing:<hubId>`. */
export const CLEARING_PREFIX = 'clearing:';

export type { AccountStatus };

export interface AccountState {
  id: string;
  unit: Unit;
  balance: number;
  /** Per-account limits; null means the community default. */
  floor: number | null;
  ceiling: number | null;
  status: AccountStatus;
  /** Day index up to which demurrage has been applied. */
  demurrageDay: number;
  /** Fraction of a minor unit of decay carried to the next day, in millionths. */
  demurrageCarry: number;
  openedAt: number;
}

export interface Posting {
  account: string;
  unit: Unit;
  delta: number;
  /** The account's balance after this posting, so statements need no second write. */
  balance?: number;
}

export type JournalKind =
  | 'genesis'
  | 'account.open'
  | 'account.status'
  | 'limits'
  | 'transfer'
  | 'demurrage'
  | 'request.open'
  | 'request.reject'
  | 'request.cancel'
  | 'request.expire'
  | 'request.setoff'
  | 'governance'
  | 'clock.jump';

export interface JournalEntry {
  seq: number;
  at: number;
  kind: JournalKind;
  actor: string | null;
  postings: Posting[];
  data: Record<string, unknown>;
  prev: string;
  hash: string;
}

export interface Transfer {
  id: string;
  seq: number;
  at: number;
  payer: string;
  payee: string;
  amount: number;
  unit: Unit;
  memo: string | null;
  category: string | null;
  requestId: string | null;
  initiatedBy: string | null;
}

export type { RequestStatus };

export interface PaymentRequest {
  id: string;
  payee: string;
  payer: string;
  amount: number;
  unit: Unit;
  memo: string | null;
  category: string | null;
  status: RequestStatus;
  createdAt: number;
  expiresAt: number;
  closedAt: number | null;
  transferId: string | null;
  /** What multilateral clearing has already set off (amount is what is still owed). */
  setOff?: number;
}

export interface HistoryRow {
  seq: number;
  at: number;
  kind: HistoryKind;
  unit: Unit;
  delta: number;
  balance: number;
  counterparty: string | null;
  memo: string | null;
  category: string | null;
  transferId: string | null;
}

export interface Limits {
  floor: number;
  ceiling: number;
}

/** Escrow accounts hold money that belongs to members until something happens (a tool's deposit). */
export const ESCROW_PREFIX = 'escrow:';
/** Pools collect what the community earns from a service (tool library fees). */
export const POOL_PREFIX = 'pool:';

export function isSystemAccount(id: string): boolean {
  return id === FUND || id.startsWith(CLEARING_PREFIX) || id.startsWith(ESCROW_PREFIX) || id.startsWith(POOL_PREFIX);
}

/** A transfer is its journal entry: its id is the entry's sequence number. */
export function transferIdOf(seq: number): string {
  return `t_${seq}`;
}

export function seqOfTransferId(id: string): number | undefined {
  const m = /^t_(\d{1,15})$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

export function transferFromEntry(e: JournalEntry): Transfer | undefined {
  if (e.kind !== 'transfer') return undefined;
  const out = e.postings.find((p) => p.delta < 0);
  const inn = e.postings.find((p) => p.delta > 0);
  if (!out || !inn) return undefined;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    id: transferIdOf(e.seq),
    seq: e.seq,
    at: e.at,
    payer: out.account,
    payee: inn.account,
    amount: inn.delta,
    unit: inn.unit,
    memo: str(e.data.memo),
    category: str(e.data.category),
    requestId: str(e.data.requestId),
    initiatedBy: e.actor,
  };
}
