/**
 * Register words to values. Every type knows its "not implemented" marker,
 * which becomes null, never a number: a meter that does not measure reactive
 * power must not report 32768 vars.
 */
export type RegisterType =
  | 'uint16'
  | 'int16'
  | 'acc16'
  | 'sunssf'
  | 'enum16'
  | 'bitfield16'
  | 'pad'
  | 'uint32'
  | 'int32'
  | 'acc32'
  | 'float32'
  | 'bitfield32'
  | 'string8'
  | 'string16';

export const TYPE_SIZE: Record<RegisterType, number> = {
  uint16: 1,
  int16: 1,
  acc16: 1,
  sunssf: 1,
  enum16: 1,
  bitfield16: 1,
  pad: 1,
  uint32: 2,
  int32: 2,
  acc32: 2,
  float32: 2,
  bitfield32: 2,
  string8: 8,
  string16: 16,
};

export type WordOrder = 'big' | 'little';

export function decodeWords(type: RegisterType, w: number[], order: WordOrder = 'big'): number | string | null {
  const [first, second] = w;
  // A short read is a reading the device did not give.
  if (first === undefined || (TYPE_SIZE[type] > 1 && second === undefined)) return null;
  const [hi, lo] = order === 'big' ? [first, second ?? 0] : [second ?? 0, first];
  switch (type) {
    case 'uint16':
    case 'enum16':
    case 'bitfield16':
    case 'acc16':
      return first === 0xffff && type !== 'acc16' ? null : first;
    case 'int16':
    case 'sunssf': {
      if (first === 0x8000) return null;
      return first >= 0x8000 ? first - 0x10000 : first;
    }
    case 'pad':
      return null;
    case 'uint32':
    case 'bitfield32':
    case 'acc32': {
      const v = hi * 0x10000 + lo;
      if (type === 'acc32') return v === 0 ? null : v; // SunSpec: an accumulator of 0 is "not implemented"
      return v === 0xffffffff ? null : v;
    }
    case 'int32': {
      const v = hi * 0x10000 + lo;
      if (v === 0x80000000) return null;
      return v >= 0x80000000 ? v - 0x100000000 : v;
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(hi, 0);
      b.writeUInt16BE(lo, 2);
      const v = b.readFloatBE(0);
      return Number.isNaN(v) ? null : Math.round(v * 1e6) / 1e6;
    }
    case 'string8':
    case 'string16': {
      const b = Buffer.alloc(w.length * 2);
      w.forEach((x, i) => b.writeUInt16BE(x, i * 2));
      const s = b.toString('latin1').replace(/\0+$/, '').trim();
      return s === '' ? null : s;
    }
  }
}

/**
 * value × 10^sf, rounded so 0.1-steps do not print as 0.30000000000000004.
 * SunSpec scale factors lie in −10…10; anything else is a broken device, and
 * its value is unknown rather than wildly wrong.
 */
export function applyScale(v: number, sf: number): number | null {
  if (!Number.isInteger(sf) || sf < -10 || sf > 10) return null;
  const r = v * Math.pow(10, sf);
  return sf < 0 ? Number(r.toFixed(-sf)) : r;
}

/** The inverse of decodeWords, for simulators and tests; null writes the not-implemented marker. */
export function encodeWords(type: RegisterType, v: number | string | null, order: WordOrder = 'big'): number[] {
  const n = TYPE_SIZE[type];
  const pair = (hi: number, lo: number) => (order === 'big' ? [hi, lo] : [lo, hi]);
  if (type === 'string8' || type === 'string16') {
    const b = Buffer.alloc(n * 2);
    if (typeof v === 'string') b.write(v.slice(0, n * 2), 'latin1');
    return Array.from({ length: n }, (_, i) => b.readUInt16BE(i * 2));
  }
  if (type === 'pad') return [0];
  if (v === null || typeof v === 'string') {
    const marker: Partial<Record<RegisterType, number[]>> = {
      int16: [0x8000],
      sunssf: [0x8000],
      uint16: [0xffff],
      enum16: [0xffff],
      bitfield16: [0xffff],
      acc16: [0],
      uint32: [0xffff, 0xffff],
      bitfield32: [0xffff, 0xffff],
      acc32: [0, 0],
      int32: [0x8000, 0],
      float32: [0x7fc0, 0],
    };
    return marker[type] ?? new Array<number>(n).fill(0);
  }
  switch (type) {
    case 'int16':
    case 'sunssf':
      return [v < 0 ? v + 0x10000 : v];
    case 'uint16':
    case 'enum16':
    case 'bitfield16':
    case 'acc16':
      return [v & 0xffff];
    case 'uint32':
    case 'acc32':
    case 'bitfield32':
      return pair(Math.floor(v / 0x10000) & 0xffff, v & 0xffff);
    case 'int32': {
      const u = v < 0 ? v + 0x100000000 : v;
      return pair(Math.floor(u / 0x10000) & 0xffff, u & 0xffff);
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeFloatBE(v);
      return pair(b.readUInt16BE(0), b.readUInt16BE(2));
    }
  }
  return [0];
}
