import { confusionMatrix, perClassScores, predictedClasses, type ClassScores } from '../model/metrics';

/** How a classifier did on each class of its holdout: what the version page shows beside the metrics. */
export interface ClassReport {
  classes: string[];
  /** confusion[actual][predicted], counts of holdout examples. */
  confusion: number[][];
  perClass: ClassScores[];
}

export function classReport(classes: string[], labels: number[], probabilities: number[][]): ClassReport {
  const confusion = confusionMatrix(labels, predictedClasses(probabilities), classes.length);
  return { classes, confusion, perClass: perClassScores(confusion) };
}
