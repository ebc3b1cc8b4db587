import { describe, expect, it } from 'vitest';
import { predictAnyWith } from '../../activities/training/predict';
import { planTraining, trainWith } from '../../lib/model/model-artifact';
import { logisticTrainer } from '../../lib/trainers/logistic-trainer';
import { predictChunk } from '../../activities/scoring/predict-chunk';
import { frameOfRows } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { readRecords } from '../../lib/data/records/read-records';
import { scoredPrediction, type ScoredPrediction } from '../../lib/scoring/scored-chunk';
import { formatZodError } from '../../lib/errors';
import { buildExamples, lookbackOf, type FeaturePlan } from '../../lib/model/features';
import { fitRidge, predictRidge } from '../../lib/model/ridge';
import { scoringChunks, scoringColumnsOf } from '../../lib/scoring/scoring-chunks';
import { FeatureSpec, PipelineSpec } from '../../lib/spec/pipeline-spec';
import { requestFeatures, rowKeyOf } from '../../lib/serving/request-features';
import { BUILT_IN_PIPELINES_DIR } from '../../lib/spec/load-spec';
import { loadPenguins, loadStocks, PENGUIN_COLUMNS, STOCK_COLUMNS, type Stock } from '../support/vega-data';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const KEYS = ['symbol', 'date'];

/** Each stock's price from its own last two prices and three-month mean: five series, one model. */
function stocksChampion(stocks: Stock[]) {
  const plan: FeaturePlan = { target: 'price', timeColumn: 'date', horizon: 1, groupBy: ['symbol'], features: FeatureSpec.parse({ targetLags: [1, 2], targetRollingMeans: [3] }), categories: {} };
  const examples = buildExamples(frameOfRows(stocks, STOCK_COLUMNS), plan);
  const model = fitRidge(examples.x, examples.y, 1, examples.featureNames);
  return { pipeline: 'stocks', model: 'stocks-model', version: 1, artifact: { plan, trainer: { kind: 'built-in' as const, name: 'ridge' as const }, model } };
}

/** The stocks as a CSV source, read as a scoring run reads it. */
function csvSource(stocks: Stock[]) {
  const text = `symbol,date,price\n${stocks.map((s) => `${s.symbol},${s.date},${s.price}`).join('\n')}\n`;
  return { origin: 'stocks.csv', format: 'csv' as const, delimiter: ',', chunks: (async function* () { yield Buffer.from(text); })() };
}

async function scoreInChunks(stocks: Stock[], chunkRows: number, pinned: ReturnType<typeof stocksChampion>): Promise<ScoredPrediction[]> {
  const scoring = scoringColumnsOf(pinned.artifact.plan, STOCK_COLUMNS, KEYS);
  const logged: ScoredPrediction[] = [];
  for await (const chunk of scoringChunks(readRecords(csvSource(stocks), scoring.columns), scoring, { chunkRows, plan: pinned.artifact.plan })) {
    logged.push(...rowsOf(await predictChunk(pinned, chunk, scoring, new AbortController().signal)));
  }
  return logged;
}

/** A scored chunk's predictions, row by row. */
function rowsOf(chunk: Awaited<ReturnType<typeof predictChunk>>): ScoredPrediction[] {
  return chunk.rowKeys.map((_, i) => scoredPrediction(chunk, i));
}

describe('batch scoring in chunks', () => {
  const stocks = loadStocks();
  const pinned = stocksChampion(stocks);

  /** Each row's prediction when all rows are scored at once, by key. */
  function allAtOnce(rows: Stock[]): Map<string, number> {
    const features = requestFeatures(rows, STOCK_COLUMNS, pinned.artifact.plan);
    const predicted = predictRidge(pinned.artifact.model, features.x);
    return new Map(features.inputRows.map((row, i) => [rowKeyOf(rows[row] as Stock, KEYS) as string, predicted[i] as number]));
  }

  it.each([
    ['one series after another, as the file ships', stocks],
    ['the series interleaved month by month', [...stocks].sort((a, b) => a.date.localeCompare(b.date) || a.symbol.localeCompare(b.symbol))],
  ])('a chunk boundary changes no prediction: %s', async (_, rows) => {
    const expected = allAtOnce(rows);
    // Five series, each without predictions for its first rows (no history yet).
    expect(expected.size).toBe(rows.length - 5 * lookbackOf(pinned.artifact.plan));
    for (const chunkRows of [10, 37, 200]) {
      const logged = await scoreInChunks(rows, chunkRows, pinned);
      expect(logged).toHaveLength(expected.size);
      expect(new Map(logged.map((row) => [row.rowKey, row.prediction]))).toEqual(expected);
    }
  });
});

