/**
 * A node's histogram: for every feature and each of its 256 bin codes, the sum of gradients and
 * the row count, plus the sum of hessians (bin codes 0 … 254 and MISSING_BIN 255) when they are not all 1 — `stride` numbers per bin, one
 * Float64Array per node. Rows are binned row-major (`binned[r * features + f]`), so collecting a
 * node whose rows are scattered reads one cache line per row rather than one per feature.
 */
export const BINS = 256;
export const GRADIENT = 0;
export const COUNT = 1;
export const HESSIAN = 2;

export interface BinnedRows {
  binned: Uint8Array;
  features: number;
  /** 2 (gradient, count) when every hessian is 1, else 3 (gradient, count, hessian). */
  stride: 2 | 3;
}

/** Sums the gradients (and hessians) of rows[start, end) into hist, which it clears first. */
export function buildHistogram(
  data: BinnedRows,
  hist: Float64Array,
  rows: Uint32Array,
  start: number,
  end: number,
  gradients: Float32Array,
  hessians: Float32Array,
): void {
  hist.fill(0);
  const { binned, features, stride } = data;
  const featureStride = BINS * stride;
  if (stride === 2) {
    for (let i = start; i < end; i += 1) {
      const r = rows[i] as number;
      const g = gradients[r] as number;
      const at = r * features;
      for (let f = 0, base = 0; f < features; f += 1, base += featureStride) {
        const slot = base + ((binned[at + f] as number) << 1);
        hist[slot] = (hist[slot] as number) + g;
        hist[slot + 1] = (hist[slot + 1] as number) + 1;
      }
    }
    return;
  }
  for (let i = start; i < end; i += 1) {
    const r = rows[i] as number;
    const g = gradients[r] as number;
    const h = hessians[r] as number;
    const at = r * features;
    for (let f = 0, base = 0; f < features; f += 1, base += featureStride) {
      const slot = base + (binned[at + f] as number) * 3;
      hist[slot] = (hist[slot] as number) + g;
      hist[slot + 1] = (hist[slot + 1] as number) + 1;
      hist[slot + 2] = (hist[slot + 2] as number) + h;
    }
  }
}

/** parent − child, in place: the sibling's histogram without reading its rows. */
export function subtractHistogram(parent: Float64Array, child: Float64Array): void {
  for (let i = 0; i < parent.length; i += 1) parent[i] = (parent[i] as number) - (child[i] as number);
}
