import { z } from '@hono/zod-openapi';
import { AUDIT_ACTIONS } from '../../audit/audit.js';
import { requireRole, type App, type HttpDeps } from '../context.js';
import { toCsv } from '../csv.js';
import { component, Int, Millis, ok, problemResponses } from '../schemas.js';
import { operations } from '../operations.js';

const api = operations('hub');

const AuditEntry = component('AuditEntry', {
  seq: Int,
  at: Millis,
  actor: z.string().nullable().describe('Who did it; null for the hub carrying out a decision'),
  action: z.enum(AUDIT_ACTIONS),
  subject: z.string().describe('What it was done to: a member, an account, an item, a parameter'),
  reason: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
  prev: z.string(),
  hash: z.string(),
});

const list = api.get('/api/v1/audit', 'Every privileged action, newest first (stewards): who, when, what and why, hash-chained', {
  query: z.object({
    action: z.enum(AUDIT_ACTIONS).optional(),
    before: z.coerce.number().int().optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  }),
  answers: ok(
    z.object({ entries: z.array(AuditEntry), next: Int.nullable(), chain: z.object({ ok: z.boolean(), entries: Int }) }),
    'A page of the audit log',
    problemResponses,
  ),
});

const exportCsv = api.get('/api/v1/audit/export', 'The whole audit log as CSV (stewards)', {
  answers: { 200: { description: 'The log', content: { 'text/csv': { schema: z.string() } } }, ...problemResponses },
});

export function registerAudit(app: App, deps: HttpDeps) {
  const { audit } = deps;
  if (!audit) return;
  app.openapi(list, (c) => {
    requireRole(c, 'steward');
    const q = c.req.valid('query');
    const { ok, entries } = audit.verify();
    return c.json({ ...audit.list({ limit: q.limit, before: q.before ?? null, action: q.action }), chain: { ok, entries } }, 200);
  });
  app.openapi(exportCsv, (c) => {
    requireRole(c, 'steward');
    const rows = [...audit.all()].map((e) => ({ ...e, at: new Date(e.at).toISOString(), detail: JSON.stringify(e.detail) }));
    c.header('content-disposition', 'attachment; filename="hyphae-audit.csv"');
    c.header('content-type', 'text/csv; charset=utf-8');
    return c.body(toCsv(rows, ['seq', 'at', 'actor', 'action', 'subject', 'reason', 'detail', 'prev', 'hash']), 200);
  });
}
