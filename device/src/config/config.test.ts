import { describe, expect, it } from 'vitest';
import { parse } from 'jsonc-parser';
import { commentedDefaultConfig } from './commented.js';
import { parseConfig } from './load.js';
import { defaultConfig } from './schema.js';

describe('config', () => {
  it('fills every default from an empty file', () => {
    const c = parseConfig('{}');
    expect(c).toEqual(defaultConfig());
    expect(c.ledger.credit.floor).toBeLessThan(0); // a new member can trade at once
    expect(c.version).toBe(1);
  });

  it('prints a commented default config that reads back as the defaults', () => {
    const text = commentedDefaultConfig();
    expect(text).toMatch(/\/\/ Yearly demurrage on positive balances/);
    expect(text.split('\n').filter((l) => l.trim().startsWith('//')).length).toBeGreaterThan(20);
    expect(parseConfig(text)).toEqual(defaultConfig());
    expect(parse(text)).toEqual(defaultConfig());
  });

  it('keeps user values and comments are allowed', () => {
    const c = parseConfig(`{
      // our name
      "hub": { "name": "Norrgården" },
      "currency": { "symbol": "NG", "minorUnits": 0 },
    }`);
    expect(c.hub.name).toBe('Norrgården');
    expect(c.currency.minorUnits).toBe(0);
    expect(c.http.port).toBe(8080);
  });

  it('migrates a file without a version in memory', () => {
    expect(parseConfig('{"hub":{"name":"Old"}}').version).toBe(1);
  });

  it('refuses a newer version, bad values and broken JSON with a clear message', () => {
    expect(() => parseConfig('{"version": 9}')).toThrow(/newer than this hub understands/);
    expect(() => parseConfig('{"http": {"port": 70000}}', 'hub.json')).toThrow(/hub.json: http.port/);
    expect(() => parseConfig('{"ledger": {"credit": {"floor": 100, "ceiling": 10}}}')).toThrow(/ledger.credit.floor/);
    expect(() => parseConfig('{"hub": ', 'x.json')).toThrow(/x.json: /);
    expect(() => parseConfig('[1]')).toThrow(/top level must be an object/);
  });
});
