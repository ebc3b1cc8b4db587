import { loadSnapshotColumns } from '../../lib/data/columns/load-snapshot-columns';
import { createPool } from '../../lib/db/pool';
import { columnsReadBy } from '../../lib/serving/check-batch';
import type { JobFunction } from '../threads/thread-job';
import type { VersionScoreJob } from './evaluate-in-thread';
import { NEVER_ABORTED } from './evaluation-thread';
import { scoreVersionOn, type SnapshotScore } from './score-version';

/** Runs in a pooled thread: loads the columns the version reads from the snapshot and scores it there. */
export const run: JobFunction<VersionScoreJob, SnapshotScore> = async ({ databaseUrl, version, snapshotId }) => {
  const pool = createPool(databaseUrl, 1);
  const table = await loadSnapshotColumns(pool, snapshotId, columnsReadBy(version.artifact.plan)).finally(() => pool.end());
  return scoreVersionOn(table, version, snapshotId, NEVER_ABORTED);
};
