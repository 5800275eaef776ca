import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { HubError } from '../errors.js';
import { verifyLedger } from '../ledger/verify.js';
import { makeCore } from '../test-support.js';
import { DEPOSIT_ESCROW } from './library.js';

const op = fc.oneof(
  fc.record({ k: fc.constant('reserve' as const), item: fc.nat(2), who: fc.nat(2), start: fc.nat(10), len: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ k: fc.constant('hold' as const), item: fc.nat(2), who: fc.nat(2) }),
  fc.record({ k: fc.constant('out' as const), item: fc.nat(2), who: fc.nat(2) }),
  fc.record({ k: fc.constant('in' as const), item: fc.nat(2), damage: fc.nat(3000), broken: fc.boolean() }),
  fc.record({ k: fc.constant('ticket' as const), item: fc.nat(2) }),
  fc.record({ k: fc.constant('resolve' as const), item: fc.nat(2), retire: fc.boolean() }),
  fc.record({ k: fc.constant('days' as const), n: fc.integer({ min: 1, max: 9 }) }),
);

describe('tool library under random operations', () => {
  it('never lends an item twice, never holds a retired item, and never loses a deposit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), async (ops) => {
        const core = makeCore();
        try {
          const steward = { id: (await core.members.create({ name: 'S', email: 's@example.org', role: 'steward' }, null)).id, steward: true };
          const who: string[] = [];
          for (let i = 0; i < 3; i++) who.push((await core.members.create({ name: `M${i}`, email: `m${i}@example.org` }, null)).id);
          const items: string[] = [];
          for (let i = 0; i < 3; i++)
            items.push(
              (
                await core.library.catalogue.addItem(
                  { name: `Tool ${i}`, category: 'c', deposit: 1000 * (i + 1), fee: 100 * i, plan: i === 2 ? { everyLoans: 2, task: 'oil' } : null },
                  steward.id,
                )
              ).id,
            );
          for (const o of ops) {
            try {
              switch (o.k) {
                case 'reserve': {
                  const from = (Math.floor(core.clock.now() / DAY_MS) + 1 + o.start) * DAY_MS;
                  await core.library.bookings.reserve(items[o.item]!, who[o.who]!, from, from + o.len * DAY_MS, steward);
                  break;
                }
                case 'hold':
                  await core.library.holds.joinHolds(items[o.item]!, who[o.who]!);
                  break;
                case 'out':
                  await core.library.loans.checkOut(items[o.item]!, who[o.who]!, steward);
                  break;
                case 'in': {
                  const l = core.library.loans.openLoanOf(items[o.item]!);
                  if (l) await core.library.loans.checkIn(l.id, steward, { condition: o.broken ? 'broken' : 'good', damage: Math.min(o.damage, l.deposit) });
                  break;
                }
                case 'ticket':
                  await core.library.maintenance.openTicket(items[o.item]!, 'check', steward.id);
                  break;
                case 'resolve': {
                  const t = core.library.maintenance.tickets({ itemId: items[o.item]!, open: true })[0];
                  if (t) await core.library.maintenance.advanceTicket(t.id, o.retire ? 'retired' : 'resolved', steward.id);
                  break;
                }
                case 'days':
                  core.clock.advance(o.n * DAY_MS);
                  await core.library.loans.sendReminders();
                  break;
              }
            } catch (e) {
              if (!(e instanceof HubError)) throw e;
            }
            const open = core.library.loans.loansOf({ open: true });
            for (const id of items) {
              expect(open.filter((l) => l.itemId === id).length).toBeLessThanOrEqual(1);
              const it = core.library.catalogue.item(id);
              if (it.status === 'retired') expect(core.library.holds.holdsOf(id)).toEqual([]);
              if (it.status === 'on-loan') expect(open.some((l) => l.itemId === id)).toBe(true);
            }
            // Every deposit taken is either still held for an open loan, or was returned or charged.
            expect(core.ledger.account(DEPOSIT_ESCROW).balance).toBe(open.reduce((a, l) => a + l.deposit, 0));
            expect(verifyLedger(core.ledger).ok).toBe(true);
          }
        } finally {
          await core.cleanup();
        }
      }),
      { numRuns: 30 },
    );
  });
});
