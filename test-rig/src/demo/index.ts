import { DAY_MS, FUND, ManualClock, openCore, silentLogger, type Core, type HubConfig } from '@hyphae/device';
import type { Logger } from 'pino';
import type { Rng as RngT } from '../random.js';
import type { Item } from '@hyphae/device';
import { Rng } from '../random.js';
import { DEMO_ITEMS, DEMO_LEARNING, DEMO_NEEDED_SKILLS, DEMO_SKILLS } from './catalogue.js';
import { HOUR_MEMOS, PAYMENT_KINDS, RESIDENTS } from './people.js';
import { runGpio } from './gpio.js';
import { runInverter, runSensors, seedInverter, seedSensors } from './sensors.js';
import type { Hub } from '@hyphae/device';

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

/** Started by `hyphae start --demo` once the hub runs: the simulated hardware. */
export async function runDemo(hub: Hub, opts: { log: Logger }): Promise<() => Promise<void>> {
  // The inverter first, so the hub's first poll finds it.
  const stopInverter = await runInverter(opts.log);
  const stopSensors = await runSensors(hub, opts.log);
  const stopGpio = await runGpio(hub, opts.log);
  return async () => {
    await stopGpio();
    await stopSensors();
    await stopInverter();
  };
}

/**
 * The demo neighbourhood's own choices: its name, and policy statements
 * (free-text proposals) decided by consensus, so the demo shows a proposal
 * in its block period. The hub runs with the same config the demo was seeded with.
 */
export function demoConfig(config: HubConfig): HubConfig {
  return {
    ...config,
    hub: { ...config.hub, name: DEMO_HUB_NAME },
    governance: { ...config.governance, modes: { ...config.governance.modes, text: 'consensus' } },
  };
}

export async function seedDemo(opts: { dataDir: string; config: HubConfig; log?: Logger; now?: number }): Promise<SeedResult> {
  const log = opts.log ?? silentLogger;
  const now = opts.now ?? Date.now();
  const clock = new ManualClock(now - DAYS * DAY_MS);
  const core = openCore(opts.dataDir, demoConfig(opts.config), silentLogger, clock);
  try {
    if (core.members.count() > 0) {
      return { seeded: false, logins: DEMO_LOGINS, members: core.members.count(), transfers: 0 };
    }
    log.info({ module: 'demo' }, 'seeding the demo neighbourhood (about 2 seconds)');
    const result = await seed(core, clock, now);
    // A neighbourhood that has run a while has read its older news; the last two days' stay unread, as they would.
    for (const m of core.members.list()) {
      const old = core.notifications
        .list(m.id, true, 100_000)
        .filter((n) => n.at < now - 2 * DAY_MS)
        .map((n) => n.id);
      if (old.length) await core.notifications.markRead(m.id, old);
    }
    log.info({ module: 'demo', ...result }, 'demo neighbourhood seeded');
    return { seeded: true, logins: DEMO_LOGINS, ...result };
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
  const items = await setUpLibrary(core, steward.id, residents, rng);

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
          await ledger.pay({
            payer,
            payee,
            amount: rng.int(kind.min / 50, kind.max / 50) * 50,
            memo: rng.pick(kind.memos),
            category: kind.category,
            actor: payer,
          });
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
        await ledger.acceptRequest(req.id, payer).then(
          () => transfers++,
          () => undefined,
        );
      }
    }
    await libraryDay(core, items, steward.id, residents, rng);
    // The nightly job, as the hub would have run it; the last night's run is not in the future, where the hub's clock would not follow.
    clock.set(Math.min(Math.floor(clock.now() / DAY_MS + 1) * DAY_MS + 10 * 60_000, now - 2 * 3_600_000));
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
  await libraryToday(core, items, steward.id, residents, now);
  await seedSensors(core, now);
  await seedInverter(core, now);
  await seedGovernanceAndEcology(core, clock, steward.id, residents, now);
  return { members: members.count(), transfers };
}

/** The tool library and skills at the start of the simulated two months. */
async function setUpLibrary(core: Core, stewardId: string, residents: string[], rng: RngT): Promise<Item[]> {
  const { library, skills } = core;
  const items: Item[] = [];
  for (const def of DEMO_ITEMS) items.push(await library.catalogue.addItem(def, stewardId));
  for (const [i, skill, level, primary, teach] of DEMO_SKILLS) await skills.setSkill(residents[i]!, { skill, level, primary, teach });
  for (const s of DEMO_NEEDED_SKILLS) await skills.markNeeded(s, stewardId, null);
  for (const [i, s] of DEMO_LEARNING) await skills.setLearning(residents[i]!, s, true);
  const slots = ['mon-evening', 'wed-evening', 'sat-morning', 'sun-afternoon'];
  for (const r of residents) await skills.setAvailability(r, [rng.pick(slots), rng.pick(slots)]);
  return items;
}

