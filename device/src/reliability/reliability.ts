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
}

export type ReliabilityEvent = keyof ReliabilityCounts;

const empty = (): ReliabilityCounts => ({ requestsHonoured: 0, requestsRejected: 0, loansOnTime: 0, loansLate: 0 });

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

  all(): Array<{ memberId: string } & ReliabilityCounts> {
    return [...this.db.getRange({})].map(({ key, value }) => ({ memberId: key, ...empty(), ...value }));
  }
}
