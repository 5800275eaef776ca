import { z } from '@hono/zod-openapi';
import { PROPOSAL_KINDS } from '../../governance/governance.js';
import { PARAMETERS, type ParamName } from '../../governance/parameters.js';
import { toCsv } from '../csv.js';
import { requireMember, requireRole, type App, type HttpDeps } from '../context.js';
import { component, created, exportFormat, Int, MemberId, ok, ruleResponses } from '../schemas.js';
import { CHOICES, DECISION_MODES, PROPOSAL_STATUSES, ROUND_STATUSES } from '../../governance/contract.js';
import { body, operations } from '../operations.js';

const api = operations('governance');

const Kind = z.enum(PROPOSAL_KINDS);
const Tally = z.object({
  eligible: z.number(),
  yes: z.number(),
  no: z.number(),
  abstain: z.number(),
  blocks: z.number(),
  delegated: z.number(),
  passed: z.boolean(),
  reason: z.string(),
});
const Proposal = component('Proposal', {
  id: z.string(),
  kind: Kind,
  title: z.string(),
  rationale: z.string(),
  payload: z.record(z.string(), z.unknown()),
  mode: z.enum(DECISION_MODES),
  createdBy: z.string(),
  createdAt: z.number(),
  discussionEndsAt: z.number(),
  closesAt: z.number(),
  status: z.enum(PROPOSAL_STATUSES),
  tally: Tally.nullable(),
  decidedAt: z.number().nullable(),
  outcomeNotes: z.array(z.object({ at: z.number(), by: z.string(), note: z.string() })),
});
const id = z.object({ id: z.string() });
const ProjectResult = z.object({
  projectId: z.string(),
  title: z.string(),
  amount: Int,
  points: z.number(),
  supporters: Int,
  score: z.number(),
  rank: Int,
  funded: z.boolean(),
  why: z.string(),
});
const Round = component('BudgetRound', {
  id: z.string(),
  title: z.string(),
  budget: Int,
  pointsPerMember: Int,
  quadratic: z.boolean().describe('Support counts as the square root of the points, summed over members'),
  createdBy: z.string(),
  createdAt: z.number(),
  closesAt: z.number(),
  status: z.enum(ROUND_STATUSES),
  projects: z.array(z.object({ id: z.string(), title: z.string(), description: z.string(), amount: Int, to: z.string(), proposedBy: z.string() })),
  result: z.object({ closedAt: z.number(), spent: Int, projects: z.array(ProjectResult), transferIds: z.array(z.string()) }).nullable(),
});
const Standing = ProjectResult.omit({ funded: true, why: true }).openapi('BudgetStanding');
const openRound = api.post('/api/v1/budgets', 'Open a participatory budgeting round over part of the community fund (stewards)', {
  body: {
    content: {
      'application/json': {
        schema: z.object({
          title: z.string().min(3).max(200),
          budget: Int.min(1),
          pointsPerMember: Int.min(1).max(10_000).optional(),
          quadratic: z.boolean().optional(),
          days: Int.min(1).max(90).optional(),
        }),
      },
    },
    required: true,
  },
  answers: created(Round, 'The round'),
});
const rounds = api.get('/api/v1/budgets', 'Participatory budgeting rounds, newest first', { answers: ok(z.array(Round), 'Rounds') });
const round = api.get('/api/v1/budgets/{id}', 'A round with its standings and my allocation', {
  params: id,
  answers: ok(z.object({ round: Round, standings: z.array(Standing), mine: z.record(z.string(), z.number()) }), 'The round'),
});
const addProject = api.post('/api/v1/budgets/{id}/projects', 'Put a project forward in an open round', {
  params: id,
  body: {
    content: {
      'application/json': {
        schema: z.object({
          title: z.string().min(3).max(200),
          description: z.string().max(4000).optional(),
          amount: Int.min(1),
          to: MemberId.optional(),
        }),
      },
    },
    required: true,
  },
  answers: created(z.record(z.string(), z.unknown()), 'The project'),
});
const allocate = api.put('/api/v1/budgets/{id}/allocation', "Spread my points across the round's projects (replaces my earlier allocation)", {
  params: id,
  body: body(z.object({ points: z.record(z.string(), Int.min(0)) })),
  answers: ok(z.record(z.string(), z.number()), 'My allocation'),
});
const closeRound = api.post('/api/v1/budgets/{id}/close', 'Close a round now and fund the projects in order of support (stewards; also nightly when due)', {
  params: id,
  answers: ok(Round, 'The round with its result'),
});

