/**
 * Two-level fractional factorial designs 2^(k−p): which generators, and what they confound.
 *
 * Effects are bit masks over the k factors (bit i = factor i, lettered A, B, … skipping I, which is
 * the identity). The first k − p factors form a full factorial; each of the other p is the product
 * of some of them (its generator). The defining relation is every product of the generator words,
 * and an effect is aliased with its product with each word of it: nothing here is tabulated but the
 * generators.
 */

export type Resolution = 'III' | 'IV' | 'V';

const RESOLUTION_NUMBER: Record<Resolution, number> = { III: 3, IV: 4, V: 5 };
const ROMAN = ['', 'I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X', 'XI', 'XII'];

/** Factor letters in the textbooks' order: I stands for the identity, so it is skipped. */
export const FACTOR_LETTERS = 'ABCDEFGHJKLM';

/**
 * Minimum-aberration generators for k = 3…12 factors, from Montgomery, Design and Analysis of
 * Experiments, Table 8.14 (the same designs as NIST's e-Handbook §5.3.3.4.7), by k and then by
 * number of runs. Each string lists the generated factors' words in order: "ABC BCD ACD" for k = 7
 * means E = ABC, F = BCD, G = ACD. The resolution of each is computed, not read from here (a unit
 * test checks each against the book's).
 */
const GENERATOR_TABLE: Record<number, string[]> = {
  3: ['AB'],
  4: ['ABC'],
  5: ['AB AC', 'ABCD'],
  6: ['AB AC BC', 'ABC BCD', 'ABCDE'],
  7: ['AB AC BC ABC', 'ABC BCD ACD', 'ABCD ABDE', 'ABCDEF'],
  8: ['BCD ACD ABC ABD', 'ABC ABD BCDE', 'ABCD ABEF'],
  9: ['ABC BCD ACD ABD ABCD', 'BCDE ACDE ABDE ABCE', 'ABCD ACEF CDEF', 'ACDFG BCEFG'],
  10: ['ABC BCD ACD ABD ABCD AB', 'ABCD ABCE ABDE ACDE BCDE', 'BCDF ACDF ABDE ABCE', 'ABCG BCDE ACDF'],
  11: ['ABC BCD ACD ABD ABCD AB AC', 'ABC BCD CDE ACD ADE BDE', 'CDE ABCD ABF BDEF ADEF', 'ABCG BCDE ACDF ABCDEFG'],
  // The 32-run design is the 11-factor one with M = ABCDE added: every generator word has odd
  // length, so every word of the defining relation has at least four letters (resolution IV). It is
  // not taken from the book's table, so it is not claimed to be of minimum aberration.
  12: ['ABC BCD ACD ABD ABCD AB AC AD', 'ABC BCD CDE ACD ADE BDE ABCDE'],
};

export interface FractionalPlan {
  factors: number;
  /** p: how many factors are generated from the others (the design has 2^(k−p) runs). */
  generated: number;
  runs: number;
  /** For each generated factor (the last p), the mask of the basic factors it is the product of. */
  generatorMasks: number[];
  /** Every word of the defining relation (products of the generator words), as masks. */
  definingWords: number[];
  /** The length of the shortest word: main effects are clear of effects of order < resolution − 1. */
  resolution: number;
}

/** The smallest design of the table for k factors whose resolution reaches the declared one; undefined if none does. */
export function fractionalPlan(k: number, resolution: Resolution): FractionalPlan | undefined {
  const wanted = RESOLUTION_NUMBER[resolution];
  return (GENERATOR_TABLE[k] ?? []).map((words) => planOf(k, words)).find((plan) => plan.resolution >= wanted);
}

/** Every design the table lists for k factors, smallest first (for tests and error messages). */
export function tabulatedPlans(k: number): FractionalPlan[] {
  return (GENERATOR_TABLE[k] ?? []).map((words) => planOf(k, words));
}

function planOf(k: number, words: string): FractionalPlan {
  const generatorMasks = words.split(' ').map(maskOfLetters);
  const p = generatorMasks.length;
  const basic = k - p;
  const wordsOfGenerators = generatorMasks.map((mask, j) => mask | (1 << (basic + j)));
  const definingWords: number[] = [];
  // Every non-empty product of generator words (2^p − 1 of them).
  for (let subset = 1; subset < 1 << p; subset += 1) {
    let word = 0;
    wordsOfGenerators.forEach((w, j) => {
      if (subset & (1 << j)) word ^= w;
    });
    definingWords.push(word);
  }
  const resolution = Math.min(...definingWords.map(order));
  return { factors: k, generated: p, runs: 2 ** basic, generatorMasks, definingWords, resolution };
}

/** The number of factors in an effect. */
export function order(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n += 1;
  return n;
}

function maskOfLetters(letters: string): number {
  return [...letters].reduce((mask, letter) => {
    const i = FACTOR_LETTERS.indexOf(letter);
    if (i < 0) throw new Error(`"${letter}" is not a factor letter`);
    return mask | (1 << i);
  }, 0);
}

export function lettersOfMask(mask: number): string {
  return [...FACTOR_LETTERS].filter((_, i) => mask & (1 << i)).join('');
}

/** "III", "IV", … for a resolution number. */
export function romanResolution(resolution: number): string {
  return ROMAN[resolution] ?? String(resolution);
}

/** The effects of order ≤ maxOrder aliased with `effect` (itself included), in ascending order of (order, mask). */
export function aliasesOf(plan: FractionalPlan, effect: number, maxOrder: number): number[] {
  const chain = [effect, ...plan.definingWords.map((word) => word ^ effect)].filter((e) => order(e) <= maxOrder && e !== 0);
  return [...new Set(chain)].sort(byOrderThenMask);
}

export function byOrderThenMask(a: number, b: number): number {
  return order(a) - order(b) || a - b;
}
