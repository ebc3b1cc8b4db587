import { DriftlineError } from '../../errors';
import type { ColumnSpecs } from '../column-spec';
import { CsvTokenizer, type CsvRecord } from './csv-tokenizer';
import { MAX_RECORD_CHARS, type SourceRecord } from './source-record';

/** Where each declared column sits in the file's records. */
interface HeaderLayout {
  width: number;
  positions: number[];
  /** The file has exactly the declared columns, in order: records are used as they are. */
  identity: boolean;
}

/**
 * CSV text with a header line → records holding the declared columns' cells, in batches (one per
 * chunk of text). Columns the spec does not declare are ignored; a missing one is an error.
 */
export async function* csvRecords(
  texts: AsyncIterable<string>,
  columns: ColumnSpecs,
  delimiter: string,
  origin: string,
): AsyncGenerator<SourceRecord[]> {
  let layout: HeaderLayout | undefined;
  let batch: SourceRecord[] = [];
  const tokenizer = new CsvTokenizer({ delimiter, maxRecordChars: MAX_RECORD_CHARS }, (record) => {
    if (layout) batch.push(toSourceRecord(record, layout));
    else layout = headerLayout(record, columns, delimiter, origin);
  });
  for await (const text of texts) {
    tokenizer.push(text);
    if (batch.length > 0) {
      yield batch;
      batch = [];
    }
  }
  tokenizer.end();
  if (!layout) throw new DriftlineError('InvalidInput', `${origin} is empty: it has no header line`);
  if (batch.length > 0) yield batch;
}

function toSourceRecord(record: CsvRecord, layout: HeaderLayout): SourceRecord {
  const { line, raw, fields } = record;
  if (record.problem !== undefined) return { line, raw, cells: [], problem: record.problem };
  if (fields.length !== layout.width) {
    return { line, raw, cells: [], problem: `the record has ${fields.length} field(s), the header has ${layout.width}` };
  }
  return { line, raw, cells: layout.identity ? fields : layout.positions.map((p) => fields[p]) };
}

function headerLayout(header: CsvRecord, columns: ColumnSpecs, delimiter: string, origin: string): HeaderLayout {
  if (header.problem !== undefined) throw new DriftlineError('InvalidInput', `${origin}: the header line cannot be read: ${header.problem}`);
  const names = header.fields.map((name) => name.trim());
  const duplicated = names.filter((name, i) => name !== '' && names.indexOf(name) !== i);
  if (duplicated.length > 0) throw new DriftlineError('InvalidInput', `${origin}: the header names ${[...new Set(duplicated)].join(', ')} more than once`);
  const missing = Object.keys(columns).filter((name) => !names.includes(name));
  if (missing.length > 0) {
    throw new DriftlineError('InvalidInput', `${origin} lacks declared column(s): ${missing.join(', ')}${delimiterHint(names, delimiter)}`);
  }
  const positions = Object.keys(columns).map((name) => names.indexOf(name));
  return { width: names.length, positions, identity: positions.length === names.length && positions.every((p, i) => p === i) };
}

/** A one-column header that holds another separator usually means the wrong delimiter. */
function delimiterHint(names: string[], delimiter: string): string {
  const other = [';', '\t', '|', ','].find((d) => d !== delimiter && names.length === 1 && (names[0] ?? '').includes(d));
  return other === undefined ? '' : ` (the header is one column "${names[0]}": is the delimiter ${JSON.stringify(other)}, not ${JSON.stringify(delimiter)}?)`;
}
