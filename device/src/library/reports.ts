import { DAY_MS } from '../clock.js';
import { HubError } from '../errors.js';
import type { Item } from './types.js';
import type { Catalogue } from './catalogue.js';
import type { Loans } from './loans.js';
import type { Maintenance } from './maintenance.js';
import { LibraryPart, overlaps, type LibraryDeps, type LibraryRecords } from './part.js';

const round1 = (x: number) => Math.round(x * 10) / 10;
/** Time out on loan as a percentage of the time the item could have been lent, to 0.1 %. */
const percent = (outMs: number, availMs: number) => (availMs > 0 ? Math.round((outMs / availMs) * 1000) / 10 : 0);

interface Usage {
  /** Loans that started in the period. */
  loans: number;
  outMs: number;
  /** Time the item existed in the period, so a new item is not counted idle before it arrived. */
  availMs: number;
  waitMs: number;
  waits: number;
}

/** A loan, or a space's booking: from when to when (null while still out), and how long the member waited for it. */
interface Use {
  from: number;
  to: number | null;
  waitedMs: number;
}

/** One item's use over [from, to): `since` is when it could first be lent. */
function usageOver(uses: Use[], since: number, from: number, to: number, now: number): Usage {
  const u: Usage = { loans: 0, outMs: 0, availMs: Math.max(0, to - since), waitMs: 0, waits: 0 };
  for (const l of uses) {
    const back = l.to ?? now;
    if (!overlaps(l.from, back, from, to)) continue;
    u.outMs += Math.max(0, Math.min(back, to) - Math.max(l.from, from));
    if (l.from < from) continue;
    u.loans++;
    if (l.waitedMs > 0) {
      u.waitMs += l.waitedMs;
      u.waits++;
    }
  }
  return u;
}

function sumUsage(rows: Usage[]): Usage {
  const s: Usage = { loans: 0, outMs: 0, availMs: 0, waitMs: 0, waits: 0 };
  for (const r of rows) {
    s.loans += r.loans;
    s.outMs += r.outMs;
    s.availMs += r.availMs;
    s.waitMs += r.waitMs;
    s.waits += r.waits;
  }
  return s;
}

/** Per category: loans, days out, average wait and the share of the items' available time out on loan. */
function byCategory(rows: Array<Usage & { it: Item }>) {
  const groups = new Map<string, Array<Usage & { it: Item }>>();
  for (const r of rows) {
    const group = groups.get(r.it.category);
    if (group) group.push(r);
    else groups.set(r.it.category, [r]);
  }
  return [...groups].map(([category, rs]) => {
    const s = sumUsage(rs);
    return {
      category,
      items: rs.length,
      loans: s.loans,
      daysOut: round1(s.outMs / DAY_MS),
      avgWaitDays: s.waits ? round1(s.waitMs / s.waits / DAY_MS) : 0,
      utilisation: percent(s.outMs, s.availMs),
    };
  });
}

/**
 * What stewards read about the library as a whole: utilisation per item and
 * category over time, and the export of everything.
 */
export class Reports extends LibraryPart {
  constructor(
    deps: LibraryDeps,
    records: LibraryRecords,
    private readonly catalogue: Catalogue,
    private readonly lending: Loans,
    private readonly maintenance: Maintenance,
  ) {
    super(deps, records);
  }

  /**
   * Loans, days out, waiting time and utilisation per item and category over
   * [from, to), with the over-demanded (buy another) and the idle picked out.
   * With `bucketDays`, the same per category for each period of that many
   * days, oldest first, so stewards can see demand change over time.
   */
  utilisation(from: number, to: number, bucketDays?: number) {
    const now = this.clock.now();
    const items = this.catalogue.search({ includeRetired: false });
    const usesByItem = new Map<string, Use[]>();
    const add = (itemId: string, u: Use) => {
      const list = usesByItem.get(itemId);
      if (list) list.push(u);
      else usesByItem.set(itemId, [u]);
    };
    for (const { value: l } of this.db.loans.getRange({})) add(l.itemId, { from: l.checkedOutAt, to: l.returnedAt, waitedMs: l.waitedMs });
    // A space is used by booking it, not by taking it away: its bookings count as its loans.
    const spaces = new Set(items.filter((it) => it.kind === 'space').map((it) => it.id));
    for (const { value: r } of this.db.reservations.getRange({}))
      if (r.status === 'booked' && spaces.has(r.itemId) && r.from < now) add(r.itemId, { from: r.from, to: Math.min(r.to, now), waitedMs: 0 });
    const rows = (f: number, t: number) => items.map((it) => ({ it, ...usageOver(usesByItem.get(it.id) ?? [], Math.max(f, it.createdAt), f, t, now) }));
    const overall = rows(from, to);
    const whole = overall.map(({ it, loans, outMs, waitMs, waits, availMs }) => ({
      itemId: it.id,
      code: it.code,
      name: it.name,
      category: it.category,
      loans,
      daysOut: round1(outMs / DAY_MS),
      avgWaitDays: waits ? round1(waitMs / waits / DAY_MS) : 0,
      queue: (this.db.holds.get(it.id) ?? []).length,
      utilisation: percent(outMs, availMs),
    }));
    const overTime: Array<{ from: number; to: number; loans: number; daysOut: number; utilisation: number; categories: ReturnType<typeof byCategory> }> = [];
    if (bucketDays) {
      for (let f = from; f < to; f += bucketDays * DAY_MS) {
        const t = Math.min(to, f + bucketDays * DAY_MS);
        const r = rows(f, t).filter((x) => x.availMs > 0);
        const all = sumUsage(r);
        overTime.push({
          from: f,
          to: t,
          loans: all.loans,
          daysOut: round1(all.outMs / DAY_MS),
          utilisation: percent(all.outMs, all.availMs),
          categories: byCategory(r),
        });
      }
    }
    return {
      from,
      to,
      items: whole,
      categories: byCategory(overall).map(({ category, items: n, loans, daysOut, utilisation }) => ({ category, items: n, loans, daysOut, utilisation })),
      overDemanded: whole.filter((i) => i.utilisation >= 70 || i.queue >= 2 || i.avgWaitDays >= 3).map((i) => i.code),
      idle: whole.filter((i) => i.loans === 0 && i.daysOut === 0).map((i) => i.code),
      overTime,
    };
  }

  /** The last `days` up to now, in periods of `bucketDays` when given (at most 400 of them). */
  recentUtilisation(days: number, bucketDays?: number) {
    if (bucketDays && days / bucketDays > 400) throw HubError.badRequest(`${days} days in periods of ${bucketDays} would make more than 400 periods`);
    const to = this.clock.now();
    return this.utilisation(to - days * DAY_MS, to, bucketDays);
  }

  exportAll() {
    return {
      items: this.catalogue.search({ includeRetired: true }),
      reservations: this.db.reservations.all(),
      loans: this.lending.loansOf(),
      tickets: this.maintenance.tickets(),
      holds: [...this.db.holds.getRange({})].map(({ key, value }) => ({ itemId: key, queue: value })),
    };
  }
}
