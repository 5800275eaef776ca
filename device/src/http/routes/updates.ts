import { z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import { UPDATE_STATES } from '../../updates/updates.js';
import { requireRole, type App, type HttpDeps } from '../context.js';
import { component, json, Millis, ok, problemResponses } from '../schemas.js';
import { UPDATE_OUTCOMES } from '../../updates/contract.js';
import { operations } from '../operations.js';

const api = operations('hub');

const UpdateRecord = component('UpdateRecord', {
  version: z.string(),
  security: z.boolean(),
  changelog: z.string(),
  keyFingerprint: z.string().describe('The release key that signed it'),
  receivedAt: Millis,
  receivedBy: z.string().describe('The steward who uploaded it, or "usb"'),
  proposalId: z.string().nullable().describe("The community's decision on it (none for a security release)"),
  state: z.enum(UPDATE_STATES),
  detail: z.string().nullable(),
});

const UpdateStatus = component('UpdateStatus', {
  running: z.string(),
  enabled: z.boolean().describe('False when this hub has no release key to check updates with'),
  staged: z.string().nullable().describe("A version waiting for the card's installer"),
  lastResult: z.object({ version: z.string(), outcome: z.enum(UPDATE_OUTCOMES), at: z.number(), detail: z.string() }).nullable(),
  updates: z.array(UpdateRecord),
});

const status = api.get('/api/v1/updates', 'Software updates (stewards): the running version, updates received and what became of them', {
  answers: ok(UpdateStatus, 'Updates', problemResponses),
});

const upload = api.post(
  '/api/v1/updates',
  'Upload a signed update file (stewards). Its signature is checked against the release key; a regular release opens an "update" proposal, a security release is installed at once',
  {
    body: { content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } }, required: true },
    answers: {
      201: json(UpdateRecord, 'Received'),
      ...problemResponses,
      422: {
        description: 'Refused: not signed by the release key, damaged, or not newer',
        content: { 'application/problem+json': { schema: z.object({}).passthrough() } },
      },
    },
  },
);

export function registerUpdates(app: App, deps: HttpDeps) {
  const { updates } = deps;
  if (!updates) return;
  app.openapi(status, (c) => {
    requireRole(c, 'steward');
    return c.json(updates.status(), 200);
  });
  app.openapi(upload, async (c) => {
    const me = requireRole(c, 'steward');
    const file = Buffer.from(await c.req.arrayBuffer());
    if (file.length === 0) throw HubError.badRequest('send the update file as the request body (application/octet-stream)');
    return c.json(await updates.receive(file, me.id), 201);
  });
}