/** One day at the tool desk: a few loans go out, due ones mostly come back. */
async function libraryDay(core: Core, items: Item[], stewardId: string, residents: string[], rng: RngT): Promise<void> {
  const { library } = core;
  const desk = { id: stewardId, steward: true };
  const now = core.clock.now();
  // In the order of the items' codes, not of the loans' random ids: the same seed gives the same history.
  const code = new Map(items.map((i) => [i.id, i.code]));
  const open = library.loans.loansOf({ open: true }).sort((a, b) => (code.get(a.itemId) ?? '').localeCompare(code.get(b.itemId) ?? ''));
  for (const loan of open) {
    if (loan.dueAt <= now + 3_600_000 || rng.chance(0.15)) await library.loans.checkIn(loan.id, desk, { condition: rng.chance(0.04) ? 'fair' : 'good' });
  }
  const lendable = items.filter((i) => i.kind !== 'space' && !i.needsInduction && !i.needsApproval);
  for (let k = rng.int(0, 3); k > 0; k--) {
    const it = rng.pick(lendable);
    await library.loans.checkOut(it.id, rng.pick(residents), desk, { days: rng.int(2, 7) }).catch(() => undefined);
  }
  await library.loans.sendReminders();
}

/** What is happening today: a queue on a popular tool, a ticket, a booking, board posts. */
async function libraryToday(core: Core, items: Item[], stewardId: string, residents: string[], now: number): Promise<void> {
  const { library, skills, board } = core;
  const desk = { id: stewardId, steward: true };
  const drill = items[0]!;
  // Out today whatever the random history did: to the first resident whose account has room for its deposit and fee.
  for (const r of [residents[2]!, ...residents]) {
    if (library.loans.openLoanOf(drill.id)) break;
    await library.loans.checkOut(drill.id, r, desk, { days: 1 }).catch(() => undefined);
  }
  // Two people waiting, neither of them the one who has it (the random history may have lent it to anyone).
  const borrower = library.loans.openLoanOf(drill.id)?.memberId;
  for (const r of residents.filter((m) => m !== borrower).slice(0, 2)) await library.holds.joinHolds(drill.id, r);
  const mower = items.find((i) => i.name.startsWith('Lawn mower'))!;
  await library.maintenance.openTicket(mower.id, 'starter cord snapped', residents[5]!).catch(() => undefined);
  const hall = items.find((i) => i.kind === 'space')!;
  const tomorrow = Math.floor(now / DAY_MS + 1) * DAY_MS;
  await library.bookings.reserve(hall.id, residents[0]!, tomorrow + 18 * 3_600_000, tomorrow + 21 * 3_600_000, desk, 'Repair café').catch(() => undefined);
  await skills.matchMentors();
  await skills.postOffer(residents[0]!, { kind: 'offer', title: 'Bike check-ups on Saturdays', category: 'repairs', tags: ['bikes'], hours: 100 });
  await skills.postOffer(residents[6]!, { kind: 'request', title: 'Help fixing a leaking tap', category: 'repairs', tags: ['plumbing'], hours: 150 });
  await skills.postOffer(residents[13]!, { kind: 'offer', title: 'Sourdough starter and a lesson', category: 'food', tags: ['baking'], hours: 200 });
  await board.post(residents[7]!, {
    kind: 'surplus',
    resource: 'food',
    title: 'Courgettes and beans',
    quantity: 25,
    place: { name: 'Allotments', x: 300, y: 800 },
  });
  await board.post(residents[12]!, {
    kind: 'need',
    resource: 'food',
    title: 'Vegetables for the school lunch club',
    quantity: 15,
    place: { name: 'School', x: 1200, y: 400 },
  });
  await board.post(residents[4]!, {
    kind: 'surplus',
    resource: 'power',
    title: 'Solar surplus at midday',
    quantity: 12,
    place: { name: 'Hill Street', x: 1500, y: 1500 },
  });
  await board.post(residents[9]!, {
    kind: 'need',
    resource: 'labour',
    title: 'Two hands to move a fridge',
    quantity: 2,
    place: { name: 'River Street', x: 200, y: 100 },
  });
}

