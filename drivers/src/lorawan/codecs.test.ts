import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_CODECS_DIR, Codec, CodecLoadError, loadCodecs } from './codecs.js';

describe('codecs', () => {
  const codecs = loadCodecs();

  it('ships a library of at least 25 devices, one file per vendor, each device with examples', () => {
    expect(codecs.size).toBeGreaterThanOrEqual(25);
    // The four the hub started with keep their ids: devices registered with them still decode.
    for (const id of ['decentlab-dl-5tm', 'dragino-ldds75', 'dragino-lse01', 'milesight-em300']) expect(codecs.has(id), id).toBe(true);
    const vendors = new Set([...codecs.values()].map((c) => c.definition.script));
    expect([...vendors].sort()).toEqual(['decentlab.js', 'dragino.js', 'elsys.js', 'milesight.js']);
    // What neighbourhoods buy: soil, water level and leaks, water meters, rain, weather, air, doors, relays, trackers.
    const described = [...codecs.values()].map((c) => `${c.definition.description} ${Object.keys(c.definition.units).join(' ')}`).join('\n');
    for (const need of [/soil/i, /water level/i, /leak/i, /water meter/i, /rain/i, /weather/i, /CO2/, /door/i, /relay/i, /GPS/])
      expect(described).toMatch(need);
  });

  it('encodes downlinks for the devices that take them', () => {
    expect(codecs.get('milesight-ws52x')!.encode({ data: { on: true } })).toEqual({ bytes: [0x08, 0x01, 0xff], fPort: 85, errors: [] });
    expect(codecs.get('milesight-ws52x')!.encode({ data: { on: false } }).bytes).toEqual([0x08, 0x00, 0xff]);
    expect(codecs.get('milesight-ws52x')!.encode({ data: { brightness: 3 } }).errors[0]).toMatch(/on: true \| false/);
    expect(codecs.get('milesight-em500-udl')!.encode({ data: { reportingIntervalSeconds: 600 } }).bytes).toEqual([0xff, 0x03, 0x58, 0x02]);
    expect(codecs.get('elsys-ers')!.encodes).toBe(false);
  });

  it("a vendor file whose script lacks a device's codec disables that device only", () => {
    const dir = mkdtempSync(join(tmpdir(), 'codecs-vendor-'));
    try {
      writeFileSync(
        join(dir, 'acme.js'),
        'var codecs = { one: { decodeUplink: function (i) { return { data: { v: i.bytes[0] }, warnings: [], errors: [] }; } } };',
      );
      writeFileSync(
        join(dir, 'acme.json'),
        JSON.stringify({
          vendor: 'Acme',
          script: 'acme.js',
          devices: [
            { id: 'acme-one', codec: 'one', model: 'One', description: '', units: { v: null }, examples: [] },
            { id: 'acme-two', codec: 'two', model: 'Two', description: '', units: {}, examples: [] },
          ],
        }),
      );
      const failed: string[] = [];
      const got = loadCodecs([dir], (file, e) => failed.push(`${file}: ${e.message}`));
      expect([...got.keys()]).toEqual(['acme-one']);
      expect(got.get('acme-one')!.decode({ bytes: [7], fPort: 1 }).data).toEqual({ v: 7 });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatch(/acme\.json \(acme-two\).*no codec "two"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [id, codec] of codecs) {
    it(`${id}: every example decodes to what it states, with units for every field`, () => {
      expect(codec.definition.examples.length).toBeGreaterThan(0);
      for (const ex of codec.definition.examples) {
        const got = codec.decode(ex.input);
        expect(got, ex.description).toEqual(ex.output);
        // `history` holds earlier readings ({timestamp, metric: value}); their metrics need units too.
        const history = Array.isArray(got.data.history) ? (got.data.history as Array<Record<string, unknown>>) : [];
        const keys = [...Object.keys(got.data).filter((k) => k !== 'history'), ...history.flatMap((h) => Object.keys(h).filter((k) => k !== 'timestamp'))];
        for (const k of keys) expect(Object.keys(codec.definition.units), `${id} has no unit entry for ${k}`).toContain(k);
      }
    });
  }

  const def = { id: 'bad', vendor: 'x', model: 'x', description: '', script: 'bad.js', units: {}, examples: [] };
  it('contains a codec that loops, throws or reaches for the host', () => {
    const loop = new Codec(def, 'function decodeUplink() { for (;;) {} }');
    expect(loop.decode({ bytes: [1], fPort: 1 }).errors[0]).toMatch(/ran over 50 ms/);
    const boom = new Codec(def, 'function decodeUplink() { throw new Error("bad byte") }');
    expect(boom.decode({ bytes: [1], fPort: 1 }).errors[0]).toMatch(/bad byte/);
    const escape = new Codec(
      def,
      'function decodeUplink() { return { data: { p: typeof process, r: typeof require, f: (function(){ try { return this.constructor.constructor("return process")() ? "escaped" : "no" } catch (e) { return "blocked" } })() } } }',
    );
    expect(escape.decode({ bytes: [], fPort: 1 }).data).toMatchObject({ p: 'undefined', r: 'undefined' });
    expect(escape.decode({ bytes: [], fPort: 1 }).data.f).not.toBe('escaped');
    const junk = new Codec(def, 'function decodeUplink() { return 42 }');
    expect(junk.decode({ bytes: [], fPort: 1 }).errors).toEqual(['the codec returned no data object']);
    // After all that, a good codec still works.
    expect(codecs.get('dragino-lse01')!.decode({ fPort: 2, bytes: [12, 228, 0, 225, 12, 53, 7, 48, 2, 0, 0] }).data.soilMoisture).toBe(31.25);
  });

  it('decodes a batch in one entry exactly as one by one; in a batch, a payload that throws or loops fails alone', () => {
    const lse = codecs.get('dragino-lse01')!;
    const inputs = lse.definition.examples.map((e) => e.input);
    expect(lse.decodeMany(inputs)).toEqual(inputs.map((i) => lse.decode(i)));
    const picky = new Codec(
      def,
      'function decodeUplink(i) { if (i.bytes[0] === 255) for (;;) {} if (i.bytes[0] === 254) throw new Error("no such port"); return { data: { v: i.bytes[0] } } }',
    );
    const out = picky.decodeMany([
      { bytes: [1], fPort: 1 },
      { bytes: [254], fPort: 1 },
      { bytes: [2], fPort: 1 },
    ]);
    expect(out.map((o) => o.data.v ?? o.errors[0])).toEqual([1, 'codec bad failed: no such port', 2]);
    const looped = picky.decodeMany([
      { bytes: [3], fPort: 1 },
      { bytes: [255], fPort: 1 },
      { bytes: [4], fPort: 1 },
    ]);
    expect(looped[0]!.data).toEqual({ v: 3 });
    expect(looped[1]!.errors[0]).toMatch(/ran over 50 ms/);
    expect(looped[2]!.data).toEqual({ v: 4 });
  });

  it('loads a codec whose top level is slow, outside the 50 ms decode watchdog', () => {
    // A busy Pi after a power cut compiles slowly; that must never fail a start.
    const slow = new Codec(def, 'var t0 = Date.now(); while (Date.now() - t0 < 200) {} function decodeUplink(i) { return { data: { v: i.bytes[0] } } }');
    expect(() => slow.load()).not.toThrow();
    expect(slow.decode({ bytes: [7], fPort: 1 }).data).toEqual({ v: 7 });
  });

  it('leaves out a codec that cannot load and loads the rest, reporting each failure', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hyphae-codecs-'));
    try {
      const write = (id: string, script: string) => {
        writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...def, id, script: `${id}.js` }));
        writeFileSync(join(dir, `${id}.js`), script);
      };
      write('good', 'function decodeUplink(i) { return { data: { v: i.bytes[0] } } }');
      write('throws', 'throw new Error("top level fails")');
      write('nothing', 'var x = 1;');
      writeFileSync(join(dir, 'broken.json'), '{ not json');
      const failures: Array<[string, Error]> = [];
      const loaded = loadCodecs([BUILT_IN_CODECS_DIR, dir, join(dir, 'missing')], (file, e) => failures.push([file, e]));
      expect(loaded.get('good')!.decode({ bytes: [3], fPort: 1 }).data).toEqual({ v: 3 });
      expect(loaded.has('dragino-lse01')).toBe(true);
      expect(loaded.has('throws') || loaded.has('nothing')).toBe(false);
      expect(failures.map(([f]) => f.replace(dir, 'DIR')).sort()).toEqual(['DIR/broken.json', 'DIR/missing', 'DIR/nothing.json', 'DIR/throws.json']);
      expect(failures.find(([f]) => f.endsWith('throws.json'))![1]).toBeInstanceOf(CodecLoadError);
      expect(failures.find(([f]) => f.endsWith('throws.json'))![1].message).toMatch(/top level fails/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
