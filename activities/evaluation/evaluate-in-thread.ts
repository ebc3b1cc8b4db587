import type { ModelVersion } from '../../lib/db/model-registry';
import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { resultFromThread } from '../threads/result-from-thread';
import type { CandidateScores, Contenders } from './score-candidate';
import type { SnapshotScore } from './score-version';

const EVALUATION_ENTRY = new URL('./evaluation-thread.ts', import.meta.url);
const VERSION_SCORE_ENTRY = new URL('./version-score-thread.ts', import.meta.url);

/** Where the rows are and what to judge on them: the thread loads the rows itself. */
export interface EvaluationJob extends Contenders {
  databaseUrl: string;
  spec: PipelineSpec;
  snapshotId: number;
  holdoutStart: string;
}

/** The rows are loaded: the scoring starts on this many. */
export type EvaluationMessage = { type: 'loaded'; rows: number };

/** Loads the rows and scores the candidate in a pooled thread; aborting terminates the thread. */
export function scoreInThread(job: EvaluationJob, signal: AbortSignal, onLoaded?: (rows: number) => void): Promise<CandidateScores> {
  return resultFromThread<CandidateScores, EvaluationMessage>(EVALUATION_ENTRY, job, {
    signal,
    what: 'evaluation',
    onMessage: (message) => onLoaded?.(message.rows),
  });
}

/** A stored version and the snapshot to score it on: the thread loads the columns it reads. */
export interface VersionScoreJob {
  databaseUrl: string;
  version: ModelVersion;
  snapshotId: number;
}

/** Loads the snapshot's columns and scores the version in a pooled thread; aborting terminates the thread. */
export function scoreVersionInThread(job: VersionScoreJob, signal: AbortSignal): Promise<SnapshotScore> {
  return resultFromThread<SnapshotScore>(VERSION_SCORE_ENTRY, job, { signal, what: 'scoring' });
}
