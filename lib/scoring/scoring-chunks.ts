import type { Value } from '../data/cell-types';
import type { ColumnSpecs } from '../data/column-spec';
import type { SourceRecord } from '../data/records/source-record';
import { rowPredicate } from '../data/row-filter';
import { rowValidator } from '../data/row-validator';
import type { RowFilter } from '../data/row-filter';
import type { Cell, Row } from '../data/typed-row';
import { lookbackOf, type FeaturePlan } from '../model/features';
import { inputSchemaOf } from '../serving/input-schema';

/** What a scoring source is read and checked against, for one version. */
export interface ScoringColumns {
  /** The columns a source row must hold, in the spec's order: those the model reads and the key columns; the unread target is left out. */
  columns: ColumnSpecs;
  /** The columns the model reads: what the logged input digest covers (as online predictions'). */
  read: string[];
  /** What features are built on: the source's columns and the target, which rows need not carry (read as null: features never use it unless the model reads it). */
  frame: ColumnSpecs;
  keyColumns: string[];
}

/**
 * The model's input checks as a scoring source meets them: the served input schema (the declared
 * rules of each column the model reads) plus the key columns actuals are joined on.
 */
export function scoringColumnsOf(plan: FeaturePlan, declared: ColumnSpecs, keyColumns: readonly string[]): ScoringColumns {
  const input = inputSchemaOf(plan, declared);
  const needed = new Set([...input.required, ...keyColumns]);
  const pick = (names: Set<string>) => Object.fromEntries(Object.entries(input.columns).filter(([name]) => names.has(name))) as ColumnSpecs;
  return { columns: pick(needed), read: input.required, frame: pick(new Set([...needed, plan.target])), keyColumns: [...keyColumns] };
}

/** A source row that failed the checks: never scored, kept with why. */
export interface QuarantinedRow {
  /** The record's position in the source (1-based): unique, where elements of a JSON array may share a line. */
  record: number;
  line: number;
  raw: string;
  reason: string;
}

/** Rows to score together: history carried over from the previous chunk first (scored there), then this chunk's own. */
export interface ScoringChunk {
  index: number;
  rows: Row[];
  /** Each row's position in the source, 1-based (the carried rows' too): the row key when the pipeline has no key columns. */
  records: number[];
  /** How many leading rows are carried history: their predictions were made with the previous chunk. */
  carried: number;
  quarantined: QuarantinedRow[];
  /** Records read in this chunk (valid, quarantined and filtered out). */
  read: number;
  /** Valid records the source's `where` left out. */
  filtered: number;
}

export interface ChunkOptions {
  chunkRows: number;
  where?: RowFilter[];
  /** The version's plan: how much history a row's features read, per series. */
  plan: FeaturePlan;
}

/**
 * Cuts a source's records into chunks of valid rows, each record checked by the ingest's own cell
 * rules (type, nullability, range, allowed values) against the scoring columns; a record that fails
 * is quarantined with the reason, never scored. A time-series plan's lags and windows read earlier
 * rows: each chunk starts with the last rows of every series seen before it (as many as the
 * features look back), so a chunk boundary changes no prediction. A series' rows must come in time
 * order across chunks, as a scoring source lists them.
 */
export async function* scoringChunks(records: AsyncIterable<SourceRecord[]>, scoring: ScoringColumns, options: ChunkOptions): AsyncGenerator<ScoringChunk> {
  const names = Object.keys(scoring.columns);
  const validate = rowValidator(scoring.columns);
  const keep = rowPredicate(options.where, scoring.columns);
  const toCell = cellReaders(scoring.columns);
  const values = new Array<Value>(names.length).fill(null);
  const texts = new Array<string>(names.length).fill('');
  const history = new SeriesHistory(lookbackOf(options.plan), options.plan.groupBy ?? []);
  let chunk = history.start(0);
  let position = 0;
  for await (const batch of records) {
    for (const record of batch) {
      chunk.read += 1;
      position += 1;
      const reason = record.problem ?? validate(record.cells, values, texts);
      if (reason !== undefined) chunk.quarantined.push({ record: position, line: record.line, raw: record.raw, reason });
      else if (keep !== undefined && !keep(values)) chunk.filtered += 1;
      else {
        const row: Row = {};
        for (let i = 0; i < names.length; i += 1) row[names[i] as string] = toCell[i]?.(values[i] as Value) as Cell;
        chunk.rows.push(row);
        chunk.records.push(position);
        if (chunk.rows.length - chunk.carried >= options.chunkRows) {
          yield chunk;
          chunk = history.start(chunk.index + 1, chunk);
        }
      }
    }
  }
  if (chunk.read > 0) yield chunk;
}

/** Each column's cell as rows carry it: a timestamp as canonical ISO 8601 (the validator gives epoch milliseconds). */
function cellReaders(columns: ColumnSpecs): ((value: Value) => Cell)[] {
  return Object.values(columns).map((spec) => (spec.type === 'timestamp' ? (value) => (value === null ? null : new Date(value as number).toISOString()) : (value) => value));
}

/** The last `lookback` rows of each series, carried from one chunk into the next. */
class SeriesHistory {
  constructor(
    private readonly lookback: number,
    private readonly groupBy: readonly string[],
  ) {}

  /** A new chunk, starting with the history the previous one leaves. */
  start(index: number, previous?: ScoringChunk): ScoringChunk {
    const carried = previous && this.lookback > 0 ? this.tail(previous) : [];
    return { index, rows: carried.map((i) => previous?.rows[i] as Row), records: carried.map((i) => previous?.records[i] as number), carried: carried.length, quarantined: [], read: 0, filtered: 0 };
  }

  /** Positions of the last `lookback` rows of every series in the chunk, in their order. */
  private tail(chunk: ScoringChunk): number[] {
    const seen = new Map<string, number>();
    const kept: number[] = [];
    for (let i = chunk.rows.length - 1; i >= 0; i -= 1) {
      const row = chunk.rows[i] as Row;
      const series = this.groupBy.map((column) => String(row[column])).join('\u0000');
      const count = seen.get(series) ?? 0;
      if (count >= this.lookback) continue;
      seen.set(series, count + 1);
      kept.push(i);
    }
    return kept.reverse();
  }
}
