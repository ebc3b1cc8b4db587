import { Context } from '@temporalio/activity';
import { rowFilterIssues } from '../../lib/data/row-filter';
import { DataSource } from '../../lib/data/source-spec';
import { closeScoringRun, pinScoringRun, recentScoringRuns, scoringRunModel, type ScoringRunEnd, type ScoringRunStart } from '../../lib/db/scoring-runs';
import { DriftlineError, parseOrThrow } from '../../lib/errors';
import { computeNorm, type NormPolicy, type RuntimeNorm } from '../../lib/norms/runtime-norm';
import type { ScoringOutput } from '../../lib/scoring/scoring-output';
import { DEFAULT_CHUNK_ROWS } from '../../lib/scoring/scoring-spec';
import { trainingStartedSignal } from '../../workflows/messages';
import type { ActivityDeps } from '../deps';
import { makeLoadPipeline, type LoadedPipeline } from '../load-pipeline';
import { resultFromThread } from '../threads/result-from-thread';
import { databaseUrlOf } from '../train';
import { signalOwnWorkflow } from '../training/progress';
import { startTrainingLoad, type TrainingLoad } from '../training/worker-load';
import type { ScoreRowsInput, ScoringJob, ScoringProgress, ScoringTotals } from './score-thread';

const SCORING_ENTRY = new URL('./score-thread.ts', import.meta.url);
const HEARTBEAT_EVERY_MS = 1_000;
const ROWS_REPORTED_GROWTH = 1.5;

export type { ScoreRowsInput, ScoringTotals } from './score-thread';

/** What a scoring run did, and the compute jobs per core it shared its worker with (time-weighted): what its duration is learned as. */
export type ScoredBatch = ScoringTotals & { contention: number };

/** What a scoring run reads: the spec once, and the source it scores (the input's, else the spec's). */
export interface PreparedScoring extends LoadedPipeline {
  source: DataSource;
  output?: ScoringOutput;
}

export function makeScoring(deps: ActivityDeps) {
  const loadPipeline = makeLoadPipeline(deps);
  return {
    /**
     * Reads the spec and checks the source to score (the input's, by the source schema, else the
     * spec's scoring section): a bad or missing source fails the run at once, naming the field.
     */
    async prepareScoring(input: { pipeline: string; source?: Record<string, unknown>; output?: ScoringOutput }): Promise<PreparedScoring> {
      const loaded = await loadPipeline({ pipeline: input.pipeline });
      const { spec } = loaded;
      if (input.source === undefined && spec.scoring === undefined) {
        throw new DriftlineError('InvalidInput', `source: pipeline "${spec.name}" has no "scoring" section in its spec: pass a source`);
      }
      const source = input.source === undefined ? (spec.scoring?.source as DataSource) : parseOrThrow(DataSource, input.source, 'scoreBatch input source');
      const issues = rowFilterIssues(source.where ?? [], spec.columns);
      if (issues.length > 0) throw new DriftlineError('InvalidInput', `source.where.${issues[0]?.path.join('.')}: ${issues[0]?.message}`);
      return { ...loaded, source, output: input.output ?? spec.scoring?.output };
    },

    /** Fixes the version the batch scores with (the alias's, now; the one recorded before on a retry or re-run). */
    async pinScoringVersion(run: ScoringRunStart): Promise<{ versionId: number; version: number }> {
      const owner = await scoringRunModel(deps.pool, run.batchId);
      if (owner !== undefined && owner !== run.model) {
        throw new DriftlineError('InvalidInput', `batchId: batch "${run.batchId}" was scored by model ${owner}, not ${run.model}: batch ids are unique across pipelines`);
      }
      const pinned = await pinScoringRun(deps.pool, run);
      if (!pinned) throw new DriftlineError('InvalidInput', `alias: model ${run.model} has no "${run.alias}" version to score with yet`);
      return pinned;
    },

    /** The scoring norm, learned from the model's past scoring runs only (training takes other time). */
    async computeScoringNorm({ model, policy }: { model: string; policy: NormPolicy }): Promise<RuntimeNorm> {
      return computeNorm(await recentScoringRuns(deps.pool, model, policy.window), policy);
    },

    async recordScoringOutcome(end: ScoringRunEnd): Promise<void> {
      await closeScoringRun(deps.pool, end);
    },

    /**
     * Scores the batch in a pooled thread, heartbeating its progress; the workflow's norm clock
     * starts when the thread has the version loaded and the source open. A cancellation (over the
     * norm) terminates the thread; a retry scores the source again and writes only what is missing.
     */
    async scoreBatchRows(input: ScoreRowsInput): Promise<ScoredBatch> {
      const ctx = Context.current();
      const job: ScoringJob = { databaseUrl: databaseUrlOf(deps), ...input, chunkRows: input.spec.scoring?.chunkRows ?? DEFAULT_CHUNK_ROWS };
      let latest: ScoringProgress | undefined;
      let reportedRows = 0;
      let load: TrainingLoad | undefined;
      // The norm clock starts with the scoring, and its norm grows with the rows read so far and
      // with the load on this worker, as a training's does: a batch larger than any before is held
      // to the rate learned, not to the time of a smaller one, and a batch sharing its cores is not
      // held to a quiet run's time.
      const clock = () => signalOwnWorkflow(ctx, trainingStartedSignal, { attempt: ctx.info.attempt, rows: reportedRows, contention: load?.peak() ?? 1 });
      ctx.heartbeat();
      const beat = setInterval(() => ctx.heartbeat(latest), HEARTBEAT_EVERY_MS);
      try {
        const totals = await resultFromThread<ScoringTotals, ScoringProgress>(SCORING_ENTRY, job, {
          signal: ctx.cancellationSignal,
          what: 'scoring',
          onMessage: (progress) => {
            latest = progress;
            if (progress.type === 'started') {
              load = startTrainingLoad('pooled thread');
              load.onPeakRise(clock);
            }
            // Rows are reported as their count grows by half, so a run sends a few signals, not one per chunk.
            const grown = progress.type === 'progress' && progress.rowsRead >= Math.max(1, reportedRows * ROWS_REPORTED_GROWTH);
            if (progress.type === 'started' || grown) {
              reportedRows = progress.rowsRead;
              clock();
            }
          },
        });
        return { ...totals, contention: load?.mean() ?? 1 };
      } finally {
        clearInterval(beat);
        load?.finish();
      }
    },
  };
}
