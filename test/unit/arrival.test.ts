import { describe, expect, it } from 'vitest';
import { ArrivalSpec } from '../../lib/arrival/arrival-spec';
import { between, describeWindow, frameOf, keyAt, orderPipelineData, recent, rowCountOf, windowText, type PipelineData } from '../../lib/arrival/pipeline-data';
import { currentData, rowsOf, trainingData } from '../../lib/arrival/windows';
import { ColumnSpec, type ColumnSpecs } from '../../lib/data/column-spec';
import { rowsOfFrame } from '../../lib/data/columns/frame';
import type { Row } from '../../lib/data/typed-row';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { formatZodError } from '../../lib/errors';
import { tableOfRows } from '../support/column-table';

const COLUMNS: ColumnSpecs = {
  at: ColumnSpec.parse({ type: 'timestamp', nullable: true }),
  v: ColumnSpec.parse({ type: 'numeric' }),
  city: ColumnSpec.parse({ type: 'categorical', nullable: true }),
};
const day = (d: string, city: string | null = null): Row => ({ at: `${d}T00:00:00.000Z`, v: Number(d.slice(8)), city });
const days = (from: number, to: number, month = '2024-01') =>
  Array.from({ length: to - from + 1 }, (_, i) => day(`${month}-${String(from + i).padStart(2, '0')}`));
const arrival = (raw: unknown = {}) => ArrivalSpec.parse(raw);
const ordered = (parts: { snapshotId: number; rows: Row[] }[], timeColumn: string | null = 'at') =>
  orderPipelineData(parts.map(({ snapshotId, rows }) => ({ snapshotId, table: tableOfRows(rows, COLUMNS) })), timeColumn ?? undefined);
const values = (data: PipelineData) => Array.from(frameOf(data).numbers('v'));
const rowsIn = (data: PipelineData) => rowsOfFrame(frameOf(data), COLUMNS);

