import path from 'node:path';
import { readRecords } from '../../lib/data/records/read-records';
import type { DataSource } from '../../lib/data/source-spec';
import { openSource } from '../../lib/data/sources/open-source';
import { getVersion } from '../../lib/db/model-registry';
import { createPool } from '../../lib/db/pool';
import { writeScoredChunk, writtenChunks } from '../../lib/db/scored-chunks';
import { PredictionFile } from '../../lib/scoring/prediction-file';
import { scoringChunks, scoringColumnsOf } from '../../lib/scoring/scoring-chunks';
import { outputFormatOf, type ScoringOutput } from '../../lib/scoring/scoring-output';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { NEVER_ABORTED } from '../evaluation/evaluation-thread';
import type { JobFunction } from '../threads/thread-job';
import { predictChunk } from './predict-chunk';

/** What the scoring activity is asked: a batch of one source, scored by one version. */
export interface ScoreRowsInput {
  spec: PipelineSpec;
  specDir: string;
  source: DataSource;
  output?: ScoringOutput;
  batchId: string;
  versionId: number;
}

/** A batch to score in a pooled thread: the thread opens the source and writes with its own connections. */
export interface ScoringJob extends ScoreRowsInput {
  databaseUrl: string;
  chunkRows: number;
}

/** Counts so far; `started` once the version is loaded and the source opened (the norm's clock starts then). */
export interface ScoringProgress {
  type: 'started' | 'progress';
  chunks: number;
  /** Chunks an earlier attempt (or run of the same batch id) wrote: read again, not scored again. */
  chunksSkipped: number;
  rowsRead: number;
  rowsScored: number;
  rowsWritten: number;
  /**
   * Scored rows whose key the log already held under this batch id — a key the source repeats, or
   * a re-run of the batch with another chunk size: the log keeps the first prediction of a key.
   */
  rowsKeyAlreadyLogged: number;
  rowsQuarantined: number;
  rowsFiltered: number;
}

export type ScoringTotals = Omit<ScoringProgress, 'type'>;

/**
 * Runs in a pooled thread: reads the source a chunk at a time, scores each chunk with the pinned
 * version and writes its predictions and quarantined rows in one transaction before reading on,
 * so memory holds one chunk whatever the source's size.
 */
export const run: JobFunction<ScoringJob, ScoringTotals, ScoringProgress> = async (job, send) => {
  // Its own two connections, not the thread's kept one: a chunk is written while a PostgreSQL source is read on.
  const pool = createPool(job.databaseUrl, 2);
  let file: PredictionFile | undefined;
  try {
    const version = await getVersion(pool, job.versionId);
    const { plan } = version.artifact;
    const pinned = { pipeline: job.spec.name, model: version.modelName, version: version.version, artifact: version.artifact };
    const batch = { pipeline: pinned.pipeline, model: pinned.model, version: pinned.version, batchId: job.batchId };
    const writtenBefore = await writtenChunks(pool, job.batchId);
    const scoring = scoringColumnsOf(plan, job.spec.columns, job.spec.keyColumns);
    const opened = openSource(job.source, scoring.columns, { specDir: job.specDir, pool });
    if (job.output) file = new PredictionFile(path.resolve(job.specDir, job.output.path), outputFormatOf(job.output), plan.classes?.values as string[] | undefined);
    const totals: ScoringTotals = { chunks: 0, chunksSkipped: 0, rowsRead: 0, rowsScored: 0, rowsWritten: 0, rowsKeyAlreadyLogged: 0, rowsQuarantined: 0, rowsFiltered: 0 };
    send({ type: 'started', ...totals });
    // One chunk is written while the next is read and scored: PostgreSQL and this thread work side
    // by side. Never more than one write waits, so memory holds at most two chunks.
    let writing: Promise<void> = Promise.resolve();
    for await (const chunk of scoringChunks(readRecords(opened, scoring.columns), scoring, { chunkRows: job.chunkRows, where: job.source.where, plan })) {
      // A chunk written before is read again (the next chunk's history starts in it), not scored —
      // unless the run writes a file, which holds every prediction of the run.
      if (file === undefined && writtenBefore(chunk.index, chunk.records.at(-1) ?? 0)) {
        totals.chunks += 1;
        totals.chunksSkipped += 1;
        totals.rowsRead += chunk.read;
        continue;
      }
      const scored = await predictChunk(pinned, chunk, scoring, NEVER_ABORTED);
      await writing;
      const written = (async () => {
        const write = await writeScoredChunk(pool, batch, scored, chunk.quarantined);
        await file?.append(scored, pinned);
        totals.chunks += 1;
        totals.rowsRead += chunk.read;
        totals.rowsScored += scored.rowKeys.length;
        totals.rowsWritten += write.written;
        totals.rowsKeyAlreadyLogged += write.keyAlreadyLogged;
        totals.rowsQuarantined += chunk.quarantined.length;
        totals.rowsFiltered += chunk.filtered;
        send({ type: 'progress', ...totals });
      })();
      // Its failure is thrown where it is awaited, before the next write or at the end.
      written.catch(() => undefined);
      writing = written;
    }
    await writing;
    await file?.finish();
    file = undefined;
    return totals;
  } finally {
    file?.discard();
    await pool.end();
  }
};
