import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tableFromBytes } from '../../lib/data/columns/table-bytes';
import { createPool, type Pool } from '../../lib/db/pool';
import { writeScoredChunk, writtenChunks, type ScoringBatch } from '../../lib/db/scored-chunks';
import type { ScoredAnswers, ScoredChunk } from '../../lib/scoring/scored-chunk';

let pool: Pool;
beforeAll(() => {
  pool = createPool(inject('databaseUrl'));
});
afterAll(() => pool.end());

/** A batch with its scoring run recorded, as scoreBatch starts one. */
async function newBatch(): Promise<ScoringBatch> {
  const pipeline = `chunks-${randomUUID()}`;
  const batch = { pipeline, model: `${pipeline}-model`, version: 1, batchId: `${pipeline}/batch` };
  await pool.query(`INSERT INTO scoring_runs (batch_id, pipeline, model, version, alias, workflow_id) VALUES ($1, $2, $3, 1, 'champion', $1)`, [batch.batchId, pipeline, batch.model]);
  return batch;
}

function chunkOf(index: number, keys: string[], answers: ScoredAnswers, lastRecord = (index + 1) * 100): ScoredChunk {
  const x = Float64Array.from(keys, (_, i) => i + 0.5);
  return {
    index,
    lastRecord,
    rowKeys: keys,
    at: Float64Array.from(keys, (_, i) => (i === 1 ? Number.NaN : Date.UTC(2026, 0, 1 + i, 12, 30, 15, 250))),
    answers,
    digests: keys.map((key) => `digest-${key}`.padEnd(32, '0').slice(0, 32)),
    inputs: { rowCount: keys.length, specs: [{ name: 'x', type: 'numeric' }], columns: [{ type: 'numeric', values: x }] },
  };
}

const regression = (values: number[]): ScoredAnswers => ({ kind: 'regression', values: Float64Array.from(values) });

async function logged(batchId: string) {
  const result = await pool.query(
    `SELECT row_key, at, prediction, predicted_class, probabilities, input_digest, source, version, model, prediction_id
       FROM predictions WHERE batch_id = $1 ORDER BY row_key`,
    [batchId],
  );
  return result.rows;
}

