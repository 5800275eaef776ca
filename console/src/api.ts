/**
 * The console's only way to the hub: /api/v1. Writes carry the session's
 * CSRF token. Reads are kept in localStorage, so on a flaky mesh link the
 * last data shows with its age instead of a blank page; writes made offline
 * are refused with a message, never silently dropped.
 */
import type { components, paths } from './api-types.js';

// The API's own types, generated from its OpenAPI document (npm run api-types -w console).
export type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type Member = Schemas['Member'];
export type Session = Schemas['SessionInfo'];
export type HistoryRow = Schemas['HistoryRow'];
export type PaymentRequest = Schemas['PaymentRequest'];
export type DirectoryEntry = Schemas['DirectoryEntry'];
/** What a GET of this path answers with. */
export type Answer<P extends keyof paths> = paths[P] extends { get: { responses: { 200: { content: { 'application/json': infer T } } } } } ? T : never;
export type Account = Answer<'/api/v1/accounts/{memberId}'>;
export type AccountView = NonNullable<Schemas['AccountView']>;

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
  // A Blob (a photo) goes as its own bytes; anything else as JSON.
  const raw = opts.body instanceof Blob;
  if (opts.body !== undefined) headers['content-type'] = raw ? (opts.body as Blob).type : 'application/json';
  if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  let res: Response;
  try {
    res = await fetch(`/api/v1${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : raw ? (opts.body as Blob) : JSON.stringify(opts.body),
      credentials: 'same-origin',
    });
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

// ── the typed client: a path of the OpenAPI document, its parameters and its answer's type ──

type Short<P> = P extends `/api/v1${infer R}` ? R : never;
/** Every path with a GET, as the console writes it (after /api/v1). */
export type Readable = { [P in keyof paths]: paths[P] extends { get: { responses: { 200: unknown } } } ? Short<P> : never }[keyof paths];
type Full<S extends Readable> = `/api/v1${S}` & keyof paths;
type GetOp<S extends Readable> = paths[Full<S>] extends { get: infer O } ? O : never;
type PathParams<S extends Readable> = GetOp<S> extends { parameters: { path: infer X } } ? X : never;
type QueryParams<S extends Readable> = GetOp<S> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** What this path's GET answers, as the OpenAPI document says. */
export type Got<S extends Readable> = Answer<Full<S>>;

/** A path with its `{name}`s filled and its query appended; a name left unfilled is a programming error. */
export function pathOf(path: string, params: Record<string, string | number> = {}, query: Record<string, unknown> = {}): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, k: string) => {
    const v = params[k];
    if (v === undefined) throw new Error(`${path}: no value for {${k}}`);
    return encodeURIComponent(String(v));
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const q = qs.toString();
  return q ? `${filled}?${q}` : filled;
}

/**
 * A read keyed by its path in the OpenAPI document: `get('/library/items/{id}',
 * { params: { id } })` answers with that route's type. A path the hub does
 * not serve, a wrong parameter or a misread answer does not compile.
 */
export function get<S extends Readable>(path: S, opts: { params?: PathParams<S>; query?: QueryParams<S> } = {}): Promise<Got<S>> {
  return api<Got<S>>(pathOf(path, (opts.params ?? {}) as Record<string, string | number>, (opts.query ?? {}) as Record<string, unknown>));
}

type WriteMethod = 'post' | 'put' | 'patch' | 'delete';
/** Every path with this method, as the console writes it (after /api/v1). */
export type Writable<M extends WriteMethod> = { [P in keyof paths]: paths[P] extends { [K in M]: { responses: unknown } } ? Short<P> : never }[keyof paths];
type WriteOp<M extends WriteMethod, S extends string> = paths[`/api/v1${S}` & keyof paths] extends { [K in M]: infer O } ? O : never;
type WriteParams<M extends WriteMethod, S extends string> = WriteOp<M, S> extends { parameters: { path: infer X } } ? X : never;
type JsonBody<O> = O extends { requestBody: { content: { 'application/json': infer B } } }
  ? B
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
    ? B | undefined
    : O extends { requestBody: { content: object } }
      ? Blob
      : undefined;
type JsonAnswer<R> = R extends { content: { 'application/json': infer A } } ? A : undefined;
/** The body this write takes, as the OpenAPI document says. */
export type BodyOf<M extends WriteMethod, S extends Writable<M>> = NonNullable<JsonBody<WriteOp<M, S>>>;

/** What this write answers when it works (its 200, 201 or 202, whichever it has), as the OpenAPI document says. */
type Ok<R, C extends number> = R extends { [K in C]: infer A } ? JsonAnswer<A> : never;
export type Sent<M extends WriteMethod, S extends string> =
  WriteOp<M, S> extends { responses: infer R }
    ? [Ok<R, 200> | Ok<R, 201> | Ok<R, 202>] extends [never]
      ? undefined
      : Ok<R, 200> | Ok<R, 201> | Ok<R, 202>
    : never;

/**
 * A change keyed by its path in the OpenAPI document, as `get` is for reads:
 * `send('post', '/library/items/{item}/checkout', { params: { item }, body })`.
 * A path the hub does not take with that method, a body of the wrong shape or a
 * misread answer does not compile.
 */
export function send<M extends WriteMethod, S extends Writable<M>>(
  method: M,
  path: S,
  opts: { params?: WriteParams<M, S>; query?: Record<string, string | number | undefined>; body?: JsonBody<WriteOp<M, S>>; idempotencyKey?: string } = {},
): Promise<Sent<M, S>> {
  const url = pathOf(path, (opts.params ?? {}) as Record<string, string | number>, opts.query ?? {});
  return api<Sent<M, S>>(url, { method: method.toUpperCase(), body: opts.body, idempotencyKey: opts.idempotencyKey });
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
