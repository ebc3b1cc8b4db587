import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { snapshotDigest } from '../../lib/data/digest';
import { readCsv } from '../../lib/data/read-csv';
import type { ColumnSpec } from '../../lib/spec/pipeline-spec';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/csv/${name}`, import.meta.url));
const columns: Record<string, ColumnSpec> = {
  month: { type: 'timestamp', nullable: false },
  nonfarm_change: { type: 'integer', nullable: false },
};

describe('reading a CSV into typed rows', () => {
  it('keeps valid rows and quarantines the rest with line and reason; counts add up', async () => {
    const parsed = await readCsv(fixture('mixed.csv'), columns);
    expect(parsed.rows).toEqual([
      { month: '2020-01-01T00:00:00.000Z', nonfarm_change: 100 },
      { month: '2020-05-01T00:00:00.000Z', nonfarm_change: 7 },
    ]);
    expect(parsed.quarantined.map(({ line, reason }) => ({ line, reason }))).toEqual([
      { line: 3, reason: 'column "nonfarm_change": "abc" is not a valid integer' },
      { line: 4, reason: 'column "nonfarm_change" is empty but not nullable' },
      { line: 5, reason: 'column "month": "not-a-date" is not a valid timestamp' },
    ]);
    expect(parsed.rows.length + parsed.quarantined.length).toBe(parsed.rowsRead);
  });

  it('names the declared columns a file lacks', async () => {
    await expect(readCsv(fixture('mixed.csv'), { ...columns, payroll: { type: 'numeric', nullable: false } })).rejects.toThrow(
      /lacks declared column\(s\): payroll/,
    );
  });

  it('says when the file does not exist', async () => {
    await expect(readCsv(fixture('missing.csv'), columns)).rejects.toThrow(/Data file not found/);
  });
});

describe('snapshot digests', () => {
  it('are equal for equal content whatever the key order, and differ when a value changes', () => {
    const a = snapshotDigest(columns, [{ month: 'x', nonfarm_change: 1 }]);
    const b = snapshotDigest(columns, [{ nonfarm_change: 1, month: 'x' }]);
    const c = snapshotDigest(columns, [{ month: 'x', nonfarm_change: 2 }]);
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
