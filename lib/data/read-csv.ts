import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { DriftlineError } from '../errors';
import type { ColumnSpec } from '../spec/pipeline-spec';
import { coerceRow, type Row } from './typed-row';

export interface QuarantinedRow {
  line: number;
  raw: string;
  reason: string;
}

export interface ParsedCsv {
  rows: Row[];
  quarantined: QuarantinedRow[];
  rowsRead: number;
}

/**
 * Streams a CSV file with a header line into typed rows. A row that breaks the schema
 * is quarantined with its line number and reason; the rest is kept.
 */
export async function readCsv(file: string, columns: Record<string, ColumnSpec>): Promise<ParsedCsv> {
  const rows: Row[] = [];
  const quarantined: QuarantinedRow[] = [];
  let rowsRead = 0;
  const parser = parse({ columns: (header: string[]) => checkHeader(header, columns, file), relax_column_count: true, info: true });
  // pipe() does not forward a read error (a missing or vanished file): without this the loop below would wait forever.
  const source = createReadStream(file).on('error', (error) => parser.destroy(error));
  source.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      rowsRead += 1;
      const result = coerceRow(record, columns);
      if (result.ok) rows.push(result.row);
      else quarantined.push({ line: info.lines, raw: JSON.stringify(record), reason: result.reason });
    }
  } catch (error) {
    if (error instanceof DriftlineError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DriftlineError('InvalidInput', `Data file not found: ${file}`);
    throw new DriftlineError('InvalidInput', `Cannot parse CSV ${file}: ${(error as Error).message}`);
  }
  return { rows, quarantined, rowsRead };
}

function checkHeader(header: string[], columns: Record<string, ColumnSpec>, file: string): string[] {
  const missing = Object.keys(columns).filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new DriftlineError('InvalidInput', `CSV ${file} lacks declared column(s): ${missing.join(', ')}`);
  }
  return header;
}
