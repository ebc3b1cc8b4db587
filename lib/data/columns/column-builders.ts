import type { StoredColumn } from '../../db/snapshots';
import { ByteDictionary } from './byte-dictionary';
import { BOOLEAN_DICTIONARY, NULL_CODE, type Column } from './column-table';
import type { BinaryFieldSink } from './copy-binary';

/**
 * Fills one column's typed array row by row, from binary COPY fields (`pushBinary`) or from values
 * a query returned (`pushValue`, the path for servers without COPY). Sized for the rows the
 * snapshot says it holds; grows by doubling only if more come.
 */
export interface ColumnBuilder extends BinaryFieldSink {
  pushValue(value: unknown): void;
  finish(rowCount: number): Column;
}

/** The field length binary COPY gives NULL. */
const NULL_LENGTH = -1;
const FLOAT8_BYTES = 8;

export function columnBuilder(spec: StoredColumn, capacity: number): ColumnBuilder {
  switch (spec.type) {
    case 'numeric':
    case 'integer':
    case 'timestamp':
      return new NumberBuilder(spec.type, capacity);
    case 'categorical':
      return new CategoryBuilder(capacity);
    case 'boolean':
      return new BooleanBuilder(capacity);
  }
}

class NumberBuilder implements ColumnBuilder {
  private values: Float64Array;
  private length = 0;

  constructor(
    private readonly type: 'numeric' | 'integer' | 'timestamp',
    capacity: number,
  ) {
    this.values = new Float64Array(Math.max(capacity, 1));
  }

  /** A float8: the loader's SELECT casts integers and instants to double precision. */
  pushBinary(view: DataView, _bytes: Uint8Array, start: number, length: number): void {
    if (length === NULL_LENGTH) return this.push(NaN);
    if (length !== FLOAT8_BYTES) throw new Error(`a ${this.type} field of ${length} bytes is not a float8`);
    this.push(view.getFloat64(start));
  }

  pushValue(value: unknown): void {
    this.push(value === null ? NaN : Number(value));
  }

  finish(rowCount: number): Column {
    return { type: this.type, values: fitted(this.values, rowCount) };
  }

  private push(value: number): void {
    if (this.length === this.values.length) this.values = grown(this.values);
    this.values[this.length] = value;
    this.length += 1;
  }
}

/** Codes of an Int32Array, shared by categories and booleans. */
abstract class CodesBuilder {
  protected codes: Int32Array;
  private length = 0;

  constructor(capacity: number) {
    this.codes = new Int32Array(Math.max(capacity, 1));
  }

  protected push(code: number): void {
    if (this.length === this.codes.length) this.codes = grown(this.codes);
    this.codes[this.length] = code;
    this.length += 1;
  }
}

class CategoryBuilder extends CodesBuilder implements ColumnBuilder {
  private readonly dictionary = new ByteDictionary();
  /** Codes of the strings `pushValue` was given: a category has a few values, each encoded to bytes once. */
  private readonly byText = new Map<string, number>();

  /** Text's UTF-8 bytes, unescaped: binary COPY sends them as they are. */
  pushBinary(_view: DataView, bytes: Uint8Array, start: number, length: number): void {
    this.push(length === NULL_LENGTH ? NULL_CODE : this.dictionary.codeOf(bytes, start, start + length));
  }

  pushValue(value: unknown): void {
    if (value === null) return this.push(NULL_CODE);
    const text = String(value);
    let code = this.byText.get(text);
    if (code === undefined) {
      const bytes = Buffer.from(text, 'utf8');
      this.byText.set(text, (code = this.dictionary.codeOf(bytes, 0, bytes.length)));
    }
    this.push(code);
  }

  finish(rowCount: number): Column {
    return { type: 'categorical', codes: fitted(this.codes, rowCount), dictionary: this.dictionary.values };
  }
}

class BooleanBuilder extends CodesBuilder implements ColumnBuilder {
  /** One byte, 1 for true. */
  pushBinary(_view: DataView, bytes: Uint8Array, start: number, length: number): void {
    this.push(length === NULL_LENGTH ? NULL_CODE : bytes[start] === 1 ? 1 : 0);
  }

  pushValue(value: unknown): void {
    this.push(value === null ? NULL_CODE : value === true ? 1 : 0);
  }

  finish(rowCount: number): Column {
    return { type: 'boolean', codes: fitted(this.codes, rowCount), dictionary: BOOLEAN_DICTIONARY };
  }
}

function grown<T extends Float64Array | Int32Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** Exactly `rowCount` long and alone in its buffer, so transferring it moves nothing else. */
function fitted<T extends Float64Array | Int32Array>(array: T, rowCount: number): T {
  return (array.length === rowCount ? array : array.slice(0, rowCount)) as T;
}
