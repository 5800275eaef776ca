import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { parseAmount, toMinor, translator } from './i18n.js';
import { en as EN } from './i18n/en.js';
import { sv as SV } from './i18n/sv.js';
import { es as ES } from './i18n/es.js';

/** A sentence from tx as markup, for reading it in a test. */
const markup = (parts: Array<string | VNode>) =>
  parts.map((p) => (typeof p === 'string' ? p : `<${String(p.type)}>${String((p.props as { children: string }).children)}</${String(p.type)}>`)).join('');

describe('sentences with what people wrote in them', () => {
  it('put names and titles in <bdi> on the page, so text written right to left cannot reorder the sentence', () => {
    const en = translator('en', EN);
    const html = markup(en.tx('paid', { amount: '12.50 HC', name: 'שרה כהן' }));
    expect(html).toBe('Paid 12.50 HC to <bdi>שרה כהן</bdi>.');
    // The words read the same as the plain sentence.
    expect(html.replace(/<\/?bdi>/g, '')).toBe(en.t('paid', { amount: '12.50 HC', name: 'שרה כהן' }));
    expect(markup(translator('sv', SV).tx('limitProposedBy', { who: 'عمر', date: '1 jan.' }))).toContain('<bdi>عمر</bdi>');
    // The hub's own formatting (amounts, dates) is not isolated.
    expect(markup(en.tx('paid', { amount: '1.00 HC', name: '' }))).not.toContain('<bdi>');
  });
});

describe('amounts as people type them', () => {
  it('reads grouping and decimals the way each language writes them', () => {
    expect(parseAmount('1 000,50', 2, 'sv')).toMatchObject({ ok: true, minor: 100_050 });
    expect(parseAmount('1\u00a0000,50', 2, 'sv')).toMatchObject({ ok: true, minor: 100_050 });
    expect(parseAmount('1,000.50', 2, 'en')).toMatchObject({ ok: true, minor: 100_050 });
    expect(parseAmount('1.000,50', 2, 'es')).toMatchObject({ ok: true, minor: 100_050 });
    expect(parseAmount('1,000', 2, 'en')).toMatchObject({ ok: true, minor: 100_000 });
    expect(parseAmount('1.000', 2, 'es')).toMatchObject({ ok: true, minor: 100_000 });
    // A phone's keypad gives one separator or the other: 12.50 and 12,50 mean the same everywhere.
    for (const lang of ['en', 'sv', 'es'] as const) {
      expect(parseAmount('12.50', 2, lang)).toMatchObject({ ok: true, minor: 1250 });
      expect(parseAmount('12,50', 2, lang)).toMatchObject({ ok: true, minor: 1250 });
      expect(parseAmount('7', 2, lang)).toMatchObject({ ok: true, minor: 700 });
    }
    // Exact from the digits: 0.29 × 100 is 28.999… as a float.
    expect(toMinor('0,29', 2)).toBe(29);
    expect(toMinor('1 234 567,89', 2, 'sv')).toBe(123_456_789);
    expect(toMinor('-10', 2)).toBe(-1000);
  });

  it('refuses hex, exponents, stray separators and more decimals than the unit has, with a reason', () => {
    for (const bad of ['0x10', '1e3', '1E3', 'abc', '12.', '1,00,0', '1.2.3', '12,5,0', '--1', 'Infinity', 'NaN'])
      expect(parseAmount(bad, 2, 'en'), bad).toMatchObject({ ok: false, reason: 'notNumber' });
    expect(parseAmount('12,505', 2, 'sv')).toEqual({ ok: false, reason: 'tooManyDecimals', places: 2 });
    expect(parseAmount('0.001', 2, 'en')).toEqual({ ok: false, reason: 'tooManyDecimals', places: 2 });
    expect(parseAmount('  ', 2, 'en')).toMatchObject({ ok: false, reason: 'empty' });
    expect(toMinor('0x10', 2)).toBeNaN();
    expect(translator('sv', SV).t('amountTooManyDecimals', { places: 2 })).toBe('Högst 2 decimaler.');
  });
});

describe('counts in the grammatical number each language gives them (Intl.PluralRules)', () => {
  it('says "1 tree", "2 trees"; Spanish money "disponible" for one and "disponibles" for more; and one\'s own offer in the second person', async () => {
    const { es: ES } = await import('./i18n/es.js');
    const en = translator('en', EN);
    const es = translator('es', ES);
    const sv = translator('sv', SV);
    expect(en.plural('regen_trees', 1)).toBe('1 tree planted');
    expect(en.plural('regen_trees', 12)).toBe('12 trees planted');
    expect(es.plural('regen_trees', 1)).toBe('1 árbol plantado');
    expect(sv.plural('regen_other', 1)).toBe('1 enhet annat arbete');
    expect(en.plural('downlinkAttempts', 1)).toBe('1 attempt');
    expect(es.plural('available', 1, { amount: '1,00 HC' })).toBe('1,00 HC disponible');
    expect(es.plural('available', 319.12, { amount: '319,12 HC' })).toBe('319,12 HC disponibles');
    // Large counts are written the locale's way.
    expect(sv.plural('webhookKinds', 1200).replace(/\u00a0/g, ' ')).toBe('1 200 slag');
    expect(en.t('offersMine', { hours: '1' })).toBe('You offer 1');
    expect(es.t('offersMine', { hours: '1 h' })).toBe('Ofreces 1 h');
  });
});

describe('percentages', () => {
  it('say what they are a percentage of, in every language', () => {
    // "% of", "% av", "% de/del": a bare "48 %" leaves a resident guessing (of the budget? of the time? of members?).
    const of = { en: /^%\s+of\b/, sv: /^%\s+av\b/, es: /^%\s+del?\b/ } as const;
    for (const [lang, dict] of [
      ['en', EN],
      ['sv', SV],
      ['es', ES],
    ] as const) {
      const bare = Object.entries(dict)
        .filter(([, text]) => [...text.matchAll(/%/g)].some((m) => !of[lang].test(text.slice(m.index))))
        .map(([key, text]) => `${key}: ${text}`);
      expect(bare, lang).toEqual([]);
    }
  });
});
