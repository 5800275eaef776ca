import { z } from '@hono/zod-openapi';
import { qrSvg } from '../../qr.js';
import { HubError } from '../../errors.js';
import type { Actor } from '../../library/library.js';
import { CONDITIONS, ITEM_KINDS } from '../../library/types.js';
import { hasRole } from '../../members/members.js';
import { toCsv } from '../csv.js';
import { hubAddress, requireMember, requireRole, type App, type Ctx, type HttpDeps } from '../context.js';
import { component, created, exportFormat, Int, json, MemberId, Millis, ok, QueryFlag, ruleResponses } from '../schemas.js';
import { DAY_MS } from '../../clock.js';
import { BUSY_KINDS, ITEM_STATUSES, RESERVATION_STATUSES, TICKET_STATES } from '../../library/contract.js';
import { body, operations } from '../operations.js';

const api = operations('library');

const Condition = z.enum(CONDITIONS);
const Plan = z.object({ everyLoans: Int.min(1), task: z.string().min(1).max(120) });
const Item = component('LibraryItem', {
  id: z.string(),
  code: z.string(),
  kind: z.enum(ITEM_KINDS),
  name: z.string(),
  category: z.string(),
  description: z.string(),
  location: z.string(),
  condition: Condition,
  replacementValue: Int,
  deposit: Int,
  fee: Int,
  needsApproval: z.boolean(),
  needsInduction: z.boolean(),
  slotMinutes: Int,
  loanDays: Int,
  maxRenewals: Int,
  plan: Plan.nullable(),
  photos: z.array(z.string()),
  status: z.enum(ITEM_STATUSES),
  loanCount: Int,
  createdAt: Millis,
});
/** An item as the catalogue lists it: with when it is due back, when it is out. */
const CatalogueItem = Item.extend({ dueBack: Millis.nullable().describe('When an item out on loan is due back; null when it is not out') }).openapi(
  'CatalogueItem',
);
const NewItem = component('NewLibraryItem', {
  kind: z.enum(ITEM_KINDS).optional(),
  code: z.string().max(16).optional(),
  name: z.string().min(1).max(120),
  category: z.string().min(1).max(60),
  description: z.string().max(2000).optional(),
  location: z.string().max(120).optional(),
  condition: Condition.optional(),
  replacementValue: Int.min(0).optional(),
  deposit: Int.min(0).optional(),
  fee: Int.min(0).optional(),
  needsApproval: z.boolean().optional(),
  needsInduction: z.boolean().optional(),
  slotMinutes: Int.optional(),
  loanDays: Int.min(1).max(365).optional(),
  maxRenewals: Int.min(0).max(20).optional(),
  plan: Plan.nullable().optional(),
});
const Reservation = component('Reservation', {
  id: z.string(),
  itemId: z.string(),
  memberId: z.string(),
  from: Millis,
  to: Millis,
  status: z.enum(RESERVATION_STATUSES),
  createdAt: Millis,
  note: z.string().nullable(),
});
const Hold = component('Hold', { memberId: z.string(), joinedAt: Millis, readyAt: Millis.nullable(), pickupBy: Millis.nullable() });
const Loan = component('Loan', {
  id: z.string(),
  itemId: z.string(),
  memberId: z.string(),
  reservationId: z.string().nullable(),
  checkedOutAt: Int,
  checkedOutBy: z.string(),
  dueAt: Millis,
  conditionOut: Condition,
  deposit: Int,
  fee: Int,
  renewals: Int,
  returnedAt: Millis.nullable(),
  checkedInBy: z.string().nullable(),
  conditionIn: Condition.nullable(),
  damageCharged: Int,
  waitedMs: Int,
});
const TicketState = z.enum(TICKET_STATES);
const Ticket = component('MaintenanceTicket', {
  id: z.string(),
  itemId: z.string(),
  state: TicketState,
  title: z.string(),
  openedBy: z.string(),
  openedAt: Millis,
  closedAt: Millis.nullable(),
  history: z.array(z.object({ state: TicketState, at: Millis, by: z.string(), note: z.string().nullable() })),
});

const item = z.object({ item: z.string().openapi({ description: 'Item id or label code, e.g. T-0042' }) });
const loanId = z.object({ id: z.string() });

