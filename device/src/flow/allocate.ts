import { networkSimplex } from './network-simplex.js';
import type { FlowProblem } from './problem.js';

/**
 * Allocation of one resource from surpluses to needs, as a min-cost flow:
 *
 *   surplus ──(transport cost + trust resistance, capacity)──► need
 *   surplus ──(0)──► leftover          unmet ──(penalty × priority)──► need
 *
 * Every need can always be "met" from the unmet node, at a penalty far above
 * any real route, so the problem is always feasible and the solver serves
 * as much as it can, highest priority first, by the cheapest routes. An
 * optional cap on each supplier's share of a need keeps any need from
 * depending on a single source. Pure: no I/O.
 */
export interface Offer {
  id: string;
  party: string;
  quantity: number;
  place: Point | null;
  from: number;
  to: number;
  /** Extra cost per unit from this party's record (trust resistance). */
  resistance: number;
}

export interface Want extends Offer {
  /** 1 normally; higher in a declared crisis or for vulnerable members. */
  priority: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface AllocationOptions {
  /** Cost per unit per kilometre of distance. */
  costPerKm: number;
  /** Largest share of one need a single supplier may cover (0–1]; 1 means no cap. */
  maxShare: number;
  /** Cost of a route when a place is unknown. */
  unknownDistanceKm: number;
}

export interface Allocation {
  offerId: string;
  wantId: string;
  supplier: string;
  receiver: string;
  quantity: number;
  unitCost: number;
}

export interface AllocationResult {
  allocations: Allocation[];
  unmet: Array<{ wantId: string; quantity: number }>;
  leftover: Array<{ offerId: string; quantity: number }>;
  cost: number;
}

export const DEFAULT_ALLOCATION: AllocationOptions = { costPerKm: 10, maxShare: 1, unknownDistanceKm: 5 };

export function distanceKm(a: Point | null, b: Point | null, unknown: number): number {
  if (!a || !b) return unknown;
  return Math.hypot(a.x - b.x, a.y - b.y) / 1000;
}

export function routeCost(offer: Offer, want: Want, o: AllocationOptions): number {
  return Math.round(distanceKm(offer.place, want.place, o.unknownDistanceKm) * o.costPerKm) + offer.resistance;
}

export function allocate(offers: Offer[], wants: Want[], options: Partial<AllocationOptions> = {}): AllocationResult {
  const o = { ...DEFAULT_ALLOCATION, ...options };
  const S = offers.length;
  const N = wants.length;
  const leftoverNode = S + N;
  const unmetNode = S + N + 1;
  const supply = new Array<number>(S + N + 2).fill(0);
  const from: number[] = [];
  const to: number[] = [];
  const upper: number[] = [];
  const cost: number[] = [];
  const pairs: Array<[number, number, number]> = [];
  let maxRoute = 0;
  const totalOffer = offers.reduce((a, x) => a + x.quantity, 0);
  const totalWant = wants.reduce((a, x) => a + x.quantity, 0);
  offers.forEach((x, i) => (supply[i] = x.quantity));
  wants.forEach((w, j) => (supply[S + j] = -w.quantity));
  supply[unmetNode] = totalWant;
  supply[leftoverNode] = -totalOffer;
  offers.forEach((x, i) => {
    wants.forEach((w, j) => {
      if (x.party === w.party) return;
      if (x.to < w.from || w.to < x.from) return; // their time windows do not meet
      const c = routeCost(x, w, o);
      const cap = o.maxShare >= 1 ? x.quantity : Math.max(1, Math.floor(w.quantity * o.maxShare));
      pairs.push([i, j, from.length]);
      from.push(i);
      to.push(S + j);
      upper.push(Math.min(cap, x.quantity, w.quantity));
      cost.push(c);
      if (c > maxRoute) maxRoute = c;
    });
    from.push(i);
    to.push(leftoverNode);
    upper.push(Infinity);
    cost.push(0);
  });
  // The penalty for leaving a unit unmet dwarfs any route, scaled by priority.
  const penalty = (maxRoute + 1) * 10;
  const unmetArcs: number[] = [];
  wants.forEach((w, j) => {
    unmetArcs.push(from.length);
    from.push(unmetNode);
    to.push(S + j);
    upper.push(Infinity);
    cost.push(penalty * Math.max(1, Math.round(w.priority)));
  });
  from.push(unmetNode);
  to.push(leftoverNode);
  upper.push(Infinity);
  cost.push(0);

  const problem: FlowProblem = { nodeCount: S + N + 2, supply, from, to, upper, cost };
  const sol = networkSimplex(problem);
  if (sol.status !== 'optimal') throw new Error(`allocation failed: ${sol.status}`);
  const allocations: Allocation[] = [];
  let total = 0;
  for (const [i, j, e] of pairs) {
    const q = sol.flow[e]!;
    if (q > 0) {
      allocations.push({
        offerId: offers[i]!.id,
        wantId: wants[j]!.id,
        supplier: offers[i]!.party,
        receiver: wants[j]!.party,
        quantity: q,
        unitCost: cost[e]!,
      });
      total += q * cost[e]!;
    }
  }
  const unmet = wants.map((w, j) => ({ wantId: w.id, quantity: sol.flow[unmetArcs[j]!]! })).filter((u) => u.quantity > 0);
  const used = new Map<string, number>();
  for (const a of allocations) used.set(a.offerId, (used.get(a.offerId) ?? 0) + a.quantity);
  const leftover = offers.map((x) => ({ offerId: x.id, quantity: x.quantity - (used.get(x.id) ?? 0) })).filter((l) => l.quantity > 0);
  return { allocations, unmet, leftover, cost: total };
}

/**
 * Barter cycles across resource types: parties that give to one another in
 * a ring (A gives B food, B gives C tools, C gives A power). Found as simple
 * cycles, up to `maxLength` parties, in the giver → receiver graph.
 */
export function tradeCycles(allocations: Array<Allocation & { resource: string }>, maxLength = 6): Array<Array<Allocation & { resource: string }>> {
  const out = new Map<string, Array<Allocation & { resource: string }>>();
  for (const a of allocations) {
    if (!out.has(a.supplier)) out.set(a.supplier, []);
    out.get(a.supplier)!.push(a);
  }
  const cycles: Array<Array<Allocation & { resource: string }>> = [];
  const seen = new Set<string>();
  const parties = [...out.keys()].sort();
  for (const start of parties) {
    const path: Array<Allocation & { resource: string }> = [];
    const onPath = new Set<string>([start]);
    const dfs = (u: string) => {
      for (const a of out.get(u) ?? []) {
        if (a.receiver === start && path.length + 1 >= 3) {
          const cyc = [...path, a];
          // Each ring once, from its smallest party; only rings that mix resources count as barter.
          const key = cyc
            .map((x) => `${x.supplier}>${x.receiver}:${x.resource}`)
            .sort()
            .join('|');
          if (!seen.has(key) && new Set(cyc.map((x) => x.resource)).size > 1) {
            seen.add(key);
            cycles.push(cyc);
          }
          continue;
        }
        if (onPath.has(a.receiver) || a.receiver < start || path.length + 1 >= maxLength) continue;
        onPath.add(a.receiver);
        path.push(a);
        dfs(a.receiver);
        path.pop();
        onPath.delete(a.receiver);
      }
    };
    dfs(start);
  }
  return cycles;
}
