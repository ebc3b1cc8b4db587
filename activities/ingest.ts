import { Context, log } from '@temporalio/activity';
import { ingest } from '../lib/data/ingest';
import { atLogicalDate } from '../lib/data/row-filter';
import { openSource } from '../lib/data/sources/open-source';
import { describeQuarantineReasons, quarantineReasons, type QuarantineReason } from '../lib/db/quarantine';
import { recordPipelineIngest } from '../lib/db/snapshots';
import { DriftlineError } from '../lib/errors';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';

export interface IngestInput {
  spec: PipelineSpec;
  specDir: string;
  /** The run's logical date (ISO), which `"logicalDate"` bounds in the source's `where` stand for. */
  logicalDate?: string;
}

export interface IngestResult {
  snapshotId: number;
  digest: string;
  rowsRead: number;
  rowCount: number;
  quarantinedCount: number;
  /** Valid rows the source's `where` left out. */
  filteredCount: number;
  /** False when identical data was ingested before: the existing snapshot is reused. */
  created: boolean;
  /** The most common kinds of reason rows were quarantined for, when any were. */
  quarantineReasons?: QuarantineReason[];
}

export function makeIngest(deps: ActivityDeps) {
  /**
   * Streams the source into an immutable snapshot named by its content digest, heartbeating the
   * rows read. A source whose every row is quarantined fails the run here, naming why (a missing
   * column, the wrong format): nothing downstream could make sense of an empty snapshot.
   */
  return async function ingestSnapshot({ spec, specDir, logicalDate }: IngestInput): Promise<IngestResult> {
    const ctx = Context.current();
    const opened = openSource(spec.source, spec.columns, { specDir, pool: deps.pool, signal: ctx.cancellationSignal });
    const snapshot = await ingest(deps.pool, {
      pipeline: spec.name,
      columns: spec.columns,
      source: { ...spec.source, where: atLogicalDate(spec.source.where, logicalDate) },
      opened,
      onProgress: (rowsRead) => {
        ctx.heartbeat({ rowsRead });
        // A cancelled or timed-out ingest stops here; its transaction rolls back with the error.
        ctx.cancellationSignal.throwIfAborted();
      },
    });
    log.info('snapshot ingested', { snapshotId: snapshot.id, rows: snapshot.rowCount, quarantined: snapshot.quarantinedCount, created: snapshot.created });
    const reasons = snapshot.quarantinedCount > 0 ? await quarantineReasons(deps.pool, snapshot.id) : undefined;
    // Not recorded as the pipeline's data: a later retrain must not pick an empty snapshot as the newest.
    if (reasons && snapshot.rowCount === 0) {
      throw new DriftlineError(
        'DataValidationFailed',
        `all ${snapshot.quarantinedCount.toLocaleString('en-US')} rows read from ${opened.origin} were quarantined (snapshot ${snapshot.id}): ${describeQuarantineReasons(reasons)}. ` +
          `See them with: driftline data --snapshot ${snapshot.id} --quarantine`,
      );
    }
    if (snapshot.rowCount === 0 && snapshot.filteredCount > 0) {
      throw new DriftlineError('DataValidationFailed', `source.where left out all ${snapshot.filteredCount.toLocaleString('en-US')} valid rows read from ${opened.origin}: no row meets every filter`);
    }
    await recordPipelineIngest(deps.pool, spec.name, snapshot.id);
    return {
      snapshotId: snapshot.id,
      digest: snapshot.digest,
      rowsRead: snapshot.rowsRead,
      rowCount: snapshot.rowCount,
      quarantinedCount: snapshot.quarantinedCount,
      filteredCount: snapshot.filteredCount,
      created: snapshot.created,
      ...(reasons && { quarantineReasons: reasons.reasons }),
    };
  };
}
