import type { App } from './context.js';

/**
 * Who may call each route, read from the routes themselves: every handler
 * states its gate with requireRole, requireSelfOrSteward, requireMember or requirePrincipal,
 * and `createApp` records each route's method, path and handler as it
 * registers them. SECURITY.md's table is generated from this, and a test
 * keeps the two the same.
 */
export type Access = 'anyone' | 'member' | 'self or steward' | 'steward' | 'admin';

export interface RouteAccess {
  method: string;
  path: string;
  access: Access;
}

const recorded = new WeakMap<object, RouteAccess[]>();

export function accessOfHandler(source: string): Access {
  // Tolerant of how a build rewrites calls to imports: `(0, x.requireRole)(c, "admin")`.
  const gate = (name: string, role?: string) => new RegExp(`${name}\\)?\\(\\s*c\\s*${role ? `,\\s*['"]${role}['"]` : ''}`).test(source);
  if (gate('requireRole', 'admin')) return 'admin';
  if (gate('requireRole', 'steward')) return 'steward';
  // Route files' own gates, each a thin wrapper over the ones above (accounts' canRead, the library's actorOf).
  if (gate('requireSelfOrSteward') || gate('canRead')) return 'self or steward';
  if (gate('requireMember') || gate('requirePrincipal') || gate('requireRole') || gate('actorOf')) return 'member';
  return 'anyone';
}

/** Wraps `app.openapi` so each route registered after this is recorded with its gate. */
export function recordAccess(app: App): void {
  const list: RouteAccess[] = [];
  recorded.set(app, list);
  const register = app.openapi.bind(app);
  app.openapi = ((route: { method: string; path: string }, handler: (...a: unknown[]) => unknown, ...rest: unknown[]) => {
    list.push({ method: route.method.toUpperCase(), path: route.path, access: accessOfHandler(String(handler)) });
    return (register as (...a: unknown[]) => unknown)(route, handler, ...rest);
  }) as typeof app.openapi;
}

export function routeAccess(app: App): RouteAccess[] {
  return [...(recorded.get(app) ?? [])].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

/** The table as SECURITY.md carries it. */
export function accessTable(app: App): string {
  const rows = routeAccess(app).map((r) => `| ${r.method} | \`${r.path}\` | ${r.access} |`);
  return ['| method | path | who may call |', '|---|---|---|', ...rows].join('\n');
}
