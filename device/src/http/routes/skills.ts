import { z } from '@hono/zod-openapi';
import { toCsv } from '../csv.js';
import { requireMember, requireRole, requireSelfOrSteward, type App, type HttpDeps } from '../context.js';
import { component, created, exportFormat, Int, MemberId, Millis, ok, ruleResponses } from '../schemas.js';
import { MENTORSHIP_STATUSES, OFFER_KINDS, OFFER_STATUSES } from '../../skills/contract.js';
import { body, operations } from '../operations.js';

const api = operations('skills');

const MemberSkill = component('MemberSkill', { memberId: z.string(), skill: z.string(), level: Int, primary: z.boolean(), teach: z.boolean() });
const Offer = component('TimeBankPost', {
  id: z.string(),
  kind: z.enum(OFFER_KINDS),
  owner: z.string(),
  title: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  hours: Int.openapi({ description: 'Hundredths of an hour' }),
  expiresAt: Millis,
  status: z.enum(OFFER_STATUSES),
  takenBy: z.string().nullable(),
  completedAt: Millis.nullable(),
  transferId: z.string().nullable(),
  createdAt: Millis,
  proposedHours: z
    .number()
    .int()
    .nullable()
    .optional()
    .openapi({ description: "Hours the owner proposed that differ from the agreed ones to the taker's cost; they move once the taker confirms" }),
});
const Mentorship = component('Mentorship', {
  id: z.string(),
  skill: z.string(),
  learner: z.string(),
  teacher: z.string(),
  when: z.array(z.string()),
  status: z.enum(MENTORSHIP_STATUSES),
  learnerAccepted: z.boolean(),
  teacherAccepted: z.boolean(),
  createdAt: Millis,
});

const member = z.object({ memberId: MemberId });
const id = z.object({ id: z.string() });

const mySkills = api.get('/api/v1/members/{memberId}/skills', "A member's skills, what they are learning and when they are free", {
  params: member,
  answers: ok(z.object({ skills: z.array(MemberSkill), learning: z.array(z.string()), availability: z.array(z.string()) }), 'Skills'),
});
const putSkill = api.put('/api/v1/members/{memberId}/skills', 'Declare a skill (level 1–5, primary, willing to teach)', {
  params: member,
  body: body(z.object({ skill: z.string().min(1).max(60), level: Int.min(1).max(5), primary: z.boolean().optional(), teach: z.boolean().optional() })),
  answers: ok(MemberSkill, 'Saved'),
});
const putLearning = api.put('/api/v1/members/{memberId}/learning', 'Say you want to learn a skill (or stop)', {
  params: member,
  body: body(z.object({ skill: z.string().min(1).max(60), learning: z.boolean() })),
  answers: ok(z.array(z.string()), 'What the member is learning'),
});
const putAvailability = api.put('/api/v1/members/{memberId}/availability', 'When you are free, e.g. ["sat-morning", "mon-evening"]', {
  params: member,
  body: body(z.object({ slots: z.array(z.string().max(30)).max(28) })),
  answers: ok(z.array(z.string()), 'Saved'),
});
const inventory = api.get('/api/v1/skills', 'Who can do and teach what', {
  query: z.object({ skill: z.string().optional(), format: exportFormat('json') }),
  answers: {
    200: { description: 'Skills', content: { 'application/json': { schema: z.array(MemberSkill) }, 'text/csv': { schema: z.string() } } },
    ...ruleResponses,
  },
});
const needed = api.put('/api/v1/skills/needed', 'Mark a skill the community needs (stewards)', {
  body: body(z.object({ skill: z.string().min(1).max(60), needed: z.boolean().default(true), note: z.string().max(200).optional() })),
  answers: ok(z.array(z.object({ skill: z.string(), note: z.string().nullable() })), 'Needed skills'),
});
const SkillGaps = component('SkillGaps', {
  missing: z
    .array(z.object({ skill: z.string(), couldLearn: z.array(z.string()).describe('Members learning it or holding a related skill') }))
    .describe('Needed skills nobody holds'),
  singleHolder: z
    .array(z.object({ skill: z.string(), holder: z.string(), canTeach: z.boolean(), couldLearn: z.array(z.string()) }))
    .describe('Skills only one member holds'),
});
const gaps = api.get('/api/v1/skills/gaps', 'Critical gaps: needed skills nobody holds, and skills with a single holder', { answers: ok(SkillGaps, 'Report') });
const listOffers = api.get('/api/v1/timebank', 'Time-bank offers and requests', {
  query: z.object({
    kind: z.enum(OFFER_KINDS).optional(),
    category: z.string().optional(),
    tag: z.string().optional(),
    status: z.enum(OFFER_STATUSES).optional(),
  }),
  answers: ok(z.array(Offer), 'Posts'),
});
const postOffer = api.post('/api/v1/timebank', 'Offer time or ask for help', {
  body: body(
    z.object({
      kind: z.enum(OFFER_KINDS),
      title: z.string().min(1).max(120),
      category: z.string().min(1).max(40),
      tags: z.array(z.string().max(30)).max(10).optional(),
      hours: Int.min(1).max(10_000),
      expiresInDays: Int.min(1).max(365).optional(),
    }),
  ),
  answers: created(Offer, 'The post'),
});
const offerAction = (a: 'take' | 'withdraw', summary: string) =>
  api.post(`/api/v1/timebank/{id}/${a}`, summary, { params: id, answers: ok(Offer, 'The post') });