const actorOf = (c: Ctx): Actor => {
  const m = requireMember(c);
  return { id: m.id, steward: hasRole(m, 'steward') };
};

const listItems = api.get('/api/v1/library/items', 'Search the catalogue; with from and to, only what is free then', {
  query: z.object({
    q: z.string().max(80).optional(),
    category: z.string().optional(),
    kind: z.enum(ITEM_KINDS).optional(),
    from: z.coerce.number().int().optional(),
    to: z.coerce.number().int().optional(),
  }),
  answers: ok(z.array(CatalogueItem), 'Items'),
});
const addItem = api.post('/api/v1/library/items', 'Add an item (stewards)', { body: body(NewItem), answers: created(Item, 'The item') });
const getItem = api.get('/api/v1/library/items/{item}', 'One item with its calendar, queue and open loan', {
  params: item,
  query: z.object({ from: z.coerce.number().int().optional(), to: z.coerce.number().int().optional() }),
  answers: ok(
    z.object({
      item: Item,
      busy: z.array(z.object({ from: Millis, to: Millis, kind: z.enum(BUSY_KINDS) })),
      holds: Int,
      myPlace: Int.nullable(),
    }),
    'The item',
  ),
});
const patchItem = api.patch('/api/v1/library/items/{item}', 'Change an item (stewards)', {
  params: item,
  body: body(NewItem.partial().omit({ code: true, kind: true })),
  answers: ok(Item, 'The item'),
});
const addPhoto = api.post('/api/v1/library/items/{item}/photos', 'Add a photo (JPEG, PNG or WebP up to 512 KiB; stewards)', {
  params: item,
  body: { content: { 'image/jpeg': { schema: z.any() }, 'image/png': { schema: z.any() }, 'image/webp': { schema: z.any() } }, required: true },
  answers: { 201: json(z.object({ id: z.string(), mime: z.string() }), 'Stored'), ...ruleResponses, 413: { description: 'Too large' } },
});
const getPhoto = api.get('/api/v1/library/photos/{id}', 'A photo', {
  params: loanId,
  answers: { 200: { description: 'The image', content: { 'image/*': { schema: z.any() } } }, ...ruleResponses },
});
const reserve = api.post('/api/v1/library/items/{item}/reservations', 'Reserve for a date range (tools) or time slots (spaces, vehicles)', {
  params: item,
  body: body(z.object({ from: Millis, to: Millis, memberId: MemberId.optional(), note: z.string().max(200).optional() })),
  answers: created(Reservation, 'Booked'),
});
const myReservations = api.get('/api/v1/library/reservations', 'My reservations', { answers: ok(z.array(Reservation), 'Reservations') });
const cancelReservation = api.post('/api/v1/library/reservations/{id}/cancel', 'Cancel a reservation', {
  params: loanId,
  answers: ok(Reservation, 'Cancelled'),
});
const holds = api.get('/api/v1/library/items/{item}/holds', 'The holds queue', { params: item, answers: ok(z.array(Hold), 'Queue, first in line first') });
const holdAction = (a: 'join' | 'leave' | 'defer', summary: string) =>
  api.post(`/api/v1/library/items/{item}/holds/${a}`, summary, { params: item, answers: ok(z.array(Hold), 'The queue') });
