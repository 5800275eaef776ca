/**
 * Raw readings of one sensor, packed many to an LMDB entry, as time-series
 * databases pack them (Prometheus's chunks, InfluxDB's blocks). One entry per
 * reading cost about 90 bytes: the sensor's name and the time as the key,
 * then msgpack, then LMDB's own header, for 40 bytes of values. A chunk
 * names the sensor and its metrics once, and keeps each reading as a 4-byte
 * time offset and its values as float64: 44 bytes for five metrics.
 *
 * Layout (little-endian): u16 version, u16 metric count M, u16 reading
 * count N, then each metric's name (u16 length, UTF-8), then N u32 offsets
 * in ms from the chunk's key (its first reading), then M columns of N
 * float64s. A value a reading did not carry is NaN (the store refuses NaN as
 * a reading).
 */
export type Reading = { t: number; values: Record<string, number> };

const VERSION = 1;
/**
 * Bytes a chunk may grow to. Well under half an LMDB page: a page then holds
 * several chunks and an entry never spills into overflow pages, which would
 * be copied whole at every write.
 */
export const CHUNK_BYTES = 1000;
/** A chunk's readings lie within this many ms of its first (u32 offsets). */
const MAX_SPAN = 0xffff_ffff;

function headerBytes(metrics: string[]): number {
  let n = 6;
  for (const m of metrics) n += 2 + Buffer.byteLength(m);
  return n;
}

/** How many readings over `metrics` fit in one chunk (at least one). */
export function capacity(metrics: string[]): number {
  return Math.max(1, Math.floor((CHUNK_BYTES - headerBytes(metrics)) / (4 + 8 * metrics.length)));
}

/** Readings, sorted by time and starting at `readings[0].t`, as one chunk. */
export function encodeChunk(readings: Reading[]): Buffer {
  const [head] = readings;
  if (!head) throw new Error('a chunk holds at least one reading');
  const metrics = metricsOf(readings);
  const n = readings.length;
  const first = head.t;
  const buf = Buffer.allocUnsafe(headerBytes(metrics) + n * (4 + 8 * metrics.length));
  let o = buf.writeUInt16LE(VERSION, 0);
  o = buf.writeUInt16LE(metrics.length, o);
  o = buf.writeUInt16LE(n, o);
  for (const m of metrics) {
    o = buf.writeUInt16LE(Buffer.byteLength(m), o);
    o += buf.write(m, o);
  }
  for (const r of readings) o = buf.writeUInt32LE(r.t - first, o);
  for (const m of metrics) for (const r of readings) o = buf.writeDoubleLE(r.values[m] ?? NaN, o);
  return buf;
}

/** The readings of a chunk stored under time `first`. */
export function decodeChunk(first: number, buf: Uint8Array): Reading[] {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.readUInt16LE(0) !== VERSION) throw new Error(`telemetry chunk version ${b.readUInt16LE(0)} is not known`);
  const m = b.readUInt16LE(2);
  const n = b.readUInt16LE(4);
  let o = 6;
  const metrics: string[] = [];
  for (let i = 0; i < m; i++) {
    const len = b.readUInt16LE(o);
    metrics.push(b.toString('utf8', o + 2, o + 2 + len));
    o += 2 + len;
  }
  const readings: Reading[] = [];
  for (let i = 0; i < n; i++, o += 4) readings.push({ t: first + b.readUInt32LE(o), values: {} });
  for (const name of metrics) {
    for (const r of readings) {
      const v = b.readDoubleLE(o);
      o += 8;
      if (!Number.isNaN(v)) r.values[name] = v;
    }
  }
  return readings;
}

/** How many readings a chunk holds, and when its last one was taken, from its header alone. */
export function chunkSpan(first: number, buf: Uint8Array): { count: number; last: number } {
  const b = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const m = b.readUInt16LE(2);
  const n = b.readUInt16LE(4);
  let o = 6;
  for (let i = 0; i < m; i++) o += 2 + b.readUInt16LE(o);
  return { count: n, last: first + b.readUInt32LE(o + 4 * (n - 1)) };
}

function metricsOf(readings: Reading[]): string[] {
  const set = new Set<string>();
  for (const r of readings) for (const k in r.values) set.add(k);
  return [...set].sort();
}

/**
 * Sorted readings cut into chunks, greedily from the first: each as many
 * readings as fit, within MAX_SPAN of its first. The metrics are counted per
 * chunk, so a sensor that gains a metric packs fewer readings from then on.
 */
export function cutIntoChunks(readings: Reading[]): Reading[][] {
  const chunks: Reading[][] = [];
  let current: Reading[] = [];
  let metrics = new Set<string>();
  let cap = 0;
  for (const r of readings) {
    let wider: Set<string> | undefined;
    for (const k in r.values) if (!metrics.has(k)) (wider ??= new Set(metrics)).add(k);
    const first = current[0];
    if (first && (r.t - first.t > MAX_SPAN || current.length + 1 > (wider ? capacity([...wider]) : cap))) {
      chunks.push(current);
      current = [];
      wider = new Set(Object.keys(r.values));
    }
    current.push(r);
    if (wider) {
      metrics = wider;
      cap = capacity([...wider]);
    }
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * Readings sorted by time merged with new rows (also sorted): a row at a time
 * already there adds its metrics to that reading, as a meter read twice in
 * one second does.
 */
export function mergeReadings(old: Reading[], rows: Reading[]): Reading[] {
  const out: Reading[] = [];
  let i = 0;
  let j = 0;
  while (i < old.length || j < rows.length) {
    const a = old[i];
    const b = rows[j];
    if (a && (!b || a.t < b.t)) {
      out.push(a);
      i++;
    } else if (b && (!a || b.t < a.t)) {
      out.push(b);
      j++;
    } else if (a && b) {
      out.push({ t: a.t, values: { ...a.values, ...b.values } });
      i++;
      j++;
    }
  }
  return out;
}