/** The order rows had when they were objects keyed by their ISO time ('' without one), stably sorted as text. */
function rowPathOrder(parts: { snapshotId: number; rows: Row[] }[]): Row[] {
  const key = (row: Row) => (typeof row.at === 'string' ? row.at : '');
  return parts.flatMap((part) => part.rows).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

describe('the pipeline data windows are cut from', () => {
  it('orders rows by time across batches and remembers each row\'s snapshot', () => {
    const data = ordered([{ snapshotId: 7, rows: days(3, 4) }, { snapshotId: 9, rows: [day('2024-01-01'), day('2024-01-05')] }]);
    expect(values(data)).toEqual([1, 3, 4, 5]);
    expect(Array.from(data.snapshotOf)).toEqual([9, 7, 7, 9]);
    expect(describeWindow(data)).toEqual({ asOfSnapshotId: 9, snapshotIds: [9, 7], rows: 4, by: 'time', from: '2024-01-01T00:00:00.000Z', to: '2024-01-05T00:00:00.000Z' });
  });

  it('keys rows by arrival order without a time column', () => {
    const data = ordered([{ snapshotId: 1, rows: [{ v: 10 }, { v: 11 }] }, { snapshotId: 2, rows: [{ v: 12 }] }], null);
    expect(Array.from(data.keys)).toEqual([1, 2, 3]);
    expect(windowText(describeWindow(data))).toBe('snapshots #1, #2: 3 rows, rows 1–3');
  });

  it('keeps the row path\'s order exactly: rows without a time first, equal times in arrival order, categories in one dictionary', () => {
    const parts = [
      { snapshotId: 3, rows: [day('2024-01-02', 'b'), { at: null, v: 100, city: 'a' }, day('2024-01-01', 'c'), day('2024-01-02', null)] },
      { snapshotId: 4, rows: [{ at: null, v: 200, city: 'c' }, day('2024-01-01', 'd'), day('2024-01-02', 'a')] },
    ];
    const data = ordered(parts);
    expect(rowsIn(data)).toEqual(rowPathOrder(parts));
    expect(describeWindow(data)).toMatchObject({ rows: 7, from: '', to: '2024-01-02T00:00:00.000Z' });
    // A row without a time is never "new", and a stored window starting at '' reads it back.
    expect(values(recent(data, { days: 1 }))).toEqual([2, 2, 2]);
    expect(rowsIn(rowsOf(data, describeWindow(data)))).toEqual(rowsIn(data));
    expect(frameOf(data).codes('city').dictionary).toEqual(['b', 'a', 'c', 'd']);
  });

  it('reads a column an older batch lacks as null there, as a missing key of a row object was', () => {
    const withoutCity = Object.fromEntries(Object.entries(COLUMNS).filter(([name]) => name !== 'city'));
    const older = { snapshotId: 1, table: tableOfRows([day('2024-01-01')], withoutCity) };
    const newer = { snapshotId: 2, table: tableOfRows([day('2024-01-02', 'x')], COLUMNS) };
    expect(rowsIn(orderPipelineData([older, newer], 'at'))).toEqual([day('2024-01-01'), day('2024-01-02', 'x')]);
  });

  it('refuses, for good and naming the column, snapshots whose column changed type in the spec between them', () => {
    const cityAsNumber = { ...COLUMNS, city: ColumnSpec.parse({ type: 'numeric', nullable: true }) };
    const older = { snapshotId: 1, table: tableOfRows([{ ...day('2024-01-01'), city: 3 }], cityAsNumber) };
    const newer = { snapshotId: 2, table: tableOfRows([day('2024-01-02', 'x')], COLUMNS) };
    expect(() => orderPipelineData([older, newer], 'at')).toThrow(
      expect.objectContaining({ type: 'InvalidInput', message: expect.stringMatching(/^columns\.city\.type: "city" is numeric in an earlier snapshot and categorical in the newest/) }),
    );
  });

  it('cuts recent windows in rows, days and calendar months from the newest row', () => {
    const data = ordered([{ snapshotId: 1, rows: [...days(1, 31, '2024-01'), ...days(1, 29, '2024-02'), ...days(1, 10, '2024-03')] }]);
    expect(values(recent(data, { rows: 5 }))).toEqual([6, 7, 8, 9, 10]);
    // 2024-03-10 minus 7 days is 2024-03-03: the rows after it.
    expect(values(recent(data, { days: 7 }))).toEqual([4, 5, 6, 7, 8, 9, 10]);
    // One calendar month before 2024-03-10 is 2024-02-10.
    expect(rowCountOf(recent(data, { months: 1 }))).toBe(19 + 10);
    expect(rowCountOf(trainingData(data, arrival({ training: { rows: 3 } })))).toBe(3);
    expect(rowCountOf(trainingData(data, arrival()))).toBe(70);
  });

  it('gives a window as a frame of its rows, views of the table\'s own arrays when the rows are in its order', () => {
    const table = tableOfRows(days(1, 5), COLUMNS);
    const data = orderPipelineData([{ snapshotId: 1, table }], 'at');
    expect(frameOf(recent(data, { rows: 2 })).numbers('v').buffer).toBe((table.columns[1] as { values: Float64Array }).values.buffer);
    expect(frameOf(data)).toBe(frameOf(data));
    expect(values(recent(data, { rows: 2 }))).toEqual([4, 5]);
  });
});

describe('the sides of a drift check', () => {
  const history = ordered([{ snapshotId: 4, rows: [...days(1, 31, '2024-01'), ...days(1, 29, '2024-02'), ...days(1, 31, '2024-03')] }]);
  const reference = describeWindow(ordered([{ snapshotId: 2, rows: days(1, 31, '2024-01') }]));
  const month = (first: string, last: string) => describeWindow(between(history, `${first}T00:00:00.000Z`, `${last}T00:00:00.000Z`));

  it('takes only rows newer than the champion\'s training data: never a row it learned from', () => {
    const { data, since } = currentData(history, arrival(), reference, undefined);
    expect(since).toBe(reference.to);
    expect(rowCountOf(data)).toBe(29 + 31);
    expect(String(keyAt(data, 0)) > String(reference.to)).toBe(true);
  });

  it('takes only what arrived since the previous check, so one shifted month is not diluted', () => {
    const { data } = currentData(history, arrival(), reference, month('2024-02-01', '2024-02-29'));
    expect(rowCountOf(data)).toBe(31);
    expect(describeWindow(data).from).toBe('2024-03-01T00:00:00.000Z');
  });

  it('is empty when nothing arrived, and a declared recent window replaces "since the previous check"', () => {
    const march = month('2024-03-01', '2024-03-31');
    expect(rowCountOf(currentData(history, arrival(), reference, march).data)).toBe(0);
    expect(rowCountOf(currentData(history, arrival({ current: { days: 10 } }), reference, march).data)).toBe(10);
  });

  it('reads a stored window back as exactly its rows', () => {
    const window = describeWindow(recent(history, { days: 5 }));
    expect(describeWindow(rowsOf(history, window))).toEqual(window);
  });
});

describe('the arrival section of a spec', () => {
  const base = {
    name: 'p',
    source: { kind: 'file', path: 'p.csv' },
    columns: { at: { type: 'timestamp' }, y: { type: 'numeric' } },
    target: 'y',
    features: { targetLags: [1] },
    model: { name: 'p', trainer: 'ridge' },
  };
  const problems = (spec: object) => {
    const parsed = PipelineSpec.safeParse(spec);
    return parsed.success ? 'valid' : formatZodError(parsed.error);
  };

  it('defaults to a growing history compared since the last check, trained on all of it', () => {
    expect(PipelineSpec.parse(base).arrival).toEqual({ mode: 'history', current: 'since-last-check', training: 'all' });
  });

  it('refuses bad modes, windows and unknown keys by name', () => {
    expect(problems({ ...base, arrival: { mode: 'stream' } })).toContain('arrival.mode');
    expect(problems({ ...base, arrival: { training: { weeks: 2 } } })).toContain('arrival.training');
    expect(problems({ ...base, arrival: { current: { rows: 0 } } })).toContain('arrival.current');
    expect(problems({ ...base, arrival: { mode: 'batches', windw: 'all' } })).toContain('windw');
  });

  it('refuses a time column that holds no instants: rows are ordered and windows cut by them', () => {
    expect(problems({ ...base, timeColumn: 'y' })).toContain('timeColumn: the time column must be a timestamp column, not numeric');
    expect(problems({ ...base, timeColumn: 'at' })).toBe('valid');
  });

  it('refuses a window in days or months without a time column', () => {
    expect(problems({ ...base, arrival: { training: { months: 36 } } })).toContain('arrival.training: a window in days or months needs a timeColumn');
    expect(problems({ ...base, timeColumn: 'at', arrival: { training: { months: 36 }, current: { rows: 500 } } })).toBe('valid');
  });
});