const reorder = api.put('/api/v1/library/items/{item}/holds', 'Put the queue in a new order (stewards)', {
  params: item,
  body: body(z.object({ order: z.array(MemberId) })),
  answers: ok(z.array(Hold), 'The queue'),
});
const checkOut = api.post(
  '/api/v1/library/items/{item}/checkout',
  'Hand an item over (steward desk, or self-service if the hub allows); deposit and fee are settled with it',
  {
    params: item,
    body: body(z.object({ memberId: MemberId.optional(), condition: Condition.optional(), days: Int.min(1).optional() })),
    answers: created(Loan, 'The loan'),
  },
);
const loans = api.get('/api/v1/library/loans', "Loans: mine, or everyone's for stewards (overdue=true for late ones)", {
  query: z.object({ open: QueryFlag.optional(), overdue: QueryFlag.optional(), all: QueryFlag.optional() }),
  answers: ok(z.array(Loan), 'Loans'),
});
const checkIn = api.post('/api/v1/library/loans/{id}/checkin', 'Take an item back; the deposit comes back less any damage', {
  params: loanId,
  body: body(z.object({ condition: Condition, damage: Int.min(0).optional(), note: z.string().max(500).optional() })),
  answers: ok(Loan, 'The closed loan'),
});
const renew = api.post('/api/v1/library/loans/{id}/renew', 'Renew a loan', { params: loanId, answers: ok(Loan, 'The loan') });
const induct = api.post('/api/v1/library/items/{item}/inductions', 'Record that a member had the safety induction (stewards)', {
  params: item,
  body: body(z.object({ memberId: MemberId })),
  answers: ok(z.object({ ok: z.literal(true) }), 'Recorded'),
});
const listTickets = api.get('/api/v1/library/tickets', 'Maintenance tickets', {
  query: z.object({ open: QueryFlag.optional() }),
  answers: ok(z.array(Ticket), 'Tickets'),
});
const openTicket = api.post('/api/v1/library/items/{item}/tickets', 'Report a problem: opens a ticket and takes the item out of circulation', {
  params: item,
  body: body(z.object({ title: z.string().min(1).max(200) })),
  answers: created(Ticket, 'The ticket'),
});
const moveTicket = api.post('/api/v1/library/tickets/{id}/state', 'Move a ticket on: assess → parts / repairing → resolved or retired (stewards)', {
  params: loanId,
  body: body(z.object({ state: TicketState, note: z.string().max(500).optional() })),
  answers: ok(Ticket, 'The ticket'),
});
const audit = api.get('/api/v1/library/items/{item}/audit', 'Every change of the item, with who did it (stewards)', {
  params: item,
  answers: ok(
    z.array(z.object({ at: Millis, itemId: z.string(), by: z.string().nullable(), action: z.string(), detail: z.record(z.string(), z.unknown()) })),
    'Audit trail',
  ),
});
const Utilisation = component('LibraryUtilisation', {
  from: z.number(),
  to: z.number(),
  items: z.array(
    z.object({
      itemId: z.string(),
      code: z.string(),
      name: z.string(),
      category: z.string(),
      loans: Int,
      daysOut: z.number(),
      avgWaitDays: z.number(),
      queue: Int,
      utilisation: z.number().describe('Percent of the period out on loan'),
    }),
  ),
  categories: z.array(z.object({ category: z.string(), items: Int, loans: Int, daysOut: z.number(), utilisation: z.number() })),
  overDemanded: z.array(z.string()).describe('Item codes out ≥ 70 % of the time, with two or more holds, or a wait of three days or more'),
  idle: z.array(z.string()).describe('Item codes not lent at all'),
  overTime: z
    .array(
      z.object({
        from: z.number(),
        to: z.number(),
        loans: Int,
        daysOut: z.number(),
        utilisation: z.number().describe("Percent of all items' available time out on loan"),
        categories: z.array(
          z.object({
            category: z.string(),
            items: Int,
            loans: Int,
            daysOut: z.number(),
            avgWaitDays: z.number(),
            utilisation: z.number(),
          }),
        ),
      }),
    )
    .describe('Per period of bucketDays, oldest first; empty without bucketDays'),
});
const labels = api.get(
  '/api/v1/library/labels',
  "Printable labels (stewards): each item's code, name and a QR code of its page, for the desk to scan and a resident's camera to open",
  {
    query: z.object({ items: z.string().max(2000).optional().describe('Item codes, comma-separated; all items in circulation when absent') }),
    answers: ok(z.array(z.object({ code: z.string(), name: z.string(), url: z.string(), qrSvg: z.string() })), 'Labels, in catalogue order'),
  },
);
const utilisation = api.get('/api/v1/library/utilisation', 'Loans, days out, waiting and utilisation per item and category; over-demanded and idle items', {
  query: z.object({
    days: z.coerce.number().int().min(1).max(3650).default(90),
    bucketDays: z.coerce.number().int().min(1).max(365).optional().describe('Also break the report down into periods of this many days'),
  }),
  answers: ok(Utilisation, 'Report'),
});
const exportLib = api.get('/api/v1/library/export', 'Catalogue or loans as CSV or JSON', {
  query: z.object({ what: z.enum(['catalogue', 'loans']).default('catalogue'), format: exportFormat('csv') }),
  answers: {
    200: { description: 'The export', content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.array(z.unknown()) } } },
    ...ruleResponses,
  },
});

