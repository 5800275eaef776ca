import { z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import { hasRole } from '../../members/members.js';
import type { Envelope } from '../../federation/envelope.js';
import { idempotencyKey, refuseSystemAccounts, requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, IdempotencyHeader, Int, MemberId, ok } from '../schemas.js';
import {
  HUB_CLEARING_STATUSES,
  LINK_STATUSES,
  PAYMENT_CURRENCIES,
  PAYMENT_DIRECTIONS,
  PAYMENT_STATUSES,
  REGIONAL_STATUSES,
  TERMS_PROPOSERS,
} from '../../federation/contract.js';
import { body, operations } from '../operations.js';

const api = operations('federation');

const Any = z.record(z.string(), z.unknown());
const Rate = z.object({ num: Int.min(1), den: Int.min(1) }).describe('Their minor units per one of ours, as a fraction');
const LinkStatus = z.enum(LINK_STATUSES);
const Peer = component('Peer', {
  hubId: z.string(),
  publicKey: z.string(),
  url: z.string(),
  name: z.string(),
  currency: z.object({ symbol: z.string(), minorUnits: Int }),
  status: LinkStatus,
  remoteStatus: LinkStatus.describe('What the other side last told us about its end'),
  rate: Rate,
  trustOut: Int.describe('Most we may owe them'),
  trustIn: Int.describe('Most they may owe us'),
  feePpm: Int,
  owedTheirs: Int.describe('Our clearing balance for them as they count it, in their minor units'),
  pendingTerms: z
    .object({
      id: z.string(),
      proposedBy: z.enum(TERMS_PROPOSERS),
      at: z.number(),
      rate: Rate,
      trustOut: Int,
      trustIn: Int,
      feePpm: Int,
    })
    .nullable(),
  settlement: z.object({ plan: z.string(), by: z.string().nullable(), at: z.number() }).nullable(),
  outSeq: Int,
  outHead: z.string(),
  inSeq: Int,
  inHead: z.string(),
  lastContact: z.number().nullable(),
});
const Link = Peer.extend({ queue: Int.describe('Messages waiting to go out'), clearingBalance: Int }).openapi('Link');
const Quantity = z.object({ resource: z.string(), quantity: z.number(), from: z.number(), to: z.number() });
const Summary = component('HubSummary', {
  at: z.number(),
  place: z.object({ name: z.string(), x: z.number(), y: z.number() }).nullable(),
  needs: z.array(Quantity),
  surpluses: z.array(Quantity),
  crisis: z.object({ since: z.number(), note: z.string() }).nullable(),
  reach: z.array(z.object({ hubId: z.string(), hops: Int })),
  positions: z.array(z.object({ hubId: z.string(), name: z.string().optional(), balance: Int, rate: Rate })),
});
const RegionHub = component('RegionHub', { hubId: z.string(), name: z.string(), self: z.boolean(), receivedAt: z.number().nullable(), summary: Summary });
const InterHubPayment = component('InterHubPayment', {
  id: z.string(),
  direction: z.enum(PAYMENT_DIRECTIONS),
  peer: z.string().describe('The linked hub this leg runs over'),
  hub: z.string().describe("The far end's hub"),
  payer: z.string(),
  payee: z.string(),
  amountOurs: Int,
  amountTheirs: Int,
  fee: Int.describe('What this hub kept for passing the payment on'),
  status: z.enum(PAYMENT_STATUSES),
  reason: z.string().nullable(),
  createdAt: z.number(),
  expiresAt: z.number(),
  proposeSeq: z.number().nullable(),
  parent: z.string().nullable(),
  child: z.string().nullable(),
});
const RegionalProposal = component('RegionalProposal', {
  id: z.string(),
  resource: z.string(),
  supplierHub: z.string(),
  receiverHub: z.string(),
  quantity: z.number(),
  consent: z.record(z.string(), z.boolean()),
  status: z.enum(REGIONAL_STATUSES),
  createdAt: z.number(),
});
const HubClearingRun = component('HubClearingRun', {
  id: z.string(),
  initiator: z.string(),
  cycle: z.array(z.string()).describe('Hub ids, each owing the next'),
  edges: z.array(z.object({ debtor: z.string(), creditor: z.string(), amount: Int, amountCreditor: Int })),
  answers: z.record(z.string(), z.boolean()),
  status: z.enum(HUB_CLEARING_STATUSES),
  createdAt: z.number(),
  appliedAt: z.number().nullable(),
  proof: z.object({ key: z.string(), sig: z.string() }).optional(),
  names: z.record(z.string(), z.string()).optional().describe('The hubs on the cycle by name, as the proposer knows them'),
});

const inbox = api.post('/api/v1/federation/inbox', 'Signed envelopes from a linked hub (they authenticate themselves)', {
  body: body(z.array(Any).max(100)),
  answers: ok(z.object({ ackedSeq: Int }), 'What is acknowledged'),
});
const invite = api.post('/api/v1/federation/invitations', 'Invite another hub to link (stewards): a token for its steward', {
  body: body(z.object({ trustOut: Int.min(0), trustIn: Int.min(0) })),
  answers: created(z.object({ token: z.string(), qrSvg: z.string() }), 'The invitation, also as a QR code (SVG)'),
});
const accept = api.post('/api/v1/federation/links', "Accept another hub's invitation (stewards)", {
  body: body(
    z.object({
      token: z.string().min(10),
      rate: Rate,
      trustOut: Int.min(0),
      trustIn: Int.min(0),
      feePpm: Int.min(0).max(100_000).optional(),
    }),
  ),
  answers: created(Peer, 'The link'),
});
const links = api.get('/api/v1/federation/links', 'Links: last contact, queue length, chain heads, clearing balance', {
  answers: ok(z.object({ hubId: z.string(), links: z.array(Link), rejected: z.record(z.string(), z.number()) }), 'Links'),
});
const status = api.put('/api/v1/federation/links/{hubId}/status', 'Pause or resume a link (stewards)', {
  params: z.object({ hubId: z.string() }),
  body: body(z.object({ status: z.enum(LINK_STATUSES).extract(['active', 'paused']) })),
  answers: ok(Peer, 'The link'),
});
const pay = api.post(
  '/api/v1/federation/payments',
  'Pay a member of a linked hub: member@hub or hub/member, in our currency or theirs (send an Idempotency-Key to retry safely)',
  {
    headers: IdempotencyHeader,
    body: body(
      z.object({
        to: z.string().min(3),
        amount: Int.min(1),
        currency: z.enum(PAYMENT_CURRENCIES).default('ours'),
        memo: z.string().max(280).optional(),
        payer: MemberId.optional(),
      }),
    ),
    answers: created(InterHubPayment, 'The payment, pending until the other hub answers'),
  },
);
const list = api.get('/api/v1/federation/payments', 'Recent inter-hub payments, newest first (stewards)', {
  query: z.object({ peer: z.string().optional(), status: z.enum(PAYMENT_STATUSES).optional() }),
  answers: ok(z.object({ payments: z.array(InterHubPayment) }), 'Payments'),
});
const Terms = z.object({
  rate: Rate.optional(),
  trustOut: Int.min(0).optional(),
  trustIn: Int.min(0).optional(),
  feePpm: Int.min(0).max(100_000).optional(),
});
const terms = api.put('/api/v1/federation/links/{hubId}/terms', 'Propose new terms for a link (stewards); they take effect when the other hub accepts', {
  params: z.object({ hubId: z.string() }),
  body: body(Terms),
  answers: ok(Peer, 'The link, with the terms pending'),
});
const answerTerms = api.post('/api/v1/federation/links/{hubId}/terms/answer', 'Accept or decline the terms the other hub proposed (stewards)', {
  params: z.object({ hubId: z.string() }),
  body: body(z.object({ accept: z.boolean() })),
  answers: ok(Peer, 'The link'),
});
const close = api.post(
  '/api/v1/federation/links/{hubId}/close',
  'Close a link (stewards): at once at a zero balance, or under a settlement plan until it reaches zero',
  { params: z.object({ hubId: z.string() }), body: body(z.object({ settlement: z.string().min(3).max(2000).optional() })), answers: ok(Peer, 'The link') },
);
const region = api.get('/api/v1/federation/region', 'Needs and surpluses per resource of this hub and its linked hubs (no member identities)', {
  answers: ok(z.object({ hubs: z.array(RegionHub), proposals: z.array(RegionalProposal) }), 'The region'),
});
const share = api.post('/api/v1/federation/region/share', "Send this hub's summary to its links now (stewards)", { answers: ok(Summary, 'The summary sent') });
const solve = api.post('/api/v1/federation/region/solve', "Solve the regional flow; movements across our links go to both hubs' stewards (stewards)", {
  answers: ok(z.object({ proposals: z.array(RegionalProposal) }), 'New regional proposals'),
});
const consent = api.post('/api/v1/federation/region/proposals/{id}/consent', 'Consent to or decline a regional proposal across a link (stewards)', {
  params: z.object({ id: z.string() }),
  body: body(z.object({ accept: z.boolean() })),
  answers: ok(RegionalProposal, 'The proposal'),
});
const clearings = api.get('/api/v1/federation/clearings', 'Clearing runs between hubs', { answers: ok(z.object({ runs: z.array(HubClearingRun) }), 'Runs') });
const proposeClearing = api.post('/api/v1/federation/clearings', 'Propose clearing the largest debt cycle between hubs through this hub (stewards)', {
  answers: created(HubClearingRun, "The run, waiting for the other hubs' stewards"),
});
const answerClearing = api.post('/api/v1/federation/clearings/{id}/answer', 'Accept or decline a clearing run this hub is on (stewards)', {
  params: z.object({ id: z.string() }),
  body: body(z.object({ accept: z.boolean() })),
  answers: ok(HubClearingRun, 'The run'),
});
const retry = api.post('/api/v1/federation/retry', 'Try every link now instead of waiting out its backoff (stewards)', {
  answers: ok(z.object({ ok: z.boolean() }), 'Tried'),
});
const get = api.get('/api/v1/federation/payments/{id}', 'An inter-hub payment', {
  params: z.object({ id: z.string() }),
  answers: ok(InterHubPayment, 'The payment'),
});

export function registerFederation(app: App, deps: HttpDeps) {
  const fed = () => {
    if (!deps.federation) throw HubError.general('not-running', 'this hub has no links module in this mode');
    return deps.federation;
  };
  app.openapi(inbox, async (c) => c.json(await fed().receive(c.req.valid('json') as unknown as Envelope[]), 200));
  app.openapi(invite, async (c) => c.json(await fed().invite(requireRole(c, 'steward').id, c.req.valid('json')), 201));
  app.openapi(accept, async (c) => {
    const b = c.req.valid('json');
    return c.json(await fed().accept(requireRole(c, 'steward').id, b.token, b), 201);
  });
  app.openapi(links, (c) => {
    requireMember(c);
    const f = fed();
    return c.json({ hubId: f.hubId, links: f.listPeers(), rejected: f.rejected }, 200);
  });
  app.openapi(status, async (c) => c.json(await fed().setStatus(c.req.valid('param').hubId, c.req.valid('json').status, requireRole(c, 'steward').id), 200));
  app.openapi(pay, async (c) => {
    const me = requireMember(c);
    const b = c.req.valid('json');
    const payer = b.payer ?? me.id;
    refuseSystemAccounts(payer);
    if (payer !== me.id && me.role === 'resident') throw HubError.forbidden('only stewards pay from another account');
    return c.json(await fed().payments.pay(me.id, { ...b, payer }, idempotencyKey(c)), 201);
  });
  app.openapi(get, (c) => {
    const me = requireMember(c);
    const p = fed().payments.payment(c.req.valid('param').id);
    // Its parties and the stewards; to anyone else it does not exist.
    if (p.payer !== me.id && p.payee !== me.id && !hasRole(me, 'steward')) throw HubError.notFound(`payment ${p.id}`);
    return c.json(p, 200);
  });
  app.openapi(list, (c) => {
    requireRole(c, 'steward');
    return c.json({ payments: fed().payments.list(c.req.valid('query')) }, 200);
  });
  const hubId = (c: { req: { param: (k: string) => string } }) => c.req.param('hubId');
  app.openapi(terms, async (c) => c.json(await fed().proposeTerms(hubId(c), requireRole(c, 'steward').id, c.req.valid('json')), 200));
  app.openapi(answerTerms, async (c) => c.json(await fed().answerTerms(hubId(c), requireRole(c, 'steward').id, c.req.valid('json').accept), 200));
  app.openapi(close, async (c) => c.json(await fed().close(hubId(c), requireRole(c, 'steward').id, c.req.valid('json').settlement), 200));
  app.openapi(region, (c) => {
    requireMember(c);
    return c.json({ hubs: fed().signals.region(), proposals: fed().signals.listProposals() }, 200);
  });
  app.openapi(share, async (c) => {
    requireRole(c, 'steward');
    return c.json(await fed().signals.share(), 200);
  });
  app.openapi(solve, async (c) => {
    requireRole(c, 'steward');
    return c.json({ proposals: await fed().signals.solve() }, 200);
  });
  app.openapi(consent, async (c) =>
    c.json(await fed().signals.consent(c.req.valid('param').id, c.req.valid('json').accept, requireRole(c, 'steward').id), 200),
  );
  app.openapi(clearings, (c) => {
    requireMember(c);
    return c.json({ runs: fed().clearing.list() }, 200);
  });
  app.openapi(proposeClearing, async (c) => c.json(await fed().clearing.propose(requireRole(c, 'steward').id), 201));
  app.openapi(answerClearing, async (c) =>
    c.json(await fed().clearing.answer(c.req.valid('param').id, c.req.valid('json').accept, requireRole(c, 'steward').id), 200),
  );
  app.openapi(retry, (c) => {
    requireRole(c, 'steward');
    fed().retryNow();
    fed().kick();
    return c.json({ ok: true }, 200);
  });
}
