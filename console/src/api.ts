/**
 * The console's only way to the hub: /api/v1. Writes carry the session's
 * CSRF token. Reads are kept in localStorage, so on a flaky mesh link the
 * last data shows with its age instead of a blank page; writes made offline
 * are refused with a message, never silently dropped.
 */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }
}
/** The hub could not be reached: a read with no copy kept, or a write, which is never queued unseen. */
export class OfflineError extends Error {
  constructor(readonly write: boolean) {
    super(write ? 'offline: not sent' : 'offline: nothing kept from before');
  }
}

let csrf: string | null = null;
export const setCsrf = (t: string | null) => (csrf = t);

export async function api<T>(path: string, opts: { method?: string; body?: unknown; idempotencyKey?: string } = {}): Promise<T> {
  const method = opts.method ?? 'GET';
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body), credentials: 'same-origin' });
  } catch {
    if (method === 'GET') {
      const cached = localStorage.getItem(`cache:${path}`);
      if (cached) {
        const { at, data } = JSON.parse(cached) as { at: number; data: T };
        throw Object.assign(new OfflineError(false), { cached: data, at });
      }
    }
    throw new OfflineError(method !== 'GET');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json()) as T | Problem;
  if (!res.ok) throw new ApiError(data as Problem);
  if (method === 'GET') {
    try {
      localStorage.setItem(`cache:${path}`, JSON.stringify({ at: Date.now(), data }));
    } catch {
      // storage full: the cache is a convenience
    }
  }
  return data as T;
}

export interface Member {
  id: string;
  name: string;
  email: string;
  role: 'resident' | 'steward' | 'admin';
}
export interface Session {
  member: Member;
  csrfToken: string | null;
}
export interface AccountView {
  balance: number;
  floor: number;
  ceiling: number;
  warnAt: number;
  available: number;
  demurrageNext30Days: number;
}
export interface Account extends AccountView {
  memberId: string;
  hours: AccountView | null;
  currency: { name: string; symbol: string; minorUnits: number };
}
export interface HistoryRow {
  seq: number;
  at: number;
  kind: 'transfer' | 'demurrage';
  delta: number;
  balance: number;
  counterparty: string | null;
  memo: string | null;
}
export interface PaymentRequest {
  id: string;
  payee: string;
  payer: string;
  amount: number;
  unit: 'credit' | 'hour';
  memo: string | null;
  status: string;
}
export interface DirectoryEntry {
  id: string;
  name: string;
}

/**
 * A fresh Idempotency-Key. Not crypto.randomUUID: browsers offer that only in
 * secure contexts, and residents reach the hub over plain http on its own
 * Wi-Fi (http://10.42.0.1), where it does not exist. getRandomValues does.
 */
export function newKey(): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
