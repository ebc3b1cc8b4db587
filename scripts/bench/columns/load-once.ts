// Loads one snapshot in a process of its own, so that the peak RSS it reports is the load's
// alone: by columns (loadSnapshotColumns) or by rows (loadSnapshotRows). Prints one JSON line.
// Used by scripts/bench/columns.ts.
import { tableBytes } from '../../../lib/data/columns/column-table';
import { loadSnapshotColumns } from '../../../lib/data/columns/load-snapshot-columns';
import { createPool } from '../../../lib/db/pool';
import { loadSnapshotRows } from '../../../lib/db/snapshots';

const [mode, snapshotId, databaseUrl] = process.argv.slice(2) as ['columns' | 'rows', string, string];
const pool = createPool(databaseUrl, 1);
const started = performance.now();
let rowCount: number;
let tableMb: number | undefined;
let progressCalls = 0;
if (mode === 'columns') {
  const table = await loadSnapshotColumns(pool, Number(snapshotId), undefined, () => (progressCalls += 1));
  rowCount = table.rowCount;
  tableMb = tableBytes(table) / 2 ** 20;
} else {
  rowCount = (await loadSnapshotRows(pool, Number(snapshotId))).length;
}
const loadMs = performance.now() - started;
await pool.end();
console.log(JSON.stringify({ loadMs, rowCount, tableMb, progressCalls, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
