import type { ColumnSpecs } from '../column-spec';
import type { OpenedSource } from '../sources/open-source';
import { csvRecords } from './csv-records';
import { decodeText } from './decode-text';
import { jsonArrayRecords } from './json-array-records';
import { jsonlRecords } from './jsonl-records';
import type { SourceRecord } from './source-record';

/** An opened source's records, in batches, whatever its format. */
export function readRecords(source: OpenedSource, columns: ColumnSpecs): AsyncIterable<SourceRecord[]> {
  const texts = decodeText(source.chunks, source.origin);
  switch (source.format) {
    case 'csv':
      return csvRecords(texts, columns, source.delimiter, source.origin);
    case 'jsonl':
      return jsonlRecords(texts, columns, source.origin);
    case 'json':
      return jsonArrayRecords(texts, columns, source.origin);
  }
}
