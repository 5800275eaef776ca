type ArrayKind = Int32ArrayConstructor | Float64ArrayConstructor | Int8ArrayConstructor;

export const PAGE = 4096;
/** Three cache lines: 21 arrays before two start at the same offset within a page. */
const STAGGER = 192;

/**
 * Typed arrays carved from one buffer, each starting at its own offset
 * within a 4 KiB page. Allocated one by one, arrays of one length were often
 * handed out back to back at the same offset within a page, so element e of
 * each fell in the same cache set; the block search and the pivot read up
 * to ten of them at one index, and a network-simplex solve ran about 1.5× slower whenever the
 * allocator lined them up, which changed from one solve to the next.
 */
export function carve<T extends Record<string, readonly [ArrayKind, number]>>(spec: T): { [K in keyof T]: InstanceType<T[K][0]> } {
  const layout: Array<[string, ArrayKind, number, number]> = [];
  let end = 0;
  let i = 0;
  for (const [name, [kind, length]] of Object.entries(spec)) {
    const want = (i++ * STAGGER) % PAGE;
    const at = end + ((((want - end) % PAGE) + PAGE) % PAGE);
    layout.push([name, kind, at, length]);
    end = at + length * kind.BYTES_PER_ELEMENT;
  }
  const buffer = new ArrayBuffer(end);
  const out: Record<string, Int32Array | Float64Array | Int8Array> = {};
  for (const [name, kind, at, length] of layout) out[name] = new kind(buffer, at, length);
  return out as { [K in keyof T]: InstanceType<T[K][0]> };
}
