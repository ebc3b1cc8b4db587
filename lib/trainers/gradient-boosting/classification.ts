import { rawScores, type BoostedTrees } from './boosting';
import { binaryLogLoss, multinomialLogLoss, sigmoid, softmaxOfRow, type Loss } from './losses';

/**
 * Classification on the same kernel: labels are class codes 0 … classes − 1; two classes boost one
 * log-odds score, more boost one score per class (a tree per class each round).
 */
export function classificationLoss(classes: number): Loss {
  if (classes < 2) throw new Error(`classification needs at least 2 classes, got ${classes}`);
  return classes === 2 ? binaryLogLoss : multinomialLogLoss(classes);
}

/** Each row's class probabilities, row after row (`p[r * classes + k]`), each row summing to 1. */
export function classProbabilities(model: BoostedTrees, columns: Float64Array[], rows: number): { classes: number; probabilities: Float64Array } {
  const raw = rawScores(model, columns, rows);
  if (model.scoresPerRow === 1) {
    const probabilities = new Float64Array(2 * rows);
    for (let r = 0; r < rows; r += 1) {
      const p = sigmoid(raw[r] as number);
      probabilities[2 * r] = 1 - p;
      probabilities[2 * r + 1] = p;
    }
    return { classes: 2, probabilities };
  }
  const classes = model.scoresPerRow;
  const probabilities = new Float64Array(classes * rows);
  for (let r = 0; r < rows; r += 1) softmaxOfRow(raw, rows, r, probabilities.subarray(r * classes, (r + 1) * classes));
  return { classes, probabilities };
}
