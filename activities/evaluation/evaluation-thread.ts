import { rowCountOf } from '../../lib/arrival/pipeline-data';
import { trainingData } from '../../lib/arrival/windows';
import { loadPipelineData } from '../../lib/db/pipeline-data';
import { threadDatabase } from '../threads/thread-database';
import type { JobFunction } from '../threads/thread-job';
import type { EvaluationJob, EvaluationMessage } from './evaluate-in-thread';
import { evaluationColumns, scoreCandidate, type CandidateScores } from './score-candidate';

/** A pooled thread aborts by being terminated, so the compute itself needs no live signal. */
export const NEVER_ABORTED = new AbortController().signal;

/**
 * Runs in a pooled thread: loads the rows the candidate was trained and held out on with its own
 * connection and scores them there, so the activity's event loop never holds (or copies) them.
 */
export const run: JobFunction<EvaluationJob, CandidateScores, EvaluationMessage> = async (job, send) => {
  const columns = evaluationColumns(job, job.spec);
  const loaded = await loadPipelineData(threadDatabase(job.databaseUrl), job.spec, job.snapshotId, { columns });
  // The pipeline's training window, not one batch.
  const data = trainingData(loaded, job.spec.arrival);
  send({ type: 'loaded', rows: rowCountOf(data) });
  return scoreCandidate(data, job, job.spec, job.holdoutStart, NEVER_ABORTED);
};
