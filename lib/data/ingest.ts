import type { Value } from './cell-types';
import type { ColumnSpecs } from './column-spec';
import { copyRow } from './copy-text';
import { schemaHash, SnapshotHasher } from './digest';
import { ProfileBuilder } from './profile/profile-builder';
import { readRecords } from './records/read-records';
import { rowPredicate } from './row-filter';
import { rowValidator } from './row-validator';
import type { DataSource } from './source-spec';
import type { OpenedSource } from './sources/open-source';
import { writeSnapshot, type SnapshotContent, type SnapshotRecord, type SnapshotSink } from '../db/snapshots';
import type { Pool } from '../db/pool';

export interface IngestRequest {
  pipeline: string;
  columns: ColumnSpecs;
  /** The source as declared, recorded with the snapshot. */
  source: DataSource;
  opened: OpenedSource;
  /** Called after each batch with the rows read so far (the activity heartbeats with it). */
  onProgress?: (rowsRead: number) => void;
}

export interface IngestOutcome extends SnapshotRecord {
  /** Accepted plus quarantined; valid records the source's `where` left out are counted apart (`filteredCount`). */
  rowsRead: number;
}

/** Rows are handed to COPY in pieces of about this many characters. */
const FLUSH_CHARS = 64 * 1024;

/**
 * Streams a source into an immutable snapshot: each record is validated against the declared
 * columns, then either profiled and copied into the snapshot's table, or quarantined with its
 * line, raw text and reason; a valid record the source's `where` does not keep is only counted.
 * One pass, constant memory, whatever the size of the source.
 */
export async function ingest(pool: Pool, request: IngestRequest): Promise<IngestOutcome> {
  const { columns } = request;
  const schema = schemaHash(columns);
  let rowsRead = 0;
  const snapshot = await writeSnapshot(
    pool,
    {
      pipeline: request.pipeline,
      source: request.source,
      schemaHash: schema,
      fetchedAt: new Date(),
      columns: Object.entries(columns).map(([name, spec]) => ({ name, type: spec.type })),
    },
    async (sink) => {
      const content = await streamRows(request, schema, sink);
      rowsRead = content.rowCount + content.quarantinedCount;
      return content;
    },
  );
  return { ...snapshot, rowsRead };
}

async function streamRows(request: IngestRequest, schema: string, sink: SnapshotSink): Promise<SnapshotContent> {
  const width = Object.keys(request.columns).length;
  const validate = rowValidator(request.columns);
  // Filtered after validation: a record that breaks the schema is quarantined wherever it falls.
  const keep = rowPredicate(request.source.where, request.columns);
  const hasher = new SnapshotHasher(schema, request.source.where);
  const profile = new ProfileBuilder(request.columns);
  const values = new Array<Value>(width).fill(null);
  const texts = new Array<string>(width).fill('');
  let accepted = 0;
  let quarantined = 0;
  let filtered = 0;
  let pending = '';
  const flush = async () => {
    // Encoded once, for both the digest and the database.
    const bytes = Buffer.from(pending);
    pending = '';
    hasher.addRows(bytes);
    await sink.writeRows(bytes);
  };
  for await (const batch of readRecords(request.opened, request.columns)) {
    for (const record of batch) {
      const reason = record.problem ?? validate(record.cells, values, texts);
      if (reason === undefined && keep !== undefined && !keep(values)) {
        filtered += 1;
      } else if (reason === undefined) {
        accepted += 1;
        profile.add(values);
        pending += copyRow(accepted, texts);
      } else {
        quarantined += 1;
        hasher.addQuarantined(record.line, record.raw, reason);
        sink.quarantine(record.line, record.raw, reason);
      }
    }
    if (pending.length >= FLUSH_CHARS) await flush();
    request.onProgress?.(accepted + quarantined + filtered);
  }
  if (pending.length > 0) await flush();
  return { digest: hasher.digest(), rowCount: accepted, quarantinedCount: quarantined, filteredCount: filtered, profile: profile.finish() };
}
