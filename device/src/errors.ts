/**
 * The one error type of the hub. Domain code throws it with a status and a
 * stable problem type; the HTTP layer turns it into application/problem+json
 * (RFC 9457) in one place, and the CLI prints its title and detail.
 */
export type ProblemSlug =
  | 'bad-request'
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf'
  | 'not-found'
  | 'conflict'
  | 'idempotency-conflict'
  | 'rate-limited'
  | 'over-credit-limit'
  | 'over-ceiling'
  | 'member-not-active'
  | 'rule-broken'
  | 'price-changed'
  | 'payload-too-large'
  | 'insufficient-storage'
  | 'internal';

export const PROBLEM_TYPE_PREFIX = 'urn:hyphae:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  [extension: string]: unknown;
}

/** One refusal as a contract table lists it: its HTTP status, problem type and English title. */
export interface Refusal {
  readonly status: number;
  readonly type: ProblemSlug;
  readonly title: string;
}
export type Refusals = Readonly<Record<string, Refusal>>;

/** The HTTP status each problem type answers with, so a module's table says only the type. */
export const STATUS_OF_TYPE = {
  'bad-request': 400,
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  csrf: 403,
  'not-found': 404,
  conflict: 409,
  'idempotency-conflict': 409,
  'price-changed': 409,
  'payload-too-large': 413,
  'over-credit-limit': 422,
  'over-ceiling': 422,
  'member-not-active': 422,
  'rule-broken': 422,
  'rate-limited': 429,
  internal: 500,
  'insufficient-storage': 507,
} as const satisfies Record<ProblemSlug, number>;

/** The English title a code reads as, when its table gives none: 'email-in-use' → 'Email in use'. */
export const titleOfCode = (code: string): string => code.charAt(0).toUpperCase() + code.slice(1).replaceAll('-', ' ');

type CodesOf<T> = { [K in keyof T]: T[K] extends readonly (infer C extends string)[] ? C : never }[keyof T];

/**
 * A module's refusal table, written as its codes by problem type:
 * `refusals({ conflict: ['email-in-use'], 'rule-broken': ['invite-used'] })`.
 * Each code's status follows from its type and its English title from the code itself; `titles` words the
 * few a code cannot spell (an apostrophe) or that say less on purpose. Clients word a refusal from its code
 * (the console in every language it has); the detail says what was wrong this time.
 */
export function refusals<const T extends { readonly [S in ProblemSlug]?: readonly string[] }>(
  byType: T,
  titles: { readonly [C in CodesOf<T>]?: string } = {},
): { readonly [C in CodesOf<T>]: Refusal } {
  const table: Record<string, Refusal> = {};
  for (const [type, codes] of Object.entries(byType) as Array<[ProblemSlug, readonly string[]]>) {
    for (const code of codes) {
      // A code under two types would mean two things. Tables are built as their module loads, so the slip stops every start and test.
      if (code in table) throw new Error(`refusal code ${code} is listed twice`);
      table[code] = { status: STATUS_OF_TYPE[type], type, title: (titles as Record<string, string | undefined>)[code] ?? titleOfCode(code) };
    }
  }
  return table as { readonly [C in CodesOf<T>]: Refusal };
}

/**
 * Refusals that belong to no one module: bad input, signing in, access, and
 * the HTTP layer's own limits. Each module lists its own in its contract.ts.
 */
export const GENERAL_REFUSALS = {
  'bad-request': { status: 400, type: 'bad-request', title: 'Bad request' },
  validation: { status: 400, type: 'validation', title: 'Invalid input' },
  unauthenticated: { status: 401, type: 'unauthenticated', title: 'Not signed in' },
  'not-signed-by-a-linked-hub': { status: 401, type: 'unauthenticated', title: 'Not signed by a linked hub' },
  forbidden: { status: 403, type: 'forbidden', title: 'Not allowed' },
  csrf: { status: 403, type: 'csrf', title: 'Missing or wrong CSRF token' },
  'not-found': { status: 404, type: 'not-found', title: 'Not found' },
  conflict: { status: 409, type: 'conflict', title: 'Conflict' },
  'payload-too-large': { status: 413, type: 'payload-too-large', title: 'Body too large' },
  'too-many-attempts-to-join': { status: 429, type: 'rate-limited', title: 'Too many attempts to join' },
  'rate-limited': { status: 429, type: 'rate-limited', title: 'Too many requests' },
  internal: { status: 500, type: 'internal', title: 'Internal error' },
  'not-running': { status: 503, type: 'internal', title: 'Not available' },
} as const satisfies Refusals;
export type GeneralCode = keyof typeof GENERAL_REFUSALS;

export class HubError extends Error {
  readonly status: number;
  readonly slug: ProblemSlug;
  readonly title: string;

  /** Made only from a contract table's entry (see `refuser` and `HubError.general`): every refusal has a code clients can word. */
  private constructor(
    /** A stable code for what went wrong, finer than the type: clients such as the console say it in their own language. */
    readonly code: string,
    refusal: Refusal,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ? `${refusal.title}: ${detail}` : refusal.title);
    this.name = 'HubError';
    this.status = refusal.status;
    this.slug = refusal.type;
    this.title = refusal.title;
  }

  static from<T extends Refusals>(table: T, code: keyof T & string, detail?: string, extensions?: Record<string, unknown>): HubError {
    return new HubError(code, table[code] as Refusal, detail, extensions);
  }

  static general(code: GeneralCode, detail?: string, extensions?: Record<string, unknown>): HubError {
    return HubError.from(GENERAL_REFUSALS, code, detail, extensions);
  }

  get type(): string {
    return PROBLEM_TYPE_PREFIX + this.slug;
  }

  /** The code, as the problem's `reason` member. */
  get reason(): string {
    return this.code;
  }

  toProblem(): Problem {
    const p: Problem = { type: this.type, title: this.title, status: this.status, reason: this.code };
    if (this.detail) p.detail = this.detail;
    return { ...p, ...this.extensions };
  }

  static badRequest(detail: string, extensions?: Record<string, unknown>) {
    return HubError.general('bad-request', detail, extensions);
  }
  static validation(detail: string, issues: unknown) {
    return HubError.general('validation', detail, { issues });
  }
  static unauthenticated(detail = 'Sign in or send a bearer token') {
    return HubError.general('unauthenticated', detail);
  }
  static forbidden(detail: string) {
    return HubError.general('forbidden', detail);
  }
  static notFound(what: string) {
    return HubError.general('not-found', `${what} does not exist`);
  }
  static conflict(detail: string) {
    return HubError.general('conflict', detail);
  }
}

/** A module's way to refuse: `refuse('retired', 'T-0042 has been retired')`, with only its own table's codes. */
export function refuser<T extends Refusals>(table: T) {
  return (code: keyof T & string, detail?: string, extensions?: Record<string, unknown>): HubError => HubError.from(table, code, detail, extensions);
}

export function isHubError(e: unknown): e is HubError {
  return e instanceof HubError;
}

/**
 * A record that must exist: the value itself, or a 404 naming `what`
 * ("loan l_123"). The one way a domain module says "no such thing".
 */
export function found<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw HubError.notFound(what);
  return value;
}