describe('batch scoring a classifier', () => {
  it('logs each row\'s class probabilities and predicted class, as the version predicts them, from a JSON array source', async () => {
    const spec = PipelineSpec.parse({
      name: 'penguins',
      kind: 'cross-sectional',
      source: { kind: 'package-file', package: 'vega-datasets', path: 'data/penguins.json', format: 'json' },
      columns: PENGUIN_COLUMNS,
      target: 'Species',
      features: { columns: ['Beak Length (mm)', 'Beak Depth (mm)', 'Flipper Length (mm)', 'Body Mass (g)'], categorical: ['Island', 'Sex'] },
      model: { name: 'penguins-model', trainer: 'logistic', params: { alpha: 1 } },
      evaluation: { holdout: { fraction: 0.25, seed: 3 }, primaryMetric: 'log_loss', refit: false },
    });
    const birds = loadPenguins();
    const planned = planTraining(frameOfRows(birds as Row[], spec.columns), spec);
    const trained = await trainWith(logisticTrainer, { kind: 'built-in', name: 'logistic' }, planned, spec.model.params, () => undefined);
    const pinned = { pipeline: 'penguins', model: 'penguins-model', version: 1, artifact: trained.artifact };
    const scoring = scoringColumnsOf(trained.artifact.plan, spec.columns, []);
    const text = JSON.stringify(birds);
    const opened = { origin: 'penguins.json', format: 'json' as const, delimiter: ',', chunks: (async function* () { yield Buffer.from(text); })() };
    const logged: ScoredPrediction[] = [];
    for await (const chunk of scoringChunks(readRecords(opened, scoring.columns), scoring, { chunkRows: 50, plan: trained.artifact.plan })) {
      logged.push(...rowsOf(await predictChunk(pinned, chunk, scoring, new AbortController().signal)));
    }
    // The version's own probabilities for every bird at once; without key columns a row is keyed by its position in the source.
    const features = requestFeatures(birds as Row[], spec.columns, trained.artifact.plan);
    const direct = (await predictAnyWith(trained.artifact, features.x, new AbortController().signal)) as number[][];
    const classes = trained.artifact.plan.classes!.values as string[];
    const expected = new Map(features.inputRows.map((row, i) => [`record ${row + 1}`, direct[i] as number[]]));
    expect(expected.size).toBeGreaterThan(300);
    expect(logged).toHaveLength(expected.size);
    for (const row of logged) {
      const probabilities = expected.get(row.rowKey) as number[];
      expect(Object.entries(row.probabilities!)).toEqual(classes.map((name, k) => [name, probabilities[k]]));
      expect(row.predictedClass).toBe(classes[probabilities.indexOf(Math.max(...probabilities))]);
      expect(row.prediction).toBeUndefined();
    }
  });
});

describe('the spec\'s "scoring" section', () => {
  const base = JSON.parse(readFileSync(path.join(BUILT_IN_PIPELINES_DIR, 'us-employment.json'), 'utf8')) as Record<string, unknown>;
  const refusal = (scoring: unknown) => {
    const parsed = PipelineSpec.safeParse({ ...base, scoring });
    return parsed.success ? 'accepted' : formatZodError(parsed.error);
  };

  it('is strict, and each refusal names the field', () => {
    const source = base.source;
    expect(refusal({ source })).toBe('accepted');
    expect(refusal({ source, chunkRow: 100 })).toMatch(/scoring: .*"chunkRow"/);
    expect(refusal({ source, chunkRows: 5 })).toMatch(/scoring\.chunkRows/);
    expect(refusal({ source, output: { path: 'out.csv', format: 'parquet' } })).toMatch(/scoring\.output\.format/);
    expect(refusal({ source, schedule: { every: '10s' } })).toMatch(/scoring\.schedule\.every: must be at least 1m/);
    expect(refusal({ source: { kind: 'file' } })).toMatch(/scoring\.source\.path/);
    expect(refusal({ source: { ...(source as object), where: [{ column: 'nope', in: ['a'] }] } })).toMatch(/scoring\.source\.where\.0\.column: column "nope" is not declared/);
  });
});
