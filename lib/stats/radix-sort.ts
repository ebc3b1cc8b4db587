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
  let from: Float64Array = values;
  let to: Float64Array = new Float64Array(n);
  const counts = new Uint32Array(BUCKETS);
  for (let pass = 0; pass < 4; pass++) {
    // Little-endian: each double is [low word, high word].
    const words = new Uint32Array(from.buffer, from.byteOffset, 2 * n);
    const word = pass < 2 ? 0 : 1;
    const shift = (pass % 2) * DIGIT_BITS;
    if (!startsOfDigits(words, word, shift, counts)) continue;
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

/** Value i's digit at `shift` of its key's low (word 0) or high (word 1) half. */
function digitOf(words: Uint32Array, i: number, word: number, shift: number): number {
  const high = words[2 * i + 1] as number;
  // −1 (all bits) for a negative value, else 0.
  const negative = (high | 0) >> 31;
  const key = word === 0 ? (words[2 * i] as number) ^ negative : high ^ (negative | SIGN);
  return (key >>> shift) & DIGIT;
}

/**
 * Sets `counts` to where each digit's first value goes (an exclusive prefix sum of how many have
 * each digit); false when every value has the same digit, and the pass would move nothing.
 */
function startsOfDigits(words: Uint32Array, word: number, shift: number, counts: Uint32Array): boolean {
  const n = words.length / 2;
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const digit = digitOf(words, i, word, shift);
    counts[digit] = (counts[digit] as number) + 1;
  }
  let start = 0;
  for (let digit = 0; digit < BUCKETS; digit++) {
    const count = counts[digit] as number;
    if (count === n) return false;
    counts[digit] = start;
    start += count;
  }
  return true;
}
