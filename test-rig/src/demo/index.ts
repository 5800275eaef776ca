import { DAY_MS, ManualClock, openCore, silentLogger, type Core, type HubConfig } from '@hyphae/device';
import type { Logger } from 'pino';
import { Rng } from '../random.js';
import { HOUR_MEMOS, PAYMENT_KINDS, RESIDENTS } from './people.js';

/**
 * The demo neighbourhood that `npm start` runs: about 30 members with two
 * months of history. Seeding happens once per data folder, on a simulated
 * clock that starts 60 days ago, so history, demurrage and expired requests
 * look like a real hub's.
 */
export const DEMO_PASSWORD = 'hyphae-demo';
export const DEMO_HUB_NAME = 'Riverside Commons (demo)';
const DAYS = 60;

export interface DemoLogin {
  role: string;
  email: string;
  password: string;
}

export interface SeedResult {
  seeded: boolean;
  hubName: string;
  logins: DemoLogin[];
  members: number;
  transfers: number;
}

export const DEMO_LOGINS: DemoLogin[] = [
  { role: 'admin', email: 'admin@demo.hyphae', password: DEMO_PASSWORD },
  { role: 'steward', email: 'steward@demo.hyphae', password: DEMO_PASSWORD },
  { role: 'resident', email: 'ana.lindqvist@demo.hyphae', password: DEMO_PASSWORD },
];

export function emailOf(name: string): string {
  return (
    name
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z]+/g, '.') + '@demo.hyphae'
  );
}

export async function seedDemo(opts: { dataDir: string; config: HubConfig; log?: Logger; now?: number }): Promise<SeedResult> {
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? Date.now();
  const clock = new ManualClock(now - DAYS * DAY_MS);
  const core = openCore(opts.dataDir, opts.config, silentLogger, clock);
  try {
    if (core.members.count() > 0) {
      return { seeded: false, hubName: DEMO_HUB_NAME, logins: DEMO_LOGINS, members: core.members.count(), transfers: 0 };
    }
    log.info({ module: 'demo' }, 'seeding the demo neighbourhood (about 2 seconds)');
    const result = await seed(core, clock, now);
    log.info({ module: 'demo', ...result }, 'demo neighbourhood seeded');
    return { seeded: true, hubName: DEMO_HUB_NAME, logins: DEMO_LOGINS, ...result };
  } finally {
    await core.close();
  }
}

async function seed(core: Core, clock: ManualClock, now: number): Promise<{ members: number; transfers: number }> {
  const rng = new Rng(20261122);
  const { members, ledger } = core;
  const admin = await members.create({ name: 'Hub Admin', email: 'admin@demo.hyphae', password: DEMO_PASSWORD, role: 'admin' }, null);
  const steward = await members.create({ name: 'Sam Steward', email: 'steward@demo.hyphae', password: DEMO_PASSWORD, role: 'steward' }, admin.id);
  const residents: string[] = [];
  for (const name of RESIDENTS) {
    const m = await members.create({ name, email: emailOf(name), password: DEMO_PASSWORD }, steward.id);
    residents.push(m.id);
  }
  const everyone = [steward.id, ...residents];
  let transfers = 0;

  for (let day = 0; day < DAYS; day++) {
    const perDay = rng.int(4, 10);
    for (let i = 0; i < perDay; i++) {
      clock.advance(rng.int(10, 120) * 60_000);
      const payer = rng.pick(everyone);
      let payee = rng.pick(everyone);
      while (payee === payer) payee = rng.pick(everyone);
      const kind = rng.pick(PAYMENT_KINDS);
      try {
        if (rng.chance(0.2)) {
          await ledger.pay({ payer, payee, amount: rng.int(1, 6) * 50, unit: 'hour', memo: rng.pick(HOUR_MEMOS), category: 'time bank', actor: payer });
        } else {
          await ledger.pay({ payer, payee, amount: rng.int(kind.min / 50, kind.max / 50) * 50, memo: rng.pick(kind.memos), category: kind.category, actor: payer });
        }
        transfers++;
      } catch {
        // A payment over someone's limit is refused, as on a real hub.
      }
    }
    if (rng.chance(0.3)) {
      const payer = rng.pick(residents);
      const payee = rng.pick(residents.filter((r) => r !== payer));
      const req = await ledger.request({ payer, payee, amount: rng.int(10, 60) * 50, memo: rng.pick(PAYMENT_KINDS).memos[0], actor: payee });
      if (rng.chance(0.7)) {
        await ledger.acceptRequest(req.id, payer).then(() => transfers++, () => undefined);
      }
    }
    // The nightly job, as the hub would have run it.
    clock.set(Math.floor(clock.now() / DAY_MS + 1) * DAY_MS + 10 * 60_000);
    await ledger.materialiseDemurrage();
    await ledger.expireRequests();
  }

  // Leave something waiting for people today.
  clock.set(now - 3_600_000);
  const ana = residents[0]!;
  await ledger.request({ payer: ana, payee: residents[1]!, amount: 1800, memo: 'bike repair', category: 'repairs', actor: residents[1]! });
  await ledger.request({ payer: ana, payee: residents[4]!, amount: 150, unit: 'hour', memo: 'garden workday', actor: residents[4]! });
  await members.requestMembership({ name: 'Nils Newcomer', email: 'nils.newcomer@demo.hyphae', password: DEMO_PASSWORD });
  await members.requestMembership({ name: 'Olivia Nueva', email: 'olivia.nueva@demo.hyphae', password: DEMO_PASSWORD });
  await members.createInvite(steward.id, 'for the family at number 12');
  return { members: members.count(), transfers };
}
