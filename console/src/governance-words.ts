import { parseDecimal, toMinor, type Key, type T } from './i18n.js';

/**
 * How the console says the community's parameters and kinds of decision in
 * the resident's language: labels instead of identifiers, and values in the
 * units people think in (money, hours, percent) instead of minor units.
 */
type Currency = { minorUnits: number; symbol: string };

const MONEY = new Set(['creditFloor', 'creditCeiling', 'waterBasePrice', 'regenerationCreditPerUnit']);

export function paramLabel(t: T, name: string): string {
  const key = `param_${name}` as Key;
  // A parameter newer than this console shows under its own name.
  return t.has(key) ? t.t(key) : name;
}

export function paramValue(t: T, name: string, value: number | boolean, cur: Currency | undefined): string {
  if (typeof value === 'boolean') return t.t(value ? 'on' : 'off');
  if (MONEY.has(name) && cur) return t.money(value, cur);
  if (name === 'hoursFloor') return t.t('hoursValue', { n: t.hours(value) });
  if (name === 'demurrageRatePercent') return `${value.toLocaleString(t.locale)} %`;
  return value.toLocaleString(t.locale, { maximumFractionDigits: 4 });
}

const KIND_KEYS: Record<string, Key> = {
  parameter: 'kindParameter',
  spend: 'kindSpend',
  admit: 'kindAdmit',
  suspend: 'kindSuspend',
  'buy-tool': 'kindBuyTool',
  text: 'kindText',
  update: 'kindUpdate',
  limits: 'kindLimits',
  '*': 'topicAll',
};

/** A kind of proposal, which is also a topic of delegation ("*" for every topic). */
export function kindLabel(t: T, kind: string): string {
  const k = KIND_KEYS[kind];
  return k ? t.t(k) : kind;
}

export function modeLabel(t: T, mode: string, rules: { supermajority: number; quorum: number } | null): string {
  if (mode === 'consensus') return t.t('modeConsensus');
  if (mode === 'supermajority')
    return t.t('modeSupermajority', { share: Math.round((rules?.supermajority ?? 0.7) * 100), quorum: Math.round((rules?.quorum ?? 0.3) * 100) });
  return t.t('modeMajority');
}

/**
 * What a resident typed for a parameter, in the units `paramValue` shows
 * (credits, hours, percent), as the hub stores it; NaN when it is no number.
 */
export function paramFromInput(name: string, text: string, cur: Currency): number {
  if (text.trim() === '') return Number.NaN;
  if (MONEY.has(name)) return toMinor(text, cur.minorUnits);
  // Hours are kept in hundredths, like two decimal places.
  if (name === 'hoursFloor') return toMinor(text, 2);
  return parseDecimal(text);
}

/** What a form's field means for a parameter whose value today shows its kind: a switch ("true"/"false") or a number. */
export function paramFromForm(today: number | boolean, name: string, text: string, cur: Currency): number | boolean {
  return typeof today === 'boolean' ? text === 'true' : paramFromInput(name, text, cur);
}
