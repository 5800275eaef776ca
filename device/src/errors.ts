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

export class HubError extends Error {
  constructor(
    readonly status: number,
    readonly slug: ProblemSlug,
    readonly title: string,
    readonly detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'HubError';
  }

  get type(): string {
    return PROBLEM_TYPE_PREFIX + this.slug;
  }

  /**
   * A stable code for what went wrong, finer than the type: the title in
   * kebab case ("Voting has closed" → "voting-has-closed"). Titles do not
   * change between occurrences (RFC 9457), so clients such as the console
   * can say it in their own language and show the English only as a fallback.
   */
  get reason(): string {
    return this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  }

  toProblem(): Problem {
    const p: Problem = { type: this.type, title: this.title, status: this.status, reason: this.reason };
    if (this.detail) p.detail = this.detail;
    return { ...p, ...this.extensions };
  }

  static badRequest(detail: string, extensions?: Record<string, unknown>) {
    return new HubError(400, 'bad-request', 'Bad request', detail, extensions);
  }
  static validation(detail: string, issues: unknown) {
    return new HubError(400, 'validation', 'Invalid input', detail, { issues });
  }
  static unauthenticated(detail = 'Sign in or send a bearer token') {
    return new HubError(401, 'unauthenticated', 'Not signed in', detail);
  }
  static forbidden(detail: string) {
    return new HubError(403, 'forbidden', 'Not allowed', detail);
  }
  static notFound(what: string) {
    return new HubError(404, 'not-found', 'Not found', `${what} does not exist`);
  }
  static conflict(detail: string, title = 'Conflict') {
    return new HubError(409, 'conflict', title, detail);
  }
  static rule(slug: ProblemSlug, title: string, detail: string, extensions?: Record<string, unknown>) {
    return new HubError(422, slug, title, detail, extensions);
  }
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
