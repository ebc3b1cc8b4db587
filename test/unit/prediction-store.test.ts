import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { insertPredictions, joinedOutcomes, recordActuals, type PredictionRow } from '../../lib/db/predictions';
import { createPool, inTransaction, type Pool } from '../../lib/db/pool';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});
afterAll(() => pool.end());

function regressionRows(pipeline: string, batchId: string, keys: string[], version = 1): PredictionRow[] {
  return keys.map((rowKey, i) => ({
    pipeline,
    model: `${pipeline}-model`,
    version,
    batchId: `${pipeline}/${batchId}`,
    rowKey,
    at: new Date(Date.UTC(2026, 0, 1 + i)).toISOString(),
    prediction: i * 1.5,
    inputDigest: `digest-${rowKey}`,
    source: 'batch' as const,
  }));
}

describe('prediction log', () => {
  it('writes a batch once: a retried batch adds nothing', async () => {
    const pipeline = `store-${randomUUID()}`;
    const rows = regressionRows(pipeline, 'b1', ['r1', 'r2', 'r3']);
    expect(await insertPredictions(pool, rows)).toBe(3);
    expect(await insertPredictions(pool, rows)).toBe(0);
    // A partly written retry only adds what is missing.
    expect(await insertPredictions(pool, regressionRows(pipeline, 'b1', ['r1', 'r2', 'r3', 'r4']))).toBe(1);
    const count = await pool.query('SELECT count(*)::int AS n, count(DISTINCT prediction_id)::int AS ids FROM predictions WHERE pipeline = $1', [pipeline]);
    expect(count.rows[0]).toEqual({ n: 4, ids: 4 });
  });

  it('leaves nothing behind when the transaction around a batch fails', async () => {
    const pipeline = `store-${randomUUID()}`;
    await expect(
      inTransaction(pool, async (client) => {
        await insertPredictions(client, regressionRows(pipeline, 'b1', ['r1', 'r2']));
        // Neither a prediction nor a class: the table's check refuses it, and the whole batch goes.
        await insertPredictions(client, [{ ...regressionRows(pipeline, 'b1', ['r3'])[0]!, prediction: null }]);
      }),
    ).rejects.toThrow(/check constraint/);
    const count = await pool.query('SELECT count(*)::int AS n FROM predictions WHERE pipeline = $1', [pipeline]);
    expect(count.rows[0].n).toBe(0);
  });

  it('stores a classifier’s class and probabilities', async () => {
    const pipeline = `store-${randomUUID()}`;
    const probabilities = { no: 0.25, yes: 0.75 };
    await insertPredictions(pool, [
      { pipeline, model: 'm', version: 2, batchId: `${pipeline}/online-1`, rowKey: 'k', predictedClass: 'yes', probabilities, inputDigest: 'd', source: 'online' },
    ]);
    const stored = await pool.query('SELECT predicted_class, probabilities, prediction, at FROM predictions WHERE pipeline = $1', [pipeline]);
    expect(stored.rows[0]).toEqual({ predicted_class: 'yes', probabilities, prediction: null, at: null });
  });
});

describe('actuals joined to predictions', () => {
  it('joins by row key, counts matches, keeps the latest prediction and the newest window in time order', async () => {
    const pipeline = `store-${randomUUID()}`;
    const keys = ['a', 'b', 'c', 'd', 'e'];
    await insertPredictions(pool, regressionRows(pipeline, 'b1', keys));
    // 'c' re-scored later by version 2 (the same row time): the join takes this newer prediction.
    await insertPredictions(pool, [{ ...regressionRows(pipeline, 'b2', keys, 2)[2]!, prediction: 100 }]);

    const recorded = await recordActuals(pool, pipeline, [
      { rowKey: 'a', value: 1 },
      { rowKey: 'c', value: 3 },
      { rowKey: 'd', value: 4 },
      { rowKey: 'e', value: 5 },
      { rowKey: 'unknown', value: 9 },
    ], 'tester');
    expect(recorded).toEqual({ recorded: 5, matched: 4 });
    // A correction replaces the recorded value.
    await recordActuals(pool, pipeline, [{ rowKey: 'e', value: 6 }], 'tester');

    const all = await joinedOutcomes(pool, pipeline, { limit: 10 });
    expect(all.available).toBe(4);
    expect(all.outcomes.map((o) => [o.rowKey, o.version, o.prediction, o.actualValue])).toEqual([
      ['a', 1, 0, 1],
      ['c', 2, 100, 3],
      ['d', 1, 4.5, 4],
      ['e', 1, 6, 6],
    ]);

    const newest = await joinedOutcomes(pool, pipeline, { limit: 2 });
    expect(newest.available).toBe(4);
    expect(newest.outcomes.map((o) => o.rowKey)).toEqual(['d', 'e']);

    const versionOne = await joinedOutcomes(pool, pipeline, { limit: 10, version: 1 });
    expect(versionOne.outcomes.map((o) => o.rowKey)).toEqual(['a', 'c', 'd', 'e']);
    expect(versionOne.outcomes[1]?.prediction).toBe(3);
  });
});
