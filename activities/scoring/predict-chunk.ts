import type { ColumnSpec } from '../../lib/data/column-spec';
import { frameOfTable, tableOfFrame } from '../../lib/data/columns/frame';
import { buildFeatureColumns, buildFeatures, featureOrder } from '../../lib/model/features';
import { checkPredictions, type ModelArtifact, type Predictions } from '../../lib/model/model-artifact';
import { predictedClasses } from '../../lib/model/metrics';
import { predictRidgeOnColumns, type RidgeModel } from '../../lib/model/ridge';
import { inTargetUnits } from '../../lib/model/target-transform';
import type { ScoringChunk, ScoringColumns } from '../../lib/scoring/scoring-chunks';
import type { ScoredAnswers, ScoredChunk } from '../../lib/scoring/scored-chunk';
import { inputDigests } from '../../lib/serving/input-digest';
import { tableRowKeys } from '../../lib/serving/request-features';
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
 * need gets no prediction. What is logged of each row — its key, time, digest and inputs — is
 * read off the same columns.
 */
export async function predictChunk(pinned: PinnedVersion, chunk: ScoringChunk, scoring: ScoringColumns, signal: AbortSignal): Promise<ScoredChunk> {
  const { artifact } = pinned;
  const { plan } = artifact;
  const frame = frameOfTable(chunk.table);
  const order = featureOrder(frame, plan);
  const own = (t: number) => (order[t] as number) >= chunk.carried;
  let inputRows: Int32Array;
  let predictions: Predictions;
  if (artifact.trainer.kind === 'built-in' && artifact.trainer.name === 'ridge') {
    const features = buildFeatureColumns(frame, plan);
    const picked = pickedRows(features.row, own);
    const columns = picked.length === features.row.length ? features.columns : features.columns.map((column) => Float64Array.from(picked, (i) => column[i] as number));
    predictions = inTargetUnits(plan, Array.from(predictRidgeOnColumns(artifact.model as RidgeModel, columns)));
    checkPredictions(predictions, picked.length);
    inputRows = Int32Array.from(picked, (i) => order[features.row[i] as number] as number);
  } else {
    const features = buildFeatures(frame, plan);
    const picked = pickedRows(features.row, own);
    predictions = picked.length === 0 ? [] : await predictAnyWith(artifact, picked.map((i) => features.x[i] as number[]), signal);
    inputRows = Int32Array.from(picked, (i) => order[features.row[i] as number] as number);
  }
  const read = scoring.read.map((name) => ({ name, type: (scoring.frame[name] as ColumnSpec).type }));
  const times = plan.timeColumn ? frame.numbers(plan.timeColumn) : undefined;
  return {
    index: chunk.index,
    lastRecord: chunk.records.at(-1) ?? 0,
    rowKeys: tableRowKeys(chunk.table, scoring.keyColumns, inputRows).map((key, i) => key ?? `record ${chunk.records[inputRows[i] as number] as number}`),
    ...(times && { at: Float64Array.from(inputRows, (at) => times[at] as number) }),
    answers: answersOf(predictions, plan.classes?.values),
    digests: inputDigests(frame, scoring.frame, scoring.read, inputRows),
    inputs: tableOfFrame(frame, read, inputRows),
  };
}

/** Indexes of the feature rows whose time-order position `keep` accepts. */
function pickedRows(rows: ArrayLike<number>, keep: (t: number) => boolean): number[] {
  const picked: number[] = [];
  for (let i = 0; i < rows.length; i += 1) if (keep(rows[i] as number)) picked.push(i);
  return picked;
}

function answersOf(predictions: Predictions, classes: readonly string[] | undefined): ScoredAnswers {
  if (!classes) return { kind: 'regression', values: Float64Array.from(predictions as number[]) };
  const probabilities = predictions as number[][];
  return { kind: 'classification', classes, probabilities, predicted: predictedClasses(probabilities) };
}
