import { describe, expect, it } from 'vitest';
import { ArrivalSpec } from '../../lib/arrival/arrival-spec';
import { describeWindow, orderPipelineData, recent, windowText } from '../../lib/arrival/pipeline-data';
import { currentData, rowsOf, trainingData } from '../../lib/arrival/windows';
import type { Row } from '../../lib/data/typed-row';
import { PipelineSpec } from '../../lib/spec/pipeline-spec';
import { formatZodError } from '../../lib/errors';

const day = (d: string): Row => ({ at: `${d}T00:00:00.000Z`, v: Number(d.slice(8)) });
const days = (from: number, to: number, month = '2024-01') =>
  Array.from({ length: to - from + 1 }, (_, i) => day(`${month}-${String(from + i).padStart(2, '0')}`));
const arrival = (raw: unknown = {}) => ArrivalSpec.parse(raw);

describe('the pipeline data windows are cut from', () => {
  it('orders rows by time across batches and remembers each row\'s snapshot', () => {
    const data = orderPipelineData([{ snapshotId: 7, rows: days(3, 4) }, { snapshotId: 9, rows: [day('2024-01-01'), day('2024-01-05')] }], 'at');
    expect(data.rows.map((r) => r.v)).toEqual([1, 3, 4, 5]);
    expect(data.snapshotOf).toEqual([9, 7, 7, 9]);
    expect(describeWindow(data)).toEqual({ asOfSnapshotId: 9, snapshotIds: [9, 7], rows: 4, by: 'time', from: '2024-01-01T00:00:00.000Z', to: '2024-01-05T00:00:00.000Z' });
  });

  it('keys rows by arrival order without a time column', () => {
    const data = orderPipelineData([{ snapshotId: 1, rows: [{ v: 10 }, { v: 11 }] }, { snapshotId: 2, rows: [{ v: 12 }] }], undefined);
    expect(data.keys).toEqual([1, 2, 3]);
    expect(windowText(describeWindow(data))).toBe('snapshots #1, #2: 3 rows, rows 1–3');
  });

  it('cuts recent windows in rows, days and calendar months from the newest row', () => {
    const data = orderPipelineData([{ snapshotId: 1, rows: [...days(1, 31, '2024-01'), ...days(1, 29, '2024-02'), ...days(1, 10, '2024-03')] }], 'at');
    expect(recent(data, { rows: 5 }).rows.map((r) => r.v)).toEqual([6, 7, 8, 9, 10]);
    // 2024-03-10 minus 7 days is 2024-03-03: the rows after it.
    expect(recent(data, { days: 7 }).rows.map((r) => r.v)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    // One calendar month before 2024-03-10 is 2024-02-10.
    expect(recent(data, { months: 1 }).rows).toHaveLength(19 + 10);
    expect(trainingData(data, arrival({ training: { rows: 3 } })).rows).toHaveLength(3);
    expect(trainingData(data, arrival()).rows).toHaveLength(70);
  });
});

describe('the sides of a drift check', () => {
  const history = orderPipelineData([{ snapshotId: 4, rows: [...days(1, 31, '2024-01'), ...days(1, 29, '2024-02'), ...days(1, 31, '2024-03')] }], 'at');
  const reference = describeWindow(orderPipelineData([{ snapshotId: 2, rows: days(1, 31, '2024-01') }], 'at'));

  it('takes only rows newer than the champion\'s training data: never a row it learned from', () => {
    const { data, since } = currentData(history, arrival(), reference, undefined);
    expect(since).toBe(reference.to);
    expect(data.rows).toHaveLength(29 + 31);
    expect(String(data.keys[0]) > String(reference.to)).toBe(true);
  });

  it('takes only what arrived since the previous check, so one shifted month is not diluted', () => {
    const february = describeWindow({ ...history, ...sliceMonth(history, '2024-02') });
    const { data } = currentData(history, arrival(), reference, february);
    expect(data.rows).toHaveLength(31);
    expect(describeWindow(data).from).toBe('2024-03-01T00:00:00.000Z');
  });

  it('is empty when nothing arrived, and a declared recent window replaces "since the previous check"', () => {
    const march = describeWindow({ ...history, ...sliceMonth(history, '2024-03') });
    expect(currentData(history, arrival(), reference, march).data.rows).toHaveLength(0);
    expect(currentData(history, arrival({ current: { days: 10 } }), reference, march).data.rows).toHaveLength(10);
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

  it('refuses a window in days or months without a time column', () => {
    expect(problems({ ...base, arrival: { training: { months: 36 } } })).toContain('arrival.training: a window in days or months needs a timeColumn');
    expect(problems({ ...base, timeColumn: 'at', arrival: { training: { months: 36 }, current: { rows: 500 } } })).toBe('valid');
  });
});

function sliceMonth(data: ReturnType<typeof orderPipelineData>, month: string) {
  const picked = data.keys.map((k, i) => (String(k).startsWith(month) ? i : -1)).filter((i) => i >= 0);
  return { rows: picked.map((i) => data.rows[i] as Row), keys: picked.map((i) => data.keys[i] as string), snapshotOf: picked.map((i) => data.snapshotOf[i] as number) };
}
