export const UNITS = ['credit', 'hour'] as const;
export type Unit = (typeof UNITS)[number];

/** The community fund: receives demurrage, pays regeneration credits. */
export const FUND = 'fund';
/** Clearing accounts hold a hub link's balance: `clearing:<hubId>`. */
export const CLEARING_PREFIX = 'clearing:';

export type AccountStatus = 'open' | 'frozen';

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
  | 'request.expire';

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

export type RequestStatus = 'open' | 'accepted' | 'rejected' | 'cancelled' | 'expired';

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
}

export interface HistoryRow {
  seq: number;
  at: number;
  kind: 'transfer' | 'demurrage';
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

export function isSystemAccount(id: string): boolean {
  return id === FUND || id.startsWith(CLEARING_PREFIX);
}
