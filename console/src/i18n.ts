import { h, type VNode } from 'preact';
/**
 * The console's words, in English, Swedish and Spanish. Every user-facing
 * string comes from here; numbers, money and dates use the chosen locale.
 */
export const LANGS = { en: 'English', sv: 'Svenska', es: 'Español' } as const;
export type Lang = keyof typeof LANGS;

export type { Key } from './i18n/en.js';
import type { Key } from './i18n/en.js';
export type Dict = Record<Key, string>;

/**
 * Each language's words are their own chunk, loaded when that language is
 * chosen: a phone downloads only the words it shows, and each language added
 * costs nothing on the others' first load.
 */
const LOADERS: Record<Lang, () => Promise<Dict>> = {
  en: () => import('./i18n/en.js').then((m) => m.en),
  sv: () => import('./i18n/sv.js').then((m) => m.sv),
  es: () => import('./i18n/es.js').then((m) => m.es),
};
const loaded = new Map<Lang, Promise<Dict>>();
export function loadDict(lang: Lang): Promise<Dict> {
  let p = loaded.get(lang);
  if (!p) {
    p = LOADERS[lang]();
    // A failed download (the mesh dropped) is tried again next time.
    p.catch(() => loaded.delete(lang));
    loaded.set(lang, p);
  }
  return p;
}
const LOCALES: Record<Lang, string> = { en: 'en-GB', sv: 'sv-SE', es: 'es-ES' };

export function pickLang(saved: string | null, browser: readonly string[]): Lang {
  if (saved && saved in LANGS) return saved as Lang;
  for (const b of browser) {
    const l = b.slice(0, 2).toLowerCase();
    if (l in LANGS) return l as Lang;
  }
  return 'en';
}

/** Placeholders that carry what people wrote, isolated in sentences on the page (tx). */
const PEOPLES_WORDS = new Set(['name', 'who', 'title', 'names', 'note', 'place', 'skill', 'by', 'what', 'item', 'hub', 'payer', 'payee', 'memo']);

/** Words, numbers, money and dates in `lang`, from its dictionary (see loadDict). */
export function translator(lang: Lang, d: Dict) {
  const locale = LOCALES[lang];
  const t = (k: Key, vars: Record<string, string | number> = {}) => d[k].replace(/\{(\w+)\}/g, (_, v: string) => String(vars[v] ?? ''));
  /**
   * The same sentence for the page, with what people wrote (names, titles,
   * notes) in <bdi>: a name written right to left cannot reorder the words
   * around it. The text reads the same; only the isolation differs.
   */
  const tx = (k: Key, vars: Record<string, string | number> = {}): Array<string | VNode> =>
    d[k].split(/(\{\w+\})/).map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      if (name === undefined) return part;
      const value = vars[name];
      if (value === undefined) return '';
      return typeof value === 'string' && PEOPLES_WORDS.has(name) && value !== '' ? h('bdi', null, value) : String(value);
    });
  const money = (minor: number, cur: { minorUnits: number; symbol: string }) =>
    `${new Intl.NumberFormat(locale, { minimumFractionDigits: cur.minorUnits, maximumFractionDigits: cur.minorUnits }).format(minor / 10 ** cur.minorUnits)} ${cur.symbol}`;
  const hours = (hundredths: number) => new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(hundredths / 100);
  /** An amount in its ledger unit: money in the currency, time-bank hours as hours. */
  const amount = (n: number, unit: string, cur: { minorUnits: number; symbol: string }) => (unit === 'hour' ? t('hoursValue', { n: hours(n) }) : money(n, cur));
  const date = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(ms));
  const ago = (ms: number) => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-Math.round(ms / 60_000), 'minute').replace(/^-/, '');
  const num = (n: number, digits = 1) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(n);
  const day = (ms: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(ms));
  /** Whether the words have this key: a reason or notification kind the hub sends that this console may not know. */
  const has = (key: string): key is Key => key in d;
  const rules = new Intl.PluralRules(locale);
  /**
   * A sentence with a count, in the grammatical number this language gives
   * it ("1 tree planted", "2 trees planted"; Spanish "disponible",
   * "disponibles"), from the dictionary's `<key>_one`, `<key>_other` (and
   * `_few`, `_many` where a language has them). `n` goes in as `{n}`, written
   * the locale's way.
   */
  const plural = (base: PluralKey, count: number, vars: Record<string, string | number> = {}) => {
    const k = `${base}_${rules.select(count)}`;
    return t((k in d ? k : `${base}_other`) as Key, { n: num(count, 2), ...vars });
  };
  return { t, tx, money, hours, amount, date, day, num, ago, locale, lang, has, plural };
}
export type T = ReturnType<typeof translator>;
/** The keys that come in plural forms: "regen_trees" for regen_trees_one and regen_trees_other. */
export type PluralKey = { [K in Key]: K extends `${infer B}_other` ? (`${B}_one` extends Key ? B : never) : never }[Key];

