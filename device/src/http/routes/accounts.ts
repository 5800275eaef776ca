import { z } from '@hono/zod-openapi';
import { refuse } from '../../ledger/contract.js';
import { HubError } from '../../errors.js';
import { FUND, type HistoryRow as Row, type Unit as UnitT } from '../../ledger/types.js';
import { hasRole } from '../../members/members.js';
import { csvCell } from '../csv.js';
import { requireMember, requireRole, requireSelfOrSteward, type App, type Ctx, type HttpDeps } from '../context.js';
import {
  Account,
  component,
  created,
  exportFormat,
  HistoryPage,
  Int,
  json,
  LimitsUpdate,
  MemberId,
  Millis,
  ok,
  problemResponses,
  Reliability,
  ruleResponses,
  Unit,
} from '../schemas.js';
import { HISTORY_KINDS, LIMIT_CHANGE_STATUSES } from '../../ledger/contract.js';
import { body, operations } from '../operations.js';

const api = operations('accounts');

const memberParam = z.object({ memberId: MemberId.openapi({ param: { name: 'memberId', in: 'path' } }) });

const getAccount = api.get('/api/v1/accounts/{memberId}', 'Balance, limits and coming demurrage of a member (or of "fund")', {
  params: memberParam,
  query: z.object({ unit: Unit.optional() }),
  answers: ok(Account, 'The account', problemResponses),
});

const LimitChange = component('LimitChange', {
  id: z.string(),
  account: z.string(),
  unit: Unit,
  floor: Int.nullable().optional(),
  ceiling: Int.nullable().optional(),
  proposedBy: z.string(),
  proposedAt: Millis,
  status: z.enum(LIMIT_CHANGE_STATUSES),
  approvedBy: z.string().nullable().describe('The second steward, or proposal:<id> when the community decided'),
  decidedAt: Millis.nullable(),
  proposalId: z.string().nullable().optional().describe('The proposal that puts it to the community'),
});

const putLimits = api.put('/api/v1/accounts/{memberId}/limits', "Set a member's floor and ceiling (stewards); null returns to the default", {
  params: memberParam,
  body: body(LimitsUpdate),
  answers: {
    200: json(Account, 'The account with its new limits'),
    202: json(z.object({ pending: LimitChange }), "Beyond the community's defaults by more than ledger.limitApprovalFactor: waiting for a second steward"),
    ...ruleResponses,
  },
});

const pendingChanges = api.get('/api/v1/limit-changes', 'Limit changes waiting for a second steward (stewards)', {
  answers: ok(z.array(LimitChange), 'Pending changes', problemResponses),
});

const approveChange = api.post('/api/v1/limit-changes/{id}/approve', 'Approve a limit change another steward proposed (stewards; not for your own account)', {
  params: z.object({ id: z.string() }),
  answers: ok(Account, 'The account with its new limits'),
});

const decideChange = api.post(
  '/api/v1/limit-changes/{id}/propose',
  'Put a waiting limit change to the community instead of a second steward (stewards): it opens a proposal of kind "limits" and is applied if it passes',
  { params: z.object({ id: z.string() }), answers: created(z.object({ proposalId: z.string() }), 'The proposal') },
);

const historyQuery = z.object({
  unit: Unit.optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.coerce.number().int().min(0).optional(),
  from: z.coerce.number().int().optional().openapi({ description: 'Earliest time, ms since the epoch' }),
  to: z.coerce.number().int().optional(),
  kind: z.enum(HISTORY_KINDS).optional(),
});

const history = api.get('/api/v1/accounts/{memberId}/history', 'Account history, newest first, paginated by cursor', {
  params: memberParam,
  query: historyQuery,
  answers: ok(HistoryPage, 'A page of history', problemResponses),
});

const historyExport = api.get('/api/v1/accounts/{memberId}/history/export', 'The whole history as CSV or JSON', {
  params: memberParam,
  query: z.object({ unit: Unit.optional(), format: exportFormat('csv') }),
  answers: {
    200: { description: 'The history', content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(z.unknown()) } } },
    ...problemResponses,
  },
});

const reliability = api.get('/api/v1/accounts/{memberId}/reliability', 'Requests honoured and loans returned on time', {
  params: memberParam,
  answers: ok(Reliability, 'Reliability counts', problemResponses),
});

function canRead(c: Ctx, memberId: string) {
  // Everyone may see the community fund; personal accounts are private.
  if (memberId === FUND) return requireMember(c);
  return requireSelfOrSteward(c, memberId);
}

