import type { VNode } from 'preact';
import { describe, expect, it } from 'vitest';
import { translator } from './i18n.js';

/** A sentence from tx as markup, for reading it in a test. */
const markup = (parts: Array<string | VNode>) => parts.map((p) => (typeof p === 'string' ? p : `<${String(p.type)}>${String((p.props as { children: string }).children)}</${String(p.type)}>`)).join('');

describe('sentences with what people wrote in them', () => {
  it('put names and titles in <bdi> on the page, so text written right to left cannot reorder the sentence', () => {
    const en = translator('en');
    const html = markup(en.tx('paid', { amount: '12.50 HC', name: 'שרה כהן' }));
    expect(html).toBe('Paid 12.50 HC to <bdi>שרה כהן</bdi>.');
    // The words read the same as the plain sentence.
    expect(html.replace(/<\/?bdi>/g, '')).toBe(en.t('paid', { amount: '12.50 HC', name: 'שרה כהן' }));
    expect(markup(translator('sv').tx('limitProposedBy', { who: 'عمر', date: '1 jan.' }))).toContain('<bdi>عمر</bdi>');
    // The hub's own formatting (amounts, dates) is not isolated.
    expect(markup(en.tx('paid', { amount: '1.00 HC', name: '' }))).not.toContain('<bdi>');
  });
});