/** A number as a resident types it: "12,50" or "12.50". NaN when it is not one. */
export function parseDecimal(text: string): number {
  const r = parseAmount(text, 12);
  return r.ok ? r.value : NaN;
}

/** The separator each language groups thousands with, besides spaces. */
const GROUP: Record<Lang, string> = { en: ',', sv: ' ', es: '.' };

export type AmountReading = { ok: true; value: number; minor: number } | { ok: false; reason: 'empty' | 'notNumber' | 'tooManyDecimals'; places: number };

/**
 * An amount as people type it: "1 000,50" in Swedish, "1,000.50" in
 * English, "1.000,50" in Spanish, and "12.50" or "12,50" in any of them (a
 * phone's keypad offers one or the other). Digits and separators only: hex
 * ("0x10") and exponents ("1e3"), which Number() would take, are refused.
 * More decimals than the unit has are refused, never rounded away. `minor`
 * is computed from the digits, not through a float.
 */
export function parseAmount(text: string, places: number, lang?: Lang): AmountReading {
  let t = text.trim().replace(/[\s\u00a0\u202f']/g, '');
  if (t === '') return { ok: false, reason: 'empty', places };
  // A sign is read (a parameter such as an hours floor is below zero); amounts to pay check it themselves.
  const sign = t.startsWith('-') || t.startsWith('\u2212') ? -1 : 1;
  if (sign < 0) t = t.slice(1);
  if (!/^\d[\d.,]*$/.test(t) || /[.,]$/.test(t)) return { ok: false, reason: 'notNumber', places };
  const seps = [...t.matchAll(/[.,]/g)].map((m) => m[0]);
  let decimal: string | null = null;
  if (new Set(seps).size === 2) decimal = t.lastIndexOf(',') > t.lastIndexOf('.') ? ',' : '.';
  else if (seps.length === 1 && seps[0] !== undefined) {
    // One separator: a decimal one, unless it is this language's thousands separator before exactly three digits.
    const sep = seps[0];
    const after = t.length - t.indexOf(sep) - 1;
    decimal = lang && GROUP[lang] === sep && after === 3 ? null : sep;
  }
  const [intPart, frac = ''] = decimal ? [t.slice(0, t.lastIndexOf(decimal)), t.slice(t.lastIndexOf(decimal) + 1)] : [t, ''];
  const group = decimal === null ? seps[0] : decimal === ',' ? '.' : ',';
  // Grouped digits come in threes after the first group.
  if (group && intPart.includes(group) && !new RegExp(`^\\d{1,3}(\\${group}\\d{3})+$`).test(intPart)) return { ok: false, reason: 'notNumber', places };
  if (decimal && /[.,]/.test(frac)) return { ok: false, reason: 'notNumber', places };
  const digits = intPart.replace(/[.,]/g, '');
  if (frac.length > places) return { ok: false, reason: 'tooManyDecimals', places };
  const minor = sign * Number(digits + frac.padEnd(places, '0'));
  return { ok: true, value: sign * Number(`${digits}.${frac || '0'}`), minor };
}

/** A typed amount in minor units (12,50 with 2 places → 1250); NaN when it is not one (see parseAmount). */
export function toMinor(text: string, places: number, lang?: Lang): number {
  const r = parseAmount(text, places, lang);
  return r.ok ? r.minor : NaN;
}
