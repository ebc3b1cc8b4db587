import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import type { PredictionRow } from '../../lib/db/predictions';
import { buildFeatureColumns, buildFeatures, featureOrder } from '../../lib/model/features';
import { checkPredictions, type ModelArtifact, type Predictions } from '../../lib/model/model-artifact';
import { predictedClasses } from '../../lib/model/metrics';
import { predictRidgeOnColumns, type RidgeModel } from '../../lib/model/ridge';
import { inTargetUnits } from '../../lib/model/target-transform';
import type { ScoringChunk, ScoringColumns } from '../../lib/scoring/scoring-chunks';
import { inputDigest, modelInputs } from '../../lib/serving/input-digest';
import { rowKeyOf } from '../../lib/serving/request-features';
import { predictAnyWith } from '../training/predict';

/** The version a batch scores with, as recorded when the run started. */
export interface PinnedVersion {
  pipeline: string;
  model: string;
  version: number;
  artifact: ModelArtifact;
}

/**
 * Scores a chunk's own rows (not the history carried into it) with the pinned version: features
 * built on the chunk's typed-array columns, the built-in ridge predicting on those columns (no
 * array per row), any other trainer on rows. A row without the history or values its features
 * need gets no prediction.
 */
export async function predictChunk(pinned: PinnedVersion, chunk: ScoringChunk, scoring: ScoringColumns, batchId: string, signal: AbortSignal): Promise<PredictionRow[]> {
  const { artifact } = pinned;
  const { plan } = artifact;
  const frame = frameOfRows(chunk.rows, scoring.frame);
  const order = featureOrder(frame, plan);
  const own = (t: number) => (order[t] as number) >= chunk.carried;
  let inputRows: number[];
  let predictions: Predictions;
  if (artifact.trainer.kind === 'built-in' && artifact.trainer.name === 'ridge') {
    const features = buildFeatureColumns(frame, plan);
    const picked = pickedRows(features.row, own);
    const columns = picked.length === features.row.length ? features.columns : features.columns.map((column) => Float64Array.from(picked, (i) => column[i] as number));
    predictions = inTargetUnits(plan, Array.from(predictRidgeOnColumns(artifact.model as RidgeModel, columns)));
    checkPredictions(predictions, picked.length);
    inputRows = picked.map((i) => order[features.row[i] as number] as number);
  } else {
    const features = buildFeatures(frame, plan);
    const picked = pickedRows(features.row, own);
    predictions = picked.length === 0 ? [] : await predictAnyWith(artifact, picked.map((i) => features.x[i] as number[]), signal);
    inputRows = picked.map((i) => order[features.row[i] as number] as number);
  }
  return inputRows.map((at, i) => loggedRow(pinned, chunk.rows[at] as Row, chunk.records[at] as number, scoring, batchId, predictions, i));
}

/** Indexes of the feature rows whose time-order position `keep` accepts. */
function pickedRows(rows: ArrayLike<number>, keep: (t: number) => boolean): number[] {
  const picked: number[] = [];
  for (let i = 0; i < rows.length; i += 1) if (keep(rows[i] as number)) picked.push(i);
  return picked;
}

/** The prediction as logged: keyed by the row's key columns, else by its position in the source (the same on a re-run of the same source). */
function loggedRow(pinned: PinnedVersion, row: Row, record: number, scoring: ScoringColumns, batchId: string, predictions: Predictions, i: number): PredictionRow {
  const { plan } = pinned.artifact;
  const entry: PredictionRow = {
    pipeline: pinned.pipeline,
    model: pinned.model,
    version: pinned.version,
    batchId,
    rowKey: rowKeyOf(row, scoring.keyColumns) ?? `record ${record}`,
    at: plan.timeColumn ? (row[plan.timeColumn] as string | null) : null,
    inputDigest: inputDigest(row, scoring.read),
    // What serving drift compares with the training data: batch-scored rows were served too.
    inputs: modelInputs(row, scoring.read),
    source: 'batch',
  };
  const classes = plan.classes?.values;
  if (!classes) return { ...entry, prediction: predictions[i] as number };
  const probabilities = predictions[i] as number[];
  const [code] = predictedClasses([probabilities]);
  return { ...entry, predictedClass: classes[code as number] as string, probabilities: Object.fromEntries(classes.map((name, k) => [name, probabilities[k] as number])) };
}
