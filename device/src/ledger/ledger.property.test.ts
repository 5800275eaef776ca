import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS } from '../clock.js';
import { HubError } from '../errors.js';
import { makeCore } from '../test-support.js';
import { FUND, type Unit } from './types.js';
import { verifyLedger } from './verify.js';

type Op =
  | { kind: 'pay'; from: number; to: number; amount: number; unit: Unit }
  | { kind: 'request'; from: number; to: number; amount: number; answer: 'accept' | 'reject' | 'leave' }
  | { kind: 'limit'; who: number; floor: number | null }
  | { kind: 'days'; days: number; nightly: boolean }
  | { kind: 'suspend'; who: number };

const N = 4;
const who = fc.integer({ min: 0, max: N }); // N is the community fund
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      from: who,
      to: who,
      amount: fc.integer({ min: -10, max: 70_000 }),
      unit: fc.constantFrom<Unit>('credit', 'hour'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('request' as const),
      from: who,
      to: who,
      amount: fc.integer({ min: 1, max: 30_000 }),
      answer: fc.constantFrom('accept' as const, 'reject' as const, 'leave' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('limit' as const),
      who: fc.integer({ min: 0, max: N - 1 }),
      floor: fc.option(fc.integer({ min: -80_000, max: 0 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('days' as const), days: fc.integer({ min: 1, max: 40 }), nightly: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('suspend' as const), who: fc.integer({ min: 0, max: N - 1 }) }) },
);

describe('ledger under random operations', () => {
  it('stays zero-sum and equal to its journal replay after every step, and failed steps change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const core = makeCore({ ledger: { demurrageRatePercent: 9 } });
        try {
          const ids: string[] = [];
          for (let i = 0; i < N; i++) ids.push((await core.members.create({ name: `M${i}`, email: `m${i}@example.org` }, null)).id);
          ids.push(FUND);
          const suspended = new Set<string>();
          // Runs one ledger call; a refused call must leave no trace in the journal.
          const attempt = async (fn: () => Promise<unknown>) => {
            const headBefore = core.ledger.journal.head()!.seq;
            try {
              return await fn();
            } catch (e) {
              if (!(e instanceof HubError)) throw e;
              expect(core.ledger.journal.head()!.seq).toBe(headBefore);
              return undefined;
            }
          };
          for (const o of ops) {
            {
              switch (o.kind) {
                case 'pay':
                  await attempt(() => core.ledger.pay({ payer: ids[o.from]!, payee: ids[o.to]!, amount: o.amount, unit: o.unit, actor: null }));
                  break;
                case 'request': {
                  const r = (await attempt(() => core.ledger.request({ payer: ids[o.from]!, payee: ids[o.to]!, amount: o.amount, actor: null }))) as
                    | { id: string }
                    | undefined;
                  if (r && o.answer === 'accept') await attempt(() => core.ledger.acceptRequest(r.id, ids[o.from]!));
                  if (r && o.answer === 'reject') await attempt(() => core.ledger.rejectRequest(r.id, ids[o.from]!));
                  break;
                }
                case 'limit':
                  await attempt(() => core.ledger.setLimits(ids[o.who]!, 'credit', { floor: o.floor }, null));
                  break;
                case 'days':
                  core.clock.advance(o.days * DAY_MS);
                  if (o.nightly) await core.ledger.materialiseDemurrage();
                  break;
                case 'suspend':
                  if (suspended.has(ids[o.who]!)) {
                    await core.members.reinstate(ids[o.who]!, 'steward');
                    suspended.delete(ids[o.who]!);
                  } else {
                    await core.members.suspend(ids[o.who]!, 'steward', null);
                    suspended.add(ids[o.who]!);
                  }
                  break;
              }
            }
            const report = verifyLedger(core.ledger);
            expect(report.problems).toEqual([]);
            expect(report.totals).toEqual({ credit: 0, hour: 0 });
          }
          // No member account ever goes below the lowest floor it could have had.
          for (const a of core.ledger.storedAccounts()) {
            if (a.id === FUND) continue;
            expect(a.balance).toBeGreaterThanOrEqual(a.unit === 'credit' ? -80_000 : -2_000);
          }
        } finally {
          await core.cleanup();
        }
      }),
      { numRuns: 40 },
    );
  });
});
