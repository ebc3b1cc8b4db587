import type { Examples } from './features';

export interface Split {
  train: Examples;
  test: Examples;
}

/** Time-based holdout: the most recent share of examples is the test set, so no future leaks into training. */
export function timeHoldout(examples: Examples, holdoutFraction: number): Split {
  const n = examples.y.length;
  const testSize = Math.max(1, Math.round(n * holdoutFraction));
  if (n - testSize < 2) {
    throw new Error(`too few examples (${n}) for a holdout of ${holdoutFraction}: need at least 2 to train`);
  }
  const cut = n - testSize;
  const slice = (from: number, to?: number): Examples => ({
    featureNames: examples.featureNames,
    x: examples.x.slice(from, to),
    y: examples.y.slice(from, to),
    at: examples.at.slice(from, to),
  });
  return { train: slice(0, cut), test: slice(cut) };
}
