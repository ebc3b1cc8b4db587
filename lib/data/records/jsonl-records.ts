import { DriftlineError } from '../../errors';
import type { ColumnSpecs } from '../column-spec';
import { MAX_RECORD_CHARS, RAW_PREFIX_CHARS, type SourceRecord } from './source-record';

/** Every line of a JSON array file read as JSON Lines is quarantined with this one reason, not a thousand parse errors. */
export const JSON_ARRAY_AS_LINES = 'the file is a JSON array, not JSON Lines (declare "format": "json")';

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
  // Known from the file's first character: a "[" means the whole file is one JSON array.
  let toRecord: (line: number, text: string) => SourceRecord | undefined = (at, text) => lineRecord(at, text, names);
  for await (const text of texts) {
    if (!sawText && /^\uFEFF?\s*\[/.test(text)) toRecord = arrayLine;
    sawText = true;
    const batch: SourceRecord[] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      const raw = pending + text.slice(start, end);
      const record = oversized ? tooLongRecord(line, raw) : toRecord(line, raw);
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
  const last = oversized ? tooLongRecord(line, pending) : toRecord(line, pending);
  if (last) yield [last];
}

function lineRecord(line: number, text: string, names: string[]): SourceRecord | undefined {
  const raw = withoutCr(text);
  if (raw.trim() === '') return undefined;
  if (raw.length > MAX_RECORD_CHARS) return tooLongRecord(line, raw);
  return jsonObjectRecord(line, raw, names, 'line');
}

function arrayLine(line: number, text: string): SourceRecord | undefined {
  const raw = withoutCr(text);
  if (raw.trim() === '') return undefined;
  return { line, raw: raw.length > MAX_RECORD_CHARS ? `${raw.slice(0, RAW_PREFIX_CHARS)}…` : raw, cells: [], problem: JSON_ARRAY_AS_LINES };
}

function withoutCr(text: string): string {
  return text.endsWith('\r') ? text.slice(0, -1) : text;
}

/** One JSON object's text (a line of JSON Lines, an element of a JSON array) → its declared columns' cells, or why not. */
export function jsonObjectRecord(line: number, raw: string, names: string[], what: 'line' | 'element'): SourceRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    return { line, raw, cells: [], problem: `the ${what} is not valid JSON (${(error as Error).message})` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { line, raw, cells: [], problem: `the ${what} is not a JSON object` };
  }
  const object = parsed as Record<string, unknown>;
  return { line, raw, cells: names.map((name) => (Object.hasOwn(object, name) ? object[name] : undefined)) };
}

export function tooLongRecord(line: number, raw: string): SourceRecord {
  return { line, raw: `${raw.slice(0, RAW_PREFIX_CHARS)}…`, cells: [], problem: `the record is longer than ${MAX_RECORD_CHARS} characters` };
}