const MyVote = z.object({ choice: z.enum(CHOICES), coreValue: z.string().nullable(), at: z.number() });
const list = api.get('/api/v1/proposals', 'Proposals, newest first', {
  query: z.object({ status: z.enum(PROPOSAL_STATUSES).optional() }),
  answers: ok(
    z.array(
      Proposal.extend({
        currentTally: Tally.nullable().describe('Live for open proposals, final for closed ones'),
        myVote: MyVote.nullable().describe("The caller's own vote"),
        comments: Int.describe('How many comments its discussion has'),
      }).openapi('ProposalWithTally'),
    ),
    'Proposals',
  ),
});
const Comment = component('Comment', {
  id: z.string(),
  proposalId: z.string(),
  memberId: z.string(),
  name: z.string().describe("The member's name, for showing"),
  text: z.string(),
  at: z.number(),
});
const comments = api.get('/api/v1/proposals/{id}/comments', "A proposal's discussion, oldest first", {
  params: z.object({ id: z.string() }),
  answers: ok(z.array(Comment), 'The discussion'),
});
const addComment = api.post('/api/v1/proposals/{id}/comments', "Say something in a proposal's discussion while it is open", {
  params: z.object({ id: z.string() }),
  body: body(z.object({ text: z.string().min(1).max(2000) })),
  answers: created(Comment, 'Posted'),
});
const Rules = component('GovernanceRules', {
  modes: z.record(z.string(), z.enum(DECISION_MODES)).describe('How each kind of proposal is decided'),
  supermajority: z.number(),
  quorum: z.number(),
  votingDays: z.number(),
  discussionDays: z.number(),
  coreValues: z.array(z.string()).describe('The values a block must cite'),
  emergencyDays: z.number(),
});
const rules = api.get('/api/v1/governance/rules', "The community's rules for decisions", { answers: ok(Rules, 'The rules') });
const Delegations = component('Delegations', {
  mine: z.array(z.object({ topic: z.string(), to: z.string(), name: z.string() })).describe('Votes I have handed on, by topic (a proposal kind or "*")'),
  toMe: z.array(z.object({ topic: z.string(), from: z.string(), name: z.string() })).describe('Members who have handed their vote to me'),
});
const delegations = api.get('/api/v1/delegations', 'My delegations, both ways', { answers: ok(Delegations, 'Delegations') });
const propose = api.post('/api/v1/proposals', "Make a proposal; the community's rules pick its decision mode", {
  body: body(
    z.object({ kind: Kind, title: z.string().min(1).max(200), rationale: z.string().max(5000), payload: z.record(z.string(), z.unknown()).optional() }),
  ),
  answers: created(Proposal, 'The proposal'),
});
const vote = api.post('/api/v1/proposals/{id}/votes', 'Vote once: yes, no, abstain, or (consensus, in the block period) block citing a core value', {
  params: id,
  body: body(z.object({ choice: z.enum(CHOICES), coreValue: z.string().optional(), reason: z.string().max(1000).optional() })),
  answers: created(z.object({ proposalId: z.string(), memberId: z.string(), choice: z.string(), at: z.number() }), 'Counted'),
});
const note = api.post('/api/v1/proposals/{id}/notes', 'Add an outcome note to a decision (stewards)', {
  params: id,
  body: body(z.object({ note: z.string().min(1).max(1000) })),
  answers: ok(Proposal, 'The proposal'),
});
const close = api.post('/api/v1/proposals/close-due', 'Decide every proposal whose time is up (stewards; also nightly)', {
  answers: ok(z.array(Proposal), 'Decided'),
});
const delegate = api.put('/api/v1/delegations', 'Delegate your vote on a topic (a proposal kind or "*"), or take it back with to: null', {
  body: body(z.object({ topic: z.union([Kind, z.literal('*')]), to: MemberId.nullable() })),
  answers: ok(z.array(z.object({ topic: z.string(), to: z.string() })), 'Your delegations'),
});
const ParamValue = z.union([z.number(), z.boolean()]);
const ParameterView = component('ParameterView', {
  name: z.string(),
  value: ParamValue.describe('In force now'),
  source: z.string().describe('The proposal that set it, "emergency:<steward>", or "default"'),
  since: z.number().nullable(),
  pending: z
    .array(z.object({ name: z.string(), value: ParamValue, effectiveFrom: z.number(), source: z.string(), at: z.number(), expiresAt: z.number().nullable() }))
    .describe('Changes decided but not yet in force'),
});
const params = api.get('/api/v1/parameters', "The community's parameters, which proposal set each one, and changes still to come", {
  answers: ok(z.array(ParameterView), 'Parameters'),
});
const emergency = api.post('/api/v1/parameters/emergency', "A steward's emergency change: logged, in force now, lapsing unless a proposal ratifies it", {
  body: body(
    z.object({
      name: z.enum(Object.keys(PARAMETERS) as [ParamName, ...ParamName[]]),
      value: z.union([z.number(), z.boolean()]),
      reason: z.string().min(1).max(500),
    }),
  ),
  answers: ok(z.object({ ok: z.literal(true) }), 'In force'),
});
const Decision = component('Decision', {
  date: z.string(),
  proposal: z.string(),
  kind: z.string(),
  title: z.string(),
  decision: z.string(),
  rationale: z.string(),
  yes: z.number(),
  no: z.number(),
  abstain: z.number(),
  blocks: z.number(),
  delegated: z.number(),
  why: z.string(),
  notes: z.string(),
});
const log = api.get('/api/v1/decisions', 'The decision log, as JSON or CSV', {
  query: z.object({ format: exportFormat('json') }),
  answers: {
    200: { description: 'Decisions', content: { 'application/json': { schema: z.array(Decision) }, 'text/csv': { schema: z.string() } } },
    ...ruleResponses,
  },
});

