import { createRoute, z } from '@hono/zod-openapi';
import { verifyLedger } from '../../ledger/verify.js';
import { requireRole, type App, type HttpDeps } from '../context.js';
import { json, problemResponses, VerifyReport } from '../schemas.js';

const verify = createRoute({
  method: 'get',
  path: '/api/v1/ledger/verify',
  tags: ['ledger'],
  summary: 'Check the journal chain, zero-sum and every balance by replay (stewards)',
  responses: { 200: json(VerifyReport, 'The report; ok is false if anything is wrong'), ...problemResponses },
});

const demurrage = createRoute({
  method: 'post',
  path: '/api/v1/ledger/demurrage',
  tags: ['ledger'],
  summary: 'Bring demurrage forward for every account now, as the nightly job does (admins)',
  responses: {
    200: json(z.object({ accounts: z.number().int(), decayed: z.record(z.string(), z.number().int()) }), 'What decayed into the fund'),
    ...problemResponses,
  },
});

const exportAll = createRoute({
  method: 'get',
  path: '/api/v1/export',
  tags: ['hub'],
  summary: 'All community data as JSON (stewards)',
  responses: { 200: json(z.record(z.string(), z.unknown()), 'Everything the hub holds, without password hashes'), ...problemResponses },
});

export function registerAdmin(app: App, deps: HttpDeps) {
  app.openapi(verify, (c) => {
    requireRole(c, 'steward');
    return c.json(verifyLedger(deps.ledger), 200);
  });

  app.openapi(demurrage, async (c) => {
    requireRole(c, 'admin');
    return c.json(await deps.ledger.materialiseDemurrage(), 200);
  });

  app.openapi(exportAll, (c) => {
    requireRole(c, 'steward');
    c.header('content-disposition', 'attachment; filename="hyphae-export.json"');
    return c.json(deps.exportData() as Record<string, unknown>, 200);
  });
}