export function registerAccounts(app: App, deps: HttpDeps) {
  const { ledger, config } = deps;
  const view = (memberId: string, unit: UnitT) => ({
    memberId,
    ...ledger.account(memberId, unit),
    hours: unit === 'credit' && config.timeBank.enabled && ledger.hasAccount(memberId, 'hour') ? ledger.account(memberId, 'hour') : null,
    currency: { name: config.currency.name, symbol: config.currency.symbol, minorUnits: config.currency.minorUnits },
  });

  app.openapi(getAccount, (c) => {
    const { memberId } = c.req.valid('param');
    canRead(c, memberId);
    return c.json(view(memberId, c.req.valid('query').unit ?? 'credit'), 200);
  });

  app.openapi(putLimits, async (c) => {
    const s = requireRole(c, 'steward');
    const { memberId } = c.req.valid('param');
    if (memberId === s.id) throw HubError.forbidden('nobody sets their own credit limits: ask another steward');
    const { unit, floor, ceiling } = c.req.valid('json');
    const out = await ledger.changeLimits(memberId, unit, { floor, ceiling }, s.id, deps.config.ledger.limitApprovalFactor);
    if ('pending' in out) return c.json({ pending: out.pending }, 202);
    return c.json(view(memberId, unit), 200);
  });

  app.openapi(pendingChanges, (c) => {
    requireRole(c, 'steward');
    return c.json(ledger.pendingLimitChanges(), 200);
  });

  app.openapi(approveChange, async (c) => {
    const s = requireRole(c, 'steward');
    const change = await ledger.approveLimitChange(c.req.valid('param').id, s.id);
    return c.json(view(change.accountId, change.unit), 200);
  });

  app.openapi(decideChange, async (c) => {
    const s = requireRole(c, 'steward');
    const change = ledger.limitChange(c.req.valid('param').id);
    if (change.status !== 'pending') throw HubError.conflict(`this change is already ${change.status}`);
    if (change.proposalId) throw refuse('already-proposed', 'this change is already before the community');
    const amounts = { floor: change.floor, ceiling: change.ceiling };
    const p = await deps.governance.propose(
      s.id,
      {
        kind: 'limits',
        title: `Credit limits for ${deps.members.find(change.account)?.name ?? change.account}`,
        rationale: `Proposed by a steward beyond ${deps.config.ledger.limitApprovalFactor}× the community's defaults.`,
        payload: { change: change.id, account: change.account, unit: change.unit, ...amounts },
      },
      { byHub: true },
    );
    await ledger.noteLimitProposal(change.id, p.id);
    return c.json({ proposalId: p.id }, 201);
  });

  app.openapi(history, (c) => {
    const { memberId } = c.req.valid('param');
    canRead(c, memberId);
    const q = c.req.valid('query');
    ledger.account(memberId, q.unit ?? 'credit'); // 404 for unknown accounts
    return c.json(ledger.historyPage(memberId, q.unit ?? 'credit', q), 200);
  });

  app.openapi(historyExport, (c) => {
    const { memberId } = c.req.valid('param');
    canRead(c, memberId);
    const { unit = 'credit', format } = c.req.valid('query');
    ledger.account(memberId, unit);
    const rows = [...ledger.allHistory(memberId, unit)];
    const filename = `hyphae-${memberId}-${unit}-history.${format}`;
    c.header('content-disposition', `attachment; filename="${filename}"`);
    if (format === 'json') return c.json(rows, 200);
    c.header('content-type', 'text/csv; charset=utf-8');
    return c.body(historyCsv(rows), 200);
  });

  app.openapi(reliability, (c) => {
    const { memberId } = c.req.valid('param');
    const me = requireMember(c);
    // Reliability is trust the community shares, so any member may read it.
    if (!hasRole(me, 'resident')) requireSelfOrSteward(c, memberId);
    return c.json({ memberId, ...deps.reliability.get(memberId) }, 200);
  });
}

const CSV_COLUMNS: Array<keyof Row> = ['seq', 'at', 'kind', 'unit', 'delta', 'balance', 'counterparty', 'memo', 'category', 'transferId'];

export function historyCsv(rows: Row[]): string {
  const lines = [[...CSV_COLUMNS, 'time'].join(',')];
  for (const r of rows) lines.push([...CSV_COLUMNS.map((k) => csvCell(r[k])), new Date(r.at).toISOString()].join(','));
  return lines.join('\r\n') + '\r\n';
}
