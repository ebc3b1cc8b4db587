import { log } from '@temporalio/activity';
import { schemaHash, snapshotDigest } from '../lib/data/digest';
import { readCsv } from '../lib/data/read-csv';
import { resolveSourcePath } from '../lib/data/resolve-source';
import { inTransaction } from '../lib/db/pool';
import { recordPipelineIngest, saveSnapshot } from '../lib/db/snapshots';
import { DriftlineError } from '../lib/errors';
import type { PipelineSpec } from '../lib/spec/pipeline-spec';
import type { ActivityDeps } from './deps';

export interface IngestInput {
  spec: PipelineSpec;
  specDir: string;
}

export interface IngestResult {
  snapshotId: number;
  digest: string;
  rowsRead: number;
  rowCount: number;
  quarantinedCount: number;
  /** False when identical data was ingested before: the existing snapshot is reused. */
  created: boolean;
}

export function makeIngest(deps: ActivityDeps) {
  /** Reads the source into an immutable snapshot named by its content digest. */
  return async function ingestSnapshot({ spec, specDir }: IngestInput): Promise<IngestResult> {
    const file = resolveSourcePath(spec.source, specDir);
    const fetchedAt = new Date();
    const parsed = await readCsv(file, spec.columns);
    if (parsed.rows.length === 0) {
      throw new DriftlineError(
        'DataValidationFailed',
        `${file}: no valid rows (${parsed.rowsRead} read, ${parsed.quarantined.length} quarantined${firstReason(parsed.quarantined)})`,
      );
    }
    const snapshot = await inTransaction(deps.pool, (client) =>
      saveSnapshot(client, {
        digest: snapshotDigest(spec.columns, parsed.rows),
        pipeline: spec.name,
        source: spec.source,
        schemaHash: schemaHash(spec.columns),
        fetchedAt,
        rows: parsed.rows,
        quarantined: parsed.quarantined,
      }),
    );
    await recordPipelineIngest(deps.pool, spec.name, snapshot.id);
    log.info('snapshot ingested', { snapshotId: snapshot.id, rows: snapshot.rowCount, created: snapshot.created });
    return {
      snapshotId: snapshot.id,
      digest: snapshot.digest,
      rowsRead: parsed.rowsRead,
      rowCount: snapshot.rowCount,
      quarantinedCount: snapshot.quarantinedCount,
      created: snapshot.created,
    };
  };
}

function firstReason(quarantined: { line: number; reason: string }[]): string {
  const first = quarantined[0];
  return first ? `; line ${first.line}: ${first.reason}` : '';
}
