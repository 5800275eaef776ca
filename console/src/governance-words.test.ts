import { describe, expect, it } from 'vitest';
import { kindLabel, modeLabel, paramFromForm, paramFromInput, paramLabel, paramValue } from './governance-words.js';
import { translator } from './i18n.js';
import { es as ES } from './i18n/es.js';
import { sv as SV } from './i18n/sv.js';

const cur = { minorUnits: 2, symbol: 'HC' };

describe('parameters in words and units', () => {
  it('shows money, hours, percent and switches the way people read them, and reads them back the same', () => {
    const sv = translator('sv', SV);
    expect(paramLabel(sv, 'waterBasePrice')).toBe('Vattnets grundpris per 100 L');
    expect(paramValue(sv, 'waterBasePrice', 15, cur)).toBe('0,15 HC');
    expect(paramValue(sv, 'creditFloor', -50_000, cur)).toBe('−500,00 HC');
    expect(paramValue(sv, 'hoursFloor', -2_000, cur)).toBe('−20 tim');
    expect(paramValue(sv, 'demurrageRatePercent', 2.5, cur)).toBe('2,5 %');
    expect(paramValue(sv, 'ecologyLimitsEnabled', true, cur)).toBe('på');
    expect(paramFromInput('waterBasePrice', '0,15', cur)).toBe(15);
    expect(paramFromInput('creditFloor', '-500', cur)).toBe(-50_000);
    expect(paramFromInput('hoursFloor', '-20', cur)).toBe(-2_000);
    expect(paramFromInput('demurrageRatePercent', '2.5', cur)).toBe(2.5);
    expect(paramFromInput('multiplierMin', 'a lot', cur)).toBeNaN();
    expect(paramFromInput('multiplierMin', '  ', cur)).toBeNaN();
    // A form's field: a switch for a parameter that is on or off today, a number otherwise.
    expect(paramFromForm(true, 'ecologyLimitsEnabled', 'false', cur)).toBe(false);
    expect(paramFromForm(10, 'waterBasePrice', '0,2', cur)).toBe(20);
  });

  it('names a parameter newer than the console by its own name, and says kinds and modes in the language', () => {
    const es = translator('es', ES);
    expect(paramLabel(es, 'somethingNew')).toBe('somethingNew');
    expect(kindLabel(es, 'buy-tool')).toBe('Compra de una herramienta');
    expect(kindLabel(es, '*')).toBe('Todos los temas');
    expect(modeLabel(es, 'supermajority', { supermajority: 0.75, quorum: 0.4 })).toBe('Necesita un 75 % de votos a favor, votando el 40 % de los miembros');
  });
});
