import { MISSING_BIN } from './binning';
import { buildHistogram, newHistogram, subtractHistogram, type BinnedRows, type Histogram } from './histograms';
import { bestSplit, type HistogramLayout, type NodeStats, type Split, type SplitRules } from './split';
import { addNode, emptyTree, type FlatTree } from './tree';

export interface GrowthRules extends SplitRules {
  /** Leaf-wise growth: the open leaf of most gain is split next, until there are this many. */
  maxLeafNodes: number;
  /** Root at depth 0; null: no limit but maxLeafNodes. */
  maxDepth: number | null;
  learningRate: number;
}

/** What stays the same over every tree of a fit: the binned rows and reused buffers. */
export interface Grower extends BinnedRows, HistogramLayout {
  thresholds: Float64Array[];
  rules: GrowthRules;
  /** Row indices, partitioned so each node's rows are one contiguous range. */
  rows: Uint32Array;
  scratch: Uint32Array;
  freeHistograms: Histogram[];
}

interface OpenNode {
  id: number;
  start: number;
  end: number;
  depth: number;
  stats: NodeStats;
  hist: Histogram | null;
  split: Split | null;
}

/** A grown tree and, for each leaf, its rows (grower.rows[start, end)) and output. */
export interface GrownTree {
  tree: FlatTree;
  leaves: { start: number; end: number; value: number }[];
}

export function createGrower(data: BinnedRows, rows: number, thresholds: Float64Array[], rules: GrowthRules): Grower {
  return {
    ...data,
    thresholds,
    binsPerFeature: Uint16Array.from(thresholds, (t) => t.length + 1),
    hasMissing: featuresWithMissing(data),
    rules,
    rows: new Uint32Array(rows),
    scratch: new Uint32Array(rows),
    freeHistograms: [],
  };
}

/** Which features had NaN in training: only those try sending missing values left (scikit-learn's rule). */
function featuresWithMissing({ binned, features }: BinnedRows): Uint8Array {
  const hasMissing = new Uint8Array(features);
  for (let i = 0; i < binned.length; i += 1) if (binned[i] === MISSING_BIN) hasMissing[i % features] = 1;
  return hasMissing;
}

/** Grows one tree on the gradients (and hessians) of every row. */
export function growTree(grower: Grower, gradients: Float32Array, hessians: Float32Array): GrownTree {
  const { rows, rules } = grower;
  for (let i = 0; i < rows.length; i += 1) rows[i] = i;
  const tree = emptyTree();
  const root: OpenNode = { id: addNode(tree), start: 0, end: rows.length, depth: 0, stats: totals(grower, gradients, hessians), hist: null, split: null };
  if (splittable(grower, root, 1)) {
    root.hist = takeHistogram(grower);
    buildHistogram(grower, root.hist, rows, 0, rows.length, gradients, hessians);
    root.split = bestSplit(root.hist, grower, root.stats, rules);
  }
  const open = [root];
  for (let leaves = 1; leaves < rules.maxLeafNodes; leaves += 1) {
    const next = mostGainful(open);
    if (!next) break;
    open.splice(open.indexOf(next), 1, ...splitNode(grower, tree, next, leaves + 1, gradients, hessians));
  }
  for (const node of open) if (node.hist) releaseHistogram(grower, node.hist);
  return { tree, leaves: open.map((node) => ({ start: node.start, end: node.end, value: setLeafValue(tree, node, rules) })) };
}

function totals(grower: Grower, gradients: Float32Array, hessians: Float32Array): NodeStats {
  let gradient = 0;
  let hessian = 0;
  for (let r = 0; r < gradients.length; r += 1) gradient += gradients[r] as number;
  if (grower.constantHessian) hessian = gradients.length;
  else for (let r = 0; r < hessians.length; r += 1) hessian += hessians[r] as number;
  return { gradient, hessian, count: gradients.length };
}

function mostGainful(open: OpenNode[]): OpenNode | undefined {
  let best: OpenNode | undefined;
  for (const node of open) if (node.split && (!best || node.split.gain > (best.split as Split).gain)) best = node;
  return best;
}

/** Whether a node may be split further, the tree then having `leaves` leaves. */
function splittable(grower: Grower, node: OpenNode, leaves: number): boolean {
  const { maxDepth, maxLeafNodes, minSamplesLeaf } = grower.rules;
  return leaves < maxLeafNodes && (maxDepth === null || node.depth < maxDepth) && node.stats.count >= 2 * minSamplesLeaf;
}

/**
 * Splits a node into two open children. The smaller child's histogram is summed from its rows and
 * the larger's is the parent's minus it (in the parent's buffer), so each level reads at most half
 * of the rows.
 */
function splitNode(grower: Grower, tree: FlatTree, node: OpenNode, leaves: number, gradients: Float32Array, hessians: Float32Array): OpenNode[] {
  const split = node.split as Split;
  const middle = partition(grower, node, split);
  const leftId = addNode(tree);
  addNode(tree);
  tree.feature[node.id] = split.feature;
  tree.threshold[node.id] = (grower.thresholds[split.feature] as Float64Array)[split.bin] ?? Number.MAX_VALUE;
  tree.missingLeft[node.id] = split.missingLeft ? 1 : 0;
  tree.left[node.id] = leftId;
  const depth = node.depth + 1;
  const left: OpenNode = { id: leftId, start: node.start, end: middle, depth, stats: split.left, hist: null, split: null };
  const right: OpenNode = { id: leftId + 1, start: middle, end: node.end, depth, stats: split.right, hist: null, split: null };
  const children = [left, right].filter((child) => splittable(grower, child, leaves));
  const parentHist = node.hist as Histogram;
  if (children.length === 0) {
    releaseHistogram(grower, parentHist);
    return [left, right];
  }
  const [smaller, larger] = left.stats.count <= right.stats.count ? [left, right] : [right, left];
  smaller.hist = takeHistogram(grower);
  buildHistogram(grower, smaller.hist, grower.rows, smaller.start, smaller.end, gradients, hessians);
  subtractHistogram(parentHist, smaller.hist);
  larger.hist = parentHist;
  for (const child of [left, right]) {
    if (children.includes(child)) child.split = bestSplit(child.hist as Histogram, grower, child.stats, grower.rules);
    if (!child.split) {
      releaseHistogram(grower, child.hist as Histogram);
      child.hist = null;
    }
  }
  return [left, right];
}

/** Stable partition of the node's rows: left rows first, each side keeping row order (cache-friendly). */
function partition(grower: Grower, node: OpenNode, split: Split): number {
  const { rows, scratch, binned, features } = grower;
  const { feature, bin, missingLeft } = split;
  const missingBin = MISSING_BIN; // a local: an imported binding is read through a getter in the loop
  let l = node.start;
  let k = 0;
  for (let i = node.start; i < node.end; i += 1) {
    const r = rows[i] as number;
    const code = binned[r * features + feature] as number;
    if (code === missingBin ? missingLeft : code <= bin) rows[l++] = r;
    else scratch[k++] = r;
  }
  rows.set(scratch.subarray(0, k), l);
  return l;
}

/** The leaf's output: the shrunken Newton step −learningRate · G / (H + λ). */
function setLeafValue(tree: FlatTree, node: OpenNode, rules: GrowthRules): number {
  const value = (-rules.learningRate * node.stats.gradient) / (node.stats.hessian + rules.l2Regularization);
  tree.value[node.id] = value;
  return value;
}

function takeHistogram(grower: Grower): Histogram {
  return grower.freeHistograms.pop() ?? newHistogram(grower);
}

function releaseHistogram(grower: Grower, hist: Histogram): void {
  grower.freeHistograms.push(hist);
}
