import { type DataWindow, frameOf, keyAt, type PipelineData, type RowKey } from '../../lib/arrival/pipeline-data';
import { accuracyDecay } from '../../lib/drift/accuracy-decay';
import type { DriftCheck } from '../../lib/drift/drift-check';
import { buildExamples, buildFeatures } from '../../lib/model/features';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { predictWith } from '../training/predict';
import type { Champion } from './compare-thread';

/**
 * Predictions run inside the check's thread, which the pool terminates when the check is
 * cancelled: nothing here is aborted on its own.
 */
const NEVER = new AbortController().signal;

/** The champion's predictions on both sides, built with its own feature plan; a string says why there are none. */
export async function championPredictions(
  champion: Champion,
  data: { reference: PipelineData; all: PipelineData },
  current: DataWindow,
): Promise<{ reference: number[]; current: number[] } | string> {
  const referenceX = buildFeatures(frameOf(data.reference), champion.artifact.plan).x;
  // Lags and rolling means of new rows reach back into older ones: the current's features are built on all the data.
  const all = buildFeatures(frameOf(data.all), champion.artifact.plan);
  const currentX = all.x.filter((_, i) => inWindow(exampleKey(data.all, all.at[i] as string), current));
  if (referenceX.length === 0 || currentX.length === 0) return `no ${referenceX.length === 0 ? 'reference' : 'current'} row has all the champion's features`;
  return { reference: await predictWith(champion.artifact, referenceX, NEVER), current: await predictWith(champion.artifact, currentX, NEVER) };
}

/**
 * The champion's error on the newest actuals — labelled examples of the current window, which
 * it never learned from — against the error on the holdout it was promoted on.
 */
export async function championAccuracy(spec: PipelineSpec, champion: Champion, all: PipelineData, current: DataWindow): Promise<DriftCheck['accuracy']> {
  const examples = buildExamples(frameOf(all), champion.artifact.plan);
  const fresh = examples.at.map((at) => inWindow(exampleKey(all, at), current));
  const x = examples.x.filter((_, i) => fresh[i]);
  const y = examples.y.filter((_, i) => fresh[i]);
  if (y.length === 0) return { reason: 'no new actuals since the champion was trained' };
  const { metric } = spec.drift.accuracyDecay;
  return accuracyDecay(champion.metrics[metric], y, await predictWith(champion.artifact, x, NEVER), spec.drift.accuracyDecay);
}

/** An example's `at` is its row's time, or its row's index in the data when there is no time column. */
function exampleKey(data: PipelineData, at: string): RowKey {
  return data.by === 'time' ? at : keyAt(data, Number(at));
}

function inWindow(key: RowKey, window: DataWindow): boolean {
  if (window.from === null || window.to === null) return false;
  return typeof key === 'number' ? key >= (window.from as number) && key <= (window.to as number) : key >= String(window.from) && key <= String(window.to);
}