export function registerGovernance(app: App, deps: HttpDeps) {
  const g = deps.governance;
  app.openapi(list, (c) => {
    const me = requireMember(c);
    return c.json(
      g.list(c.req.valid('query').status).map((p) => {
        const v = g.voteOf(p.id, me.id);
        return {
          ...p,
          currentTally: p.status === 'open' ? g.tally(p) : p.tally,
          myVote: v && { choice: v.choice, coreValue: v.coreValue, at: v.at },
          comments: g.commentCount(p.id),
        };
      }),
      200,
    );
  });
  const named = <T extends { memberId: string }>(x: T) => ({ ...x, name: deps.members.find(x.memberId)?.name ?? x.memberId });
  app.openapi(comments, (c) => {
    requireMember(c);
    return c.json(g.comments(c.req.valid('param').id).map(named), 200);
  });
  app.openapi(addComment, async (c) => c.json(named(await g.comment(c.req.valid('param').id, requireMember(c).id, c.req.valid('json').text)), 201));
  app.openapi(rules, (c) => {
    requireMember(c);
    return c.json(g.currentRules, 200);
  });
  app.openapi(delegations, (c) => {
    const me = requireMember(c);
    const name = (id: string) => deps.members.find(id)?.name ?? id;
    return c.json(
      { mine: g.delegationsOf(me.id).map((d) => ({ ...d, name: name(d.to) })), toMe: g.delegatorsOf(me.id).map((d) => ({ ...d, name: name(d.from) })) },
      200,
    );
  });
  app.openapi(propose, async (c) => c.json(await g.propose(requireMember(c).id, c.req.valid('json')), 201));
  app.openapi(vote, async (c) => {
    const b = c.req.valid('json');
    return c.json(await g.vote(c.req.valid('param').id, requireMember(c).id, b.choice, { coreValue: b.coreValue, reason: b.reason }), 201);
  });
  app.openapi(close, async (c) => {
    requireRole(c, 'steward');
    return c.json(await g.closeDue(), 200);
  });
  app.openapi(openRound, async (c) => c.json(await g.budgets.open(requireRole(c, 'steward').id, c.req.valid('json')), 201));
  app.openapi(rounds, (c) => {
    requireMember(c);
    return c.json(g.budgets.list(), 200);
  });
  app.openapi(round, (c) => {
    const me = requireMember(c);
    const rid = c.req.valid('param').id;
    return c.json({ round: g.budgets.get(rid), standings: g.budgets.standings(rid), mine: g.budgets.allocationOf(rid, me.id) }, 200);
  });
  app.openapi(addProject, async (c) => c.json(await g.budgets.addProject(requireMember(c).id, c.req.valid('param').id, c.req.valid('json')), 201));
  app.openapi(allocate, async (c) => c.json(await g.budgets.allocate(requireMember(c).id, c.req.valid('param').id, c.req.valid('json').points), 200));
  app.openapi(closeRound, async (c) => c.json(await g.budgets.close(c.req.valid('param').id, requireRole(c, 'steward').id), 200));
  app.openapi(note, async (c) => c.json(await g.addOutcomeNote(c.req.valid('param').id, requireRole(c, 'steward').id, c.req.valid('json').note), 200));
  app.openapi(delegate, async (c) => {
    const me = requireMember(c);
    const b = c.req.valid('json');
    await g.delegate(me.id, b.topic, b.to);
    return c.json(g.delegationsOf(me.id), 200);
  });
  app.openapi(params, (c) => {
    requireMember(c);
    return c.json(g.parameters.list(), 200);
  });
  app.openapi(emergency, async (c) => {
    const s = requireRole(c, 'steward');
    const b = c.req.valid('json');
    await g.emergencyChange(s.id, b.name, b.value, b.reason);
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(log, (c) => {
    requireMember(c);
    const rows = g.decisionLog();
    if (c.req.valid('query').format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', 'attachment; filename="hyphae-decisions.csv"');
      return c.body(
        toCsv(rows, ['date', 'proposal', 'kind', 'title', 'decision', 'rationale', 'yes', 'no', 'abstain', 'blocks', 'delegated', 'why', 'notes']),
        200,
      );
    }
    return c.json(rows, 200);
  });
}