describe('writing a scored chunk', () => {
  it('stores every field as given (binary COPY), and the chunk with its inputs, in one transaction', async () => {
    const batch = await newBatch();
    const chunk = chunkOf(0, ['a', 'b', 'c'], regression([1.25, -2, 1e-300]));
    expect(await writeScoredChunk(pool, batch, chunk, [{ record: 4, line: 5, raw: 'bad,row', reason: 'x: not a number' }])).toEqual({ written: 3, keyAlreadyLogged: 0 });
    const rows = await logged(batch.batchId);
    expect(rows.map((row) => [row.row_key, row.at?.toISOString() ?? null, row.prediction, row.predicted_class, row.input_digest, row.source, row.version, row.model])).toEqual(
      ['a', 'b', 'c'].map((key, i) => [key, i === 1 ? null : new Date(chunk.at?.[i] as number).toISOString(), [1.25, -2, 1e-300][i], null, chunk.digests[i], 'batch', 1, batch.model]),
    );
    // Version 7 UUIDs: time-ordered ids, distinct.
    for (const row of rows) expect(row.prediction_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(rows.map((row) => row.prediction_id)).size).toBe(3);
    const stored = await pool.query('SELECT chunk, last_record, predictions, inputs FROM scored_chunks WHERE batch_id = $1', [batch.batchId]);
    expect(stored.rows).toHaveLength(1);
    expect(stored.rows[0]).toMatchObject({ chunk: 0, last_record: 100, predictions: 3 });
    expect(Array.from((tableFromBytes(stored.rows[0].inputs).columns[0] as { values: Float64Array }).values)).toEqual([0.5, 1.5, 2.5]);
    const quarantined = await pool.query('SELECT record, line, raw, reason FROM scoring_quarantine WHERE batch_id = $1', [batch.batchId]);
    expect(quarantined.rows).toEqual([{ record: 4, line: 5, raw: 'bad,row', reason: 'x: not a number' }]);
    const written = await writtenChunks(pool, batch.batchId);
    expect([written(0, 100), written(0, 99), written(1, 100)]).toEqual([true, false, false]);
  });

  it("logs a classifier's predicted class and its probabilities", async () => {
    const batch = await newBatch();
    const answers: ScoredAnswers = { kind: 'classification', classes: ['Adelie', 'Gentoo'], probabilities: [[0.25, 0.75], [0.9, 0.1]], predicted: [1, 0] };
    await writeScoredChunk(pool, batch, chunkOf(0, ['p1', 'p2'], answers), []);
    const rows = await logged(batch.batchId);
    expect(rows.map((row) => [row.predicted_class, row.probabilities, row.prediction])).toEqual([
      ['Gentoo', { Adelie: 0.25, Gentoo: 0.75 }, null],
      ['Adelie', { Adelie: 0.9, Gentoo: 0.1 }, null],
    ]);
  });

  it('writes a chunk once: the same chunk again adds nothing', async () => {
    const batch = await newBatch();
    const chunk = chunkOf(0, ['a', 'b'], regression([1, 2]));
    await writeScoredChunk(pool, batch, chunk, []);
    expect(await writeScoredChunk(pool, batch, chunkOf(0, ['a', 'b'], regression([7, 8])), [])).toEqual({ written: 0, keyAlreadyLogged: 0 });
    expect((await logged(batch.batchId)).map((row) => row.prediction)).toEqual([1, 2]);
  });

  it('keeps the first prediction of a key the batch repeats, and counts the repeats', async () => {
    const batch = await newBatch();
    await writeScoredChunk(pool, batch, chunkOf(0, ['a', 'b'], regression([1, 2])), []);
    // The next chunk repeats "b" (and a re-run with another chunk size meets every key again).
    expect(await writeScoredChunk(pool, batch, chunkOf(1, ['b', 'c'], regression([20, 3])), [])).toEqual({ written: 1, keyAlreadyLogged: 1 });
    expect((await logged(batch.batchId)).map((row) => [row.row_key, row.prediction])).toEqual([['a', 1], ['b', 2], ['c', 3]]);
    const counts = await pool.query('SELECT chunk, predictions FROM scored_chunks WHERE batch_id = $1 ORDER BY chunk', [batch.batchId]);
    expect(counts.rows).toEqual([{ chunk: 0, predictions: 2 }, { chunk: 1, predictions: 1 }]);
    // A re-run with other chunk boundaries: its chunk 0 ends elsewhere, is its own entry, and finds every key logged.
    expect(await writeScoredChunk(pool, batch, chunkOf(0, ['a', 'b', 'c'], regression([9, 9, 9]), 150), [])).toEqual({ written: 0, keyAlreadyLogged: 3 });
    const entries = await pool.query('SELECT chunk, last_record, predictions FROM scored_chunks WHERE batch_id = $1 ORDER BY chunk, last_record', [batch.batchId]);
    expect(entries.rows).toEqual([{ chunk: 0, last_record: 100, predictions: 2 }, { chunk: 0, last_record: 150, predictions: 0 }, { chunk: 1, last_record: 200, predictions: 1 }]);
  });

  it('leaves nothing of a chunk behind when its transaction fails', async () => {
    const batch = await newBatch();
    // A key PostgreSQL refuses (text cannot hold a NUL) fails the COPY after the chunk's entry was written.
    const write = writeScoredChunk(pool, batch, chunkOf(0, ['a', 'b\u0000'], regression([1, 2])), [{ record: 1, line: 2, raw: 'r', reason: 'why' }]);
    await expect(write).rejects.toThrow(/0x00/);
    expect(await logged(batch.batchId)).toEqual([]);
    expect((await writtenChunks(pool, batch.batchId))(0, 100)).toBe(false);
    const quarantined = await pool.query('SELECT count(*)::int AS n FROM scoring_quarantine WHERE batch_id = $1', [batch.batchId]);
    expect(quarantined.rows[0].n).toBe(0);
  });
});
