import { DriftlineError } from '../../errors';
import type { ColumnSpecs } from '../column-spec';
import { MAX_RECORD_CHARS, RAW_PREFIX_CHARS, type SourceRecord } from './source-record';

/**
 * JSON Lines text → records: one JSON object per line, keyed by column name, in batches.
 * Blank lines are skipped; a line that is not a JSON object is quarantined.
 */
export async function* jsonlRecords(texts: AsyncIterable<string>, columns: ColumnSpecs, origin: string): AsyncGenerator<SourceRecord[]> {
  const names = Object.keys(columns);
  let pending = '';
  let oversized = false;
  let line = 1;
  let sawText = false;
  for await (const text of texts) {
    sawText = true;
    const batch: SourceRecord[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const raw = pending + text.slice(start, end);
      const record = oversized ? tooLong(line, raw) : toRecord(line, raw, names);
      if (record) batch.push(record);
      pending = '';
      oversized = false;
      line += 1;
      start = end + 1;
    }
    pending += text.slice(start);
    if (pending.length > MAX_RECORD_CHARS) {
      oversized = true;
      pending = pending.slice(0, RAW_PREFIX_CHARS);
    }
    if (batch.length > 0) yield batch;
  }
  if (!sawText) throw new DriftlineError('InvalidInput', `${origin} is empty`);
  const last = oversized ? tooLong(line, pending) : toRecord(line, pending, names);
  if (last) yield [last];
}

function toRecord(line: number, text: string, names: string[]): SourceRecord | undefined {
  const raw = text.endsWith('\r') ? text.slice(0, -1) : text;
  if (raw.trim() === '') return undefined;
  if (raw.length > MAX_RECORD_CHARS) return tooLong(line, raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { line, raw, cells: [], problem: `the line is not valid JSON (${(error as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { line, raw, cells: [], problem: 'the line is not a JSON object' };
  }
  const object = parsed as Record<string, unknown>;
  return { line, raw, cells: names.map((name) => (Object.hasOwn(object, name) ? object[name] : undefined)) };
}

function tooLong(line: number, raw: string): SourceRecord {
  return { line, raw: `${raw.slice(0, RAW_PREFIX_CHARS)}…`, cells: [], problem: `the record is longer than ${MAX_RECORD_CHARS} characters` };
}
