/** The ledger bench's work, the same for the ledger module and its bare lmdb-js reference (each in a process of its own). */
export const MEMBERS = 200;
export const GROUPED = 60_000;
export const WINDOW = 2_000;
export const SINGLE = 2_000;

export function pairs(n: number, members: number): Array<[number, number, number]> {
  let s = 12345;
  const rand = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: n }, () => {
    const a = Math.floor(rand() * members);
    let b = Math.floor(rand() * members);
    if (b === a) b = (b + 1) % members;
    return [a, b, 1 + Math.floor(rand() * 20)];
  });
}

/** What each side of the ledger bench returns: durable transfers per second, grouped and one by one. */
export interface Rates {
  grouped: number;
  single: number;
}
