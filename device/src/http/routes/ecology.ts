import { z } from '@hono/zod-openapi';
import { HubError } from '../../errors.js';
import { idempotencyKey, requireMember, requireRole, requireSelfOrSteward, type App, type HttpDeps } from '../context.js';
import { component, created, IdempotencyHeader, Int, MemberId, ok } from '../schemas.js';
import { DAY_MS } from '../../clock.js';
import { BOUNDARIES, CAPACITY_SOURCES, INDICATOR_NAMES, PLOT_KINDS, REGENERATION_KINDS, REPORT_STATUSES, SERIES_ROLES } from '../../ecology/contract.js';
import { neighbourhoodPlots } from '../../ecology/plots.js';
import { body, operations } from '../operations.js';

const api = operations('ecology');

const Indicator = component('Indicator', {
  value: z.number().nullable().describe('null before there are readings'),
  stale: z.boolean().describe('true when its sensors fell silent and the last good value stands in'),
  inputs: z.record(z.string(), z.number().nullable()).describe('The numbers behind it'),
  asOf: z.number().nullable(),
});
const Indicators = component('Indicators', { solar: Indicator, water: Indicator, soil: Indicator, work: Indicator });
const Snapshot = component('EcologySnapshot', {
  at: z.number(),
  indicators: Indicators,
  raw: z.number(),
  multiplier: z.number(),
  previous: z.number(),
  regeneration: z.number(),
  extraction: z.number(),
});
const Budget = component('Budget', {
  boundary: z.enum(BOUNDARIES),
  unit: z.string(),
  period: z.string().describe('YYYY-MM'),
  budget: z.number(),
  used: z.number().nullable(),
  share: z.number().nullable(),
  warning: z.boolean(),
  why: z.string().describe('How "used" was worked out, in English'),
  inputs: z.record(z.string(), z.number().nullable()),
});
const EcologyNow = component('EcologyNow', {
  snapshot: Snapshot.nullable(),
  indicators: Indicators,
  waterPrice: z.object({ price: z.number().nullable(), base: z.number(), ratio: z.number().nullable(), capped: z.boolean() }),
  waterBudget: z.object({
    period: z.string(),
    budgetLitres: z.number(),
    usedLitres: z.number().nullable(),
    share: z.number().nullable(),
    warning: z.boolean(),
  }),
  budgets: z.array(Budget),
  places: z.array(
    z.object({
      place: z.string(),
      solar: z.number().nullable(),
      litresPerDay: z.number().nullable(),
      soil: z.number().nullable(),
      sensors: z.array(z.string()),
    }),
  ),
});
const NeighbourhoodPlot = component('NeighbourhoodPlot', {
  kind: z.enum(PLOT_KINDS).describe("What the plot shows; the console titles it in the member's language"),
  place: z.string().nullable().describe('The place an energy plot is about'),
  series: z.array(
    z.object({
      label: z.string().nullable().describe('The place or device measured; null where `role` names the series'),
      role: z.enum(SERIES_ROLES).nullable(),
      t: z.array(z.number()).describe('Times, ms'),
      v: z.array(z.number().nullable()).describe('Values at those times (the water price in minor units)'),
    }),
  ),
});
const LimitExplanation = component('LimitExplanation', {
  floor: z.number(),
  source: z
    .enum(CAPACITY_SOURCES)
    .describe("A steward's floor for this member wins; else the default when ecological limits are off or no capacity is recorded; else capacity × multiplier"),
  capacity: z.number().nullable(),
  enabled: z.boolean(),
  multiplier: z.number(),
  derivation: z
    .object({
      regeneration: z.number(),
      extraction: z.number(),
      raw: z.number().describe('regeneration ÷ extraction within the bounds'),
      previous: z.number(),
      maxStepPerDay: z.number(),
      at: z.number(),
      multiplierMin: z.number(),
      multiplierMax: z.number(),
    })
    .nullable()
    .describe('How the multiplier in force was reached; null before the first recompute'),
  stale: z
    .array(z.object({ indicator: z.enum(INDICATOR_NAMES), asOf: z.number().nullable() }))
    .describe('Indicators standing on their last good value because their sensors fell silent'),
  indicators: Indicators.nullable(),
  parameters: z.object({ multiplierMin: z.number(), multiplierMax: z.number() }),
  explanation: z.array(z.string()).describe('The same, in English sentences'),
});
const WorkReport = component('WorkReport', {
  id: z.string(),
  memberId: z.string(),
  kind: z.enum(REGENERATION_KINDS),
  quantity: Int,
  note: z.string(),
  at: z.number(),
  status: z.enum(REPORT_STATUSES),
  verifiedBy: z.string().nullable(),
  credited: Int,
  transferId: z.string().nullable(),
});