/** A decision log, open proposals (one in its block period), regeneration work waiting for a steward, and a week of multipliers. */
async function seedGovernanceAndEcology(core: Core, clock: ManualClock, stewardId: string, residents: string[], now: number): Promise<void> {
  const { governance, ecology } = core;
  clock.set(now - 20 * DAY_MS);
  const tool = await governance.propose(residents[1]!, {
    kind: 'buy-tool',
    title: 'Buy a second cordless drill',
    rationale: 'The drill is booked every weekend and has a queue.',
    payload: { to: stewardId, amount: 15_000 },
  });
  const hedge = await governance.propose(residents[4]!, {
    kind: 'text',
    title: 'Plant a native hedge along the allotments',
    rationale: 'Shelter for birds and pollinators.',
  });
  for (const r of residents.slice(0, 14)) {
    await governance.vote(tool.id, r, r === residents[6] ? 'no' : 'yes');
    await governance.vote(hedge.id, r, 'yes');
  }
  clock.set(now - 8 * DAY_MS);
  await governance.closeDue();
  await governance.addOutcomeNote(tool.id, stewardId, 'Bought; it is T-0043 in the library.');
  // A policy by consensus, past its discussion and now in its block period.
  clock.set(now - 6 * DAY_MS);
  const quiet = await governance.propose(residents[7]!, {
    kind: 'text',
    title: 'Quiet hours at the tool shed after 8 pm',
    rationale: 'The shed backs onto three bedrooms; power tools late in the evening wake the children.',
  });
  clock.set(now - 6 * DAY_MS + 3 * 3_600_000);
  await governance.comment(quiet.id, residents[2]!, 'Could late returns still go in the drop box, so nobody is stuck with a borrowed tool?');
  clock.set(now - 5 * DAY_MS - 2 * 3_600_000);
  await governance.comment(quiet.id, residents[7]!, 'Yes: the drop box stays open. Only using power tools at the shed stops at 8.');
  for (const r of residents.slice(2, 9)) await governance.vote(quiet.id, r, 'yes');
  clock.set(now - 5 * DAY_MS);
  await governance.delegate(residents[20]!, 'parameter', residents[16]!);
  const demurrage = await governance.propose(residents[16]!, {
    kind: 'parameter',
    title: 'Raise demurrage to 3% a year',
    rationale: 'Credit is pooling in a few accounts; the fund needs more for regeneration work.',
    payload: { name: 'demurrageRatePercent', value: 3 },
  });
  for (const r of residents.slice(10, 18)) await governance.vote(demurrage.id, r, r === residents[12] ? 'no' : 'yes');

  // The spring market's takings went to the fund; the neighbourhood is now deciding what to do with them.
  // Each gives up to 10,000, within what their limit allows: the random history may have left one deep in credit.
  for (const r of residents.slice(21, 25)) {
    const amount = Math.min(10_000, core.ledger.account(r).available);
    if (amount > 0) await core.ledger.pay({ payer: r, payee: FUND, amount, memo: 'spring market stall, to the fund', actor: r });
  }
  // Within what the fund holds after the drill and the demurrage so far.
  const budget = Math.min(20_000, Math.floor(core.ledger.account(FUND).balance / 1_000) * 1_000);
  const round = await governance.budgets.open(stewardId, { title: 'Spending the spring market takings', budget, quadratic: true, days: 10 });
  const beds = await governance.budgets.addProject(residents[3]!, round.id, {
    title: 'Raised beds for the school garden',
    description: 'Timber and soil for four beds the school class will tend.',
    amount: 9_000,
  });
  const stand = await governance.budgets.addProject(residents[8]!, round.id, {
    title: 'Bike repair stand by the shop',
    description: 'A stand with tools on a cable, free to use.',
    amount: 7_000,
  });
  const barrels = await governance.budgets.addProject(residents[11]!, round.id, {
    title: 'Rain barrels for ten homes',
    description: 'Catch roof water for the gardens in dry weeks.',
    amount: 6_000,
  });
  for (const [i, r] of residents.slice(0, 12).entries()) {
    await governance.budgets.allocate(
      r,
      round.id,
      i % 3 === 0 ? { [beds.id]: 60, [barrels.id]: 40 } : i % 3 === 1 ? { [stand.id]: 100 } : { [barrels.id]: 50, [beds.id]: 25, [stand.id]: 25 },
    );
  }

  const trees = await ecology.report(residents[7]!, { kind: 'trees', quantity: 6, note: 'six apple trees in the orchard' });
  await ecology.verify(trees.id, stewardId, true);
  await ecology.report(residents[10]!, { kind: 'compost', quantity: 4, note: 'four bins of compost at the allotments' });
  for (let d = 7; d >= 0; d--) await ecology.recompute(now - d * DAY_MS - 3_600_000);
  clock.set(now - 3_600_000);
}
