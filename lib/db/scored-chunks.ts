import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { from as copyFrom } from 'pg-copy-streams';
import { storableText } from '../data/copy-text';
import { tableToBytes } from '../data/columns/table-bytes';
import type { QuarantinedRow } from '../scoring/scoring-chunks';
import { predictedClassAt, probabilitiesAt, scoredPrediction, type ScoredChunk } from '../scoring/scored-chunk';
import { BinaryCopyRows } from './binary-copy-rows';
import { supportsCopy } from './copy-fallback';
import { inTransaction, type DbClient, type Pool } from './pool';
import { insertPredictions, type PredictionRow } from './predictions';

/** Whose predictions a scoring run writes: the version pinned when it started, under its batch id. */
export interface ScoringBatch {
  pipeline: string;
  model: string;
  version: number;
  batchId: string;
}

/** What writing a chunk did: predictions new in the log, and rows whose key the log already held under this batch. */
export interface ChunkWrite {
  written: number;
  keyAlreadyLogged: number;
}

/**
 * Whether a chunk of the batch was written before (by an earlier attempt of its run, or an earlier
 * run of the same batch id): the same position and the same last source row. A re-run with another
 * chunk size has other chunks, and writes each of them (its keys found logged already).
 */
export async function writtenChunks(pool: Pool, batchId: string): Promise<(index: number, lastRecord: number) => boolean> {
  const result = await pool.query<{ chunk: number; last_record: number }>('SELECT chunk, last_record FROM scored_chunks WHERE batch_id = $1', [batchId]);
  const written = new Set(result.rows.map((row) => `${row.chunk}/${row.last_record}`));
  return (index, lastRecord) => written.has(`${index}/${lastRecord}`);
}

/**
 * Writes one scored chunk in one transaction: the chunk's entry (which a retry finds and skips),
 * its predictions and its quarantined rows — all or none. The predictions go in with binary COPY;
 * when a row's key is already in the log for this batch (a key the source repeats, or a batch id
 * re-run with another chunk size) the COPY is undone and the rows are inserted one statement with
 * ON CONFLICT DO NOTHING instead, the repeated keys keeping their first prediction and counted.
 */
export async function writeScoredChunk(pool: Pool, batch: ScoringBatch, chunk: ScoredChunk, quarantined: readonly QuarantinedRow[]): Promise<ChunkWrite> {
  return inTransaction(pool, async (client) => {
    const claimed = await client.query(
      `INSERT INTO scored_chunks (batch_id, chunk, last_record, pipeline, model, version, predictions, inputs) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING`,
      [batch.batchId, chunk.index, chunk.lastRecord, batch.pipeline, batch.model, batch.version, chunk.rowKeys.length, tableToBytes(chunk.inputs)],
    );
    // Another attempt wrote this chunk meanwhile: nothing to add.
    if (claimed.rowCount === 0) return { written: 0, keyAlreadyLogged: 0 };
    const written = await writePredictions(client, batch, chunk);
    if (written < chunk.rowKeys.length) {
      await client.query('UPDATE scored_chunks SET predictions = $4 WHERE batch_id = $1 AND chunk = $2 AND last_record = $3', [batch.batchId, chunk.index, chunk.lastRecord, written]);
    }
    await quarantine(client, batch.batchId, quarantined);
    return { written, keyAlreadyLogged: chunk.rowKeys.length - written };
  });
}

async function writePredictions(client: DbClient, batch: ScoringBatch, chunk: ScoredChunk): Promise<number> {
  if (chunk.rowKeys.length === 0) return 0;
  if (!(await supportsCopy(client))) return insertPredictions(client, predictionRows(batch, chunk));
  await client.query('SAVEPOINT copy_predictions');
  try {
    await pipeline(Readable.from([copyRows(batch, chunk)]), client.query(copyFrom(COPY_PREDICTIONS)));
    await client.query('RELEASE SAVEPOINT copy_predictions');
    return chunk.rowKeys.length;
  } catch (error) {
    if ((error as { code?: string }).code !== UNIQUE_VIOLATION) throw error;
    await client.query('ROLLBACK TO SAVEPOINT copy_predictions');
    return insertPredictions(client, predictionRows(batch, chunk));
  }
}

const UNIQUE_VIOLATION = '23505';
const COPY_PREDICTIONS = `COPY predictions (prediction_id, pipeline, model, version, batch_id, row_key, at, prediction,
  predicted_class, probabilities, input_digest, source) FROM STDIN (FORMAT binary)`;
const COPY_FIELDS = 12;
/** Bytes a row takes but its key: the fields' lengths, the prediction id, the digest, the names. */
const ROW_BYTES = 2 + COPY_FIELDS * 4 + 36 + 32 + 8 + 8 + 8 + 5 + 64;

function copyRows(batch: ScoringBatch, chunk: ScoredChunk): Buffer {
  const { answers, at } = chunk;
  const ids = predictionIds(chunk.rowKeys.length);
  const rows = new BinaryCopyRows(chunk.rowKeys.length * (ROW_BYTES + 16));
  chunk.rowKeys.forEach((rowKey, i) => {
    rows.row(COPY_FIELDS).text(ids[i] as string).text(batch.pipeline).text(batch.model).int4(batch.version).text(batch.batchId).text(rowKey);
    const time = at?.[i] ?? Number.NaN;
    if (Number.isNaN(time)) rows.null();
    else rows.timestamptz(time);
    if (answers.kind === 'regression') rows.float8(answers.values[i] as number).null().null();
    else rows.null().text(predictedClassAt(answers, i)).jsonb(probabilitiesAt(answers, i));
    rows.text(chunk.digests[i] as string).text('batch');
  });
  return rows.finish();
}

/** The chunk's predictions as the row-at-a-time writer takes them. */
function predictionRows(batch: ScoringBatch, chunk: ScoredChunk): PredictionRow[] {
  return chunk.rowKeys.map((_, i) => ({ ...batch, ...scoredPrediction(chunk, i), source: 'batch' as const }));
}

/**
 * Version 7 UUIDs (RFC 9562): the time first, so a batch's ids land together at the end of the
 * unique index on prediction ids instead of on a random page of it each.
 */
function predictionIds(count: number): string[] {
  const time = Date.now().toString(16).padStart(12, '0');
  const prefix = `${time.slice(0, 8)}-${time.slice(8, 12)}-7`;
  const random = randomBytes(count * HEX_PER_ID / 2).toString('hex');
  return Array.from({ length: count }, (_, i) => {
    const r = random.slice(i * HEX_PER_ID, (i + 1) * HEX_PER_ID);
    // 12 random bits, the variant (10xx) with 2 more, then 60.
    const variant = VARIANT_DIGITS[Number.parseInt(r[3] as string, 16) & 3] as string;
    return `${prefix}${r.slice(0, 3)}-${variant}${r.slice(4, 7)}-${r.slice(7, 19)}`;
  });
}

const HEX_PER_ID = 20;
const VARIANT_DIGITS = '89ab';

async function quarantine(client: DbClient, batchId: string, quarantined: readonly QuarantinedRow[]): Promise<void> {
  if (quarantined.length === 0) return;
  await client.query(
    `INSERT INTO scoring_quarantine (batch_id, record, line, raw, reason)
     SELECT $1, q.record, q.line, q.raw, q.reason FROM unnest($2::int[], $3::int[], $4::text[], $5::text[]) AS q(record, line, raw, reason)
     ON CONFLICT DO NOTHING`,
    [batchId, quarantined.map((q) => q.record), quarantined.map((q) => q.line), quarantined.map((q) => storableText(q.raw)), quarantined.map((q) => storableText(q.reason))],
  );
}
