import { INVALID, NULL_TEXT, TYPE_READERS, type Value } from './cell-types';
import type { ColumnSpec } from './column-spec';
import { readDecimal } from './decimal-text';
import { parseTimestamp } from './timestamp';

/** A cell as a source gives it: text from CSV, any JSON value from JSON Lines, undefined when absent. */
export type RawCell = unknown;

export interface CellParser {
  /** The cell's value, its canonical text written to `texts[i]`; INVALID when it breaks a rule. */
  parse(input: RawCell, texts: string[], i: number): Value | typeof INVALID;
  /** Why `input` is invalid, for the quarantine; called only for rejected cells. */
  explain(input: RawCell): string;
}

/** Compiles one declared column into a parser that checks its type, nullability, range and allowed values. */
export function cellParser(name: string, spec: ColumnSpec): CellParser {
  const read = TYPE_READERS[spec.type];
  const min = bound(spec.min);
  const max = bound(spec.max);
  const allowed = spec.values && new Set(spec.values);
  const inRange = (value: Value) =>
    typeof value !== 'number' || ((min === undefined || value >= min) && (max === undefined || value <= max));

  const parse = (input: RawCell, texts: string[], i: number): Value | typeof INVALID => {
    if (input === undefined) return INVALID;
    const cell = typeof input === 'string' ? trim(input) : input;
    if (cell === '' || cell === null) {
      texts[i] = NULL_TEXT;
      return spec.nullable ? null : INVALID;
    }
    const value = read(cell, texts, i);
    if (value === INVALID || !inRange(value)) return INVALID;
    if (allowed && !allowed.has(value as string)) return INVALID;
    return value;
  };

  const explain = (input: RawCell): string => {
    if (input === undefined) return `column "${name}" is missing`;
    const cell = typeof input === 'string' ? trim(input) : input;
    if (cell === '' || cell === null) return `column "${name}" is empty but not nullable`;
    const shown = show(input);
    const value = read(cell, [], 0);
    if (value === INVALID) return `column "${name}": ${shown} is not a valid ${spec.type}${hint(spec.type, cell)}`;
    if (!inRange(value)) return `column "${name}": ${shown} is outside [${spec.min ?? '-∞'}, ${spec.max ?? '∞'}]`;
    return `column "${name}": ${shown} is not one of the allowed values (${(spec.values ?? []).join(', ')})`;
  };

  return { parse, explain };
}

/** Most cells have no surrounding blanks: checking both ends is cheaper than always calling trim(). */
function trim(text: string): string {
  return text.length > 0 && text.charCodeAt(0) > 32 && text.charCodeAt(text.length - 1) > 32 ? text : text.trim();
}

function bound(limit: number | string | undefined): number | undefined {
  return typeof limit === 'string' ? parseTimestamp(limit) : limit;
}

function hint(type: ColumnSpec['type'], input: NonNullable<RawCell>): string {
  const text = typeof input === 'string' ? input : '';
  if (text.includes('\uFFFD')) return ' (it holds bytes that are not valid UTF-8)';
  if (text.includes('\0')) return ' (it holds a NUL character)';
  if (type !== 'numeric' && type !== 'integer') return '';
  if (readDecimal(text, { value: 0, canonical: false })) return type === 'integer' ? ' (not a whole number within ±2^53)' : ' (beyond the range of a 64-bit float)';
  return /^[+-]?(nan|inf(inity)?)$/i.test(text) ? ' (NaN and infinities are not accepted)' : '';
}

function show(input: RawCell, max = 60): string {
  const text = typeof input === 'string' ? input : (JSON.stringify(input) ?? String(input));
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
