import { z } from '@hono/zod-openapi';
import { RESOURCES, type Resource } from '../../flow/board.js';
import { hasRole } from '../../members/members.js';
import { found, HubError } from '../../errors.js';
import { requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, Int, MemberId, Millis, ok, QueryFlag } from '../schemas.js';
import { ALLOCATION_STATUSES, CLEARING_RUN_STATUSES, POST_KINDS, POST_STATUSES } from '../../flow/contract.js';
import { body, operations } from '../operations.js';

const api = operations('flow');

const ResourceSchema = z
  .enum(Object.keys(RESOURCES) as [Resource, ...Resource[]])
  .openapi({ description: 'food kg, water L, power kWh, labour h, tool item, medical item' });
const PlaceSchema = z
  .object({ name: z.string().min(1).max(80), x: z.number(), y: z.number() })
  .openapi({ description: "A named place; x and y in metres on the hub's local grid" });

const ActuatorSchema = z
  .object({
    devEui: z
      .string()
      .regex(/^[0-9a-fA-F]{16}$/)
      .transform((s) => s.toLowerCase()),
    object: z.record(z.string(), z.unknown()).describe("what the device's codec is given (encodeDownlink), with the pledge's quantity and unit added"),
  })
  .openapi('PostActuator', {
    description: 'A LoRaWAN device that hands the surplus out (a valve, a pump): sent a confirmed downlink when a match becomes a pledge',
  });

const Post = component('BoardPost', {
  id: z.string(),
  kind: z.enum(POST_KINDS),
  resource: ResourceSchema,
  title: z.string(),
  quantity: Int,
  owner: z.string(),
  onBehalfOf: z.string().nullable(),
  place: PlaceSchema.nullable(),
  from: Millis,
  to: Millis,
  status: z.enum(POST_STATUSES),
  createdAt: Millis,
  actuator: ActuatorSchema.nullable().optional(),
});
/** As the board lists them: with how much is already promised to proposals. */
const ListedPost = Post.extend({ committed: Int.describe('Already promised to proposals') }).openapi('ListedBoardPost');

const NewPost = component('NewBoardPost', {
  kind: z.enum(POST_KINDS),
  resource: ResourceSchema,
  title: z.string().max(120).optional(),
  quantity: Int.min(1).max(1_000_000),
  place: PlaceSchema.optional(),
  from: Millis.optional(),
  to: Millis.optional(),
  onBehalfOf: z.string().max(80).optional().openapi({ description: 'A household, or "hub"' }),
  actuator: ActuatorSchema.optional().openapi({ description: 'Stewards only, and only on a surplus' }),
});

const Proposal = component('FlowProposal', {
  id: z.string(),
  resource: ResourceSchema,
  offerId: z.string(),
  wantId: z.string(),
  supplier: z.string(),
  receiver: z.string(),
  quantity: Int,
  unitCost: z.number(),
  status: z.enum(ALLOCATION_STATUSES),
  supplierAccepted: z.boolean(),
  receiverAccepted: z.boolean(),
  createdAt: Millis,
  closedAt: Millis.nullable(),
  transferId: z.string().nullable(),
});

const Crisis = component('Crisis', {
  id: z.string(),
  declaredBy: z.string(),
  declaredAt: Millis,
  endedAt: Millis.nullable(),
  note: z.string(),
  places: z.array(z.string()),
  members: z.array(z.string()),
});

const ClearingRun = component('ClearingRun', {
  id: z.string(),
  createdAt: Millis,
  createdBy: z.string().nullable(),
  status: z.enum(CLEARING_RUN_STATUSES),
  totalBefore: Int,
  cleared: Int,
  setOffs: z.array(z.object({ requestId: z.string(), amount: Int, expected: Int, payer: z.string(), payee: z.string() })),
  affected: z.array(z.string()),
  accepted: z.array(z.string()),
});

const idParam = z.object({ id: z.string() });

const listPosts = api.get('/api/v1/board/posts', 'Needs and surpluses', {
  query: z.object({
    resource: ResourceSchema.optional(),
    kind: z.enum(POST_KINDS).optional(),
    status: z.enum(POST_STATUSES).optional(),
    mine: QueryFlag.optional(),
  }),
  answers: ok(z.array(ListedPost), 'Posts, newest first'),
});
const createPost = api.post('/api/v1/board/posts', 'Post a need or a surplus; the engine proposes allocations at once', {
  body: body(NewPost),
  answers: created(Post, 'The post'),
});
const closePost = api.post('/api/v1/board/posts/{id}/close', 'Close a post (its owner or a steward)', {
  params: idParam,
  answers: ok(Post, 'The closed post'),
});
const listProposals = api.get('/api/v1/flow/proposals', 'Proposed allocations and pledges: mine, or all for stewards', {
  query: z.object({ status: z.enum(ALLOCATION_STATUSES).optional(), all: QueryFlag.optional() }),
  answers: ok(z.array(Proposal), 'Proposals, newest first'),
});
const proposalAction = (name: 'accept' | 'reject', summary: string) =>
  api.post(`/api/v1/flow/proposals/{id}/${name}`, summary, { params: idParam, answers: ok(Proposal, 'The proposal') });
