import type { Schemas } from './api.js';
import type { Dict, Key } from './i18n.js';

/** Every code the hub can refuse with, from its OpenAPI document (device/src/refusal-codes.ts). */
export type RefusalCode = Schemas['RefusalCode'];

type Snake<S extends string> = S extends `${infer A}-${infer B}` ? `${A}_${Snake<B>}` : S;
/** The dictionary key of a code's words: "voting-has-closed" → "err_voting_has_closed". */
export type RefusalKey = `err_${Snake<RefusalCode>}`;

export const refusalKey = (code: string): string => `err_${code.replace(/-/g, '_')}`;

/**
 * Compile-time checks, both ways. Every code has words: a dictionary
 * (Record<Key, string>, the same keys in every language) must be a record of
 * every refusal key. And no words are left for a code the hub no longer
 * gives: the error keys other than refusal keys must be exactly the ones
 * listed here.
 */
export const everyRefusalHasWords = (d: Dict): Record<RefusalKey, string> => d;
type Stale = Exclude<Extract<Key, `err_${string}`>, RefusalKey | 'err_over_credit_limit_available'>;
export const noWordsForGoneCodes: [Stale] extends [never] ? true : Stale = true;
