import { loadSnapshotColumns } from '../../lib/data/columns/load-snapshot-columns';
import { columnsReadBy } from '../../lib/serving/check-batch';
import { threadDatabase } from '../threads/thread-database';
import type { JobFunction } from '../threads/thread-job';
import type { VersionScoreJob } from './evaluate-in-thread';
import { NEVER_ABORTED } from './evaluation-thread';
import { scoreVersionOn, type SnapshotScore } from './score-version';

/** Runs in a pooled thread: loads the columns the version reads from the snapshot and scores it there. */
export const run: JobFunction<VersionScoreJob, SnapshotScore> = async ({ databaseUrl, version, snapshotId }) => {
  const table = await loadSnapshotColumns(threadDatabase(databaseUrl), snapshotId, columnsReadBy(version.artifact.plan));
  return scoreVersionOn(table, version, snapshotId, NEVER_ABORTED);
};