export function registerLibrary(app: App, deps: HttpDeps) {
  const { library } = deps;
  // The hub's time-keeper: it knows whether the time can be acted on.
  const clock = deps.time;

  app.openapi(listItems, (c) => {
    requireMember(c);
    const q = c.req.valid('query');
    const found = library.catalogue.search({ text: q.q, category: q.category, kind: q.kind, availableFrom: q.from, availableTo: q.to });
    return c.json(
      found.map((i) => ({ ...i, dueBack: i.status === 'on-loan' ? (library.loans.openLoanOf(i.id)?.dueAt ?? null) : null })),
      200,
    );
  });
  app.openapi(addItem, async (c) => c.json(await library.catalogue.addItem(c.req.valid('json'), requireRole(c, 'steward').id), 201));
  app.openapi(getItem, (c) => {
    const me = requireMember(c);
    const it = library.catalogue.item(c.req.valid('param').item);
    const q = c.req.valid('query');
    const from = q.from ?? clock.now() - DAY_MS;
    const to = q.to ?? from + 60 * DAY_MS;
    const queue = library.holds.holdsOf(it.id);
    const place = queue.findIndex((h) => h.memberId === me.id);
    return c.json(
      {
        item: it,
        busy: library.bookings.busy(it.id, from, to).map(({ from: f, to: t, kind }) => ({ from: f, to: t, kind })),
        holds: queue.length,
        myPlace: place >= 0 ? place + 1 : null,
      },
      200,
    );
  });
  app.openapi(labels, async (c) => {
    requireRole(c, 'steward');
    const { items } = c.req.valid('query');
    const chosen = items ? items.split(',').map((code) => library.catalogue.item(code.trim())) : library.catalogue.search({});
    // The label links to the item's page: a resident's camera opens it, and the desk reads the code back out of it.
    const base = hubAddress(c, deps);
    const out = await Promise.all(
      chosen.map(async (i) => {
        const url = `${base}/#/library/${encodeURIComponent(i.code)}`;
        return { code: i.code, name: i.name, url, qrSvg: await qrSvg(url) };
      }),
    );
    return c.json(out, 200);
  });
  app.openapi(patchItem, async (c) =>
    c.json(await library.catalogue.updateItem(library.catalogue.item(c.req.valid('param').item).id, c.req.valid('json'), requireRole(c, 'steward').id), 200),
  );
  app.openapi(addPhoto, async (c) => {
    const s = requireRole(c, 'steward');
    // Photos are the first thing a filling disk gives up, long before the ledger.
    deps.disk?.refuse('photo');
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    return c.json(await library.catalogue.addPhoto(library.catalogue.item(c.req.valid('param').item).id, bytes, s.id), 201);
  });
  app.openapi(getPhoto, (c) => {
    requireMember(c);
    const p = library.catalogue.photo(c.req.valid('param').id);
    c.header('content-type', p.mime);
    c.header('cache-control', 'private, max-age=86400, immutable');
    return c.body(Buffer.from(p.bytes), 200) as never;
  });
  app.openapi(reserve, async (c) => {
    const a = actorOf(c);
    const b = c.req.valid('json');
    return c.json(
      await library.bookings.reserve(library.catalogue.item(c.req.valid('param').item).id, b.memberId ?? a.id, b.from, b.to, a, b.note ?? null),
      201,
    );
  });
  app.openapi(myReservations, (c) => c.json(library.bookings.reservationsOfMember(requireMember(c).id), 200));
  app.openapi(cancelReservation, async (c) => c.json(await library.bookings.cancelReservation(c.req.valid('param').id, actorOf(c)), 200));
  app.openapi(holds, (c) => {
    requireMember(c);
    return c.json(library.holds.holdsOf(c.req.valid('param').item), 200);
  });
  app.openapi(holdAction('join', 'Join the queue for a busy item'), async (c) =>
    c.json(await library.holds.joinHolds(c.req.valid('param').item, requireMember(c).id), 200),
  );
  app.openapi(holdAction('leave', 'Leave the queue'), async (c) => c.json(await library.holds.leaveHolds(c.req.valid('param').item, requireMember(c).id), 200));
  app.openapi(holdAction('defer', 'Let the next member go first'), async (c) =>
    c.json(await library.holds.deferHold(c.req.valid('param').item, requireMember(c).id), 200),
  );
  app.openapi(reorder, async (c) =>
    c.json(await library.holds.reorderHolds(c.req.valid('param').item, c.req.valid('json').order, requireRole(c, 'steward').id), 200),
  );
  app.openapi(checkOut, async (c) => {
    const a = actorOf(c);
    const b = c.req.valid('json');
    return c.json(
      await library.loans.checkOut(library.catalogue.item(c.req.valid('param').item).id, b.memberId ?? a.id, a, { condition: b.condition, days: b.days }),
      201,
    );
  });
  app.openapi(loans, (c) => {
    const a = actorOf(c);
    const q = c.req.valid('query');
    if (q.overdue === 'true')
      return c.json(
        library.loans.overdue().filter((l) => a.steward || l.memberId === a.id),
        200,
      );
    return c.json(
      library.loans.loansOf({ memberId: q.all === 'true' && a.steward ? undefined : a.id, open: q.open === undefined ? undefined : q.open === 'true' }),
      200,
    );
  });
  app.openapi(checkIn, async (c) => c.json(await library.loans.checkIn(c.req.valid('param').id, actorOf(c), c.req.valid('json')), 200));
  app.openapi(renew, async (c) => c.json(await library.loans.renew(c.req.valid('param').id, actorOf(c)), 200));
  app.openapi(induct, async (c) => {
    const s = requireRole(c, 'steward');
    await library.loans.recordInduction(c.req.valid('json').memberId, c.req.valid('param').item, s.id);
    return c.json({ ok: true as const }, 200);
  });
  app.openapi(listTickets, (c) => {
    requireMember(c);
    const q = c.req.valid('query');
    return c.json(library.maintenance.tickets({ open: q.open === undefined ? undefined : q.open === 'true' }), 200);
  });
  app.openapi(openTicket, async (c) =>
    c.json(await library.maintenance.openTicket(c.req.valid('param').item, c.req.valid('json').title, requireMember(c).id), 201),
  );
  app.openapi(moveTicket, async (c) => {
    const s = requireRole(c, 'steward');
    const b = c.req.valid('json');
    return c.json(await library.maintenance.advanceTicket(c.req.valid('param').id, b.state, s.id, b.note ?? null), 200);
  });
  app.openapi(audit, (c) => {
    requireRole(c, 'steward');
    return c.json(library.catalogue.auditOf(c.req.valid('param').item), 200);
  });
  app.openapi(utilisation, (c) => {
    requireMember(c);
    const q = c.req.valid('query');
    return c.json(library.reports.recentUtilisation(q.days, q.bucketDays), 200);
  });
  app.openapi(exportLib, (c) => {
    const a = actorOf(c);
    const { what, format } = c.req.valid('query');
    if (what === 'loans' && !a.steward) throw HubError.forbidden('loan exports are for stewards');
    c.header('content-disposition', `attachment; filename="hyphae-${what}.${format}"`);
    if (what === 'catalogue') {
      const rows = library.catalogue.search({ includeRetired: true });
      if (format === 'json') return c.json(rows, 200);
      c.header('content-type', 'text/csv; charset=utf-8');
      return c.body(
        toCsv(rows, ['code', 'kind', 'name', 'category', 'location', 'condition', 'status', 'deposit', 'fee', 'replacementValue', 'loanCount']),
        200,
      );
    }
    const rows = library.loans.loansOf();
    if (format === 'json') return c.json(rows, 200);
    c.header('content-type', 'text/csv; charset=utf-8');
    return c.body(
      toCsv(rows, [
        'id',
        'itemId',
        'memberId',
        'checkedOutAt',
        'dueAt',
        'returnedAt',
        'conditionOut',
        'conditionIn',
        'deposit',
        'fee',
        'damageCharged',
        'renewals',
      ]),
      200,
    );
  });
}