const fulfil = api.post('/api/v1/flow/proposals/{id}/fulfil', 'The receiver confirms delivery, optionally paying for it', {
  params: idParam,
  body: body(z.object({ payment: Int.min(1).optional() }), false),
  answers: ok(Proposal, 'The fulfilled pledge'),
});
const recompute = api.post('/api/v1/flow/recompute', 'Solve again now (stewards)', {
  answers: ok(z.object({ proposals: Int, unmet: Int }), 'What the solve produced'),
});
const cycles = api.get('/api/v1/flow/cycles', 'Barter rings across resources among current proposals', { answers: ok(z.array(z.array(Proposal)), 'Rings') });
const crisisNow = api.get('/api/v1/crisis', 'The emergency in force, if any', { answers: ok(z.object({ active: Crisis.nullable() }), 'The emergency') });
const declare = api.post('/api/v1/crisis', 'Declare an emergency for places or members (stewards); the engine recomputes at once', {
  body: body(z.object({ note: z.string().min(1).max(500), places: z.array(z.string()).optional(), members: z.array(MemberId).optional() })),
  answers: created(Crisis, 'The emergency'),
});
const endCrisis = api.post('/api/v1/crisis/{id}/end', 'End an emergency (stewards)', { params: idParam, answers: ok(Crisis, 'The ended emergency') });
const listVulnerable = api.get('/api/v1/crisis/vulnerable', 'The members put first in an emergency (stewards only)', {
  answers: ok(z.array(z.string()), 'Member ids'),
});
const Person = z.object({ id: z.string(), name: z.string(), email: z.string().nullable() });
const phoneTree = api.get(
  '/api/v1/crisis/phone-tree',
  'Who checks on whom in an emergency: the members put first, how to reach them and their checker (stewards only; printable in the console)',
  {
    answers: ok(
      z.array(z.object({ member: Person, contact: z.string().nullable(), checker: Person.nullable() })).openapi('PhoneTree'),
      'Phone tree, by checker',
    ),
  },
);
const vulnerable = api.put('/api/v1/members/{id}/vulnerable', 'Mark a member as vulnerable for emergencies (only stewards see this)', {
  params: idParam,
  body: body(
    z.object({
      vulnerable: z.boolean(),
      contact: z.string().max(200).nullable().optional().describe('How to reach them: a phone number, a door'),
      checker: MemberId.nullable().optional().describe('The member who checks on them in an emergency'),
    }),
  ),
  answers: ok(z.object({ memberId: z.string(), vulnerable: z.boolean() }), 'Saved'),
});
const listRuns = api.get('/api/v1/clearing/runs', 'Clearing runs, newest first', { answers: ok(z.array(ClearingRun), 'Runs') });
const proposeRun = api.post('/api/v1/clearing/runs', 'Compute a multilateral set-off of open requests (stewards)', {
  answers: created(ClearingRun, 'The run'),
});
const acceptRun = api.post('/api/v1/clearing/runs/{id}/accept', 'Agree to a clearing run; it applies when everyone it touches agrees', {
  params: idParam,
  answers: ok(ClearingRun, 'The run'),
});

