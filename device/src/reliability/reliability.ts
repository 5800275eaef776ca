import type { Store } from '../store/store.js';

/**
 * Reliability counts per member: requests honoured, loans returned on time or
 * late. The ledger and the tool library feed them inside their own
 * transactions; the flow engine reads them as trust.
 */
export interface ReliabilityCounts {
  requestsHonoured: number;
  requestsRejected: number;
  loansOnTime: number;
  loansLate: number;
  pledgesFulfilled: number;
  pledgesBroken: number;
}

export type ReliabilityEvent = keyof ReliabilityCounts;

const empty = (): ReliabilityCounts => ({ requestsHonoured: 0, requestsRejected: 0, loansOnTime: 0, loansLate: 0, pledgesFulfilled: 0, pledgesBroken: 0 });

export class Reliability {
  private readonly db;
  constructor(store: Store) {
    this.db = store.db<ReliabilityCounts, string>('reliability');
  }

  get(memberId: string): ReliabilityCounts {
    return { ...empty(), ...this.db.get(memberId) };
  }

  /** Call inside the caller's write transaction. */
  recordInTxn(memberId: string, event: ReliabilityEvent): void {
    const cur = this.get(memberId);
    cur[event] += 1;
    this.db.put(memberId, cur);
  }

  /**
   * Trust resistance for the flow engine: extra cost per unit for parties
   * whose record has more broken than kept promises; 0 for a clean record.
   */
  resistance(memberId: string, scale = 20): number {
    const c = this.get(memberId);
    const kept = c.requestsHonoured + c.loansOnTime + c.pledgesFulfilled;
    const broken = c.requestsRejected + c.loansLate + c.pledgesBroken;
    return Math.round((scale * broken) / (kept + broken + 1));
  }

  all(): Array<{ memberId: string } & ReliabilityCounts> {
    return [...this.db.getRange({})].map(({ key, value }) => ({ memberId: key, ...empty(), ...value }));
  }
}
