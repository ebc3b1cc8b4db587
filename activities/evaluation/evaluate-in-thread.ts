import type { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { resultFromThread } from '../threads/result-from-thread';
import type { CandidateScores, Contenders } from './score-candidate';

const EVALUATION_ENTRY = new URL('./evaluation-thread.ts', import.meta.url);

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