export function registerFlow(app: App, deps: HttpDeps) {
  const { board } = deps;

  app.openapi(listPosts, (c) => {
    const me = requireMember(c);
    const { mine, ...q } = c.req.valid('query');
    return c.json(board.listPosts({ ...q, owner: mine === 'true' ? me.id : undefined }), 200);
  });
  app.openapi(createPost, async (c) => {
    const body = c.req.valid('json');
    const me = requireMember(c);
    // A post that opens a valve acts on the neighbourhood's equipment: stewards decide which devices may.
    if (body.actuator) {
      if (!hasRole(me, 'steward')) throw HubError.forbidden('only a steward can name a device that hands a surplus out');
      const dev = deps.devices.has(body.actuator.devEui) ? deps.devices.get(body.actuator.devEui) : undefined;
      if (dev?.kind !== 'lorawan') throw HubError.badRequest(`actuator.devEui: ${body.actuator.devEui} is not a LoRaWAN device of this hub`);
      if (!dev.profile || !deps.sensing.codecs.get(dev.profile)?.encodes)
        throw HubError.badRequest(`actuator.devEui: the device's codec (${dev.profile ?? 'none'}) cannot make downlinks from objects`);
    }
    return c.json(await board.post(me.id, body), 201);
  });
  app.openapi(closePost, async (c) => {
    const me = requireMember(c);
    return c.json(await board.closePost(c.req.valid('param').id, me.id, hasRole(me, 'steward')), 200);
  });
  app.openapi(listProposals, (c) => {
    const me = requireMember(c);
    const q = c.req.valid('query');
    return c.json(board.proposalsFor(q.all === 'true' && hasRole(me, 'steward') ? null : me.id, { status: q.status }), 200);
  });
  app.openapi(proposalAction('accept', 'Accept a proposal; with both sides it becomes a pledge'), async (c) =>
    c.json(await board.accept(c.req.valid('param').id, requireMember(c).id), 200),
  );
  app.openapi(proposalAction('reject', 'Reject a proposal'), async (c) => c.json(await board.reject(c.req.valid('param').id, requireMember(c).id), 200));
  app.openapi(fulfil, async (c) => {
    const me = requireMember(c);
    const payment = c.req.valid('json').payment ?? null;
    return c.json(await board.fulfil(c.req.valid('param').id, me.id, payment), 200);
  });
  app.openapi(recompute, async (c) => {
    requireRole(c, 'steward');
    return c.json(await board.recompute(), 200);
  });
  app.openapi(cycles, (c) => {
    requireMember(c);
    return c.json(board.cycles(), 200);
  });
  app.openapi(crisisNow, (c) => {
    requireMember(c);
    return c.json({ active: board.activeCrisis() ?? null }, 200);
  });
  app.openapi(declare, async (c) => c.json(await board.declareCrisis(requireRole(c, 'steward').id, c.req.valid('json')), 201));
  app.openapi(endCrisis, async (c) => c.json(await board.endCrisis(c.req.valid('param').id, requireRole(c, 'steward').id), 200));
  app.openapi(listVulnerable, (c) => {
    requireRole(c, 'steward');
    return c.json(board.vulnerableMembers(), 200);
  });
  app.openapi(phoneTree, (c) => {
    requireRole(c, 'steward');
    const person = (id: string) => {
      const m = deps.members.find(id);
      return { id, name: m?.name ?? id, email: m?.email ?? null };
    };
    const rows = board.phoneTree().map((r) => ({ member: person(r.memberId), contact: r.contact, checker: r.checker ? person(r.checker) : null }));
    rows.sort((a, b) => (a.checker?.name ?? '\uffff').localeCompare(b.checker?.name ?? '\uffff') || a.member.name.localeCompare(b.member.name));
    return c.json(rows, 200);
  });
  app.openapi(vulnerable, async (c) => {
    requireRole(c, 'steward');
    const memberId = c.req.valid('param').id;
    const { vulnerable: v, contact, checker } = c.req.valid('json');
    found(deps.members.find(memberId), `member ${memberId}`);
    if (checker) {
      const m = found(deps.members.find(checker), `member ${checker}`);
      if (m.status !== 'active') throw HubError.badRequest(`checker: ${m.name} is not an active member`, { field: 'checker' });
    }
    await board.setVulnerable(memberId, v, { ...(contact !== undefined ? { contact } : {}), ...(checker !== undefined ? { checker } : {}) });
    return c.json({ memberId, vulnerable: v }, 200);
  });
  app.openapi(listRuns, (c) => {
    const me = requireMember(c);
    const runs = board.listClearingRuns();
    if (hasRole(me, 'steward')) return c.json(runs, 200);
    // A resident sees only the obligations they are part of, not who owes whom across the neighbourhood.
    const mine = runs
      .filter((r) => r.affected.includes(me.id))
      .map((r) => ({
        ...r,
        setOffs: r.setOffs.filter((s) => s.payer === me.id || s.payee === me.id),
        affected: [me.id],
        accepted: r.accepted.filter((a) => a === me.id),
      }));
    return c.json(mine, 200);
  });
  app.openapi(proposeRun, async (c) => c.json(await board.proposeClearing(requireRole(c, 'steward').id), 201));
  app.openapi(acceptRun, async (c) => c.json(await board.acceptClearing(c.req.valid('param').id, requireMember(c).id), 200));
}
