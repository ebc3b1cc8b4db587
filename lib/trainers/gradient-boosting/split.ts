import { BINS, type Histogram } from './histograms';

/** Sums over a node's rows. */
export interface NodeStats {
  gradient: number;
  hessian: number;
  count: number;
}

export interface Split {
  gain: number;
  feature: number;
  /** Rows with bin code ≤ bin go left. */
  bin: number;
  missingLeft: boolean;
  left: NodeStats;
  right: NodeStats;
}

export interface SplitRules {
  minSamplesLeaf: number;
  l2Regularization: number;
}

/** How many bins each feature has, and which had missing values in training. */
export interface HistogramLayout {
  binsPerFeature: Uint16Array;
  hasMissing: Uint8Array;
}

/** scikit-learn's min_hessian_to_split: a child with (almost) no curvature has no leaf value worth having. */
const MIN_HESSIAN = 1e-3;

/**
 * The split of most gain (reduction of the regularized second-order loss) over every feature and
 * bin; null if none gains anything while leaving minSamplesLeaf rows on both sides. As in
 * scikit-learn, cuts are scanned left to right with missing values going right, then — for a
 * feature that had missing values — right to left with them going left, and only a strictly
 * greater gain wins: among cuts that split the node's rows alike (empty bins between them) the
 * same one is chosen, so the trees are scikit-learn's.
 */
export function bestSplit(hist: Histogram, layout: HistogramLayout, node: NodeStats, rules: SplitRules): Split | null {
  const search: Search = { gradient: hist.gradient, count: hist.count, hessian: hist.hessian ?? hist.count, node, rules, parentScore: score(node.gradient, node.hessian, rules.l2Regularization), best: null };
  for (let f = 0; f < layout.binsPerFeature.length; f += 1) {
    const bins = layout.binsPerFeature[f] as number;
    const hasMissing = layout.hasMissing[f] === 1;
    scanLeftToRight(search, f, hasMissing ? bins : bins - 1, hasMissing);
    if (hasMissing) scanRightToLeft(search, f, bins);
  }
  return search.best;
}

interface Search {
  gradient: Float64Array;
  count: Float64Array;
  /** The counts when every hessian is 1. */
  hessian: Float64Array;
  node: NodeStats;
  rules: SplitRules;
  parentScore: number;
  best: Split | null;
}

/** Cuts after bins 0 … cuts − 1, missing values right; the last cut (all values left) splits on missing alone. */
function scanLeftToRight(search: Search, feature: number, cuts: number, hasMissing: boolean): void {
  const { gradient, count, hessian, node } = search;
  const { minSamplesLeaf, l2Regularization: l2 } = search.rules;
  const base = feature * BINS;
  let gl = 0;
  let hl = 0;
  let cl = 0;
  for (let b = 0; b < cuts; b += 1) {
    const slot = base + b;
    gl += gradient[slot] as number;
    hl += hessian[slot] as number;
    cl += count[slot] as number;
    const cr = node.count - cl;
    if (cl < minSamplesLeaf) continue;
    if (cr < minSamplesLeaf) break;
    const hr = node.hessian - hl;
    if (hl < MIN_HESSIAN) continue;
    if (hr < MIN_HESSIAN) break;
    const gr = node.gradient - gl;
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - search.parentScore;
    // Without missing values in training, a NaN at prediction follows the majority of the rows.
    if (gain > (search.best?.gain ?? 0)) record(search, gain, feature, b, hasMissing ? false : cl > cr, [gl, hl, cl], [gr, hr, cr]);
  }
}

/** Cuts after bins bins − 2 … 0, the right side summed from the top, missing values left. */
function scanRightToLeft(search: Search, feature: number, bins: number): void {
  const { gradient, count, hessian, node } = search;
  const { minSamplesLeaf, l2Regularization: l2 } = search.rules;
  const base = feature * BINS;
  let gr = 0;
  let hr = 0;
  let cr = 0;
  for (let b = bins - 2; b >= 0; b -= 1) {
    const slot = base + b + 1;
    gr += gradient[slot] as number;
    hr += hessian[slot] as number;
    cr += count[slot] as number;
    const cl = node.count - cr;
    if (cr < minSamplesLeaf) continue;
    if (cl < minSamplesLeaf) break;
    const hl = node.hessian - hr;
    if (hr < MIN_HESSIAN) continue;
    if (hl < MIN_HESSIAN) break;
    const gl = node.gradient - gr;
    const gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - search.parentScore;
    if (gain > (search.best?.gain ?? 0)) record(search, gain, feature, b, true, [gl, hl, cl], [gr, hr, cr]);
  }
}

/** Both sides' sums as the scan had them, so children's leaf values are scikit-learn's to the last bit. */
function record(search: Search, gain: number, feature: number, bin: number, missingLeft: boolean, left: Sums, right: Sums): void {
  search.best = { gain, feature, bin, missingLeft, left: statsOf(left), right: statsOf(right) };
}

type Sums = [gradient: number, hessian: number, count: number];

function statsOf([gradient, hessian, count]: Sums): NodeStats {
  return { gradient, hessian, count };
}

function score(gradient: number, hessian: number, l2: number): number {
  return (gradient * gradient) / (hessian + l2);
}
