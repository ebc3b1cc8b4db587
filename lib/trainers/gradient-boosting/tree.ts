import { z } from 'zod';

/**
 * One tree, flat: node i is a leaf when feature[i] is −1 (value[i] is its output), else rows with
 * x[feature] ≤ threshold (NaN: missingLeft) go to node left[i] and the others to left[i] + 1 —
 * children are always made in pairs. Plain number arrays so the model is JSON as it stands.
 */
export const FlatTree = z.object({
  feature: z.array(z.number().int()),
  threshold: z.array(z.number()),
  missingLeft: z.array(z.union([z.literal(0), z.literal(1)])),
  left: z.array(z.number().int()),
  value: z.array(z.number()),
});
export type FlatTree = z.infer<typeof FlatTree>;

export function emptyTree(): FlatTree {
  return { feature: [], threshold: [], missingLeft: [], left: [], value: [] };
}

/** Appends a node (a leaf until it is split) and returns its index. */
export function addNode(tree: FlatTree): number {
  tree.feature.push(-1);
  tree.threshold.push(0);
  tree.missingLeft.push(0);
  tree.left.push(0);
  tree.value.push(0);
  return tree.feature.length - 1;
}

/** Adds the tree's output for every row of the columns to out. */
export function addTreeOutput(tree: FlatTree, columns: Float64Array[], out: Float64Array): void {
  const { feature, threshold, missingLeft, left, value } = tree;
  for (let r = 0; r < out.length; r += 1) {
    let node = 0;
    let f = feature[0] as number;
    while (f >= 0) {
      const x = (columns[f] as Float64Array)[r] as number;
      const goLeft = Number.isNaN(x) ? missingLeft[node] === 1 : x <= (threshold[node] as number);
      node = (left[node] as number) + (goLeft ? 0 : 1);
      f = feature[node] as number;
    }
    out[r] = (out[r] as number) + (value[node] as number);
  }
}
