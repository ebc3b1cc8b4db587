import { endianness } from 'node:os';

/** Below this a comparison sort is as fast, and the radix pass's buffer is not worth allocating. */
const RADIX_FROM = 4096;
const DIGIT_BITS = 16;
const BUCKETS = 1 << DIGIT_BITS;
const DIGIT = BUCKETS - 1;
const SIGN = 0x80000000;

/**
 * Sorts numbers (no NaN) ascending in place, in the order Float64Array.prototype.sort gives
 * (−0 before +0), by a least-significant-digit radix sort of their bits: four linear passes of
 * 16 bits where a comparison sort makes log₂ n ≈ 20 for a million values — sorting is most of a
 * drift report's time. A value's bits read as an unsigned key order as the numbers do once a
 * negative value has every bit flipped and any other its sign bit set.
 */
export function sortNumbers(values: Float64Array): Float64Array {
  const n = values.length;
  if (n < RADIX_FROM || endianness() !== 'LE') return values.sort();
  // All four digits' counts in one read: a pass then only moves values.
  const starts = digitStarts(new Uint32Array(values.buffer, values.byteOffset, 2 * n));
  let from: Float64Array = values;
  let to: Float64Array = scratchOf(n);
  for (let pass = 0; pass < 4; pass++) {
    const counts = starts[pass];
    if (counts === undefined) continue;
    // Little-endian: each double is [low word, high word].
    const words = new Uint32Array(from.buffer, from.byteOffset, 2 * n);
    const word = pass < 2 ? 0 : 1;
    const shift = (pass % 2) * DIGIT_BITS;
    for (let i = 0; i < n; i++) {
      const digit = digitOf(words, i, word, shift);
      const at = counts[digit] as number;
      counts[digit] = at + 1;
      to[at] = from[i] as number;
    }
    [from, to] = [to, from];
  }
  if (from !== values) values.set(from);
  return values;
}

/**
 * The previous sort's scratch array while the garbage collector has left it: a drift report sorts
 * dozens of columns of one size in a row, and a fresh 8 MB array for each million values is as
 * much garbage again as the report itself. Held weakly, so an idle thread keeps nothing.
 */
let spare: WeakRef<Float64Array> | undefined;

function scratchOf(n: number): Float64Array {
  const kept = spare?.deref();
  if (kept !== undefined && kept.length >= n) return kept.subarray(0, n);
  const fresh = new Float64Array(n);
  spare = new WeakRef(fresh);
  return fresh;
}

/** Value i's digit at `shift` of its key's low (word 0) or high (word 1) half. */
function digitOf(words: Uint32Array, i: number, word: number, shift: number): number {
  const high = words[2 * i + 1] as number;
  // −1 (all bits) for a negative value, else 0.
  const negative = (high | 0) >> 31;
  const key = word === 0 ? (words[2 * i] as number) ^ negative : high ^ (negative | SIGN);
  return (key >>> shift) & DIGIT;
}

/**
 * For each of the four passes, where each digit's first value goes (an exclusive prefix sum of how
 * many values have each digit); undefined for a pass whose digit every value shares, which would
 * move nothing.
 */
function digitStarts(words: Uint32Array): (Uint32Array | undefined)[] {
  const n = words.length / 2;
  const counts = [0, 1, 2, 3].map(() => new Uint32Array(BUCKETS));
  const [c0, c1, c2, c3] = counts as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  for (let i = 0; i < n; i++) {
    const high = words[2 * i + 1] as number;
    const negative = (high | 0) >> 31;
    const low = (words[2 * i] as number) ^ negative;
    const top = high ^ (negative | SIGN);
    c0[low & DIGIT] = (c0[low & DIGIT] as number) + 1;
    c1[(low >>> DIGIT_BITS) & DIGIT] = (c1[(low >>> DIGIT_BITS) & DIGIT] as number) + 1;
    c2[top & DIGIT] = (c2[top & DIGIT] as number) + 1;
    c3[(top >>> DIGIT_BITS) & DIGIT] = (c3[(top >>> DIGIT_BITS) & DIGIT] as number) + 1;
  }
  return counts.map((digits) => {
    let start = 0;
    for (let digit = 0; digit < BUCKETS; digit++) {
      const count = digits[digit] as number;
      if (count === n) return undefined;
      digits[digit] = start;
      start += count;
    }
    return digits;
  });
}
