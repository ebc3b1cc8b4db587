import { to as copyTo } from 'pg-copy-streams';
import { supportsCopy } from '../../db/copy-fallback';
import type { DbClient, Pool } from '../../db/pool';
import { getSnapshotLayout, type StoredColumn } from '../../db/snapshots';
import { columnBuilder, type ColumnBuilder } from './column-builders';
import type { ColumnTable } from './column-table';
import { CopyBinaryParser } from './copy-binary';

/** Rows between progress calls: often enough for a heartbeat, rare enough to cost nothing. */
export const PROGRESS_ROWS = 65_536;
/** Rows per query on a server without COPY (the embedded one). */
const SELECT_BATCH_ROWS = 50_000;

/** Called with the rows read so far, every PROGRESS_ROWS rows and once at the end. */
export type LoadProgress = (rowsRead: number) => void;

interface PickedColumn {
  spec: StoredColumn;
  /** Its stored column, c1 … cN. */
  stored: string;
}

/**
 * A snapshot's accepted rows, in source order, as one typed array per column: only the columns
 * named (all of them by default, in stored order; else in the order named). The rows stream from
 * `COPY (SELECT …) TO STDOUT (FORMAT binary)` and are read from the bytes straight into the
 * arrays (float8s, text bytes, booleans), so memory holds the arrays and one chunk of the stream,
 * never a row object and never a number's text. Values are the row path's
 * (`loadSnapshotRows`) exactly: the database converts integers and instants to doubles, as it does there.
 */
export async function loadSnapshotColumns(pool: Pool, snapshotId: number, columnNames?: readonly string[], onProgress?: LoadProgress): Promise<ColumnTable> {
  const snapshot = await getSnapshotLayout(pool, snapshotId);
  const picked = pickColumns(snapshot.columns, columnNames, snapshotId);
  const builders = picked.map((column) => columnBuilder(column.spec, snapshot.rowCount));
  const progress = progressEvery(PROGRESS_ROWS, onProgress);
  let rowCount = snapshot.rowCount;
  if (picked.length > 0) {
    const client = await pool.connect();
    try {
      const read = (await supportsCopy(client)) ? copyInto : selectInto;
      rowCount = await read(client, { snapshotId, columns: picked }, builders, progress);
      client.release();
    } catch (error) {
      // A COPY abandoned midway leaves the connection mid-protocol: it must not go back to the pool.
      client.release(true);
      throw error;
    }
  }
  onProgress?.(rowCount);
  return { rowCount, specs: picked.map((column) => column.spec), columns: builders.map((builder) => builder.finish(rowCount)) };
}

function pickColumns(columns: StoredColumn[], names: readonly string[] | undefined, snapshotId: number): PickedColumn[] {
  const all = columns.map((spec, i) => ({ spec, stored: `c${i + 1}` }));
  if (names === undefined) return all;
  return names.map((name) => {
    const column = all.find((c) => c.spec.name === name);
    if (!column) throw new Error(`snapshot ${snapshotId} has no column "${name}"`);
    return column;
  });
}

/** What the database sends for a column: integers as doubles (as the row path reads them), instants as epoch milliseconds. */
function selectExpression({ spec, stored }: PickedColumn): string {
  switch (spec.type) {
    case 'integer':
      return `${stored}::double precision`;
    case 'timestamp':
      return `(extract(epoch FROM ${stored}) * 1000)::double precision`;
    default:
      return stored;
  }
}

interface ColumnQuery {
  snapshotId: number;
  columns: PickedColumn[];
}

const fromTable = (query: ColumnQuery) => `FROM snapshot_data.rows_${query.snapshotId}`;

/**
 * The query whose rows the loader reads by COPY: a snapshot's columns (all, or those named) as
 * the database sends them to the loader. Also what a benchmark gives another reader of the same rows.
 */
export function columnsSelectSql(snapshotId: number, columns: StoredColumn[], names?: readonly string[]): string {
  return copySelect({ snapshotId, columns: pickColumns(columns, names, snapshotId) });
}

const copySelect = (query: ColumnQuery) => `SELECT ${query.columns.map(selectExpression).join(', ')} ${fromTable(query)} ORDER BY row_number`;

async function copyInto(client: DbClient, query: ColumnQuery, builders: ColumnBuilder[], progress: (rows: number) => void): Promise<number> {
  const select = copySelect(query);
  const parser = new CopyBinaryParser(builders, progress);
  for await (const chunk of client.query(copyTo(`COPY (${select}) TO STDOUT (FORMAT binary)`))) parser.push(chunk as Buffer);
  return parser.finish();
}

/** The same values by plain SELECTs in row_number order, a batch at a time, for servers that cannot COPY. */
async function selectInto(client: DbClient, query: ColumnQuery, builders: ColumnBuilder[], progress: (rows: number) => void): Promise<number> {
  const select = `SELECT row_number, ${query.columns.map(selectExpression).join(', ')} ${fromTable(query)} WHERE row_number > $1 ORDER BY row_number LIMIT ${SELECT_BATCH_ROWS}`;
  let rows = 0;
  let after = -1; // row numbers are never negative
  for (;;) {
    const batch = await client.query<unknown[]>({ text: select, values: [after], rowMode: 'array' });
    for (const values of batch.rows) {
      builders.forEach((builder, i) => builder.pushValue(values[i + 1]));
      rows += 1;
      progress(rows);
    }
    if (batch.rows.length < SELECT_BATCH_ROWS) return rows;
    after = Number(batch.rows.at(-1)?.[0]);
  }
}

function progressEvery(step: number, onProgress: LoadProgress | undefined): (rows: number) => void {
  if (!onProgress) return () => undefined;
  return (rows) => {
    if (rows % step === 0) onProgress(rows);
  };
}