const current = api.get('/api/v1/ecology', 'The ecological multiplier, its indicators (with stale flags), the water price and budget', {
  answers: ok(EcologyNow, 'Now'),
});
const recompute = api.post('/api/v1/ecology/recompute', 'Recompute now (stewards; also nightly)', { answers: ok(Snapshot, 'The new snapshot') });
const history = api.get('/api/v1/ecology/history', 'The multiplier over time', {
  query: z.object({ days: z.coerce.number().int().min(1).max(3650).default(90) }),
  answers: ok(z.array(z.object({ at: z.number(), multiplier: z.number(), raw: z.number() })), 'History'),
});
const why = api.get('/api/v1/accounts/{memberId}/limit-explanation', 'Why is my limit this?', {
  params: z.object({ memberId: MemberId }),
  answers: ok(LimitExplanation, 'The explanation'),
});
const capacity = api.put('/api/v1/members/{memberId}/capacity', "Set a member's productive capacity (stewards)", {
  params: z.object({ memberId: MemberId }),
  body: body(z.object({ capacity: Int.min(0) })),
  answers: ok(LimitExplanation, 'The explanation of the new limit'),
});
const report = api.post('/api/v1/regeneration', 'Report regeneration work (trees planted, compost made, land restored)', {
  body: body(z.object({ kind: z.enum(REGENERATION_KINDS), quantity: Int.min(1).max(100_000), note: z.string().max(1000).default('') })),
  answers: created(WorkReport, 'The report'),
});
const reports = api.get('/api/v1/regeneration', 'Regeneration reports', {
  query: z.object({ status: z.enum(REPORT_STATUSES).optional() }),
  answers: ok(z.array(WorkReport), 'Reports'),
});
const verify = api.post(
  '/api/v1/regeneration/{id}/verify',
  "Verify (or reject) someone else's report; verified work is credited from the community fund (stewards)",
  { params: z.object({ id: z.string() }), body: body(z.object({ accept: z.boolean() })), answers: ok(WorkReport, 'The report') },
);

const WaterQuote = z.object({
  litres: Int,
  pricePer100Litres: Int.describe('Minor units per 100 litres now'),
  basePer100Litres: Int.describe("The community's base price, at the safe level of use"),
  ratio: z.number().nullable().describe('Use ÷ safe level over the water window; null before there are readings'),
  capped: z.boolean(),
  elasticity: z.number().describe('price = base × ratio^elasticity …'),
  capPer100Litres: z.number().describe('… never above this'),
  amount: Int.describe('What the member pays, in minor units'),
});
const Litres = z.coerce.number().int().min(1).max(1_000_000);
const Neighbourhood = component('Neighbourhood', {
  ecology: EcologyNow,
  plots: z.array(NeighbourhoodPlot),
  waterQuote: WaterQuote.describe('The price of 100 litres now, for the water card'),
  regeneration: z.object({
    creditPerUnit: Int.describe('What a verified report earns per unit, minor units'),
    mine: z.array(WorkReport).describe("The member's own latest ten reports"),
  }),
});
const neighbourhood = api.get(
  '/api/v1/neighbourhood',
  'What the neighbourhood page shows, in one answer: the multiplier, budgets and places, and every plot at the resolution it is drawn',
  { answers: ok(Neighbourhood, 'The neighbourhood now') },
);
const quote = api.get('/api/v1/ecology/water-quote', 'What drawing this much water costs now, at the scarcity price', {
  query: z.object({ litres: Litres }),
  answers: ok(WaterQuote, 'The quote'),
});
const payWater = api.post(
  '/api/v1/ecology/water-payments',
  'Pay the community fund for water drawn, at the amount the member was shown; 409 price-changed (with the new quote) if it moved',
  {
    headers: IdempotencyHeader,
    body: body(z.object({ litres: Litres, amount: Int.min(0) })),
    answers: created(z.object({ quote: WaterQuote, transferId: z.string().nullable() }), 'Paid'),
  },
);

