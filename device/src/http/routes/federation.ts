import { createRoute, z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import type { Envelope } from '../../federation/envelope.js';
import { requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { json, MemberId, ruleResponses } from '../schemas.js';

const Any = z.record(z.string(), z.unknown());
const body = <T extends z.ZodType>(schema: T) => ({ content: { 'application/json': { schema } }, required: true });
const Rate = z.object({ num: z.number().int().min(1), den: z.number().int().min(1) });

const inbox = createRoute({ method: 'post', path: '/api/v1/federation/inbox', tags: ['federation'], summary: 'Signed envelopes from a linked hub (they authenticate themselves)', request: { body: body(z.array(Any).max(100)) }, responses: { 200: json(z.object({ ackedSeq: z.number().int() }), 'What is acknowledged'), ...ruleResponses } });
const invite = createRoute({ method: 'post', path: '/api/v1/federation/invitations', tags: ['federation'], summary: 'Invite another hub to link (stewards): a token for its steward', request: { body: body(z.object({ trustOut: z.number().int().min(0), trustIn: z.number().int().min(0) })) }, responses: { 201: json(z.object({ token: z.string() }), 'The invitation'), ...ruleResponses } });
const accept = createRoute({ method: 'post', path: '/api/v1/federation/links', tags: ['federation'], summary: 'Accept another hub\'s invitation (stewards)', request: { body: body(z.object({ token: z.string().min(10), rate: Rate, trustOut: z.number().int().min(0), trustIn: z.number().int().min(0) })) }, responses: { 201: json(Any, 'The link'), ...ruleResponses } });
const links = createRoute({ method: 'get', path: '/api/v1/federation/links', tags: ['federation'], summary: 'Links: last contact, queue length, chain heads, clearing balance', responses: { 200: json(z.object({ hubId: z.string(), links: z.array(Any), rejected: z.record(z.string(), z.number()) }), 'Links'), ...ruleResponses } });
const status = createRoute({ method: 'put', path: '/api/v1/federation/links/{hubId}/status', tags: ['federation'], summary: 'Pause or resume a link (stewards)', request: { params: z.object({ hubId: z.string() }), body: body(z.object({ status: z.enum(['active', 'paused']) })) }, responses: { 200: json(Any, 'The link'), ...ruleResponses } });
const pay = createRoute({ method: 'post', path: '/api/v1/federation/payments', tags: ['federation'], summary: 'Pay a member of a linked hub: member@hub or hub/member, in our currency or theirs', request: { body: body(z.object({ to: z.string().min(3), amount: z.number().int().min(1), currency: z.enum(['ours', 'theirs']).default('ours'), memo: z.string().max(280).optional(), payer: MemberId.optional() })) }, responses: { 201: json(Any, 'The payment, pending until the other hub answers'), ...ruleResponses } });
const get = createRoute({ method: 'get', path: '/api/v1/federation/payments/{id}', tags: ['federation'], summary: 'An inter-hub payment', request: { params: z.object({ id: z.string() }) }, responses: { 200: json(Any, 'The payment'), ...ruleResponses } });

export function registerFederation(app: App, deps: HttpDeps) {
  const fed = () => {
    if (!deps.federation) throw new HubError(503, 'internal', 'Federation is not running', 'this hub has no links module in this mode');
    return deps.federation;
  };
  app.openapi(inbox, async (c) => c.json(await fed().receive(c.req.valid('json') as unknown as Envelope[]), 200));
  app.openapi(invite, async (c) => c.json(await fed().invite(requireRole(c, 'steward').id, c.req.valid('json')), 201));
  app.openapi(accept, async (c) => {
    const b = c.req.valid('json');
    return c.json((await fed().accept(requireRole(c, 'steward').id, b.token, b)) as unknown as Record<string, unknown>, 201);
  });
  app.openapi(links, (c) => {
    requireMember(c);
    const f = fed();
    return c.json({ hubId: f.hubId, links: f.listPeers() as unknown as Array<Record<string, unknown>>, rejected: f.rejected }, 200);
  });
  app.openapi(status, async (c) => c.json((await fed().setStatus(c.req.valid('param').hubId, c.req.valid('json').status, requireRole(c, 'steward').id)) as unknown as Record<string, unknown>, 200));
  app.openapi(pay, async (c) => {
    const me = requireMember(c);
    const b = c.req.valid('json');
    const payer = b.payer ?? me.id;
    if (payer !== me.id && me.role === 'resident') throw HubError.forbidden('only stewards pay from another account');
    return c.json((await fed().pay(me.id, { ...b, payer })) as unknown as Record<string, unknown>, 201);
  });
  app.openapi(get, (c) => {
    requireMember(c);
    return c.json(fed().payment(c.req.valid('param').id) as unknown as Record<string, unknown>, 200);
  });
}