const complete = api.post('/api/v1/timebank/{id}/complete', 'Confirm the exchange; the hours move through the ledger', {
  params: id,
  body: body(z.object({ hours: Int.min(1).optional() }), false),
  answers: ok(Offer, 'The post'),
});
const confirmHours = api.post('/api/v1/timebank/{id}/confirm-hours', 'The taker agrees to the hours the owner proposed; they move through the ledger', {
  params: id,
  answers: ok(Offer, 'The post'),
});
const mentorships = api.get('/api/v1/mentorships', 'My mentorships', { answers: ok(z.array(Mentorship), 'Mentorships') });
const matchNow = api.post('/api/v1/mentorships/match', 'Propose mentors to learners now (stewards; also nightly)', {
  answers: ok(z.array(Mentorship), 'New proposals'),
});
const answer = api.post('/api/v1/mentorships/{id}/answer', 'Accept or decline a proposed mentorship', {
  params: id,
  body: body(z.object({ accept: z.boolean() })),
  answers: ok(Mentorship, 'The mentorship'),
});

export function registerSkills(app: App, deps: HttpDeps) {
  const { skills } = deps;
  app.openapi(mySkills, (c) => {
    requireMember(c);
    const { memberId } = c.req.valid('param');
    return c.json({ skills: skills.skillsOf(memberId), learning: skills.learningOf(memberId), availability: skills.availabilityOf(memberId) }, 200);
  });
  app.openapi(putSkill, async (c) => {
    const { memberId } = c.req.valid('param');
    requireSelfOrSteward(c, memberId);
    return c.json(await skills.setSkill(memberId, c.req.valid('json')), 200);
  });
  app.openapi(putLearning, async (c) => {
    const { memberId } = c.req.valid('param');
    requireSelfOrSteward(c, memberId);
    const b = c.req.valid('json');
    await skills.setLearning(memberId, b.skill, b.learning);
    return c.json(skills.learningOf(memberId), 200);
  });
  app.openapi(putAvailability, async (c) => {
    const { memberId } = c.req.valid('param');
    requireSelfOrSteward(c, memberId);
    return c.json(await skills.setAvailability(memberId, c.req.valid('json').slots), 200);
  });
  app.openapi(inventory, (c) => {
    requireMember(c);
    const q = c.req.valid('query');
    const rows = q.skill ? skills.holders(q.skill) : skills.allSkills();
    if (q.format === 'csv') {
      c.header('content-type', 'text/csv; charset=utf-8');
      c.header('content-disposition', 'attachment; filename="hyphae-skills.csv"');
      return c.body(toCsv(rows, ['memberId', 'skill', 'level', 'primary', 'teach']), 200);
    }
    return c.json(rows, 200);
  });
  app.openapi(needed, async (c) => {
    const s = requireRole(c, 'steward');
    const b = c.req.valid('json');
    await skills.markNeeded(b.skill, s.id, b.note ?? null, b.needed);
    return c.json(skills.neededSkills(), 200);
  });
  app.openapi(gaps, (c) => {
    requireMember(c);
    return c.json(skills.gapReport(), 200);
  });
  app.openapi(listOffers, (c) => {
    requireMember(c);
    return c.json(skills.listOffers(c.req.valid('query')), 200);
  });
  app.openapi(postOffer, async (c) => c.json(await skills.postOffer(requireMember(c).id, c.req.valid('json')), 201));
  app.openapi(offerAction('take', 'Take up an offer or request'), async (c) =>
    c.json(await skills.takeOffer(c.req.valid('param').id, requireMember(c).id), 200),
  );
  app.openapi(offerAction('withdraw', 'Withdraw your post'), async (c) => c.json(await skills.withdraw(c.req.valid('param').id, requireMember(c).id), 200));
  app.openapi(complete, async (c) => {
    const me = requireMember(c);
    const hours = c.req.valid('json').hours;
    return c.json(await skills.complete(c.req.valid('param').id, me.id, hours), 200);
  });
  app.openapi(confirmHours, async (c) => c.json(await skills.confirmHours(c.req.valid('param').id, requireMember(c).id), 200));
  app.openapi(mentorships, (c) => c.json(skills.mentorshipsOf(requireMember(c).id), 200));
  app.openapi(matchNow, async (c) => {
    requireRole(c, 'steward');
    return c.json(await skills.matchMentors(), 200);
  });
  app.openapi(answer, async (c) => c.json(await skills.answerMentorship(c.req.valid('param').id, requireMember(c).id, c.req.valid('json').accept), 200));
}