export function registerEcology(app: App, deps: HttpDeps) {
  const e = deps.ecology;
  // The hub's time-keeper: it knows whether the time can be acted on.
  const clock = deps.time;
  const now = () => ({
    snapshot: e.current() ?? null,
    indicators: e.current()?.indicators ?? e.indicators(),
    waterPrice: e.waterPrice(),
    waterBudget: e.budget(),
    budgets: e.budgets(),
    places: e.byPlace(),
  });
  app.openapi(current, (c) => {
    requireMember(c);
    return c.json(now(), 200);
  });
  app.openapi(neighbourhood, (c) => {
    const me = requireMember(c);
    const ecology = now();
    const safe = ecology.budgets.find((b) => b.boundary === 'water')?.inputs?.safeLitresPerDay;
    const names = new Map(deps.devices.list().map((d) => [d.id, d.place ?? d.name]));
    // The water card and the regeneration form come with it: the page is one request on a slow mesh.
    const regeneration = {
      creditPerUnit: e.regenerationCreditPerUnit(),
      mine: e.reportsOf(me.id, 10),
    };
    return c.json(
      {
        ecology,
        plots: neighbourhoodPlots(deps.telemetry, names, clock.now(), typeof safe === 'number' ? safe : null),
        waterQuote: e.waterQuote(100),
        regeneration,
      },
      200,
    );
  });
  app.openapi(quote, (c) => {
    requireMember(c);
    return c.json(e.waterQuote(c.req.valid('query').litres), 200);
  });
  app.openapi(payWater, async (c) => {
    const me = requireMember(c);
    const { litres, amount } = c.req.valid('json');
    return c.json(await e.payForWater(me.id, litres, amount, idempotencyKey(c)), 201);
  });
  app.openapi(recompute, async (c) => {
    requireRole(c, 'steward');
    return c.json(await e.recompute(), 200);
  });
  app.openapi(history, (c) => {
    requireMember(c);
    const now = clock.now();
    return c.json(e.history(now - c.req.valid('query').days * DAY_MS, now + 1), 200);
  });
  app.openapi(why, (c) => {
    const { memberId } = c.req.valid('param');
    requireSelfOrSteward(c, memberId);
    return c.json(e.explainLimit(memberId), 200);
  });
  app.openapi(capacity, async (c) => {
    const s = requireRole(c, 'steward');
    const { memberId } = c.req.valid('param');
    if (memberId === s.id) throw HubError.forbidden('nobody sets their own productive capacity: ask another steward');
    await e.setCapacity(memberId, c.req.valid('json').capacity, s.id);
    return c.json(e.explainLimit(memberId), 200);
  });
  app.openapi(report, async (c) => c.json(await e.report(requireMember(c).id, c.req.valid('json')), 201));
  app.openapi(reports, (c) => {
    requireMember(c);
    return c.json(e.listReports(c.req.valid('query').status), 200);
  });
  app.openapi(verify, async (c) => c.json(await e.verify(c.req.valid('param').id, requireRole(c, 'steward').id, c.req.valid('json').accept), 200));
}
