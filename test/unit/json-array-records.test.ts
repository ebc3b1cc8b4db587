import { describe, expect, it } from 'vitest';
import type { ColumnSpecs } from '../../lib/data/column-spec';
import { jsonArrayRecords } from '../../lib/data/records/json-array-records';
import { JSON_ARRAY_AS_LINES, jsonlRecords } from '../../lib/data/records/jsonl-records';
import type { SourceRecord } from '../../lib/data/records/source-record';

const COLUMNS = { day: { type: 'timestamp' }, units: { type: 'numeric' }, note: { type: 'categorical', nullable: true } } as unknown as ColumnSpecs;

const ROWS = [
  { day: '2024-01-01', units: 3, note: 'a, "quoted" ] } value' },
  { day: '2024-01-02', units: 4.5, note: null, extra: { nested: [1, 2, { x: ']' }] } },
  { day: '2024-01-03', units: -1, note: 'line\nbreak \\ backslash' },
];

async function* chunks(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function read(reader: typeof jsonArrayRecords, text: string, size = text.length): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const batch of reader(chunks(text, Math.max(1, size)), COLUMNS, 'test.json')) records.push(...batch);
  return records;
}

/** The declared columns' cells as JSON.parse of the whole file sees them. */
function expectedCells(rows: Record<string, unknown>[]): unknown[][] {
  return rows.map((row) => Object.keys(COLUMNS).map((name) => row[name]));
}

describe('a JSON array source', () => {
  it('yields each element\'s declared cells, as parsing the whole file would, whatever the chunk boundaries', async () => {
    for (const text of [JSON.stringify(ROWS), JSON.stringify(ROWS, null, 2), `\uFEFF\r\n ${JSON.stringify(ROWS, null, '\t')}\n`]) {
      const whole = JSON.parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>[];
      for (const size of [1, 2, 3, 7, 64, text.length]) {
        const records = await read(jsonArrayRecords, text, size);
        expect(records.map((r) => r.cells), `chunks of ${size}`).toEqual(expectedCells(whole));
        expect(records.every((r) => r.problem === undefined)).toBe(true);
      }
    }
  });

  it('names the line each element starts on, and quarantines a bad element without losing the others', async () => {
    const text = '[\n  {"day": "2024-01-01", "units": 1},\n  {"day": oops},\n  42,\n  {"day": "2024-01-04",\n   "units": 4}\n]';
    const records = await read(jsonArrayRecords, text, 5);
    expect(records.map((r) => r.line)).toEqual([2, 3, 4, 5]);
    expect(records[1]?.problem).toMatch(/^the element is not valid JSON/);
    expect(records[2]?.problem).toBe('the element is not a JSON object');
    expect(records[3]?.cells).toEqual(['2024-01-04', 4, undefined]);
  });

  it('refuses text that is not one closed array', async () => {
    await expect(read(jsonArrayRecords, '{"day": "2024-01-01"}\n')).rejects.toThrow(/is not a JSON array: it starts with "\{".*"format": "jsonl"/);
    await expect(read(jsonArrayRecords, '[{"day": "2024-01-01"},')).rejects.toThrow(/never closed/);
    await expect(read(jsonArrayRecords, '[] []')).rejects.toThrow(/text after the end of the JSON array/);
    await expect(read(jsonArrayRecords, '')).rejects.toThrow(/is empty/);
  });
});

describe('a JSON array read as JSON Lines', () => {
  it('quarantines every line with one reason that names the format to declare', async () => {
    const text = JSON.stringify(ROWS, null, 2);
    const records = await read(jsonlRecords, text, 16);
    expect(records).toHaveLength(text.split('\n').length);
    expect(new Set(records.map((r) => r.problem))).toEqual(new Set([JSON_ARRAY_AS_LINES]));
  });
});
