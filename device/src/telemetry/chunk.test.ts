import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, capacity, chunkSpan, cutIntoChunks, decodeChunk, encodeChunk, mergeReadings, type Reading } from './chunk.js';

describe('telemetry chunks', () => {
  it('give back the readings they were made from, a metric a reading did not carry left out', () => {
    const readings: Reading[] = [
      { t: 1_000, values: { temperature: 21.37, 'fukt°': 40 } },
      { t: 1_500, values: { temperature: -0.1 } },
      { t: 61_000, values: { 'fukt°': 41.5, battery: 3.6 } },
    ];
    const buf = encodeChunk(readings);
    expect(decodeChunk(1_000, buf)).toEqual(readings);
    expect(chunkSpan(1_000, buf)).toEqual({ count: 3, last: 61_000 });
  });

  it('are cut as full as CHUNK_BYTES allows, fewer readings to a chunk once a sensor measures more', () => {
    const one = Array.from({ length: 500 }, (_, i): Reading => ({ t: i, values: { a: i } }));
    const chunks = cutIntoChunks(one);
    expect(chunks[0]).toHaveLength(capacity(['a']));
    expect(chunks.flat()).toEqual(one);
    for (const c of chunks) expect(encodeChunk(c).length).toBeLessThanOrEqual(CHUNK_BYTES);
    // From the 10th reading on, three metrics: that chunk ends where three metrics fill it.
    const widening = one.map((r, i): Reading => (i < 10 ? r : { t: r.t, values: { a: i, b: i, c: i } }));
    const cut = cutIntoChunks(widening);
    expect(cut[0]).toHaveLength(capacity(['a', 'b', 'c']));
    for (const c of cut) expect(encodeChunk(c).length).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('never span more than their 32-bit time offsets can say', () => {
    const chunks = cutIntoChunks([
      { t: 0, values: { a: 1 } },
      { t: 0xffff_ffff, values: { a: 2 } },
      { t: 0xffff_ffff + 1, values: { a: 3 } },
    ]);
    expect(chunks.map((c) => c.length)).toEqual([2, 1]);
    const last = chunks[1]!;
    expect(decodeChunk(last[0]!.t, encodeChunk(last))).toEqual(last);
  });

  it('merge a reading at a time already there into it', () => {
    expect(
      mergeReadings(
        [
          { t: 1, values: { a: 1 } },
          { t: 3, values: { a: 3 } },
        ],
        [
          { t: 2, values: { a: 2 } },
          { t: 3, values: { b: 30 } },
          { t: 4, values: { a: 4 } },
        ],
      ),
    ).toEqual([
      { t: 1, values: { a: 1 } },
      { t: 2, values: { a: 2 } },
      { t: 3, values: { a: 3, b: 30 } },
      { t: 4, values: { a: 4 } },
    ]);
  });
});
