import type { Value } from '../data/cell-types';
import type { ColumnSpecs } from '../data/column-spec';
import type { SourceRecord } from '../data/records/source-record';
import { rowPredicate } from '../data/row-filter';
import { rowValidator } from '../data/row-validator';
import type { RowFilter } from '../data/row-filter';
import { columnBuilder, type ColumnBuilder } from '../data/columns/column-builders';
import { columnOf, NULL_CODE, type Column, type ColumnTable } from '../data/columns/column-table';
import type { StoredColumn } from '../db/snapshots';
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

/** Rows to score together, as columns: history carried over from the previous chunk first (scored there), then this chunk's own. */
export interface ScoringChunk {
  index: number;
  /** The rows in the columns of `ScoringColumns.frame` (a column the source does not carry, as the target, all null). */
  table: ColumnTable;
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
 * is quarantined with the reason, never scored. Valid values go straight into typed-array columns:
 * no object per row. A time-series plan's lags and windows read earlier rows: each chunk starts
 * with the last rows of every series seen before it (as many as the features look back), so a
 * chunk boundary changes no prediction. A series' rows must come in time order across chunks, as a
 * scoring source lists them.
 */
export async function* scoringChunks(records: AsyncIterable<SourceRecord[]>, scoring: ScoringColumns, options: ChunkOptions): AsyncGenerator<ScoringChunk> {
  const names = Object.keys(scoring.columns);
  const validate = rowValidator(scoring.columns);
  const keep = rowPredicate(options.where, scoring.columns);
  const values = new Array<Value>(names.length).fill(null);
  const texts = new Array<string>(names.length).fill('');
  const history = new SeriesHistory(lookbackOf(options.plan), options.plan.groupBy ?? []);
  let chunk = new ChunkBuilder(0, scoring, options.chunkRows);
  let position = 0;
  for await (const batch of records) {
    for (const record of batch) {
      chunk.read += 1;
      position += 1;
      const reason = record.problem ?? validate(record.cells, values, texts);
      if (reason !== undefined) chunk.quarantined.push({ record: position, line: record.line, raw: record.raw, reason });
      else if (keep !== undefined && !keep(values)) chunk.filtered += 1;
      else {
        chunk.push(values, position);
        if (chunk.own() >= options.chunkRows) {
          const full = chunk.finish();
          yield full;
          chunk = new ChunkBuilder(full.index + 1, scoring, options.chunkRows);
          chunk.carry(full, history.tail(full));
        }
      }
    }
  }
  if (chunk.read > 0) yield chunk.finish();
}

/** One chunk's columns, filled value by value as the validator gives them (timestamps as epoch milliseconds). */
class ChunkBuilder {
  read = 0;
  filtered = 0;
  readonly quarantined: QuarantinedRow[] = [];
  private readonly records: number[] = [];
  private carried = 0;
  /** For each column of the frame: its position among the validated values, or −1 when the source does not carry it. */
  private readonly from: number[];
  private readonly specs: StoredColumn[];
  private readonly columns: ColumnBuilder[];

  constructor(
    private readonly index: number,
    scoring: ScoringColumns,
    capacity: number,
  ) {
    const sourceNames = Object.keys(scoring.columns);
    this.specs = Object.entries(scoring.frame).map(([name, spec]) => ({ name, type: spec.type }));
    this.from = this.specs.map(({ name }) => sourceNames.indexOf(name));
    this.columns = this.specs.map((spec) => columnBuilder(spec, capacity));
  }

  own(): number {
    return this.records.length - this.carried;
  }

  push(values: readonly Value[], record: number): void {
    for (let c = 0; c < this.columns.length; c += 1) {
      const at = this.from[c] as number;
      (this.columns[c] as ColumnBuilder).pushValue(at === -1 ? null : values[at]);
    }
    this.records.push(record);
  }

  /** Starts with the previous chunk's rows at `rows`: the history its successors' features read. */
  carry(previous: ScoringChunk, rows: readonly number[]): void {
    for (const row of rows) {
      previous.table.columns.forEach((column, c) => (this.columns[c] as ColumnBuilder).pushValue(valueAt(column, row)));
      this.records.push(previous.records[row] as number);
    }
    this.carried = rows.length;
  }

  finish(): ScoringChunk {
    const rowCount = this.records.length;
    return {
      index: this.index,
      table: { rowCount, specs: this.specs, columns: this.columns.map((column) => column.finish(rowCount)) },
      records: this.records,
      carried: this.carried,
      quarantined: this.quarantined,
      read: this.read,
      filtered: this.filtered,
    };
  }
}

/** A row's value of a column as the validator gives it: a number (timestamps in epoch milliseconds), a category's text, a boolean, or null. */
function valueAt(column: Column, row: number): Value {
  if ('values' in column) {
    const value = column.values[row] as number;
    return Number.isNaN(value) ? null : value;
  }
  const code = column.codes[row] as number;
  return code === NULL_CODE ? null : (column.dictionary[code] as string | boolean);
}

/** The last `lookback` rows of each series, carried from one chunk into the next. */
class SeriesHistory {
  constructor(
    private readonly lookback: number,
    private readonly groupBy: readonly string[],
  ) {}

  /** Positions of the last `lookback` rows of every series in the chunk, in their order. */
  tail(chunk: ScoringChunk): number[] {
    if (this.lookback === 0) return [];
    const series = this.groupBy.map((name) => columnOf(chunk.table, name));
    const seen = new Map<string, number>();
    const kept: number[] = [];
    for (let i = chunk.table.rowCount - 1; i >= 0; i -= 1) {
      const key = series.map((column) => String(valueAt(column, i))).join('\u0000');
      const count = seen.get(key) ?? 0;
      if (count >= this.lookback) continue;
      seen.set(key, count + 1);
      kept.push(i);
    }
    return kept.reverse();
  }
}
